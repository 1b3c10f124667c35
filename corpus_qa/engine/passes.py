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
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from corpus_qa.checks.figures import tables_json
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
from corpus_qa.engine.rowstore import Ref, RowStore, pack, unpack
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
        self.required = required_fields(self.instances)
        self.keeps_rows = self.groups or bool(self.pre_passes)
        """Whether every document's row is stored (the story and corpus passes read them);
        else only the rows of documents with findings are (what the report and the fixer
        show), and :meth:`RunResult.text_of` reads any other document again."""
        self.store: RowStore | None = None

    def storing_in(self, store_dir: str) -> DocumentPass:
        """This pass, storing its rows in ``store_dir`` (one directory per run)."""
        if self.store is not None:
            self.store.close()
        self.store = RowStore(store_dir)
        return self

    def __call__(self, job: tuple[int, list[Document]]) -> ChunkResult:
        """Validate one numbered chunk, with the cycle collector paused (see
        :func:`_collector_paused`: on 6,000 news documents the collections that pass 1's
        short-lived objects triggered cost 0.40 of a run's 5.8 CPU s, 0.17 paused)."""
        with _collector_paused():
            return self._validated(job)

    def _validated(self, job: tuple[int, list[Document]]) -> ChunkResult:
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
                mark_missing([record], self.required, {})  # a suggestion comes after pass 2
                out.records.append(record)
                if not self.keeps_rows and doc.id not in reported:
                    continue  # a clean document that nothing reads back
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
    """Each story's record; its ``pairs`` (the figure tables the story view shows, a list
    of plain dicts) packed as the row store keeps a row (:func:`~corpus_qa.engine.rowstore.pack`):
    one bytes object per story instead of tens of thousands of dicts and lists per chunk,
    which the cycle collector walked once the chunk was done (about 60 ms a chunk) and the
    pool pickled to the main process, which pickled them again to store them."""
    suggestions: Suggestions = field(default_factory=dict)
    check_runs: int = 0


def story_jobs(stories: Iterable[Story], where: Mapping[str, tuple[str, int, str | None]],
               stored: Mapping[str, Stored], *, limit: int | None = None,
               oversized: Callable[[Story, tuple[str, int, str | None]], None] | None = None,
               ) -> Iterator[StoryJob]:
    """A job for each story of two or more versions, as they are asked for; ``where``
    gives each version's (path, first line, record kind). A story of more than ``limit``
    documents gets no job: it goes to ``oversized`` with its first version's place."""
    for story in stories:
        if limit is not None and len(story.documents) > limit:
            if oversized is not None:
                oversized(story, where[story.documents[0]])
        elif len(story.documents) > 1:
            yield StoryJob(story.id, tuple((doc_id, *where[doc_id], stored[doc_id].row)
                                           for doc_id in story.documents))


def story_too_large(story: Story, where: tuple[str, int, str | None], limit: int) -> Finding:
    """The ``input`` finding of a story over the limit, on its first version."""
    path, line, kind = where
    return Finding(
        expectation="input", severity="error", document=story.documents[0], path=path,
        reason="story_too_large",
        message=(f"story {story.id} groups {len(story.documents):,} documents, over the limit "
                 f"of {limit:,} for one story, so its versions were not compared with each "
                 "other (each document was still validated on its own) — usually unrelated "
                 "texts chained by shared phrasing: raise versions.threshold or give stories "
                 "a key (versions.key) in the suite, or raise the limit "
                 "(--max-story-documents, or versions: max_story_documents in the suite)"),
        span=(0, 0), line=line, column=1, excerpt="", related=None, suggestion=None,
        record=kind)


def where_of(record: dict[str, Any]) -> tuple[str, int, str | None]:
    """A document record's (path, first line, record kind): what a story job needs of it."""
    return record["path"], int(record.get("line") or 1), record.get("record")


_CELL_KEYS = ("id", "text", "body_start", "metadata", "credits")


