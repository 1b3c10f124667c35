"""Stream a corpus through a suite's GX expectations and collect findings.

Pass 1 reads documents lazily and validates them in bounded chunks (one pandas
DataFrame per chunk), so memory does not grow with the corpus; it also resolves each
document's metadata and computes its MinHash signature. A corpus of more than one
chunk is validated by a pool of worker processes (one per core by default), with at
most two chunks per worker in flight.

Then documents are grouped into stories (LSH over the signatures, never all pairs),
and pass 2 validates the story-level expectations, one GX row per story with two or
more versions, re-reading only those documents.

GX answers pass/fail per row with ``result_format=SUMMARY`` and the failing rows' ids;
spans and messages are computed afterwards, for failing rows only. ``mostly`` is
applied to counts aggregated over all chunks, and the verdict is computed here from
each expectation's success, severity and ``exception_info`` (GX's own ``success``
ignores severity).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from corpus_qa import __version__
from corpus_qa.checks.versions import DEFAULT_THRESHOLD, StoryGrouper, suggest_missing
from corpus_qa.documents import Document
from corpus_qa.findings import Hit, Related
from corpus_qa.loaders import InputProblem, SkippedFile, iter_corpus
from corpus_qa.metadata import Metadata, Phrases, parse_date, resolve
from corpus_qa.report.stories import story_record
from corpus_qa.results import Finding, Outcome, RunResult, place
from corpus_qa.suite import FROM_GX_SEVERITY, Suite
from corpus_qa.texts import DocumentSource

DEFAULT_CHUNK_SIZE = 2000
STORY_CHUNK_SIZE = 500
INPUT = "input"
"""The pseudo-expectation under which unreadable input is reported."""

Progress = Callable[[int], None]
T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Group items into lists of at most ``size``."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def document_record(doc: Document, metadata: Metadata) -> dict[str, Any]:
    """The document's entry in the JSON results (id, path, story, metadata with origins)."""
    return {"id": doc.id, "path": doc.path, "line": doc.line, "story": None,
            "metadata": metadata.to_json()}


def grouping_date(metadata: Metadata) -> str | None:
    """The document's date as ISO ``YYYY-MM-DD`` when it is a valid date (orders versions)."""
    if "date" not in metadata:
        return None
    parsed = parse_date(metadata["date"].raw)
    return parsed.date.isoformat() if parsed.date else None


