"""Validate a corpus against a suite: stream documents through the three passes.

Pass 1 reads documents lazily and validates them in bounded chunks on a pool of worker
processes (one per core by default, at most two chunks per worker in flight), so memory
does not grow with the text of the corpus; each document is read once, its metadata
resolved once, and its row stored for the later passes. Documents are then grouped into
stories (LSH over the signatures, never all pairs); pass 2 validates the stories of two
or more versions and pass 3 the corpus-wide expectations, both from the stored rows.
See :mod:`corpus_qa.engine` for the parts.

``mostly`` is applied to counts aggregated over all chunks. The verdict is not made
here: :class:`corpus_qa.results.RunResult` carries the outcomes and findings, and the
gate decides.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from corpus_qa import __version__
from corpus_qa.checks.versions import SIGNATURE_VERSION, Story
from corpus_qa.diskmap import DiskMap, SeenIds, SignatureFile
from corpus_qa.documents import Document
from corpus_qa.engine.passes import (
    STORY_CHUNK_SIZE,
    ChunkResult,
    DocumentPass,
    Stored,
    StoryChunk,
    StoryJob,
    StoryPass,
    Suggested,
    Suggestions,
    corpus_pass,
    mark_missing,
    new_grouper,
    pairs_json,
    required_fields,
    story_jobs,
    story_too_large,
    where_of,
    with_suggestion,
)
from corpus_qa.engine.pool import (
    WorkerPool,
    chunks,
    chunks_of_text,
    heap_frozen,
    run_chunks,
    trim_heap,
)
from corpus_qa.engine.reading import WalkedFiles, map_chunks, read_and_validate
from corpus_qa.engine.rowstore import RecordSpool, RowStore, SortedSpool, pack, unpack
from corpus_qa.engine.scope import ScopeResult, ScopeValidator
from corpus_qa.engine.sigcache import Digest, Entry, FileStamps, SignatureCache, digest
from corpus_qa.metadata import resolve
from corpus_qa.results import Finding, Outcome, RunResult
from corpus_qa.sources import (
    InputProblem,
    Loaded,
    SkippedFile,
    SourceCounts,
    format_of,
)
from corpus_qa.sources.base import UnchangedFile
from corpus_qa.sources.locate import read_document
from corpus_qa.suite import Suite

DEFAULT_CHUNK_SIZE = 2000
INPUT = "input"
"""The pseudo-expectation under which unreadable input is reported."""

Progress = Callable[[int], None]


class _Worker:
    """What a worker process holds: the document pass, and the story pass once needed."""

    def __init__(self, suite: Suite, store_dir: str) -> None:
        self.suite, self.store_dir = suite, store_dir
        self.documents = DocumentPass(suite).storing_in(store_dir)
        self._stories: StoryPass | None = None

    @property
    def stories(self) -> StoryPass:
        if self._stories is None:
            self._stories = StoryPass(self.suite).storing_in(self.store_dir)
        return self._stories


_WORKER: _Worker | None = None


def _init_worker(suite: Suite, store_dir: str) -> None:
    global _WORKER
    _WORKER = _Worker(suite, store_dir)


class _Packed:
    """A chunk of pass 1 on its way to a worker: its documents pickled and compressed.

    The main process reads documents faster than the workers check them, so several
    chunks wait for a worker at once (up to two per worker, and the one being read); as
    :class:`Document` objects a chunk of 2,000 news articles holds each text twice (the
    decoded ``str``, often two bytes a character, and the file's bytes), about 20 MB,
    and a waiting chunk is kept alive until its result returns. Packed as soon as it is
    read, a chunk is one compressed ``bytes`` (about a quarter of that, the text and its
    bytes compressing together), and the documents are freed at once.
    """

    __slots__ = ("data", "number")

    def __init__(self, number: int, batch: list[Document]) -> None:
        self.number, self.data = number, pack(batch)

    def unpacked(self) -> tuple[int, list[Document]]:
        return self.number, unpack(self.data)


class _Suggestions(Mapping[tuple[str, str], Suggested]):
    """The values pass 2 suggests for missing fields, ``(document, field) -> (value,
    where)``, kept on disk by document (a :class:`DiskMap`): on a corpus of versioned
    stories without a byline, nearly every version gets one, and a dict of them would
    grow with the corpus."""

    def __init__(self, path: Path) -> None:
        self.by_document: DiskMap = DiskMap(path)

    def update(self, found: Suggestions) -> None:
        grouped: dict[str, dict[str, Suggested]] = {}
        for (doc_id, name), value in found.items():
            grouped.setdefault(doc_id, {})[name] = value
        for doc_id, values in grouped.items():
            self.by_document[doc_id] = {**self.by_document.get(doc_id, {}), **values}

    def __getitem__(self, key: tuple[str, str]) -> Suggested:
        doc_id, name = key
        return self.by_document.get(doc_id, {})[name]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for doc_id in self.by_document:
            yield from ((doc_id, name) for name in self.by_document[doc_id])

    def __len__(self) -> int:
        return sum(len(values) for values in self.by_document.values())


def _documents_in_worker(job: _Packed) -> ChunkResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.documents(job.unpacked())


def _stories_in_worker(batch: list[StoryJob]) -> StoryChunk:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.stories(batch)


class Runner:
    """Validates a corpus against a suite."""

    def __init__(self, suite: Suite, *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                 workers: int | None = None, progress: Progress | None = None,
                 follow_symlinks: bool = False, spark: Any = None) -> None:
        self.suite = suite
        self.spark = spark
        """A SparkSession (``--engine spark``: :mod:`corpus_qa.engine.spark`), else None."""
        self.follow_symlinks = follow_symlinks
        self.chunk_size = chunk_size
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.progress = progress
        self.instances = suite.instances()
        self.local = DocumentPass(suite)
        self.local_stories = StoryPass(suite)
        self.corpus_validator = ScopeValidator(suite.name, self.instances, "corpus")
        self.stats: dict[str, Any] = {"resolutions": 0, "check_runs": 0}
        """Metadata resolutions and check runs of the last run (all processes)."""

    def run(self, paths: list[str], *, only: set[str] | None = None,
            only_paths: set[str] | None = None,
            only_files: set[str] | None = None,
            id_roots: Iterable[str] = ()) -> RunResult:
        """Validate every document under ``paths`` (or only the ids in ``only``).

        With ``only``, other documents are not validated (they are counted in
        ``skipped_documents``), input problems are kept for ``only_paths`` (and the
        documents in ``only``) only, and files outside ``only_files`` are not read at all.
        ``id_roots`` are the configured corpus folders a file given alone takes its id from.
        """
        counts = SourceCounts()
        items: Iterable[Loaded] | WalkedFiles
        # Spark tasks, or this engine's workers, read the files: this process walks.
        items = WalkedFiles(paths, self.suite.fields, only_files, counts, id_roots,
                            self.follow_symlinks, self.chunk_size, only)
        result = self.run_items(items, [str(p) for p in paths], only=only, only_paths=only_paths,
                                unique_ids=True)
        result.sources = counts.to_json()
        return result

    def run_items(self, items: Iterable[Loaded] | WalkedFiles, corpus: list[str], *,
                  only: set[str] | None = None, only_paths: set[str] | None = None,
                  unique_ids: bool = False) -> RunResult:
        """Validate documents (and input problems, skipped files) as a source yields them.

        A document whose id was already used is renamed after its locator and reported
        (``duplicate_id``), unless the source says its ids are unique already
        (:func:`corpus_qa.sources.iter_corpus` renames them itself).
        """
        if not unique_ids and not isinstance(items, WalkedFiles):
            items = _unique_ids(items)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        clock = time.perf_counter()
        outcomes = [
            Outcome(type=spec.type, severity=spec.severity, mostly=spec.mostly,
                    kwargs=dict(spec.kwargs), description=spec.description or type(e).summary(),
                    scope=e.scope)
            for spec, e in zip(self.suite.expectations, self.instances, strict=True)
        ]
        input_outcome = Outcome(type=INPUT, severity="error", mostly=1.0, kwargs={},
                                description="Every corpus file is readable text or valid JSONL.",
                                scope="input")
        rows_dir = tempfile.TemporaryDirectory(prefix="corpus-qa-rows-")
        # Findings go to disk as chunks return and are sorted there at the end (an
        # external merge): the main process does not grow with them; the gate and the
        # outputs read them back in order.
        findings = SortedSpool(Path(rows_dir.name) / "findings", Finding.sort_key, keep=rows_dir)
        # Where each document's row is (by id), and its story: on disk as well.
        stored: DiskMap = DiskMap(Path(rows_dir.name) / "stored.db")
        skipped: list[str] = []
        skipped_documents = 0
        # The signatures (512 bytes a document) go to a file of the run's directory too,
        # and the ids the grouper checks for duplicates are kept as SeenIds keeps them.
        signatures = SignatureFile(Path(rows_dir.name) / "signatures.bin",
                                   new_grouper(self.suite).num_perm)
        grouper = new_grouper(self.suite, signatures, SeenIds())
        self.stats = {"resolutions": 0, "check_runs": 0, "stages": {}}
        stage = _Stages(self.stats["stages"])

        def add(part: ScopeResult) -> None:
            for i, (checked, unexpected, missing) in part.counts.items():
                outcomes[i].checked += checked
                outcomes[i].unexpected += unexpected
                outcomes[i].missing += missing
            for i, error in part.errors:
                outcomes[i].errors.append(error)
            findings.add(part.findings)

        def take(item: Loaded) -> Document | None:
            # input.checked counts inputs (documents, and records/files that could not
            # become one); input.unexpected counts inputs with a problem.
            nonlocal skipped_documents
            if only is not None and not _selected(item, only, only_paths or set()):
                skipped_documents += isinstance(item, Document)
            elif isinstance(item, SkippedFile):
                skipped.append(item.path)
            elif isinstance(item, InputProblem):
                findings.append(_input_finding(item))
                input_outcome.unexpected += 1
                input_outcome.checked += not item.loaded  # else counted as a document
            else:
                input_outcome.checked += 1
                return item
            return None

        def read_in_tasks(documents: int, unselected: int) -> None:
            nonlocal skipped_documents
            input_outcome.checked += documents
            skipped_documents += unselected

        def loaded_documents() -> Iterator[Document]:
            return (doc for doc in map(take, items) if doc is not None)

        store = RowStore(rows_dir.name)
        # Document records (the results' documents) go to disk as chunks return, so the
        # main process does not grow with the corpus; outputs read them back in order.
        documents = RecordSpool(Path(rows_dir.name) / "records.bin", keep=rows_dir)
        local = self.local.storing_in(rows_dir.name)
        local_stories = self.local_stories.storing_in(rows_dir.name)
        runs_before = self.corpus_validator.check_runs
        required = required_fields(self.instances)
        # The records of the stories pass 2 validated (the results' stories) as well.
        stories = RecordSpool(Path(rows_dir.name) / "stories.bin", keep=rows_dir)
        # The story view's tables (sentence alignment, figure table of each pair shown)
        # are spooled to the run's store as they arrive, one record per story, and read
        # back by the report: they never pile up in memory or go into results.json (and
        # where each story's record is, by story id, is on disk as well).
        pairs_store = RowStore(Path(rows_dir.name) / "stories")
        pairs_store.directory.mkdir()
        pairs_at: DiskMap = DiskMap(Path(rows_dir.name) / "pairs_at.db")
        suggestions = _Suggestions(Path(rows_dir.name) / "suggestions.db")
        with self._pool(rows_dir.name) as pool:
            if isinstance(items, WalkedFiles) and self.spark is not None:  # tasks read
                parts = items.validated(pool, local, _files_in_worker, take, read_in_tasks)
            elif isinstance(items, WalkedFiles):  # workers read text files, this process shards
                parts = items.validated_in_runs(
                    pool, local, _files_in_worker, _documents_in_worker, take, read_in_tasks,
                    chunker=chunks_of_text, pack=_Packed if self.workers > 1 else None)
            else:
                parts = map_chunks(  # chunks wait for a worker packed (see _Packed)
                    pool, enumerate(chunks_of_text(loaded_documents(), self.chunk_size)),
                    local, _documents_in_worker, _Packed if self.workers > 1 else None)
            for part in parts:
                add(part)
                documents.extend(part.records)
                stored.update(part.stored)
                self.stats["resolutions"] += part.resolutions
                self.stats["check_runs"] += part.check_runs
                for doc_id, signature, key, date in part.signatures:
                    grouper.add_signature(doc_id, signature, key, date)
                if self.progress:
                    self.progress(len(documents))

            stage("documents")
            # What pass 1 left free in this process's C heap (its chunks' results, the
            # batches read for the workers) goes back to the system before the story pass,
            # which runs beside the workers at their largest (trim_heap).
            trim_heap()
            story_of = DiskMap(Path(rows_dir.name) / "story_of.db")
            if not local.groups:
                signatures.close(delete=True)
            else:
                several = self._stories_of(grouper, story_of)
                del grouper  # its signatures, ids, keys and dates are not needed any more
                signatures.close(delete=True)
                stage("grouping")
                trim_heap()  # what grouping freed: band tables, candidate pairs
                where = self._where_of_versions(several, documents)
                limit = self.suite.versions.story_limit

                def oversized(story: Story, first: tuple[str, int, str | None]) -> None:
                    findings.append(story_too_large(story, first, limit))
                    input_outcome.unexpected += 1

                batches = chunks(story_jobs(several, where, stored, limit=limit,
                                            oversized=oversized), STORY_CHUNK_SIZE)
                del several
                with pairs_store.writer(0) as put:
                    for chunk in pool.map(batches, local_stories, _stories_in_worker):
                        add(chunk)
                        for story in chunk.stories:
                            pairs_at[story["id"]] = put(story.pop("pairs"))
                        stories.extend(chunk.stories)
                        suggestions.update(chunk.suggestions)
                        self.stats["check_runs"] += chunk.check_runs
                del batches, where
                stage("stories")

        def finish(record: dict[str, Any]) -> dict[str, Any]:
            record["story"] = story_of.get(record["id"], record["story"])
            mark_missing([record], required, suggestions)
            return record

        # The worker pool is gone, and with it the freeze of this process's heap (GX,
        # pandas, the suite): the stages left allocate enough to trigger full
        # collections, each of which would scan that whole heap again (two or three of
        # them, ~0.5 CPU s, in the corpus pass at 10,000 documents). Frozen again here.
        with heap_frozen():
            # Pass 1 gave each record its own story and listed its missing fields: only
            # a story of several versions, or a value another version suggests, changes
            # them.
            if story_of or suggestions.by_document:
                documents.rewrite(finish)
            stage("records")
            suggested = len(findings)  # the corpus pass's findings take no suggestion
            for part in corpus_pass(self.instances, self.corpus_validator, documents, stored,
                                    store, self.chunk_size,
                                    self._line_count(documents, stored, rows_dir.name)):
                add(part)
            stage("corpus")
            self.stats["check_runs"] += self.corpus_validator.check_runs - runs_before
            findings.finish((lambda f: with_suggestion(f, suggestions))
                            if suggestions.by_document else None, first=suggested)
            stage("findings")

        where_read: list[DiskMap] = []

        def text_of(doc_id: str, _keep: Any = rows_dir) -> str:
            """The text of a validated document, as validated (read from pass 1's rows).

            A suite that only checks each document on its own keeps the rows of the
            documents with findings; any other is read again from its corpus file
            (``LookupError`` if it cannot be), found by its record (an index of the
            records, on disk, is made on the first such call)."""
            if doc_id in stored:
                return store.get(stored[doc_id].row)["text"]
            if not where_read:
                where_read.append(DiskMap(Path(rows_dir.name) / "where_read.db"))
                where_read[0].update((r["id"], (r["path"], r.get("line") or 1))
                                     for r in documents)
            if doc_id not in where_read[0]:
                raise LookupError(f"{doc_id}: no document of this run has this id")
            path, line = where_read[0][doc_id]
            try:
                return read_document(path, line, fields=self.suite.fields).text
            except (ValueError, OSError) as exc:
                raise LookupError(f"{path}:{line}: {exc}") from None

        def pairs_of(story_id: str, _keep: Any = rows_dir) -> list[dict[str, Any]]:
            """The pairs of versions the story view shows (the figure check's tables)."""
            # stored as the story pass packed them (StoryChunk.stories)
            return pairs_json(pairs_store.get(pairs_at[story_id])) if story_id in pairs_at else []

        return RunResult(
            suite=self.suite.name,
            corpus=corpus,
            outcomes=[input_outcome, *outcomes],
            findings=findings,
            documents=documents,
            stories=stories,
            skipped_files=skipped,
            skipped_documents=skipped_documents,
            started=started,
            duration_s=time.perf_counter() - clock,
            tool_version=__version__,
            text_of=text_of,
            pairs_of=pairs_of,
        )


    def _stories_of(self, grouper: Any, story_of: DiskMap) -> list[Story]:
        """The stories of two or more versions (the only ones pass 2 validates), each of
        their documents' story into ``story_of``. Every other document is a story of its
        own: pass 1 gave its record that story's id already, and no story object is made
        for it."""
        several = self._groups(grouper)
        for story in several:
            story_of.update((doc_id, story.id) for doc_id in story.documents)
        return several

    @staticmethod
    def _where_of_versions(stories: list[Story], documents: RecordSpool,
                           ) -> dict[str, tuple[str, int, str | None]]:
        """(path, first line, record kind) of each version of ``stories`` (not their
        whole records), read back from the record spool."""
        versions = {doc_id for story in stories for doc_id in story.documents}
        return {r["id"]: where_of(r) for r in documents if r["id"] in versions}

    def _groups(self, grouper: Any) -> list[Any]:
        """The stories of two or more documents: the local grouper's, or the same
        computed as Spark joins."""
        if self.spark is None or len(grouper) <= self.chunk_size:
            return grouper.several()  # one chunk of documents: not worth Spark jobs
        from corpus_qa.engine.sparkstories import spark_groups

        groups, self.stats["grouping"] = spark_groups(self.spark, grouper, several=True)
        return groups

    def _line_count(self, documents: Any, stored: Mapping[str, Stored],
                    store_dir: str) -> Callable[[dict[int, Any]], None] | None:
        """How the corpus pass counts repeated lines: here (None), or as a Spark
        aggregation of the same hashes (more than one chunk of documents on Spark)."""
        if self.spark is None or len(documents) <= self.chunk_size:
            return None
        from corpus_qa.engine.sparklines import count_lines

        def count(passes: dict[int, Any]) -> None:
            self.stats["lines"] = count_lines(self.spark, passes, documents, stored, store_dir)

        return count

    def _pool(self, store_dir: str) -> Any:
        """The engine: the local process pool, or Spark tasks doing the same chunk work."""
        if self.spark is not None:
            from corpus_qa.engine.spark import SparkPool

            return SparkPool(self.spark, _init_worker, (self.suite, store_dir))
        return WorkerPool(self.workers, _init_worker, (self.suite, store_dir))


class _Stages:
    """Wall seconds of each stage of a run, into ``stats["stages"]`` (``-v`` prints them)."""

    def __init__(self, into: dict[str, float]) -> None:
        self.into, self.clock = into, time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.into[name] = round(now - self.clock, 3)
        self.clock = now


def _files_in_worker(batch: Any) -> Any:
    """Pass 1 on a batch of files, read in this worker (a worker process or a Spark task)."""
    assert _WORKER is not None, "worker not initialised"
    return read_and_validate(batch, _WORKER.documents)


def _selected(item: Any, only: set[str], only_paths: set[str]) -> bool:
    if isinstance(item, Document):
        return item.id in only
    if isinstance(item, InputProblem):  # a record without text in a selected file is kept
        return item.path in only_paths or (item.document is not None and item.document in only)
    return item.path in only_paths  # a skipped file


def _unique_ids(items: Iterable[Loaded]) -> Iterator[Loaded]:
    from corpus_qa.sources.corpus import unique_ids

    return unique_ids(items)


def _input_finding(problem: InputProblem) -> Finding:
    fmt = format_of(problem.path)
    record = {"jsonl": "line", "parquet": "row"}.get(fmt.kind) if fmt else None
    return Finding(
        expectation=INPUT, severity="error", document=problem.document or problem.path,
        path=problem.path, reason=problem.reason, message=problem.message, span=(0, 0),
        line=problem.line, column=1, excerpt="", related=None, suggestion=None, record=record,
    )


# --- --changed-since: story membership without validating ------------------------------


_SIGNER: tuple[Any, Any, str | None, SignatureCache | None] | None = None


def _init_signer(suite: Suite, cache_path: Path | None = None) -> None:
    global _SIGNER
    grouper = new_grouper(suite)
    cache = SignatureCache(cache_path, grouper) if cache_path is not None else None
    _SIGNER = (grouper, suite.load_phrases(), suite.versions.key, cache)


_LOST = "lost"
"""The signature of a :class:`_Known` document the signature cache no longer holds."""


class _Known(NamedTuple):
    """A document of an unchanged file: what the stamps file kept of it (not read)."""

    id: str
    path: str
    digest: Digest
    key: str | None


Signed = tuple[str, str, Any, "str | None", Digest]
"""(id, path, signature, story key, content digest) of one document."""


def _sign(batch: list[Document | _Known]) -> list[Signed]:
    """Each document's signature (in a worker or in-process): computed, or read from the
    signature cache when the cache holds the same text (always, for a :class:`_Known`)."""
    assert _SIGNER is not None, "signer not initialised"
    grouper, phrases, key_field, cache = _SIGNER
    fresh = [doc for doc in batch if isinstance(doc, Document)]
    bodies = {id(doc): doc.text[doc.body_start:] for doc in fresh}
    digests = {id(doc): (digest(bodies[id(doc)]) if isinstance(doc, Document) else doc.digest)
               for doc in batch}
    wanted = [digests[id(doc)] for doc in batch]
    cached = cache.lookup(wanted) if cache is not None else [(False, None)] * len(batch)
    missing = [doc for doc, (found, _) in zip(batch, cached, strict=True)
               if not found and isinstance(doc, Document)]
    signed = dict(zip((id(doc) for doc in missing),
                      grouper.signatures([bodies[id(doc)] for doc in missing]), strict=True))
    out = []
    for doc, (found, signature) in zip(batch, cached, strict=True):
        if isinstance(doc, _Known):
            if not found:  # the cache lost it (edited by hand?): signed again, below
                signature = _LOST
            out.append((doc.id, doc.path, signature, doc.key, doc.digest))
            continue
        # Selection needs story membership only: metadata is resolved only for a story key.
        key = None
        if key_field:
            meta = resolve(doc, phrases)
            key = meta[key_field].value if key_field in meta else None
        signature = signed.get(id(doc), signature)
        out.append((doc.id, doc.path, signature, key, digests[id(doc)]))
    return out


def _sign_numbered(batch: tuple[list[int], list[Document]]) -> tuple[list[int], list[Signed]]:
    """:func:`_sign` of a batch of documents, keeping their places in the corpus order."""
    numbers, documents = batch
    return numbers, _sign(list(documents))


def story_map(suite: Suite, paths: list[str], *, workers: int | None = None,
              chunk_size: int = DEFAULT_CHUNK_SIZE, id_roots: Iterable[str] = (),
              cache_dir: Path | None = None, follow_symlinks: bool = False,
              stats: dict[str, int] | None = None, trust_stamps: bool = True,
              ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every document's id, path and story id, without validating anything.

    What ``--changed-since`` (and files given inside the configured corpus) need to add
    the other versions of a changed document's story: a MinHash signature per document,
    then grouping. A file whose stamp (size, times, inode) is the one the previous call
    recorded is not read at all: its documents' ids, digests and story keys come from
    the stamps file, their signatures from the signature cache (see
    ``corpus_qa/engine/sigcache.py``; ``cache_dir`` overrides where). Other files are
    read and their documents signed on every core (a text the cache holds is not signed
    again). ``stats`` receives the counts of files read and reused.
    """
    with heap_frozen():
        return _story_map(suite, paths, workers=workers, chunk_size=chunk_size,
                          id_roots=id_roots, cache_dir=cache_dir,
                          follow_symlinks=follow_symlinks, stats=stats,
                          trust_stamps=trust_stamps)


def _story_map(suite: Suite, paths: list[str], *, workers: int | None,
               chunk_size: int, id_roots: Iterable[str], cache_dir: Path | None,
               follow_symlinks: bool, stats: dict[str, int] | None, trust_stamps: bool,
               ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    from corpus_qa.sources.corpus import Walk, unique_ids

    started_ns = time.time_ns()
    workers = workers if workers is not None else (os.cpu_count() or 1)
    grouper = new_grouper(suite)
    cache = SignatureCache.for_corpus(paths, grouper, cache_dir)
    stamps = FileStamps.beside(cache, _reading_settings(suite), started_ns,
                               trusted=trust_stamps and len(cache) > 0)
    walk = Walk(paths, suite.fields, None, None, follow_symlinks, id_roots,
                unchanged=stamps.unchanged)
    as_read: dict[int, tuple[str, Document]] = {}  # id(doc) -> (id as read, doc)

    def documents() -> Iterator[Document]:
        for item in walk.items():
            if isinstance(item, UnchangedFile):
                for doc_id, line, record, has_raw, high, low, key in stamps.documents(item.path):
                    doc = Document(id=doc_id, text="", path=item.path, line=line,
                                   record=record, raw=b"" if has_raw else None)
                    as_read[id(doc)] = (doc_id, doc)
                    known[id(doc)] = ((high, low), key)
                    yield doc
            elif isinstance(item, Document):
                as_read[id(item)] = (item.id, item)
                yield item

    known: dict[int, tuple[Digest, str | None]] = {}
    entries: dict[str, list[Entry]] = {}

    def jobs() -> Iterator[Document | _Known]:
        for doc in unique_ids(documents()):
            if not isinstance(doc, Document):
                continue  # a duplicate id's problem: validation reports it
            first_id, _ = as_read.pop(id(doc))
            entries.setdefault(doc.path, []).append(
                [first_id, doc.line, doc.record, doc.raw is not None])
            if id(doc) in known:
                doc_digest, key = known.pop(id(doc))
                yield _Known(doc.id, doc.path, doc_digest, key)
            else:
                yield doc

    # Unchanged files' documents need a cache lookup only: done here, in order, while
    # the documents read afresh go to the worker pool (started only for two chunks).
    _init_signer(suite, cache.path)
    done: list[tuple[int, Signed]] = []

    def fresh_batches() -> Iterator[tuple[list[int], list[Document]]]:
        for batch in chunks(enumerate(jobs()), chunk_size):
            known = [(n, doc) for n, doc in batch if isinstance(doc, _Known)]
            if known:
                done.extend(zip((n for n, _ in known), _sign([d for _, d in known]),
                                strict=True))
            fresh = [(n, doc) for n, doc in batch if isinstance(doc, Document)]
            if fresh:
                yield [n for n, _ in fresh], [doc for _, doc in fresh]

    for numbers, part in run_chunks(fresh_batches(), workers=workers, local=_sign_numbered,
                                    remote=_sign_numbered, initializer=_init_signer,
                                    initargs=(suite, cache.path)):
        done.extend(zip(numbers, part, strict=True))
    done.sort(key=lambda numbered: numbered[0])
    records, digests, signatures = [], [], []
    position: dict[str, int] = {}
    lost = 0
    for _, (doc_id, path, signature, key, content) in done:
        if signature is _LOST:
            lost += 1
            continue
        grouper.add_signature(doc_id, signature, key)
        records.append({"id": doc_id, "path": path})
        digests.append(content)
        signatures.append(signature)
        at = position.get(path, 0)
        entries[path][at].extend([*content, key])
        position[path] = at + 1
    done.clear()
    if lost:  # every document is read and signed again rather than guessed
        return story_map(suite, paths, workers=workers, chunk_size=chunk_size,
                         id_roots=id_roots, cache_dir=cache_dir,
                         follow_symlinks=follow_symlinks, stats=stats, trust_stamps=False)
    try:
        cache.write(digests, signatures)
        stamps.write(entries)  # type: ignore[arg-type]
    except OSError as exc:  # a cache only saves time: say so, and go on
        print(f"corpus-qa: signature cache not written ({exc}); the next --changed-since "
              "reads and signs every document again", file=sys.stderr)
    if stats is not None:
        stats.update(files_reused=stamps.reused, documents=len(records))
    stories = {doc: story.id for story in grouper.groups() for doc in story.documents}
    return records, stories


def _reading_settings(suite: Suite) -> str:
    """What the documents and story keys read from a file depend on besides its bytes."""
    return json.dumps([repr(suite.fields), suite.versions.key, suite.phrases,
                       SIGNATURE_VERSION], default=str)
