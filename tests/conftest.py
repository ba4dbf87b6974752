"""Hypothesis profiles for the whole suite.

``default`` (the normal run and CI): 500 examples per property, no per-example deadline, and
derandomized, so every run explores the same examples and a red CI run is reproducible.
``nightly`` (``HYPOTHESIS_PROFILE=nightly``): 20x the examples with fresh randomness each
night, to find what the fixed seed does not. ``quick``: a few examples, no shrinking, while
developing.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("default", max_examples=500, derandomize=True, **_COMMON)
settings.register_profile("nightly", max_examples=10_000, derandomize=False, **_COMMON)
# While developing: few examples, and a failure is shown as found (shrinking is slow here).
settings.register_profile("quick", max_examples=60, derandomize=True, phases=[Phase.explicit, Phase.generate], **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