@dataclass
class ScopeResult:
    """What validating one chunk of rows produced, by expectation position in the suite."""

    counts: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # checked, unexp., missing
    errors: list[tuple[int, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ChunkResult(ScopeResult):
    """Pass 1 for one chunk: results, document records and grouping signatures."""

    records: list[dict[str, Any]] = field(default_factory=list)
    signatures: list[tuple[str, Any, str | None, str | None]] = field(default_factory=list)


class ScopeValidator:
    """Runs the suite's expectations of one scope (``document`` or ``story``) on DataFrames."""

    def __init__(self, suite: Suite, scope: str) -> None:
        import great_expectations as gx

        from corpus_qa.gxcontext import batch_definition, context

        ctx = context()
        instances = suite.instances()
        self.positions = [i for i, e in enumerate(instances) if e.scope == scope]
        self.expectations = [instances[i] for i in self.positions]
        self.gx_suite = None
        if self.expectations:
            gx_suite = gx.ExpectationSuite(name=f"{suite.name}-{scope}-{id(self)}")
            for expectation in self.expectations:
                gx_suite.add_expectation(expectation)
            self.gx_suite = ctx.suites.add(gx_suite)
            # GX assigned ids when the suite was added; results are matched back by id.
            self.index = {e.id: i for i, e in enumerate(self.gx_suite.expectations)}
        self.batches = batch_definition(scope)

    def validate(self, rows: list[dict[str, Any]],
                 place_hit: Callable[[Hit, str, str, str], Finding]) -> ScopeResult:
        """Validate ``rows`` (dicts with an ``id``); ``place_hit(hit, row_id, type, severity)``."""
        out = ScopeResult()
        if self.gx_suite is None or not rows:
            return out
        import pandas as pd

        gx_batch = self.batches.get_batch(batch_parameters={"dataframe": pd.DataFrame(rows)})
        result = gx_batch.validate(
            self.gx_suite,
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": ["id"],
                # Every failing id of the chunk (the values are references, not copies).
                "partial_unexpected_count": len(rows),
            },
        )
        for item in result.results:
            local = self.index[item.expectation_config.id]
            position, expectation = self.positions[local], self.expectations[local]
            info = item.exception_info or {}
            if info.get("raised_exception"):
                out.errors.append((position, (info.get("exception_message") or "raised") + "\n"
                                   + (info.get("exception_traceback") or "")))
                continue
            stats = item.result
            out.counts[position] = (int(stats.get("element_count", 0)),
                                    int(stats.get("unexpected_count", 0)),
                                    int(stats.get("missing_count", 0)))
            severity = FROM_GX_SEVERITY[str(getattr(expectation.severity, "value",
                                                    expectation.severity))]
            for row in stats.get("partial_unexpected_index_list") or []:
                for hit in expectation.explain(row[expectation.column]):
                    out.findings.append(place_hit(hit, row["id"], expectation.expectation_type,
                                                  severity))
        return out


class ChunkValidator:
    """Pass 1 on one chunk of documents: metadata, signatures, per-document expectations."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.validator = ScopeValidator(suite, "document")
        self.phrases: Phrases = suite.load_phrases()
        self.grouper = new_grouper(suite)
        self.groups = needs_stories(suite)

    def __call__(self, batch: list[Document]) -> ChunkResult:
        metadata = [resolve(d, self.phrases) for d in batch]
        rows = [{"id": d.id, "path": d.path, "text": d.text, "raw": d.raw, "metadata": m}
                for d, m in zip(batch, metadata, strict=True)]
        by_id = {d.id: d for d in batch}

        def place_hit(hit: Hit, doc_id: str, expectation: str, severity: str) -> Finding:
            doc = by_id[doc_id]
            return place(hit, expectation, severity, doc.id, doc.path, doc.text, doc.line)

        scoped = self.validator.validate(rows, place_hit)
        out = ChunkResult(counts=scoped.counts, errors=scoped.errors, findings=scoped.findings)
        key_field = self.suite.versions.key
        for doc, meta in zip(batch, metadata, strict=True):
            out.records.append(document_record(doc, meta))
            key = meta[key_field].value if key_field and key_field in meta else None
            if self.groups:
                signature = self.grouper.signature(doc.text[doc.body_start:])
                out.signatures.append((doc.id, signature, key, grouping_date(meta)))
        return out


def needs_stories(suite: Suite) -> bool:
    """Whether the suite looks at stories: cross-version or corpus-wide expectations, or a key.

    Grouping costs a MinHash signature per document (about as much as the mojibake
    check), so a suite of per-document expectations skips it.
    """
    from corpus_qa.expectations import registered

    classes = registered()
    scopes = {classes[spec.type].scope for spec in suite.expectations}
    return bool(scopes & {"story", "corpus"}) or suite.versions.key is not None


def new_grouper(suite: Suite) -> StoryGrouper:
    """A story grouper with the suite's threshold."""
    return StoryGrouper(threshold=suite.versions.threshold or DEFAULT_THRESHOLD)


# One validator per worker process, built by the pool's initializer.
_WORKER: ChunkValidator | None = None


def _init_worker(suite: Suite) -> None:
    global _WORKER
    _WORKER = ChunkValidator(suite)


def _validate_in_worker(batch: list[Document]) -> ChunkResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER(batch)


@dataclass
class _Totals:
    """Accumulates per-expectation outcomes and findings across chunks and passes."""

    outcomes: list[Outcome]
    findings: list[Finding] = field(default_factory=list)

    def add(self, part: ScopeResult) -> None:
        for i, (checked, unexpected, missing) in part.counts.items():
            self.outcomes[i].checked += checked
            self.outcomes[i].unexpected += unexpected
            self.outcomes[i].missing += missing
        for i, error in part.errors:
            self.outcomes[i].errors.append(error)
        self.findings.extend(part.findings)


class Runner:
    """Validates a corpus against a suite."""

    def __init__(self, suite: Suite, *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                 workers: int | None = None, progress: Progress | None = None) -> None:
        self.suite = suite
        self.chunk_size = chunk_size
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.progress = progress
        self.chunk_validator = ChunkValidator(suite)
        self.story_validator = ScopeValidator(suite, "story")
        self.corpus_validator = ScopeValidator(suite, "corpus")

    def run(self, paths: list[str], *, only: set[str] | None = None,
            only_paths: set[str] | None = None,
            only_files: set[str] | None = None) -> RunResult:
        """Validate every document under ``paths`` (or only the ids in ``only``).

        With ``only``, other documents are not validated (they are counted in
        ``skipped_documents``), input problems are kept for ``only_paths`` only, and
        files outside ``only_files`` are not read at all.
        """
        started = datetime.now(UTC).isoformat(timespec="seconds")
        clock = time.perf_counter()
        expectations = self.suite.instances()
        outcomes = [
            Outcome(type=spec.type, severity=spec.severity, mostly=spec.mostly,
                    kwargs=dict(spec.kwargs), description=spec.description or type(e).summary(),
                    scope=e.scope)
            for spec, e in zip(self.suite.expectations, expectations, strict=True)
        ]
        input_outcome = Outcome(type=INPUT, severity="error", mostly=1.0, kwargs={},
                                description="Every corpus file is readable text or valid JSONL.",
                                scope="input")
        totals = _Totals(outcomes)
        documents: list[dict[str, Any]] = []
        skipped: list[str] = []
        grouper = new_grouper(self.suite)

        skipped_documents = 0

        def loaded_documents() -> Iterator[Document]:
            # input.checked counts inputs (documents, and records/files that could not
            # become one); input.unexpected counts inputs with a problem.
            nonlocal skipped_documents
            for item in iter_corpus(paths, only_files=only_files):
                if only is not None and not _selected(item, only, only_paths or set()):
                    skipped_documents += isinstance(item, Document)
                elif isinstance(item, SkippedFile):
                    skipped.append(item.path)
                elif isinstance(item, InputProblem):
                    totals.findings.append(_input_finding(item))
                    input_outcome.unexpected += 1
                    input_outcome.checked += item.document is None
                else:
                    input_outcome.checked += 1
                    yield item

        for part in self._validate_chunks(chunks(loaded_documents(), self.chunk_size)):
            totals.add(part)
            documents.extend(part.records)
            for doc_id, signature, key, date in part.signatures:
                grouper.add_signature(doc_id, signature, key, date)
            if self.progress:
                self.progress(len(documents))

        if self.chunk_validator.groups:
            stories = self._stories(grouper, documents, totals, expectations)
        else:
            stories = []
            _mark_missing(documents, required_fields(expectations), {})
        self._corpus_wide(documents, totals)
        totals.findings.sort(key=Finding.sort_key)
        return RunResult(
            suite=self.suite.name,
            corpus=[str(p) for p in paths],
            outcomes=[input_outcome, *outcomes],
            findings=totals.findings,
            documents=documents,
            stories=stories,
            skipped_files=skipped,
            skipped_documents=skipped_documents,
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
            yield self.chunk_validator(first)
            if second is not None:
                yield self.chunk_validator(second)
                yield from map(self.chunk_validator, batches)
            return
        with ProcessPoolExecutor(max_workers=self.workers, initializer=_init_worker,
                                 initargs=(self.suite,)) as pool:
            yield from _bounded_map(pool, _validate_in_worker,
                                    itertools.chain((first, second), batches), 2 * self.workers)

    # --- pass 2: stories ---------------------------------------------------------------

    def _stories(self, grouper: StoryGrouper, documents: list[dict[str, Any]], totals: _Totals,
                 expectations: list[Any]) -> list[dict[str, Any]]:
        """Group into stories, validate the story-level expectations, suggest missing fields."""
        from corpus_qa.expectations.versions import Version

        groups = grouper.groups()
        record_of = {r["id"]: r for r in documents}
        for story in groups:
            for doc_id in story.documents:
                record_of[doc_id]["story"] = story.id
        multi = [s for s in groups if len(s.documents) > 1]
        source = DocumentSource(documents)
        phrases = self.chunk_validator.phrases
        required = required_fields(expectations)
        byline_signals = {s.id for s in phrases.signals if s.kind == "byline"}
        tolerance = next((e.tolerance for e in expectations
                          if e.expectation_type == "expect_versions_to_have_consistent_figures"),
                         0.0)
        suggestions: dict[tuple[str, str], tuple[str, Related]] = {}
        story_records = []
        for batch in chunks(multi, STORY_CHUNK_SIZE):
            rows = []
            texts: dict[str, str] = {}
            for story in batch:
                versions = []
                for doc_id in story.documents:
                    doc = source.document(doc_id)
                    meta = resolve(doc, phrases)
                    texts[doc_id] = doc.text
                    versions.append(Version(doc_id, doc.text, meta, _credits(meta, byline_signals),
                                            doc.body_start))
                rows.append({"id": story.id, "versions": tuple(versions)})
                suggestions.update(_suggestions(versions, required))
                story_records.append(story_record(story.id, [(v.id, v.body) for v in versions],
                                                  tolerance))

            def place_hit(hit: Hit, story_id: str, expectation: str, severity: str,
                          texts: dict[str, str] = texts) -> Finding:
                doc_id = hit.document or ""
                record = record_of[doc_id]
                return place(hit, expectation, severity, doc_id, record["path"], texts[doc_id],
                             int(record.get("line") or 1))

            totals.add(self.story_validator.validate(rows, place_hit))
        totals.findings[:] = [_with_suggestion(f, suggestions) for f in totals.findings]
        _mark_missing(documents, required, suggestions)
        return story_records


    # --- pass 3: corpus-wide counts -------------------------------------------------

    def _corpus_wide(self, documents: list[dict[str, Any]], totals: _Totals) -> None:
        """Repeated lines: count line hashes per story over the corpus, then flag each document.

        Reads every document twice more (counting, then flagging); only hashes are kept.
        """
        expectations = self.corpus_validator.expectations
        if not expectations:
            return
        counter = expectations[0].counter()
        source = DocumentSource(documents)
        for record in documents:
            doc = source.document(record["id"])
            counter.add(doc.id, record["story"], doc.text, body_start=doc.body_start)
        for batch in chunks(documents, self.chunk_size):
            rows, docs = [], {}
            for record in batch:
                doc = docs[record["id"]] = source.document(record["id"])
                spans = counter.repeated_spans(doc.text, record["story"],
                                               body_start=doc.body_start)
                # A credit line repeats across an agency's stories by design: it is
                # attribution (metadata), not furniture.
                credits = _attribution_spans(resolve(doc, self.chunk_validator.phrases))
                spans = [h for h in spans if not any(_overlaps(h.span, c) for c in credits)]
                rows.append({"id": doc.id, "repeated_lines": tuple(spans)})

            def place_hit(hit: Hit, doc_id: str, expectation: str, severity: str,
                          docs: dict[str, Document] = docs) -> Finding:
                doc = docs[doc_id]
                return place(hit, expectation, severity, doc.id, doc.path, doc.text, doc.line)

            totals.add(self.corpus_validator.validate(rows, place_hit))


def required_fields(expectations: list[Any]) -> list[str]:
    """The metadata fields the suite's ``expect_document_to_have_metadata`` entries require."""
    return sorted({f for e in expectations
                   if e.expectation_type == "expect_document_to_have_metadata"
                   for f in e.fields})


def _mark_missing(documents: list[dict[str, Any]], required: list[str],
                  suggestions: dict[tuple[str, str], tuple[str, Related]]) -> None:
    """A required field a document lacks is listed with a null value and any suggestion."""
    for record in documents:
        for name in required:
            if name not in record["metadata"]:
                value, related = suggestions.get((record["id"], name), (None, None))
                record["metadata"][name] = {
                    "value": None, "origin": None, "span": None, "suggestion": value,
                    "suggestion_from": related.document if related else None}


def _attribution_spans(meta: Metadata) -> list[tuple[int, int]]:
    if "attribution" not in meta:
        return []
    return [e.span for e in meta["attribution"].evidence if e.span is not None]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _selected(item: Any, only: set[str], only_paths: set[str]) -> bool:
    if isinstance(item, Document):
        return item.id in only
    if isinstance(item, InputProblem):
        return (item.document in only) if item.document else item.path in only_paths
    return item.path in only_paths  # a skipped file


_SIGNER: tuple[StoryGrouper, Phrases, str | None] | None = None


def _init_signer(suite: Suite) -> None:
    global _SIGNER
    _SIGNER = (new_grouper(suite), suite.load_phrases(), suite.versions.key)


def _sign(batch: list[Document]) -> list[tuple[str, str, Any, str | None]]:
    """(id, path, signature, story key) of each document (in a worker or in-process)."""
    assert _SIGNER is not None, "signer not initialised"
    grouper, phrases, key_field = _SIGNER
    out = []
    for doc in batch:
        # Selection needs story membership only: metadata is resolved only for a story key.
        key = None
        if key_field:
            meta = resolve(doc, phrases)
            key = meta[key_field].value if key_field in meta else None
        out.append((doc.id, doc.path, grouper.signature(doc.text[doc.body_start:]), key))
    return out


def story_map(suite: Suite, paths: list[str], *, workers: int | None = None,
              chunk_size: int = DEFAULT_CHUNK_SIZE) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every document's id, path and story id, without validating anything.

    What ``--changed-since`` needs to add the other versions of a changed document's
    story: a MinHash signature per document (computed on every core), then grouping.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    grouper = new_grouper(suite)
    records = []
    batches = chunks((d for d in iter_corpus(paths) if isinstance(d, Document)), chunk_size)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_signer,
                                 initargs=(suite,)) as pool:
            signed: Iterable[list[tuple[str, str, Any, str | None]]] = list(
                _bounded_map(pool, _sign, batches, 2 * workers))
    else:
        _init_signer(suite)
        signed = map(_sign, batches)
    for part in signed:
        for doc_id, path, signature, key in part:
            grouper.add_signature(doc_id, signature, key)
            records.append({"id": doc_id, "path": path})
    stories = {doc: story.id for story in grouper.groups() for doc in story.documents}
    return records, stories


def _bounded_map(pool: ProcessPoolExecutor, fn: Callable[[Any], T], items: Iterable[Any],
                 window: int) -> Iterator[T]:
    """``pool.map`` in order with at most ``window`` tasks in flight (bounded memory)."""
    pending: deque[Future[T]] = deque()
    for item in items:
        if len(pending) >= window:
            yield pending.popleft().result()
        pending.append(pool.submit(fn, item))
    while pending:
        yield pending.popleft().result()


def _credits(meta: Metadata, byline_signals: set[str]) -> tuple[str, ...]:
    """Attribution names that come from credit lines (not from a byline)."""
    if "attribution" not in meta:
        return ()
    names: list[str] = []
    for evidence in meta["attribution"].evidence:
        if evidence.signal not in byline_signals:
            names.extend(v for v in evidence.values if v not in names)
    return tuple(names)


def _suggestions(versions: list[Any], fields: list[str]) -> dict[tuple[str, str], tuple[str, Related]]:
    """(doc, field) -> (value, where another version states it) for each missing field."""
    if not fields:
        return {}
    values = [(v.id, {f: v.metadata[f].value for f in fields if f in v.metadata})
              for v in versions]
    out = {}
    for doc_id, missing in suggest_missing(values, fields).items():
        for name, value in missing.items():
            shown = value if isinstance(value, str) else "; ".join(value)
            origin = next(v for v in versions if name in v.metadata
                          and v.metadata[name].value == shown)
            out[(doc_id, name)] = (shown, Related(origin.id, origin.metadata[name].location()))
    return out


def _with_suggestion(finding: Finding,
                     suggestions: dict[tuple[str, str], tuple[str, Related]]) -> Finding:
    if finding.reason != "missing_field" or finding.key is None:
        return finding
    found = suggestions.get((finding.document, finding.key))
    if found is None:
        return finding
    value, related = found
    return dataclasses.replace(
        finding, suggestion=value, related=related,
        message=f"{finding.message}; another version of this story ({related.document}) "
                f"gives {value!r}")


def _input_finding(problem: InputProblem) -> Finding:
    return Finding(
        expectation=INPUT, severity="error", document=problem.document or problem.path,
        path=problem.path, reason=problem.reason, message=problem.message, span=(0, 0),
        line=problem.line, column=1, excerpt="", related=None, suggestion=None,
    )


def validate(suite: Suite, paths: list[str], **options: Any) -> RunResult:
    """Validate the corpus at ``paths`` against ``suite`` (see :class:`Runner`)."""
    return Runner(suite, **options).run(paths)
