"""Evaluator housekeeping: the collector is paused for pre-existing objects only, and restored."""
from __future__ import annotations

import gc
import weakref

import pytest

from checker.evaluate import _gc_frozen, gc_frozen


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_objects_made_before_are_frozen_during_and_released_after() -> None:
    assert gc.get_freeze_count() == 0
    before = _Node()
    with _gc_frozen():
        assert gc.get_freeze_count() > 0
        during = _Node()
        gone = weakref.ref(during)
        del during
        gc.collect()
        assert gone() is None, "garbage made during the evaluation is still collected"
    assert gc.get_freeze_count() == 0
    kept = weakref.ref(before)
    del before
    gc.collect()
    assert kept() is None, "and what existed before is collectable again afterwards"


def test_a_freeze_made_by_someone_else_is_left_alone() -> None:
    gc.freeze()
    try:
        n = gc.get_freeze_count()
        with _gc_frozen():
            assert gc.get_freeze_count() == n
        assert gc.get_freeze_count() == n
    finally:
        gc.unfreeze()


def test_the_freeze_is_undone_when_evaluation_fails() -> None:
    with pytest.raises(RuntimeError):
        with _gc_frozen():
            raise RuntimeError("a rule broke")
    assert gc.get_freeze_count() == 0


def test_nested_blocks_freeze_what_came_between_and_the_outer_one_releases_all() -> None:
    """Runner.run wraps load + evaluation; the evaluation's own block freezes the loaded dataset."""
    assert gc.get_freeze_count() == 0
    with gc_frozen():
        outer = gc.get_freeze_count()
        loaded = [_Node() for _ in range(100)]  # made after the outer freeze (a loaded dataset)
        with gc_frozen():
            assert gc.get_freeze_count() >= outer + len(loaded)
        assert gc.get_freeze_count() >= outer + len(loaded), "only the outermost block unfreezes"
        kept = weakref.ref(loaded[0])
    assert gc.get_freeze_count() == 0
    del loaded
    gc.collect()
    assert kept() is None, "nothing stays frozen for good"
