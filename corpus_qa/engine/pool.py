"""Chunks of work on a pool of processes, in order, with a bounded number in flight."""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache, partial
from typing import Any, Protocol, TypeVar

from corpus_qa.gxcontext import freeze_heap, heap_is_frozen, unfreeze_heap

T = TypeVar("T")
R = TypeVar("R")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Group items into lists of at most ``size``.

    >>> list(chunks(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


CHUNK_CHARACTERS = 3_500_000
"""A chunk of pass 1 also ends once its documents hold this many characters (about
1,000 news articles of 3.5 KB): what a worker holds while it checks a chunk grows with
the chunk's text (its rows, GX's frame, the findings), and the main process holds the
chunks waiting for a worker. Small documents still go 2,000 (``--chunk-size``) at a time."""


class _Texted(Protocol):
    text: str


D = TypeVar("D", bound=_Texted)


def chunks_of_text(documents: Iterable[D], size: int,
                   characters: int | None = None) -> Iterator[list[D]]:
    """Documents in lists of at most ``size``, a list ending early once its texts reach
    ``characters`` in all (:data:`CHUNK_CHARACTERS`; a longer document is a list alone).

    >>> from corpus_qa.documents import Document
    >>> docs = [Document(id=str(i), text="x" * n, path="p") for i, n in enumerate([4, 4, 9, 1])]
    >>> [[d.id for d in batch] for batch in chunks_of_text(docs, 3, characters=8)]
    [['0', '1'], ['2'], ['3']]
    """
    limit = CHUNK_CHARACTERS if characters is None else characters
    batch: list[D] = []
    held = 0
    for doc in documents:
        if batch and held + len(doc.text) > limit:
            yield batch
            batch, held = [], 0
        batch.append(doc)
        held += len(doc.text)
        if len(batch) >= size:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def bounded_map(pool: ProcessPoolExecutor, fn: Callable[[Any], R], items: Iterable[Any],
                window: int) -> Iterator[R]:
    """``pool.map`` in order with at most ``window`` tasks in flight (bounded memory)."""
    pending: deque[Future[R]] = deque()
    for item in items:
        if len(pending) >= window:
            yield pending.popleft().result()
        pending.append(pool.submit(fn, item))
    while pending:
        yield pending.popleft().result()


def spread(batches: Iterable[T], local: Callable[[T], R],
           elsewhere: Callable[[Iterator[T]], Iterator[R]], *, alone: bool = False) -> Iterator[R]:
    """The opening every engine's ``map`` shares: a pass of a single batch (or every
    batch, when ``alone``) runs through ``local`` in this process; otherwise all the
    batches, in order, go to ``elsewhere`` (worker processes, Spark tasks).

    >>> list(spread([1], str, lambda rest: (f"far {b}" for b in rest)))
    ['1']
    >>> list(spread([1, 2, 3], str, lambda rest: (f"far {b}" for b in rest)))
    ['far 1', 'far 2', 'far 3']
    >>> list(spread([1, 2, 3], str, lambda rest: (f"far {b}" for b in rest), alone=True))
    ['1', '2', '3']
    """
    batches = iter(batches)
    first = next(batches, _NONE)
    if first is _NONE:
        return
    second = next(batches, _NONE)
    if second is _NONE or alone:
        yield local(first)  # type: ignore[arg-type]
        if second is not _NONE:
            yield local(second)  # type: ignore[arg-type]
            yield from map(local, batches)
        return
    yield from elsewhere(_chain(first, second, batches))  # type: ignore[arg-type]


_NONE: Any = object()
"""No batch (a pass's batches may be any value)."""


class WorkerPool:
    """One pool of worker processes for every pass of a run.

    Workers start once, when a pass first has more than one batch; a pass of a single
    batch, or a pool of one worker, runs in this process instead. On Linux they are
    forked: they inherit GX, pandas and the suite already loaded here (importing GX costs
    about 3.5 CPU-s per process) and share those pages with this process (see
    :meth:`map`).
    """

    def __init__(self, workers: int, initializer: Callable[..., None],
                 initargs: tuple[Any, ...]) -> None:
        self.workers = workers
        self.initializer, self.initargs = initializer, initargs
        self._pool: ProcessPoolExecutor | None = None
        self._frozen = False

    def map(self, batches: Iterable[T], local: Callable[[T], R],
            remote: Callable[[T], R]) -> Iterator[R]:
        """Each batch through ``local`` here, or through ``remote`` in a worker, in order."""
        return spread(batches, local, partial(self._in_workers, remote),
                      alone=self.workers <= 1)

    def _in_workers(self, remote: Callable[[T], R], batches: Iterator[T]) -> Iterator[R]:
        if self._pool is None:
            # What this process holds now (GX, pandas, the suite: a few hundred MB) is
            # shared with the forked workers page by page until a page is written; the
            # cycle collector writes to every object it scans, so those objects are moved
            # out of its reach first and stay there while the workers live. (No collection
            # first: it finds nothing to free here and costs about 0.2 CPU-s.) A heap
            # frozen before (the command freezes what importing GX left) stays frozen when
            # the workers are gone: unfrozen, the interpreter's last collection at exit
            # traverses and frees it all, about 0.6 CPU-s.
            frozen = heap_is_frozen()
            self._frozen = not frozen
            freeze_heap(frozen=frozen)
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                             initializer=_worker_start,
                                             initargs=(self.initializer, *self.initargs))
            with _sigint_blocked():  # workers start (fork) now, with SIGINT held back
                self._pool.submit(_nothing)
        yield from bounded_map(self._pool, partial(_then_trimmed, remote), batches,
                               2 * self.workers)

    def close(self, *, failed: bool = False) -> None:
        """Stop the workers (if any were started).

        After a failure or Ctrl-C, queued chunks are cancelled and the workers are
        terminated rather than waited for: a worker busy with a chunk would otherwise
        hold the run (and interpreter exit) until it finished.
        """
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            if not failed:
                pool.shutdown(wait=True)
                return
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=5)
        finally:
            if self._frozen:  # the workers are gone: this process collects everything again
                unfreeze_heap()  # (unless it was frozen before the pool: see _in_workers)
                self._frozen = False

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(failed=kind is not None)


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Inside: what this process holds on entry (GX, pandas, the suite: some 270,000
    objects) is out of the cycle collector's reach, as while the worker pool lives.

    For a phase that allocates a few long-lived objects per document in the main
    process (``--changed-since`` placing every document into its story): each full
    collection it triggers would scan that whole heap again, a third of the phase's CPU
    at 10,000 documents. Left as it was when something had frozen the heap before.
    """
    frozen_before = heap_is_frozen()
    freeze_heap(frozen=frozen_before)
    try:
        yield
    finally:
        if not frozen_before:
            unfreeze_heap()


def run_chunks(batches: Iterable[T], *, workers: int, local: Callable[[T], R],
               remote: Callable[[T], R], initializer: Callable[..., None],
               initargs: tuple[Any, ...]) -> Iterator[R]:
    """:meth:`WorkerPool.map` on a pool of its own (one pass)."""
    with WorkerPool(workers, initializer, initargs) as pool:
        yield from pool.map(batches, local, remote)


def trim_heap() -> None:
    """Hand the C heap's free pages back to the system: glibc's ``malloc_trim``, where
    there is one (nothing elsewhere).

    A chunk's larger blocks (its texts, their bytes, GX's frame, pandas' arrays, the
    story checks' tables) come from the C heap, which keeps the pages freed blocks leave
    for the next allocation: without a trim, a process's resident memory stays at the
    high-water mark of its largest chunk through every later pass. A few milliseconds
    (measured: 1–5 ms a call in a worker of the 10,000-document corpora). No collection
    first: a chunk's garbage is freed by reference counting (a full collection after
    each chunk found nothing to free, and cost 20–110 ms walking the worker's objects)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None (another C library, or another system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # musl and others have none
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim  # type: ignore[no-any-return]


def _then_trimmed(fn: Callable[[T], R], item: T) -> R:
    """``fn(item)`` in a worker, then the C heap trimmed (:func:`trim_heap`), so a worker's
    resident memory goes back down between chunks instead of staying at its largest
    chunk's."""
    try:
        return fn(item)
    finally:
        trim_heap()


def _worker_start(initializer: Callable[..., None], *initargs: Any) -> None:
    """A worker leaves Ctrl-C to the parent (which stops the pool), then initialises.

    The terminal sends SIGINT to every process of the foreground group; a worker that
    raised KeyboardInterrupt mid-task printed a traceback and could leave the pool's
    queues locked, so the parent's shutdown hung.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    initializer(*initargs)


def _context() -> multiprocessing.context.BaseContext | None:
    """Fork on Linux (whatever Python's default start method); elsewhere the default."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return None


def _nothing() -> None:
    """A task that starts the workers."""


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held back (and delivered on exit) while workers are forked: a worker
    inherits the blocked signal and ignores it before it unblocks it, so a Ctrl-C at
    that moment cannot kill a worker half-started (which broke the pool: exit 3)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _chain(first: T, second: T, rest: Iterator[T]) -> Iterator[T]:
    yield first
    yield second
    yield from rest
