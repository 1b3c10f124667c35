"""What a chunk leaves behind: nothing kept alive by GX, the C heap trimmed after it."""

from __future__ import annotations

import gc
import platform
import sys
import weakref
from typing import Any

import pytest

from corpus_qa.documents import Document
from corpus_qa.engine.pool import WorkerPool, _malloc_trim, trim_heap
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


_TRIMS: list[int] = []


def _count_trim() -> None:
    _TRIMS.append(1)


def _task(_: int) -> int:
    """In a worker: how often the C heap was trimmed here before this task."""
    return len(_TRIMS)


def _here(_: int) -> int:
    raise AssertionError("six tasks on two workers run in the workers")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_worker_trims_its_heap_after_each_task(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a trim a worker's resident memory stays at its largest chunk's through
    every later pass (the forked workers inherit the counting trim below)."""
    import corpus_qa.engine.pool as pool

    monkeypatch.setattr(pool, "trim_heap", _count_trim)
    with WorkerPool(2, lambda: None, ()) as pool_of_two:
        seen = list(pool_of_two.map(range(6), _here, _task))
    assert _TRIMS == []  # this process validated nothing
    # Each worker's tasks see 0, 1, 2, ... trims before them: one after every task (six
    # tasks on two workers: one of them ran two or more).
    assert max(seen) >= 1
    assert set(seen) == set(range(max(seen) + 1))


def test_trim_heap_is_glibc_malloc_trim_on_linux() -> None:
    trim_heap()  # and harmless anywhere
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert _malloc_trim() is not None