class StoredVersions(Sequence[dict[str, Any]]):
    """The ``versions`` cell of a long story: each version read from pass 1's rows when
    asked, one at a time, and not kept, so the story pass holds a window of a long story
    (:data:`corpus_qa.expectations.versions.WINDOW`), never all of it.

    Hashed by identity, as GX counts unexpected values by value."""

    def __init__(self, store: RowStore, refs: Sequence[Ref]) -> None:
        self.store, self.refs = store, refs

    def __len__(self) -> int:
        return len(self.refs)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._read(ref) for ref in self.refs[index]]
        return self._read(self.refs[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self._read(ref) for ref in self.refs)

    def _read(self, ref: Ref) -> dict[str, Any]:
        row = self.store.get(ref)
        return {k: row[k] for k in _CELL_KEYS}

    def __repr__(self) -> str:
        return f"<{len(self.refs)} versions read from the run's rows>"


class StoryPass:
    """Pass 2 on a chunk of stories, from the stored rows (in this process or a worker)."""

    def __init__(self, suite: Suite) -> None:
        instances = suite.instances()
        self.validator = ScopeValidator(suite.name, instances, "story")
        self.required = required_fields(instances)
        self.store: RowStore | None = None

    def storing_in(self, store_dir: str) -> StoryPass:
        """This pass, reading rows from ``store_dir`` (one directory per run)."""
        if self.store is not None:
            self.store.close()
        self.store = RowStore(store_dir)
        return self

    def __call__(self, batch: list[StoryJob]) -> StoryChunk:
        """Validate ``batch``. A story of up to ``MAX_ALL_PAIRS`` versions is read whole
        (every pair is compared); a longer one is a :class:`StoredVersions` cell, read a
        version at a time by each check. A finding is placed in the text the checks read
        (a long story's text is read again)."""
        with _collector_paused():
            return self._validated(batch)

    def _validated(self, batch: list[StoryJob]) -> StoryChunk:
        from corpus_qa.expectations.versions import MAX_ALL_PAIRS  # GX is loaded by now

        store = self.store
        assert store is not None, "storing_in() was not called"
        rows, where, refs = [], {}, {}
        held: dict[str, str] = {}  # the texts of the stories read whole, to place findings
        suggestions: Suggestions = {}
        for job in batch:
            where.update((doc_id, (path, line, kind))
                         for doc_id, path, line, kind, _ in job.versions)
            refs.update((doc_id, ref) for doc_id, *_, ref in job.versions)
            cell = StoredVersions(store, [ref for *_, ref in job.versions])
            if len(cell) <= MAX_ALL_PAIRS:
                cell = list(cell)
                held.update((doc_id, version["text"])
                            for (doc_id, *_), version in zip(job.versions, cell, strict=True))
            rows.append({"id": job.id, "versions": cell})
            if self.required:
                suggestions.update(_suggestions(
                    ((v["id"], Metadata.from_row(v["metadata"])) for v in cell), self.required))
        texts: dict[str, str] = {}

        def place_hit(hit: Hit, story_id: str, expectation: str, severity: str) -> Finding:
            doc_id = hit.document or ""
            path, line, kind = where[doc_id]
            if doc_id in held:
                return place(hit, expectation, severity, doc_id, path, held[doc_id], line, kind)
            if doc_id not in texts:
                if len(texts) >= _PLACED_TEXTS:
                    texts.clear()
                texts[doc_id] = store.get(refs[doc_id])["text"]
            return place(hit, expectation, severity, doc_id, path, texts[doc_id], line, kind)

        runs_before = self.validator.check_runs
        part = self.validator.validate(rows, place_hit)
        out = StoryChunk(counts=part.counts, errors=part.errors, findings=part.findings,
                         suggestions=suggestions,
                         check_runs=self.validator.check_runs - runs_before)
        for job in batch:
            detail = part.details.get(job.id) or {}
            out.stories.append({"id": job.id, "documents": [v[0] for v in job.versions],
                                "pairs": pack(detail.get("pairs", [])),
                                "pairs_omitted": detail.get("pairs_omitted", 0)})
        return out


def pairs_json(packed: bytes) -> list[dict[str, Any]]:
    """The tables of a story's pairs as the story view reads them (JSON), from the bytes
    the story pass packed (:attr:`StoryChunk.stories`: the figure check's tables as plain
    tuples, :func:`~corpus_qa.checks.figures.packed_tables`)."""
    return tables_json(unpack(packed))


_PLACED_TEXTS = 64
"""Texts the story pass keeps to place findings (a document's findings come together)."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Inside: no automatic run of the cycle collector (as it was on entry, after).

    Pass 1's checks and the story checks make a few objects per line, sentence, figure
    and pair (hundreds of thousands per chunk), nearly all freed by their reference
    counts when the chunk's checks return; the collections that allocation triggered
    scanned them (and whatever else the worker holds) about 3,600 times in the story pass
    of the 10,000-document versioned corpus: 2.4 of its 19.7 CPU s. What a chunk leaves
    in reference cycles (GX's and pandas' objects) is collected at the next collection
    after it, so memory still returns chunk by chunk (a chunk is bounded in size)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _suggestions(versions: Iterable[tuple[str, Metadata]], fields: list[str]) -> Suggestions:
    """(doc, field) -> (value, where another version states it) for each missing field.

    Reads each version once and keeps its values of ``fields`` only (and where each value
    was first stated), not its metadata."""
    if not fields:
        return {}
    values = []
    origins: dict[tuple[str, str], Related] = {}
    for doc_id, meta in versions:
        given = {f: meta[f].value for f in fields if f in meta}
        values.append((doc_id, given))
        for name, value in given.items():
            if (name, value) not in origins:
                origins[(name, value)] = Related(doc_id, meta[name].location())
    out = {}
    for doc_id, missing in suggest_missing(values, fields).items():
        for name, value in missing.items():
            shown = value if isinstance(value, str) else "; ".join(value)
            out[(doc_id, name)] = (shown, origins[(name, shown)])
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


def required_fields(instances: Iterable[Any]) -> list[str]:
    """The metadata fields the suite's expectations require, sorted."""
    return sorted({f for e in instances for f in e.required_fields()})


def mark_missing(documents: list[dict[str, Any]], required: list[str],
                 suggestions: Mapping[tuple[str, str], Suggested]) -> None:
    """A required field a document lacks is listed with a null value and any suggestion.

    Pass 1 lists them (no suggestion yet); after pass 2 a field listed so (it has
    ``suggestion_from``) gets the suggestion another version of its story gives.

    >>> record = {"id": "a", "metadata": {}}
    >>> mark_missing([record], ["source"], {})
    >>> mark_missing([record], ["source"], {("a", "source"): ("AP", Related("b", (0, 2)))})
    >>> record["metadata"]["source"]["suggestion"], record["metadata"]["source"]["suggestion_from"]
    ('AP', 'b')
    """
    for record in documents:
        metadata = record["metadata"]
        for name in required:
            listed = metadata.get(name)
            if listed is None or "suggestion_from" in listed:
                value, related = suggestions.get((record["id"], name), (None, None))
                metadata[name] = {
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
            for batch in chunks(documents, chunk_size):
                where = _stored_of(stored, batch)
                for record, at in zip(batch, where, strict=True):
                    counter.add(store.get(at.prepared[position]), record["id"], record["story"])
    # A pass whose every cell is empty (no line repeated in a clean corpus) gives each
    # document an empty one without reading back what pass 1 stored for it.
    reading = {position: counter for position, counter in passes.items()
               if not (hasattr(counter, "cells_empty") and counter.cells_empty())}
    for batch in chunks(documents, chunk_size):
        texts = _Texts(store, stored)
        rows = []
        where = _stored_of(stored, batch) if reading else [None] * len(batch)
        for record, at in zip(batch, where, strict=True):
            doc_id = record["id"]
            row: dict[str, Any] = {"id": doc_id}
            for position in passes:
                counter = reading.get(position)
                row[instances[position].column] = [] if counter is None else counter.cell(
                    store.get(at.prepared[position]), record["story"], texts.reader(doc_id))
            rows.append(row)
        yield validator.validate(rows, _Placer({r["id"]: r for r in batch}, texts))


def _stored_of(stored: Mapping[str, Stored], records: list[dict[str, Any]]) -> list[Stored]:
    """Where pass 1 stored each of ``records`` (a :class:`DiskMap` looks them up together)."""
    ids = [record["id"] for record in records]
    many = getattr(stored, "many", None)
    return many(ids) if many is not None else [stored[doc_id] for doc_id in ids]


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
