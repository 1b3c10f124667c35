"""Stream a corpus through a suite's GX expectations and collect findings.

Documents are read lazily and validated in bounded chunks (one pandas DataFrame per
chunk), so memory does not grow with the corpus. GX answers pass/fail per document
with ``result_format=SUMMARY`` and the failing documents' ids; spans and messages are
computed afterwards, for failing documents only. ``mostly`` is applied to counts
aggregated over all chunks, and the verdict is computed here from each
expectation's success, severity and ``exception_info`` (GX's own ``success`` ignores
severity).

A corpus of more than one chunk is validated by a pool of worker processes (one per
core by default), with at most two chunks per worker in flight.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from corpus_qa import __version__
from corpus_qa.documents import Document
from corpus_qa.loaders import InputProblem, SkippedFile, iter_corpus
from corpus_qa.metadata import Metadata, resolve
from corpus_qa.results import Finding, Outcome, RunResult, place
from corpus_qa.suite import FROM_GX_SEVERITY, Suite

DEFAULT_CHUNK_SIZE = 2000
INPUT = "input"
"""The pseudo-expectation under which unreadable input is reported."""

Progress = Callable[[int], None]


def chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """Group documents into lists of at most ``size``."""
    batch: list[Document] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def document_row(doc: Document, metadata: Metadata) -> dict[str, Any]:
    """The row GX sees for one document."""
    return {"id": doc.id, "path": doc.path, "text": doc.text, "raw": doc.raw,
            "metadata": metadata}


def document_record(doc: Document, metadata: Metadata) -> dict[str, Any]:
    """The document's entry in the JSON results (id, path, story, metadata with origins)."""
    return {
        "id": doc.id,
        "path": doc.path,
        "line": doc.line,
        "story": None,
        "metadata": metadata.to_json(),
    }


@dataclass
class ChunkResult:
    """What validating one chunk produced (merged into the run's totals)."""

    counts: list[tuple[int, int, int]]  # per expectation: checked, unexpected, missing
    errors: list[tuple[int, str]] = field(default_factory=list)  # expectation index, traceback
    findings: list[Finding] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)


class ChunkValidator:
    """Validates chunks of documents against a suite's per-document expectations."""

    def __init__(self, suite: Suite) -> None:
        from corpus_qa.gxcontext import batch_definition, context

        self.expectations = suite.instances()
        gx_suite = suite.to_gx()
        gx_suite.name = f"{suite.name}-{id(self)}"
        self.gx_suite = context().suites.add(gx_suite)
        # GX assigned ids when the suite was added; results are matched back by id.
        self.index = {e.id: i for i, e in enumerate(self.gx_suite.expectations)}
        self.batches = batch_definition("documents")
        self.phrases = suite.load_phrases()

    def __call__(self, batch: list[Document]) -> ChunkResult:
        import pandas as pd

        metadata = [resolve(d, self.phrases) for d in batch]
        frame = pd.DataFrame([document_row(d, m) for d, m in zip(batch, metadata, strict=True)])
        gx_batch = self.batches.get_batch(batch_parameters={"dataframe": frame})
        result = gx_batch.validate(
            self.gx_suite,
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": ["id"],
                # Every failing id of the chunk (the values are references, not copies).
                "partial_unexpected_count": len(batch),
            },
        )
        by_id = {d.id: d for d in batch}
        out = ChunkResult(counts=[(0, 0, 0)] * len(self.expectations),
                          records=[document_record(d, m)
                                   for d, m in zip(batch, metadata, strict=True)])
        for item in result.results:
            i = self.index[item.expectation_config.id]
            expectation = self.expectations[i]
            info = item.exception_info or {}
            if info.get("raised_exception"):
                out.errors.append((i, (info.get("exception_message") or "raised") + "\n"
                                   + (info.get("exception_traceback") or "")))
                continue
            stats = item.result
            out.counts[i] = (int(stats.get("element_count", 0)),
                             int(stats.get("unexpected_count", 0)),
                             int(stats.get("missing_count", 0)))
            severity = FROM_GX_SEVERITY[str(getattr(expectation.severity, "value",
                                                    expectation.severity))]
            for row in stats.get("partial_unexpected_index_list") or []:
                doc = by_id[row["id"]]
                for hit in expectation.explain(row[expectation.column]):
                    out.findings.append(place(hit, expectation.expectation_type, severity,
                                              doc.id, doc.path, doc.text, doc.line))
        return out


