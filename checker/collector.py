"""The cyclic garbage collector's policy around long-lived data (see :func:`gc_frozen`)."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_frozen_depth = 0  # how many gc_frozen blocks of ours are open


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Keep the objects that exist before a check (the dataset, the pack, the libraries') out of
    the cyclic collector's passes while it runs: they outlive it, and rescanning them at every
    full pass cost a fifth of the evaluation's CPU. Collection itself goes on as usual.

    Nestable: an inner block freezes what was made since the outer one began (the loaded
    dataset) and the outermost block unfreezes everything, so nothing stays frozen for good."""
    global _frozen_depth
    if not _frozen_depth and gc.get_freeze_count():  # someone else manages the permanent generation
        yield
        return
    gc.freeze()
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if not _frozen_depth:
            gc.unfreeze()
