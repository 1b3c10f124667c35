"""Pass 1 where the files are read: a batch of corpus files read and validated together.

The local engine's workers read the text files they validate
(:meth:`WalkedFiles.validated_in_runs`: this process walks, shards are read here);
Spark tasks read every file, as follows.

With ``--engine spark`` the driver only walks the corpus paths (the same
:class:`~corpus_qa.sources.corpus.Walk`, so the same input findings for links, special
files and unsafe names) and cuts the files it finds into :class:`FileBatch` es; a Spark
task reads each batch with corpus-qa's own readers (:func:`corpus_qa.sources.read_file`:
the same ids, line and row numbers, decode findings, front matter and field mapping as
the local engine) and validates its documents in the same task, in chunks of
``chunk_size`` documents (:func:`read_and_validate`). The driver then takes the batches'
results in walk order (:func:`take_batch`), so the results are the local engine's.

Document ids must be unique over the whole corpus, which no task can know: a batch
whose ids are all new is taken as the task made it; a batch with an id seen before (or
twice in it) is read again on the driver, through the same renaming as the local engine
(:class:`~corpus_qa.sources.corpus.UniqueIds`), and validated there.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import count
from pathlib import Path
from typing import Any

from corpus_qa.documents import Document
from corpus_qa.engine.passes import ChunkResult, DocumentPass
from corpus_qa.engine.pool import chunks, chunks_of_text
from corpus_qa.sources.base import FieldMap, Loaded, SourceCount, SourceCounts
from corpus_qa.sources.corpus import FileToRead, UniqueIds, Walk, locator, read_file

BATCH_BYTES = 64 << 20
"""At most this many bytes of corpus files in one batch (one Spark task), unless a single
file is larger: many small text files share a task, a large shard has one of its own."""

CHUNK_NUMBERS = 1 << 20
"""Row-store chunk numbers of batch ``n`` start at ``n * CHUNK_NUMBERS`` (unique per run)."""


@dataclass
class FileBatch:
    """Files to read and validate together, and the walk's items just before them."""

    number: int
    before: list[Loaded]
    """Problems and skipped files the walk found before these files, in walk order."""
    files: list[FileToRead]
    fields: FieldMap
    chunk_size: int
    only: frozenset[str] | None = None
    """The ids to validate (``--changed-since``: the changed documents and the other
    versions of their stories); the others are read, for their ids, but not validated."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A batch goes to a worker (or a Spark task) pickled: its files as columns of
        # strings, not as FileToRead objects holding two ``Path`` each, which cost more to
        # pickle and to rebuild (``Path`` parses its string again) than the worker spent
        # reading the files' names. A text file's copy keeps its path as a string (the
        # text source opens it as it is); a shard's is a ``Path`` again.
        files = self.files
        return (_file_batch, (self.number, self.before,
                              [os.fspath(f.path) for f in files],
                              [os.fspath(f.root) for f in files],
                              [f.shown for f in files], [f.size for f in files],
                              [f.shard for f in files],
                              self.fields, self.chunk_size, self.only))


def _file_batch(number: int, before: list[Loaded], paths: list[str], roots: list[str],
                shown: list[str], sizes: list[int], shards: list[bool], fields: FieldMap,
                chunk_size: int, only: frozenset[str] | None) -> FileBatch:
    """A :class:`FileBatch` from its pickled columns (see :meth:`FileBatch.__reduce__`)."""
    files = [FileToRead(Path(path), Path(root), name, size, True) if shard
             else FileToRead(path, root, name, size)
             for path, root, name, size, shard
             in zip(paths, roots, shown, sizes, shards, strict=True)]
    return FileBatch(number, before, files, fields, chunk_size, only)


@dataclass
class BatchResult:
    """What a batch gave: per file its counts and problems, then its chunks' results."""

    files: list[tuple[list[SourceCount], list[Loaded]]] = field(default_factory=list)
    chunks: list[ChunkResult] = field(default_factory=list)
    placed: list[tuple[str, str]] = field(default_factory=list)
    """(id, locator) of each document, in reading order."""
    unselected: int = 0
    """Documents read but not validated (not in the batch's ``only``)."""


