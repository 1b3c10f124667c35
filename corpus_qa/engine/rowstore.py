"""Pass 1's rows kept on disk for the later passes and the report.

A row is a dict of plain values (str, bytes, numbers, lists and dicts of those).
Each chunk of pass 1 writes its rows to one file of a temporary directory, compressed
one by one (zstandard at level 1: on news text about 3× the speed of zlib's fastest
level, both ways, and a little smaller — compressing must not cost as much as the
checks themselves; a row of fewer than :data:`SMALLEST_COMPRESSED` bytes is kept as
pickled); a row is read back by its :data:`Ref` — one seek, one read — without
reading or parsing the corpus file again (which is what makes compressed shards and
Parquet as cheap to revisit as plain text).

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     store = RowStore(tmp)
...     with store.writer(0) as put:
...         ref = put({"id": "a", "text": "caf\\u00e9"})
...     store.get(ref)["text"]
'café'
"""

from __future__ import annotations

import heapq
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import zstandard

Ref = tuple[int, int, int]
"""(chunk, offset, length) of one stored row."""

LEVEL = 1
"""zstandard's compression level for stored rows."""

SMALLEST_COMPRESSED = 512
"""A row pickled to fewer bytes is stored as it is: zstandard gains next to nothing on
a small row (a document's line hashes: ~190 bytes of ~200) and its call costs more than
pickling it. A pickle (protocol 5) opens with ``0x80``, a zstandard frame with ``0x28``,
so :meth:`RowStore.get` tells the two apart by their first byte."""

OPEN_FILES = 32
"""Chunk files kept open for reading at once (least recently used closed first)."""


_PICKLED = pickle.dumps(None, protocol=5)[:1]  # PROTO: how every protocol-5 pickle opens


def pack(value: Any) -> bytes:
    """``value`` pickled and compressed as the row store keeps rows (:func:`unpack` reverses it)."""
    return zstandard.ZstdCompressor(level=LEVEL).compress(pickle.dumps(value, protocol=5))


def unpack(data: bytes) -> Any:
    """The value :func:`pack` packed."""
    return pickle.loads(zstandard.ZstdDecompressor().decompress(data))  # noqa: S301 (ours)


