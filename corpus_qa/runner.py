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

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus_qa import __version__
from corpus_qa.documents import Document
from corpus_qa.engine.passes import (
    STORY_CHUNK_SIZE,
    ChunkResult,
    DocumentPass,
    Stored,
    StoryChunk,
    StoryJob,
    StoryPass,
    corpus_pass,
    mark_missing,
    new_grouper,
    story_jobs,
    with_suggestion,
)
from corpus_qa.engine.pool import WorkerPool, chunks, run_chunks
from corpus_qa.engine.rowstore import RecordSpool, Ref, RowStore
from corpus_qa.engine.scope import ScopeResult, ScopeValidator
from corpus_qa.engine.sigcache import SignatureCache, digest
from corpus_qa.metadata import resolve
from corpus_qa.results import Finding, Outcome, RunResult
from corpus_qa.sources import (
    InputProblem,
    Loaded,
    SkippedFile,
    SourceCounts,
    format_of,
    iter_corpus,
)
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


def _documents_in_worker(job: tuple[int, list[Document]]) -> ChunkResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.documents(job)


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
        items = iter_corpus(paths, only_files=only_files, fields=self.suite.fields, counts=counts,
                            id_roots=id_roots, follow_symlinks=self.follow_symlinks)
        result = self.run_items(items, [str(p) for p in paths], only=only, only_paths=only_paths,
                                unique_ids=True)
        result.sources = counts.to_json()
        return result

    def run_items(self, items: Iterable[Loaded], corpus: list[str], *,
                  only: set[str] | None = None, only_paths: set[str] | None = None,
                  unique_ids: bool = False) -> RunResult:
        """Validate documents (and input problems, skipped files) as a source yields them.

        A document whose id was already used is renamed after its locator and reported
        (``duplicate_id``), unless the source says its ids are unique already
        (:func:`corpus_qa.sources.iter_corpus` renames them itself).
        """
        if not unique_ids:
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
        findings: list[Finding] = []
        stored: dict[str, Stored] = {}
        skipped: list[str] = []
        skipped_documents = 0
        grouper = new_grouper(self.suite)
        self.stats = {"resolutions": 0, "check_runs": 0}

        def add(part: ScopeResult) -> None:
            for i, (checked, unexpected, missing) in part.counts.items():
                outcomes[i].checked += checked
                outcomes[i].unexpected += unexpected
                outcomes[i].missing += missing
            for i, error in part.errors:
                outcomes[i].errors.append(error)
            findings.extend(part.findings)

        def loaded_documents() -> Iterator[Document]:
            # input.checked counts inputs (documents, and records/files that could not
            # become one); input.unexpected counts inputs with a problem.
            nonlocal skipped_documents
            for item in items:
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
                    yield item

        rows_dir = tempfile.TemporaryDirectory(prefix="corpus-qa-rows-")
        store = RowStore(rows_dir.name)
        # Document records (the results' documents) go to disk as chunks return, so the
        # main process does not grow with the corpus; outputs read them back in order.
        documents = RecordSpool(Path(rows_dir.name) / "records.bin", keep=rows_dir)
        local = self.local.storing_in(rows_dir.name)
        local_stories = self.local_stories.storing_in(rows_dir.name)
        runs_before = self.corpus_validator.check_runs
        required = sorted({f for e in self.instances for f in e.required_fields()})
        stories: list[dict[str, Any]] = []
        # The story view's tables (sentence alignment, figure table of each pair shown)
        # are spooled to the run's store as they arrive, one record per story, and read
        # back by the report: they never pile up in memory or go into results.json.
        pairs_store = RowStore(Path(rows_dir.name) / "stories")
        pairs_store.directory.mkdir()
        pairs_at: dict[str, Ref] = {}
        suggestions: dict[Any, Any] = {}
        with self._pool(rows_dir.name) as pool:
            jobs = enumerate(chunks(loaded_documents(), self.chunk_size))
            for part in pool.map(jobs, local, _documents_in_worker):
                add(part)
                documents.extend(part.records)
                stored.update(part.stored)
                self.stats["resolutions"] += part.resolutions
                self.stats["check_runs"] += part.check_runs
                for doc_id, signature, key, date in part.signatures:
                    grouper.add_signature(doc_id, signature, key, date)
                if self.progress:
                    self.progress(len(documents))

            story_of: dict[str, str] = {}
            if local.groups:
                groups = self._groups(grouper)
                story_of = {doc_id: story.id for story in groups for doc_id in story.documents}
                versions = {doc_id for story in groups if len(story.documents) > 1
                            for doc_id in story.documents}
                record_of = {r["id"]: r for r in documents if r["id"] in versions}
                batches = chunks(story_jobs(groups, record_of, stored), STORY_CHUNK_SIZE)
                with pairs_store.writer(0) as put:
                    for chunk in pool.map(batches, local_stories, _stories_in_worker):
                        add(chunk)
                        for story in chunk.stories:
                            pairs_at[story["id"]] = put(story.pop("pairs"))
                        stories.extend(chunk.stories)
                        suggestions.update(chunk.suggestions)
                        self.stats["check_runs"] += chunk.check_runs
                findings[:] = [with_suggestion(f, suggestions) for f in findings]

        def finish(record: dict[str, Any]) -> dict[str, Any]:
            record["story"] = story_of.get(record["id"], record["story"])
            mark_missing([record], required, suggestions)
            return record

        documents.rewrite(finish)
        for part in corpus_pass(self.instances, self.corpus_validator, documents, stored, store,
                                self.chunk_size):
            add(part)
        self.stats["check_runs"] += self.corpus_validator.check_runs - runs_before
        findings.sort(key=Finding.sort_key)

        def text_of(doc_id: str, _keep: Any = rows_dir) -> str:
            """The text of a validated document, as validated (read from pass 1's rows)."""
            return store.get(stored[doc_id].row)["text"]

        def pairs_of(story_id: str, _keep: Any = rows_dir) -> list[dict[str, Any]]:
            """The pairs of versions the story view shows (the figure check's tables)."""
            return pairs_store.get(pairs_at[story_id]) if story_id in pairs_at else []

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


    def _groups(self, grouper: Any) -> list[Any]:
        """The stories: the local grouper's, or the same computed as Spark joins."""
        if self.spark is None or len(grouper) <= self.chunk_size:
            return grouper.groups()  # one chunk of documents: not worth Spark jobs
        from corpus_qa.engine.sparkstories import spark_groups

        groups, self.stats["grouping"] = spark_groups(self.spark, grouper)
        return groups

    def _pool(self, store_dir: str) -> Any:
        """The engine: the local process pool, or Spark tasks doing the same chunk work."""
        if self.spark is not None:
            from corpus_qa.engine.spark import SparkPool

            return SparkPool(self.spark, _init_worker, (self.suite, store_dir))
        return WorkerPool(self.workers, _init_worker, (self.suite, store_dir))


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


