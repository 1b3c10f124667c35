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


def run_chunks(batches: Iterable[T], *, workers: int, local: Callable[[T], R],
               remote: Callable[[T], R], initializer: Callable[..., None],
               initargs: tuple[Any, ...]) -> Iterator[R]:
    """Each batch through ``local`` in this process when there is one batch or one worker,
    else through ``remote`` on a pool of ``workers`` processes set up by ``initializer``."""
    batches = iter(batches)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    if second is None or workers <= 1:
        yield local(first)
        if second is not None:
            yield local(second)
            yield from map(local, batches)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=initializer,
                             initargs=initargs) as pool:
        yield from bounded_map(pool, remote, _chain(first, second, batches), 2 * workers)


def _chain(first: T, second: T, rest: Iterator[T]) -> Iterator[T]:
    yield first
    yield second
    yield from rest
