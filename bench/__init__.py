"""Benchmarks: deterministic synthetic submissions at named scales (``bench/generate.py``).

Nothing here is imported by :mod:`checker`; the benchmark data lives in ``bench/data/``
(git-ignored) and is regenerated from a seed.
"""