def _sign(batch: list[Document]) -> list[tuple[str, str, Any, str | None, Any]]:
    """(id, path, signature, story key, content digest) of each document (in a worker or
    in-process); a signature the cache holds for the same text is not computed again."""
    assert _SIGNER is not None, "signer not initialised"
    grouper, phrases, key_field, cache = _SIGNER
    bodies = [doc.text[doc.body_start:] for doc in batch]
    digests = [digest(body) for body in bodies]
    cached = cache.lookup(digests) if cache is not None else [(False, None)] * len(batch)
    missing = [i for i, (found, _) in enumerate(cached) if not found]
    signed = dict(zip(missing, grouper.signatures([bodies[i] for i in missing]), strict=True))
    out = []
    for i, doc in enumerate(batch):
        # Selection needs story membership only: metadata is resolved only for a story key.
        key = None
        if key_field:
            meta = resolve(doc, phrases)
            key = meta[key_field].value if key_field in meta else None
        signature = signed[i] if i in signed else cached[i][1]
        out.append((doc.id, doc.path, signature, key, digests[i]))
    return out


def story_map(suite: Suite, paths: list[str], *, workers: int | None = None,
              chunk_size: int = DEFAULT_CHUNK_SIZE, id_roots: Iterable[str] = (),
              cache_dir: Path | None = None, follow_symlinks: bool = False,
              ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every document's id, path and story id, without validating anything.

    What ``--changed-since`` (and files given inside the configured corpus) need to add
    the other versions of a changed document's story: a MinHash signature per document
    (computed on every core, or read from the signature cache of the previous call when
    the text is unchanged: see ``corpus_qa/engine/sigcache.py``; ``cache_dir`` overrides
    where), then grouping.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    grouper = new_grouper(suite)
    cache = SignatureCache.for_corpus(paths, grouper, cache_dir)
    records = []
    loaded = iter_corpus(paths, fields=suite.fields, id_roots=id_roots,
                         follow_symlinks=follow_symlinks)
    batches = chunks((d for d in loaded if isinstance(d, Document)), chunk_size)
    _init_signer(suite, cache.path)
    signed = list(run_chunks(batches, workers=workers, local=_sign, remote=_sign,
                             initializer=_init_signer, initargs=(suite, cache.path)))
    digests, signatures = [], []
    for part in signed:
        for doc_id, path, signature, key, content in part:
            grouper.add_signature(doc_id, signature, key)
            records.append({"id": doc_id, "path": path})
            digests.append(content)
            signatures.append(signature)
    try:
        cache.write(digests, signatures)
    except OSError as exc:  # a cache only saves time: say so, and go on
        print(f"corpus-qa: signature cache not written ({exc}); the next --changed-since "
              "signs every document again", file=sys.stderr)
    stories = {doc: story.id for story in grouper.groups() for doc in story.documents}
    return records, stories
