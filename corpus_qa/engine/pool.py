"""Chunks of work on a pool of processes, in order, with a bounded number in flight."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

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


class WorkerPool:
    """One pool of worker processes for every pass of a run.

    Workers start (and import GX, about 3.5 s each) once, when a pass first has more
    than one batch; a pass of a single batch, or a pool of one worker, runs in this
    process instead.
    """

    def __init__(self, workers: int, initializer: Callable[..., None],
                 initargs: tuple[Any, ...]) -> None:
        self.workers = workers
        self.initializer, self.initargs = initializer, initargs
        self._pool: ProcessPoolExecutor | None = None

    def map(self, batches: Iterable[T], local: Callable[[T], R],
            remote: Callable[[T], R]) -> Iterator[R]:
        """Each batch through ``local`` here, or through ``remote`` in a worker, in order."""
        batches = iter(batches)
        first = next(batches, None)
        if first is None:
            return
        second = next(batches, None)
        if second is None or self.workers <= 1:
            yield local(first)
            if second is not None:
                yield local(second)
                yield from map(local, batches)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             initializer=self.initializer,
                                             initargs=self.initargs)
        yield from bounded_map(self._pool, remote, _chain(first, second, batches),
                               2 * self.workers)

    def close(self, *, failed: bool = False) -> None:
        """Stop the workers (if any were started); after a failure, without waiting for
        the chunks still queued."""
        if self._pool is not None:
            self._pool.shutdown(wait=not failed, cancel_futures=failed)
            self._pool = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(failed=kind is not None)


def run_chunks(batches: Iterable[T], *, workers: int, local: Callable[[T], R],
               remote: Callable[[T], R], initializer: Callable[..., None],
               initargs: tuple[Any, ...]) -> Iterator[R]:
    """:meth:`WorkerPool.map` on a pool of its own (one pass)."""
    with WorkerPool(workers, initializer, initargs) as pool:
        yield from pool.map(batches, local, remote)


def _chain(first: T, second: T, rest: Iterator[T]) -> Iterator[T]:
    yield first
    yield second
    yield from rest
