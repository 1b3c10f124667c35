"""What a chunk leaves behind: nothing kept alive by GX, garbage freed between tasks."""

from __future__ import annotations

import gc
import platform
import sys
import weakref
from typing import Any

import pytest

from corpus_qa.documents import Document
from corpus_qa.engine.pool import WorkerPool, _malloc_trim, release_memory
from corpus_qa.engine.rows import validation_row
from corpus_qa.engine.scope import ScopeValidator
from corpus_qa.metadata import resolve
from corpus_qa.results import place
from corpus_qa.suite import load_suite
from tests.conftest import NEWS, SEEDS


class _Probe:
    """A cell whose life a weak reference follows."""


def test_gx_keeps_no_cell_of_a_validated_chunk() -> None:
    """GX's execution engine caches the last batch it loaded; a validated chunk's frame
    (its rows: texts, bytes, metadata) must not outlive the chunk."""
    suite = load_suite(NEWS)
    validator = ScopeValidator(suite.name, suite.instances(), "document")
    phrases = suite.load_phrases()
    docs = [Document(id=p.stem, text=p.read_text(encoding="utf-8"), path=str(p))
            for p in sorted(SEEDS.glob("*.txt"))[:3]]
    probes = [_Probe() for _ in docs]
    alive = [weakref.ref(p) for p in probes]
    rows = [{**validation_row(d, resolve(d, phrases).to_row()), "probe": p}
            for d, p in zip(docs, probes, strict=True)]
    by_id = {d.id: d for d in docs}

    def place_hit(hit: Any, doc_id: str, expectation: str, severity: str) -> Any:
        doc = by_id[doc_id]
        return place(hit, expectation, severity, doc.id, doc.path, doc.text, doc.line, None)

    validator.validate(rows, place_hit)
    del rows, probes
    gc.collect()
    assert [r() for r in alive] == [None] * len(docs)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


_MADE: list[weakref.ref[_Cycle]] = []


def _task(_: int) -> list[bool]:
    """In a worker: whether the garbage earlier tasks left here is still alive; then
    leave some more, with the collector off (as a chunk runs: passes pause it)."""
    alive = [ref() is not None for ref in _MADE]
    gc.disable()
    _MADE.append(weakref.ref(_Cycle()))
    return alive


def _here(_: int) -> list[bool]:
    raise AssertionError("six tasks on two workers run in the workers")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_worker_frees_each_task_garbage_before_the_next() -> None:
    with WorkerPool(2, lambda: None, ()) as pool:
        seen = list(pool.map(range(6), _here, _task))
    assert sum(len(alive) for alive in seen) >= 1  # a worker ran two tasks or more
    assert not any(any(alive) for alive in seen)


def test_release_memory_collects_cycles_and_trims_glibc_heap() -> None:
    ref = weakref.ref(_Cycle())
    enabled = gc.isenabled()
    gc.disable()
    try:
        assert ref() is not None
        release_memory()
        assert ref() is None
    finally:
        if enabled:
            gc.enable()
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert _malloc_trim() is not None