class RowStore:
    """Rows by reference, in a directory the caller owns (usually a temporary one)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._files: OrderedDict[int, IO[bytes]] = OrderedDict()
        self._compress = zstandard.ZstdCompressor(level=LEVEL).compress
        self._decompress = zstandard.ZstdDecompressor().decompress

    def _path(self, chunk: int) -> Path:
        return self.directory / f"rows-{chunk:06d}.bin"

    @contextmanager
    def writer(self, chunk: int) -> Iterator[Callable[[Any], Ref]]:
        """``put(row) -> ref`` for the rows of one chunk (one writer per chunk)."""
        with self._path(chunk).open("ab") as handle:
            def put(row: Any) -> Ref:
                data = pickle.dumps(row, protocol=5)
                if len(data) >= SMALLEST_COMPRESSED:
                    data = self._compress(data)
                offset = handle.tell()
                handle.write(data)
                return (chunk, offset, len(data))

            yield put

    def get(self, ref: Ref) -> Any:
        """The row stored at ``ref``."""
        chunk, offset, length = ref
        handle = self._files.pop(chunk, None)
        if handle is None:
            handle = self._path(chunk).open("rb")
            if len(self._files) >= OPEN_FILES:
                self._files.popitem(last=False)[1].close()
        self._files[chunk] = handle
        handle.seek(offset)
        data = handle.read(length)
        if data[:1] != _PICKLED:
            data = self._decompress(data)
        return pickle.loads(data)  # noqa: S301 (our own file)

    def close(self) -> None:
        """Close the files opened for reading."""
        while self._files:
            self._files.popitem()[1].close()


class RecordSpool:
    """A run's per-document records on disk, in the order they were added.

    What the main process would otherwise hold as a list (one record of ~1 KB per
    document): ``append`` adds a record to a small batch, written to the end of the file
    (pickled and compressed together) once it holds ``batch`` records; ``len`` and
    iteration (a fresh sequential read each time) are all its readers need, so memory
    does not grow with the corpus. ``keep`` is an object that must live as long as the
    spool (the temporary directory holding the file).

    A batch of records pickles and compresses in about a third of the time, and reads
    back in two thirds, of the same records one by one (the dicts' keys are pickled
    once per batch; zstandard's per-call cost is paid once), and takes a tenth of the
    disk.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     spool = RecordSpool(Path(tmp) / "records.bin", batch=2)
    ...     spool.extend([{"id": "a"}, {"id": "b"}, {"id": "c"}])
    ...     spool.rewrite(lambda r: {**r, "story": "s"})
    ...     spool.append({"id": "d", "story": "t"})
    ...     (len(spool), [r["story"] for r in spool])
    (4, ['s', 's', 's', 't'])
    """

    def __init__(self, path: str | Path, keep: Any = None, *, batch: int | None = None) -> None:
        self.path = Path(path)
        self._keep = keep
        self._out: IO[bytes] = self.path.open("wb")
        self._count = 0
        self._batch = batch or RECORDS_PER_BATCH
        self._pending: list[Any] = []
        self._compress = zstandard.ZstdCompressor(level=LEVEL).compress
        self._decompress = zstandard.ZstdDecompressor().decompress

    def append(self, record: Any) -> None:
        self._pending.append(record)
        self._count += 1
        if len(self._pending) >= self._batch:
            self._write_pending()

    def extend(self, records: Iterable[Any]) -> None:
        for record in records:
            self.append(record)

    def _write_pending(self) -> None:
        if self._pending:
            data = self._compress(pickle.dumps(self._pending, protocol=5))
            self._out.write(len(data).to_bytes(4, "little") + data)
            self._pending = []

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        self._write_pending()
        self._out.flush()
        left = self._count  # records appended while iterating are not read
        with self.path.open("rb") as handle:
            while left > 0:
                size = int.from_bytes(handle.read(4), "little")
                batch = pickle.loads(self._decompress(handle.read(size)))  # noqa: S301 (ours)
                if len(batch) > left:
                    del batch[left:]
                left -= len(batch)
                yield from batch

    def rewrite(self, change: Callable[[Any], Any]) -> None:
        """Replace each record by ``change(record)``, in order (through a second file)."""
        new = RecordSpool(self.path.with_name(self.path.name + ".new"), batch=self._batch)
        new.extend(change(record) for record in self)
        new._write_pending()
        new._out.close()
        self._out.close()
        os.replace(new.path, self.path)
        self._out = self.path.open("ab")

    def close(self, *, delete: bool = False) -> None:
        """Close the file (and remove it with ``delete``): the spool is not read again."""
        self._pending = []
        self._out.close()
        if delete:
            self.path.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"RecordSpool({str(self.path)!r}, {self._count} records)"


RECORDS_PER_BATCH = 64
"""Records a :class:`RecordSpool` pickles and compresses together (about 64 KB of
document records)."""

BATCH = 512
"""Items per record of a :class:`SortedSpool`'s files (pickled and compressed together)."""

RUN = 20_000
"""Items a :class:`SortedSpool` sorts in memory at once (one sorted run on disk): about
20 MB of findings."""


class SortedSpool:
    """Items (a run's findings) on disk, read back sorted by ``key``, memory bounded.

    ``add`` appends items as they come (in batches, unsorted); :meth:`finish` reads them
    back once, applies ``change`` to each, sorts them ``run`` at a time into sorted runs
    and merges the runs into one sorted file (an external merge sort: at most ``run``
    items, then one batch per run, in memory). Afterwards ``len`` and iteration (a
    fresh sequential read each time) give the items in the order of a stable sort of
    everything added. ``keep`` is an object that must live as long as the spool.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     spool = SortedSpool(tmp, key=abs, run=2)
    ...     spool.add([3, -1, 2]); spool.add([-2, 0])
    ...     spool.finish(lambda n: n * 10)
    ...     (len(spool), list(spool), list(spool) == sorted([30, -10, 20, -20, 0], key=abs))
    (5, [0, -10, 20, -20, 30], True)
    """

    def __init__(self, directory: str | Path, key: Callable[[Any], Any], *,
                 run: int | None = None, keep: Any = None) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._key, self._run, self._keep = key, run or RUN, keep
        self._raw = RecordSpool(self.directory / "added.bin", batch=1)
        self._pending: list[Any] = []
        self._sorted: RecordSpool | None = None
        self._count = 0

    def add(self, items: Iterable[Any]) -> None:
        """Append ``items`` (before :meth:`finish`)."""
        if self._sorted is not None:
            raise RuntimeError("items added to a spool already sorted")
        for item in items:
            self._pending.append(item)
            self._count += 1
            if len(self._pending) >= BATCH:
                self._raw.append(self._pending)
                self._pending = []

    def append(self, item: Any) -> None:
        self.add((item,))

    def finish(self, change: Callable[[Any], Any] | None = None, *,
               first: int | None = None) -> None:
        """Sort what was added, each item replaced by ``change(item)`` first (only the
        ``first`` items added, when given)."""
        if self._pending:
            self._raw.append(self._pending)
            self._pending = []
        runs: list[RecordSpool] = []
        buffer: list[Any] = []

        def spill() -> None:
            buffer.sort(key=self._key)
            out = RecordSpool(self.directory / f"run-{len(runs):05d}.bin", batch=1)
            out.extend(buffer[i:i + BATCH] for i in range(0, len(buffer), BATCH))
            runs.append(out)
            buffer.clear()

        changing = self._count if first is None else first
        for batch in self._raw:
            if change is not None and changing > 0:
                batch = [*map(change, batch[:changing]), *batch[changing:]]
                changing -= len(batch)
            buffer.extend(batch)
            if len(buffer) >= self._run:
                spill()
        if buffer or not runs:
            spill()
        self._raw.close(delete=True)
        if len(runs) == 1:
            merged = runs[0]
        else:
            merged = RecordSpool(self.directory / "sorted.bin", batch=1)
            batch: list[Any] = []
            for item in heapq.merge(*(_items(r) for r in runs), key=self._key):
                batch.append(item)
                if len(batch) >= BATCH:
                    merged.append(batch)
                    batch = []
            if batch:
                merged.append(batch)
            for spilled in runs:
                spilled.close(delete=True)
        self._sorted = merged

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        if self._sorted is None:
            raise RuntimeError("a spool is read once finished (SortedSpool.finish)")
        return _items(self._sorted)

    def __repr__(self) -> str:
        return f"SortedSpool({str(self.directory)!r}, {self._count} items)"


def _items(spool: RecordSpool) -> Iterator[Any]:
    for batch in spool:
        yield from batch