class WalkedFiles:
    """The corpus as the walk finds it, for tasks to read (``--engine spark``): the
    runner's pass 1 takes :meth:`validated` instead of chunks of documents it read."""

    def __init__(self, paths: Iterable[str], fields: FieldMap, only_files: set[str] | None,
                 counts: SourceCounts, id_roots: Iterable[str], follow_symlinks: bool,
                 chunk_size: int, only: set[str] | None = None) -> None:
        self.walk = Walk(paths, fields, only_files, counts, follow_symlinks, id_roots,
                         read=False)
        self.fields, self.counts, self.chunk_size = fields, counts, chunk_size
        self.only = frozenset(only) if only is not None else None
        self.unique = UniqueIds(counts)

    def validated(self, pool: Any, local: DocumentPass,
                  remote: Callable[[FileBatch], BatchResult],
                  take: Callable[[Loaded], Document | None],
                  read: Callable[[int, int], None]) -> Iterator[ChunkResult]:
        """Pass 1's chunk results in walk order: each batch through ``remote`` (a task
        running :func:`read_and_validate`) on ``pool``, then :func:`take_batch`."""
        batches = list(file_batches(self.walk.items(), self.fields, self.chunk_size,
                                    self.only))
        results = pool.map(batches, partial(_read_locally, local), remote)
        for batch, result in zip(batches, results, strict=True):
            yield from take_batch(batch, result, self.unique, self.counts, take, read, local)


    def validated_in_runs(self, pool: Any, local: DocumentPass,
                          remote: Callable[[FileBatch], BatchResult],
                          remote_chunk: Callable[[Any], ChunkResult],
                          take: Callable[[Loaded], Document | None],
                          read: Callable[[int, int], None], *,
                          chunker: Callable[[Iterable[Document], int],
                                            Iterable[list[Document]]] = chunks,
                          pack: Callable[[int, list[Document]], Any] | None = None,
                          ) -> Iterator[ChunkResult]:
        """Pass 1's chunk results in walk order, this process only walking text files
        (the local engine's worker pool).

        A shard's documents are cut by ``chunker`` (documents, chunk size) and, with
        ``pack``, each numbered chunk waits for its worker as ``pack(number, chunk)``
        (an object whose ``unpacked()`` gives the pair back; ``remote_chunk`` takes it).

        A run of text files goes to the workers in :class:`FileBatch` es (``remote``: a
        worker running :func:`read_and_validate`), so no text crosses a pipe on its way
        to a worker. A shard (JSON Lines, Parquet, compressed) is read here and its
        documents go to the workers in chunks (``remote_chunk``): a large shard read by
        one worker would keep the others idle. Each run's results are all taken before
        the next run is read, so ids are renamed, files counted and problems listed in
        walk order, as when this process reads everything.
        """
        walked = _Pushback(self.walk.items())
        numbers = count()
        while walked.more():
            yield from self._text_run(walked, numbers, pool, local, remote, take, read)
            yield from self._shard_run(walked, numbers, pool, local, remote_chunk, take,
                                       chunker, pack)

    def _text_run(self, walked: _Pushback, numbers: Iterator[int], pool: Any,
                  local: DocumentPass, remote: Callable[[FileBatch], BatchResult],
                  take: Callable[[Loaded], Document | None],
                  read: Callable[[int, int], None]) -> Iterator[ChunkResult]:
        """The walk up to its next shard, read and validated by the workers."""
        sent: deque[FileBatch] = deque()
        after: list[Loaded] = []  # walk items after the run's last file

        def batches() -> Iterator[FileBatch]:
            for batch in file_batches(walked.until(_is_shard), self.fields, self.chunk_size,
                                      self.only):
                if not batch.files:
                    after.extend(batch.before)
                    continue
                batch.number = next(numbers)
                sent.append(batch)
                yield batch

        for result in pool.map(batches(), partial(_read_locally, local), remote):
            yield from take_batch(sent.popleft(), result, self.unique, self.counts, take,
                                  read, local)
        for item in after:
            take(item)

    def _shard_run(self, walked: _Pushback, numbers: Iterator[int], pool: Any,
                   local: DocumentPass,
                   remote: Callable[[Any], ChunkResult],
                   take: Callable[[Loaded], Document | None],
                   chunker: Callable[[Iterable[Document], int], Iterable[list[Document]]],
                   pack: Callable[[int, list[Document]], Any] | None,
                   ) -> Iterator[ChunkResult]:
        """The walk up to its next text file, read here, validated by the workers."""
        self.unique.counts = self.counts

        def documents() -> Iterator[Document]:
            for item in walked.until(_is_text):
                items: Iterable[Loaded] = (
                    self.unique(read_file(item.path, item.root, self.fields, self.counts,
                                          shown=item.shown))
                    if isinstance(item, FileToRead) else (item,))
                for loaded in items:
                    doc = take(loaded)
                    if doc is not None:
                        yield doc

        jobs = ((next(numbers) * CHUNK_NUMBERS, chunk)
                for chunk in chunker(documents(), self.chunk_size))
        yield from map_chunks(pool, jobs, local, remote, pack)


def map_chunks(pool: Any, jobs: Iterable[tuple[int, list[Document]]], local: DocumentPass,
               remote: Callable[[Any], ChunkResult],
               pack: Callable[[int, list[Document]], Any] | None) -> Iterator[ChunkResult]:
    """Pass 1's numbered chunks of documents through the pool; with ``pack``, each waits
    for its worker as ``pack(number, chunk)`` (whose ``unpacked()`` gives the pair back)."""
    if pack is None:
        return pool.map(jobs, local, remote)
    return pool.map((pack(*job) for job in jobs), lambda job: local(job.unpacked()), remote)


