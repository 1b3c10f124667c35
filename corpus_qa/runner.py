"""Stream a corpus through a suite's GX expectations and collect findings.

Documents are read lazily and validated in bounded chunks (one pandas DataFrame per
chunk), so memory does not grow with the corpus. GX answers pass/fail per document
with ``result_format=SUMMARY`` and the failing documents' ids; spans and messages are
computed afterwards, for failing documents only. ``mostly`` is applied to counts
aggregated over all chunks, and the verdict is computed here from each
expectation's success, severity and ``exception_info`` (GX's own ``success`` ignores
severity).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from corpus_qa import __version__
from corpus_qa.documents import Document
from corpus_qa.loaders import InputProblem, SkippedFile, iter_corpus
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


def document_row(doc: Document) -> dict[str, Any]:
    """The row GX sees for one document."""
    return {"id": doc.id, "path": doc.path, "text": doc.text, "raw": doc.raw}


def document_record(doc: Document) -> dict[str, Any]:
    """The document's entry in the JSON results (id, path, story, metadata with origins)."""
    return {
        "id": doc.id,
        "path": doc.path,
        "line": doc.line,
        "story": None,
        "metadata": {
            name: {"value": f.value, "origin": f.origin, "span": list(f.span) if f.span else None}
            for name, f in sorted(doc.fields.items())
        },
    }


class Runner:
    """Validates a corpus against a suite."""

    def __init__(self, suite: Suite, *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                 progress: Progress | None = None) -> None:
        from corpus_qa.gxcontext import batch_definition, context

        self.suite = suite
        self.chunk_size = chunk_size
        self.progress = progress
        self.expectations = suite.instances()
        self.specs = suite.expectations
        gx_suite = suite.to_gx()
        gx_suite.name = f"{suite.name}-{id(self)}"
        self.gx_suite = context().suites.add(gx_suite)
        # GX assigned ids when the suite was added; results are matched back by id.
        self.index = {e.id: i for i, e in enumerate(self.gx_suite.expectations)}
        self.batches = batch_definition("documents")

    def run(self, paths: list[str]) -> RunResult:
        """Validate every document under ``paths``."""
        started = datetime.now(UTC).isoformat(timespec="seconds")
        clock = time.perf_counter()
        outcomes = [
            Outcome(type=spec.type, severity=spec.severity, mostly=spec.mostly,
                    kwargs=dict(spec.kwargs), description=spec.description or type(e).summary(),
                    scope=e.scope)
            for spec, e in zip(self.specs, self.expectations, strict=True)
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
        for batch in chunks(loaded_documents(), self.chunk_size):
            documents.extend(document_record(d) for d in batch)
            findings.extend(self._validate_chunk(batch, outcomes))
            done += len(batch)
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

    def _validate_chunk(self, batch: list[Document], outcomes: list[Outcome]) -> list[Finding]:
        import pandas as pd

        frame = pd.DataFrame([document_row(d) for d in batch])
        gx_batch = self.batches.get_batch(batch_parameters={"dataframe": frame})
        result = gx_batch.validate(
            self.gx_suite,
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": ["id"],
                # Every failing id of the chunk (values are references, not copies).
                "partial_unexpected_count": len(batch),
            },
        )
        by_id = {d.id: d for d in batch}
        findings: list[Finding] = []
        for item in result.results:
            i = self.index[item.expectation_config.id]
            outcome, expectation = outcomes[i], self.expectations[i]
            info = item.exception_info or {}
            if info.get("raised_exception"):
                outcome.errors.append(
                    (info.get("exception_message") or "raised")
                    + "\n" + (info.get("exception_traceback") or "")
                )
                continue
            stats = item.result
            outcome.checked += int(stats.get("element_count", 0))
            outcome.unexpected += int(stats.get("unexpected_count", 0))
            outcome.missing += int(stats.get("missing_count", 0))
            severity = FROM_GX_SEVERITY[str(getattr(expectation.severity, "value",
                                                    expectation.severity))]
            for row in stats.get("partial_unexpected_index_list") or []:
                doc = by_id[row["id"]]
                value = row[expectation.column]
                findings.extend(
                    _place(hit, outcome.type, severity, doc) for hit in expectation.explain(value)
                )
        return findings


def _place(hit: Any, expectation: str, severity: str, doc: Document) -> Finding:
    return place(hit, expectation, severity, doc.id, doc.path, doc.text, doc.line)


def _input_finding(problem: InputProblem) -> Finding:
    return Finding(
        expectation=INPUT, severity="error", document=problem.document or problem.path,
        path=problem.path, reason=problem.reason, message=problem.message, span=(0, 0),
        line=problem.line, column=1, excerpt="", related=None, suggestion=None,
    )


def validate(suite: Suite, paths: list[str], **options: Any) -> RunResult:
    """Validate the corpus at ``paths`` against ``suite`` (see :class:`Runner`)."""
    return Runner(suite, **options).run(paths)

