"""The three passes over a corpus, each reading rows of plain values.

1. **Documents** (:class:`DocumentPass`, on a chunk, in a worker): read once, metadata
   resolved once, the per-document expectations validated, the row stored for later,
   the story signature and each corpus-wide pre-pass computed.
2. **Stories** (:class:`StoryPass`, on a chunk of stories, in a worker): the stories of
   two or more versions, validated from the stored rows; missing required fields get
   suggestions from other versions.
3. **Corpus** (:func:`corpus_pass`): each corpus-scope expectation counts its pre-pass
   values over every document, then fills each document's cell.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from corpus_qa.checks.versions import (
    DEFAULT_THRESHOLD,
    SignatureRows,
    Story,
    StoryGrouper,
    story_id,
    suggest_missing,
)
from corpus_qa.documents import Document
from corpus_qa.engine.pool import chunks
from corpus_qa.engine.rows import (
    credits_of,
    document_record,
    grouping_date,
    stored_row,
    validation_row,
)
from corpus_qa.engine.rowstore import Ref, RowStore
from corpus_qa.engine.scope import ScopeResult, ScopeValidator
from corpus_qa.findings import Hit, Related
from corpus_qa.metadata import Metadata, resolve
from corpus_qa.results import Finding, place
from corpus_qa.suite import Suite

STORY_CHUNK_SIZE = 200
"""Stories per story-pass job (small enough to spread a few thousand stories over the pool)."""


def new_grouper(suite: Suite, signatures: SignatureRows | None = None,
                seen: MutableMapping[str, None] | None = None) -> StoryGrouper:
    """A story grouper with the suite's threshold (its signatures kept in ``signatures``,
    e.g. a :class:`corpus_qa.diskmap.SignatureFile`, and the ids it has seen in ``seen``,
    e.g. a :class:`corpus_qa.diskmap.SeenIds`; else in memory)."""
    return StoryGrouper(threshold=suite.versions.threshold or DEFAULT_THRESHOLD,
                        signatures=signatures, seen=seen)


def needs_stories(suite: Suite, instances: Iterable[Any]) -> bool:
    """Whether the suite looks at stories: cross-version or corpus-wide expectations, or a key.

    Grouping costs a MinHash signature per document (tens of µs for a news article),
    so a suite of per-document expectations skips it.
    """
    scopes = {e.scope for e in instances}
    return bool(scopes & {"story", "corpus"}) or suite.versions.key is not None


def needs_metadata(suite: Suite, instances: Iterable[Any]) -> bool:
    """Whether pass 1 resolves each document's metadata: an expectation reads it
    (:meth:`~corpus_qa.expectations.base.CorpusExpectation.needs_metadata`) or stories are
    grouped (a story key, the date that orders versions, credit lines).

    Resolution is the largest per-document cost of a suite that only checks the text (a
    third of the encoding suite's run), so such a suite skips it; its documents are then
    listed without metadata.
    """
    instances = list(instances)
    return needs_stories(suite, instances) or any(e.needs_metadata() for e in instances)


@dataclass
class Stored:
    """Where pass 1 stored a document's row and its corpus-wide pre-pass values."""

    row: Ref
    prepared: dict[int, Ref] = field(default_factory=dict)


@dataclass
class ChunkResult(ScopeResult):
    """Pass 1 for one chunk: results, document records, stored rows and signatures."""

    records: list[dict[str, Any]] = field(default_factory=list)
    stored: list[tuple[str, Stored]] = field(default_factory=list)
    signatures: list[tuple[str, Any, str | None, str | None]] = field(default_factory=list)
    resolutions: int = 0
    check_runs: int = 0


_UNRESOLVED = Metadata({})
"""The metadata of a document whose suite reads none (see :func:`needs_metadata`)."""


class DocumentPass:
    """Pass 1 on one chunk of documents (in this process or in a worker)."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.instances = suite.instances()
        self.validator = ScopeValidator(suite.name, self.instances, "document")
        self.phrases = suite.load_phrases()
        self.grouper = new_grouper(suite)
        self.groups = needs_stories(suite, self.instances)
        self.resolves = needs_metadata(suite, self.instances)
        self.pre_passes = {i: e.corpus_pass() for i, e in enumerate(self.instances)
                           if e.scope == "corpus"}
        self.store: RowStore | None = None

    def storing_in(self, store_dir: str) -> DocumentPass:
        """This pass, storing its rows in ``store_dir`` (one directory per run)."""
        if self.store is not None:
            self.store.close()
        self.store = RowStore(store_dir)
        return self

    def __call__(self, job: tuple[int, list[Document]]) -> ChunkResult:
        number, batch = job
        metadata = ([resolve(d, self.phrases) for d in batch] if self.resolves
                    else [_UNRESOLVED] * len(batch))
        rows = [m.to_row() for m in metadata]
        by_id = {d.id: d for d in batch}

        def place_hit(hit: Hit, doc_id: str, expectation: str, severity: str) -> Finding:
            doc = by_id[doc_id]
            return place(hit, expectation, severity, doc.id, doc.path, doc.text, doc.line,
                         doc.record)

        runs_before = self.validator.check_runs
        scoped = self.validator.validate(
            [validation_row(d, r if self.resolves else None)
             for d, r in zip(batch, rows, strict=True)], place_hit)
        out = ChunkResult(counts=scoped.counts, errors=scoped.errors, findings=scoped.findings,
                          resolutions=len(batch) if self.resolves else 0,
                          check_runs=self.validator.check_runs - runs_before)
        key_field = self.suite.versions.key
        assert self.store is not None, "storing_in() was not called"
        reported: dict[str, list[tuple[str, tuple[int, int]]]] = {}
        for finding in out.findings:  # what a pre-pass leaves to the finding that owns it
            reported.setdefault(finding.document, []).append((finding.reason, finding.span))
        signatures = (self.grouper.signatures([d.text[d.body_start:] for d in batch])
                      if self.groups else [None] * len(batch))
        with self.store.writer(number) as put:
            for doc, meta, row, signature in zip(batch, metadata, rows, signatures, strict=True):
                record = document_record(doc, meta)
                out.records.append(record)
                stored = Stored(put(stored_row(doc, row, credits_of(meta, self.phrases))))
                for position, pre in self.pre_passes.items():
                    owned = getattr(pre, "yields_to", ())
                    spans = [s for r, s in reported.get(doc.id, ()) if r in owned]
                    stored.prepared[position] = put(
                        pre.prepare(doc.text, doc.body_start, row, reported=spans))
                out.stored.append((doc.id, stored))
                if self.groups:
                    key = meta[key_field].value if key_field and key_field in meta else None
                    out.signatures.append((doc.id, signature, key, grouping_date(meta)))
                    # Its story if grouping puts it in no story of several versions (the
                    # main process then knows only those: one story object per document
                    # would grow with the corpus).
                    record["story"] = story_id([doc.id], key)
        return out


# --- pass 2: stories -------------------------------------------------------------------


Suggested = tuple[str, Related]
"""A value a missing field could take, and the version that states it."""
Suggestions = dict[tuple[str, str], Suggested]


@dataclass(frozen=True, slots=True)
class StoryJob:
    """One story to validate: its id and, per version in order, where pass 1 stored it."""

    id: str
    versions: tuple[tuple[str, str, int, str | None, Ref], ...]
    """(doc id, path, first line, record kind, row ref) of each version."""


@dataclass
class StoryChunk(ScopeResult):
    """The story pass on a chunk of stories: results, story records, suggestions."""

    stories: list[dict[str, Any]] = field(default_factory=list)
    suggestions: Suggestions = field(default_factory=dict)
    check_runs: int = 0


def story_jobs(stories: Iterable[Story], where: Mapping[str, tuple[str, int, str | None]],
               stored: Mapping[str, Stored]) -> Iterator[StoryJob]:
    """A job for each story of two or more versions, as they are asked for; ``where``
    gives each version's (path, first line, record kind)."""
    for story in stories:
        if len(story.documents) > 1:
            yield StoryJob(story.id, tuple((doc_id, *where[doc_id], stored[doc_id].row)
                                           for doc_id in story.documents))


def where_of(record: dict[str, Any]) -> tuple[str, int, str | None]:
    """A document record's (path, first line, record kind): what a story job needs of it."""
    return record["path"], int(record.get("line") or 1), record.get("record")


class StoryPass:
    """Pass 2 on a chunk of stories, from the stored rows (in this process or a worker)."""

    def __init__(self, suite: Suite) -> None:
        instances = suite.instances()
        self.validator = ScopeValidator(suite.name, instances, "story")
        self.required = sorted({f for e in instances for f in e.required_fields()})
        self.store: RowStore | None = None

    def storing_in(self, store_dir: str) -> StoryPass:
        """This pass, reading rows from ``store_dir`` (one directory per run)."""
        if self.store is not None:
            self.store.close()
        self.store = RowStore(store_dir)
        return self

    def __call__(self, batch: list[StoryJob]) -> StoryChunk:
        assert self.store is not None, "storing_in() was not called"
        rows, texts, where = [], {}, {}
        suggestions: Suggestions = {}
        for job in batch:
            versions = [self.store.get(ref) for *_, ref in job.versions]
            where.update((doc_id, (path, line, kind))
                         for doc_id, path, line, kind, _ in job.versions)
            texts.update((v["id"], v["text"]) for v in versions)
            rows.append({"id": job.id, "versions": [
                {k: v[k] for k in ("id", "text", "body_start", "metadata", "credits")}
                for v in versions]})
            suggestions.update(_suggestions(
                [(v["id"], Metadata.from_row(v["metadata"])) for v in versions], self.required))

        def place_hit(hit: Hit, story_id: str, expectation: str, severity: str) -> Finding:
            doc_id = hit.document or ""
            path, line, kind = where[doc_id]
            return place(hit, expectation, severity, doc_id, path, texts[doc_id], line, kind)

        runs_before = self.validator.check_runs
        part = self.validator.validate(rows, place_hit)
        out = StoryChunk(counts=part.counts, errors=part.errors, findings=part.findings,
                         suggestions=suggestions,
                         check_runs=self.validator.check_runs - runs_before)
        for job in batch:
            detail = part.details.get(job.id) or {}
            out.stories.append({"id": job.id, "documents": [v[0] for v in job.versions],
                                "pairs": detail.get("pairs", []),
                                "pairs_omitted": detail.get("pairs_omitted", 0)})
        return out


def _suggestions(versions: list[tuple[str, Metadata]], fields: list[str]) -> Suggestions:
    """(doc, field) -> (value, where another version states it) for each missing field."""
    if not fields:
        return {}
    values = [(doc_id, {f: meta[f].value for f in fields if f in meta})
              for doc_id, meta in versions]
    out = {}
    for doc_id, missing in suggest_missing(values, fields).items():
        for name, value in missing.items():
            shown = value if isinstance(value, str) else "; ".join(value)
            origin_id, origin = next((i, m) for i, m in versions
                                     if name in m and m[name].value == shown)
            out[(doc_id, name)] = (shown, Related(origin_id, origin[name].location()))
    return out


def with_suggestion(finding: Finding,
                    suggestions: Mapping[tuple[str, str], Suggested]) -> Finding:
    """A ``missing_field`` finding with the value another version of its story gives."""
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


def mark_missing(documents: list[dict[str, Any]], required: list[str],
                 suggestions: Mapping[tuple[str, str], Suggested]) -> None:
    """A required field a document lacks is listed with a null value and any suggestion."""
    for record in documents:
        for name in required:
            if name not in record["metadata"]:
                value, related = suggestions.get((record["id"], name), (None, None))
                record["metadata"][name] = {
                    "value": None, "origin": None, "span": None, "suggestion": value,
                    "suggestion_from": related.document if related else None}


# --- pass 3: corpus-wide counts ---------------------------------------------------------


def corpus_pass(instances: list[Any], validator: ScopeValidator,
                documents: list[dict[str, Any]], stored: Mapping[str, Stored], store: RowStore,
                chunk_size: int,
                count: Callable[[dict[int, Any]], None] | None = None) -> Iterable[ScopeResult]:
    """Each corpus-scope expectation counts over every document, then its cells are filled.

    Reads only the pre-pass values pass 1 stored; a document's text is read back only
    when its cell has something to show. ``count`` counts elsewhere instead of here
    (``--engine spark``: :func:`corpus_qa.engine.sparklines.count_lines`), given the
    passes by expectation position.
    """
    passes = {i: e.corpus_pass() for i, e in enumerate(instances) if e.scope == "corpus"}
    if not passes:
        return
    if count is not None:
        count(passes)
    else:
        for position, counter in passes.items():
            for record in documents:
                counter.add(store.get(stored[record["id"]].prepared[position]), record["id"],
                            record["story"])
    for batch in chunks(documents, chunk_size):
        texts = _Texts(store, stored)
        rows = []
        for record in batch:
            doc_id = record["id"]
            row: dict[str, Any] = {"id": doc_id}
            for position, counter in passes.items():
                prepared = store.get(stored[doc_id].prepared[position])
                row[instances[position].column] = counter.cell(prepared, record["story"],
                                                               texts.reader(doc_id))
            rows.append(row)
        yield validator.validate(rows, _Placer({r["id"]: r for r in batch}, texts))


class _Texts:
    """Texts of one batch read back from the stored rows, each at most once."""

    def __init__(self, store: RowStore, stored: Mapping[str, Stored]) -> None:
        self.store, self.stored = store, stored
        self.texts: dict[str, str] = {}

    def __call__(self, doc_id: str) -> str:
        if doc_id not in self.texts:
            self.texts[doc_id] = self.store.get(self.stored[doc_id].row)["text"]
        return self.texts[doc_id]

    def reader(self, doc_id: str) -> Callable[[], str]:
        return lambda: self(doc_id)


class _Placer:
    """Places a corpus-scope hit in its document."""

    def __init__(self, records: dict[str, dict[str, Any]], texts: _Texts) -> None:
        self.records, self.texts = records, texts

    def __call__(self, hit: Hit, doc_id: str, expectation: str, severity: str) -> Finding:
        record = self.records[doc_id]
        return place(hit, expectation, severity, doc_id, record["path"], self.texts(doc_id),
                     int(record.get("line") or 1), record.get("record"))
