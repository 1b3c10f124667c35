"""The worker pool: forked workers inherit what the parent loaded, and share it."""

from __future__ import annotations

import gc
import sys

import pytest

import corpus_qa.gxcontext  # noqa: F401  (the parent has loaded GX before the pool starts)
from corpus_qa.engine.pool import WorkerPool

_AT_START: dict[str, bool] = {}


def _initialise() -> None:
    _AT_START["gx"] = "great_expectations" in sys.modules


def _state(_: int) -> tuple[bool, int]:
    """In a worker: GX already there when it started, and the objects it inherited frozen."""
    return _AT_START["gx"], gc.get_freeze_count()


def _here(_: int) -> tuple[bool, int]:
    raise AssertionError("two batches on two workers run in the workers")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_workers_inherit_gx_and_the_parent_frozen_objects() -> None:
    import great_expectations  # noqa: F401

    assert gc.get_freeze_count() == 0
    with WorkerPool(2, _initialise, ()) as pool:
        states = list(pool.map(range(4), _here, _state))
        assert gc.get_freeze_count() > 0  # frozen while the workers live
    assert gc.get_freeze_count() == 0  # and collected again once they are gone
    assert all(gx for gx, _ in states), "a worker imported GX again"
    assert all(frozen > 0 for _, frozen in states), "the parent's objects were not frozen"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_the_pool_leaves_a_heap_frozen_before_it_frozen() -> None:
    # The command freezes what importing GX left; unfrozen when the workers are gone, the
    # interpreter's last collection at exit traversed and freed it all (0.6 CPU-s).
    import great_expectations  # noqa: F401

    frozen_by_others = gc.get_freeze_count() > 0  # (an earlier test in this process)
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with WorkerPool(2, _initialise, ()) as pool:
            list(pool.map(range(4), _here, _state))
        # (the count drops when a frozen object dies of its last reference; an unfreeze
        # would leave none)
        assert before > 0 and gc.get_freeze_count() > before // 2
    finally:
        if not frozen_by_others:
            gc.unfreeze()


def test_heap_frozen_freezes_inside_and_leaves_an_earlier_freeze_alone() -> None:
    import gc

    from corpus_qa.engine.pool import heap_frozen

    assert gc.get_freeze_count() == 0
    kept = [object() for _ in range(3)]  # noqa: F841  (held while frozen)
    with heap_frozen():
        inside = gc.get_freeze_count()
    assert inside > 0 and gc.get_freeze_count() == 0
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with heap_frozen():
            pass
        assert gc.get_freeze_count() > before // 2  # someone else's freeze is kept
    finally:
        gc.unfreeze()


def test_heap_is_frozen_answers_as_the_freeze_count_does() -> None:
    # The flag spares a walk of every frozen object (25 ms once GX's import is frozen):
    # through every freeze and thaw of ours, and another's freeze, it answers as the
    # count does.
    import gc

    from corpus_qa.engine.pool import heap_frozen
    from corpus_qa.gxcontext import freeze_heap, heap_is_frozen, unfreeze_heap

    def same() -> bool:
        return heap_is_frozen() == (gc.get_freeze_count() > 0)

    assert gc.get_freeze_count() == 0 and same()
    freeze_heap()
    assert gc.get_freeze_count() > 0 and same()
    with heap_frozen():
        assert same()
    assert gc.get_freeze_count() > 0 and same()  # ours stood before: left frozen
    unfreeze_heap()
    assert gc.get_freeze_count() == 0 and same()
    with heap_frozen():
        assert gc.get_freeze_count() > 0 and same()
    assert gc.get_freeze_count() == 0 and same()
    gc.freeze()  # someone else's freeze: counted, and left to them
    try:
        assert same()
        with heap_frozen():
            assert same()
        assert gc.get_freeze_count() > 0 and same()
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0 and same()