class _Pushback:
    """The walk's items, with the one that ended a run (:meth:`until`) kept for the next."""

    def __init__(self, items: Iterator[Loaded | FileToRead]) -> None:
        self.items = items
        self.held: list[Loaded | FileToRead] = []

    def more(self) -> bool:
        if not self.held:
            item = next(self.items, _END)
            if item is _END:
                return False
            self.held.append(item)
        return True

    def until(self, stop: Callable[[FileToRead], bool]) -> Iterator[Loaded | FileToRead]:
        """The items up to the first file ``stop`` is true of (kept for the next run)."""
        while self.more():
            item = self.held.pop()
            if isinstance(item, FileToRead) and stop(item):
                self.held.append(item)
                return
            yield item


_END: Any = object()


def _read_locally(local: DocumentPass, batch: FileBatch) -> BatchResult:
    return read_and_validate(batch, local)


def file_batches(walked: Iterable[Loaded | FileToRead], fields: FieldMap,
                 chunk_size: int, only: frozenset[str] | None = None) -> Iterator[FileBatch]:
    """The walk cut into batches: a shard (JSON Lines, Parquet) alone, text files up to
    ``chunk_size`` files and :data:`BATCH_BYTES` bytes together; the last batch may
    hold walk items only. Each batch validates only the ids in ``only`` (None: all)."""
    number, before, files, size = 0, [], [], 0
    for item in walked:
        if not isinstance(item, FileToRead):
            if files:  # an item after files goes with the next batch
                yield FileBatch(number, before, files, fields, chunk_size, only)
                number, before, files, size = number + 1, [], [], 0
            before.append(item)
            continue
        if files and (len(files) >= chunk_size or size + item.size > BATCH_BYTES
                      or item.shard or files[-1].shard):
            yield FileBatch(number, before, files, fields, chunk_size, only)
            number, before, files, size = number + 1, [], [], 0
        files.append(item)
        size += item.size
    if files or before:
        yield FileBatch(number, before, files, fields, chunk_size, only)


def read_and_validate(batch: FileBatch,
                      validate: Callable[[tuple[int, list[Document]]], ChunkResult],
                      ) -> BatchResult:
    """Read the batch's files and validate their documents (in a Spark task)."""
    out = BatchResult()

    def read() -> Iterator[Document]:
        for file in batch.files:
            counts = SourceCounts()
            problems: list[Loaded] = []
            for item in read_file(file.path, file.root, batch.fields, counts, shown=file.shown):
                if isinstance(item, Document):
                    out.placed.append((item.id, locator(item)))
                    if batch.only is None or item.id in batch.only:
                        yield item
                    else:
                        out.unselected += 1
                else:
                    problems.append(item)
            out.files.append((counts.files, problems))

    first = batch.number * CHUNK_NUMBERS
    # Validated in chunks of at most ``chunk_size`` documents and CHUNK_CHARACTERS
    # characters, as the documents of a shard are: a batch of 2,000 news articles would
    # be one chunk of 7 million characters, and what validating a chunk holds at once
    # (the rows, GX's frame, the findings) grows with its text.
    for n, chunk in enumerate(chunks_of_text(read(), batch.chunk_size)):
        out.chunks.append(validate((first + n, chunk)))
    return out


def take_batch(batch: FileBatch, result: BatchResult, unique: UniqueIds,
               counts: SourceCounts, take: Callable[[Loaded], Document | None],
               read: Callable[[int, int], None],
               validate: Callable[[tuple[int, list[Document]]], ChunkResult],
               ) -> Iterator[ChunkResult]:
    """The batch's items and results on the driver, in walk order.

    ``take`` is what the runner does with each item it reads (it returns the documents
    to validate), ``read(n, skipped)`` counts ``n`` documents read and validated in a
    task and ``skipped`` read there but not selected; ``validate`` validates a chunk on
    the driver, for a batch read again.
    """
    for item in batch.before:
        take(item)
    if unique.accept(result.placed):
        for file_counts, problems in result.files:
            counts.files.extend(file_counts)
            for item in problems:
                take(item)
        read(len(result.placed) - result.unselected, result.unselected)
        yield from result.chunks
        return
    # An id seen before: read the batch again here, renaming as the local engine does.
    unique.counts = counts
    items = unique(item for file in batch.files
                   for item in read_file(file.path, file.root, batch.fields, counts,
                                         shown=file.shown))
    documents = (doc for doc in map(take, items) if doc is not None)
    first = batch.number * CHUNK_NUMBERS + CHUNK_NUMBERS // 2
    for n, chunk in enumerate(chunks(documents, batch.chunk_size)):
        yield validate((first + n, chunk))


def _is_shard(file: FileToRead) -> bool:
    return file.shard


def _is_text(file: FileToRead) -> bool:
    return not file.shard
