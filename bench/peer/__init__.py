"""Engine peers: the same three obligations evaluated by ducha, by CLIPS and by plain durable_rules.

* :mod:`bench.peer.facts` — the shared input (plain frames and parameters, taken from one
  :class:`~checker.dataset.Dataset` and the pack's rules) and the verdict record all three produce;
* :mod:`bench.peer.ducha_peer` — ducha's own pipeline (aggregate → facts → engine → outcomes), timed per stage;
* :mod:`bench.peer.clips_peer` with ``obligations.clp`` — CLIPS deftemplates and defrules through clipspy;
* :mod:`bench.peer.durable_plain` — durable_rules used directly (no ducha compiler), following
  ``shared/durable_rules.md``.
"""