# One validator per worker process, built by the pool's initializer.
_WORKER: ChunkValidator | None = None


def _init_worker(suite: Suite) -> None:
    global _WORKER
    _WORKER = ChunkValidator(suite)


def _validate_in_worker(batch: list[Document]) -> ChunkResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER(batch)


class Runner:
    """Validates a corpus against a suite."""

    def __init__(self, suite: Suite, *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                 workers: int | None = None, progress: Progress | None = None) -> None:
        self.suite = suite
        self.chunk_size = chunk_size
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.progress = progress
        self.validator = ChunkValidator(suite)

    def run(self, paths: list[str]) -> RunResult:
        """Validate every document under ``paths``."""
        started = datetime.now(UTC).isoformat(timespec="seconds")
        clock = time.perf_counter()
        outcomes = [
            Outcome(type=spec.type, severity=spec.severity, mostly=spec.mostly,
                    kwargs=dict(spec.kwargs), description=spec.description or type(e).summary(),
                    scope=e.scope)
            for spec, e in zip(self.suite.expectations, self.validator.expectations, strict=True)
        ]
        input_outcome = Outcome(type=INPUT, severity="error", mostly=1.0, kwargs={},
                                description="Every corpus file is readable text or valid JSONL.",
                                scope="input")
        findings: list[Finding] = []
        documents: list[dict[str, Any]] = []
        skipped: list[str] = []

        def loaded_documents() -> Iterator[Document]:
            # input.checked counts inputs (documents, and records/files that could not
            # become one); input.unexpected counts inputs with a problem.
            for item in iter_corpus(paths):
                if isinstance(item, SkippedFile):
                    skipped.append(item.path)
                elif isinstance(item, InputProblem):
                    findings.append(_input_finding(item))
                    input_outcome.unexpected += 1
                    input_outcome.checked += item.document is None
                else:
                    input_outcome.checked += 1
                    yield item

        done = 0
        for part in self._validate_chunks(chunks(loaded_documents(), self.chunk_size)):
            for i, (checked, unexpected, missing) in enumerate(part.counts):
                outcomes[i].checked += checked
                outcomes[i].unexpected += unexpected
                outcomes[i].missing += missing
            for i, error in part.errors:
                outcomes[i].errors.append(error)
            findings.extend(part.findings)
            documents.extend(part.records)
            done += len(part.records)
            if self.progress:
                self.progress(done)
        findings.sort(key=Finding.sort_key)
        return RunResult(
            suite=self.suite.name,
            corpus=[str(p) for p in paths],
            outcomes=[input_outcome, *outcomes],
            findings=findings,
            documents=documents,
            skipped_files=skipped,
            started=started,
            duration_s=time.perf_counter() - clock,
            tool_version=__version__,
        )

    def _validate_chunks(self, batches: Iterator[list[Document]]) -> Iterator[ChunkResult]:
        """Validate chunks in order: in this process, or in a pool once there is a second."""
        first = next(batches, None)
        if first is None:
            return
        second = next(batches, None)
        if second is None or self.workers <= 1:
            yield self.validator(first)
            if second is not None:
                yield self.validator(second)
                yield from map(self.validator, batches)
            return
        with ProcessPoolExecutor(max_workers=self.workers, initializer=_init_worker,
                                 initargs=(self.suite,)) as pool:
            pending: deque[Future[ChunkResult]] = deque()
            for batch in (first, second):
                pending.append(pool.submit(_validate_in_worker, batch))
            for batch in batches:
                if len(pending) >= 2 * self.workers:
                    yield pending.popleft().result()
                pending.append(pool.submit(_validate_in_worker, batch))
            while pending:
                yield pending.popleft().result()


def _input_finding(problem: InputProblem) -> Finding:
    return Finding(
        expectation=INPUT, severity="error", document=problem.document or problem.path,
        path=problem.path, reason=problem.reason, message=problem.message, span=(0, 0),
        line=problem.line, column=1, excerpt="", related=None, suggestion=None,
    )


def validate(suite: Suite, paths: list[str], **options: Any) -> RunResult:
    """Validate the corpus at ``paths`` against ``suite`` (see :class:`Runner`)."""
    return Runner(suite, **options).run(paths)
