"""Pass 1's rows kept on disk for the later passes and the report.

A row is a dict of plain values (str, bytes, numbers, lists and dicts of those).
Each chunk of pass 1 writes its rows to one file of a temporary directory, compressed
one by one (zstandard at level 1: on news text about 3× the speed of zlib's fastest
level, both ways, and a little smaller — compressing must not cost as much as the
checks themselves); a row is read back by its :data:`Ref` — one seek, one read — without
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

OPEN_FILES = 32
"""Chunk files kept open for reading at once (least recently used closed first)."""


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
                data = self._compress(pickle.dumps(row, protocol=5))
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
        return pickle.loads(self._decompress(handle.read(length)))  # noqa: S301 (our own file)

    def close(self) -> None:
        """Close the files opened for reading."""
        while self._files:
            self._files.popitem()[1].close()


class RecordSpool:
    """A run's per-document records on disk, in the order they were added.

    What the main process would otherwise hold as a list (one record of ~1 KB per
    document): ``append`` compresses a record to the end of the file; ``len`` and
    iteration (a fresh sequential read each time) are all its readers need, so memory
    does not grow with the corpus. ``keep`` is an object that must live as long as the
    spool (the temporary directory holding the file).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     spool = RecordSpool(Path(tmp) / "records.bin")
    ...     spool.extend([{"id": "a"}, {"id": "b"}])
    ...     spool.rewrite(lambda r: {**r, "story": "s"})
    ...     (len(spool), [r["story"] for r in spool])
    (2, ['s', 's'])
    """

    def __init__(self, path: str | Path, keep: Any = None) -> None:
        self.path = Path(path)
        self._keep = keep
        self._out: IO[bytes] = self.path.open("wb")
        self._count = 0
        self._compress = zstandard.ZstdCompressor(level=LEVEL).compress
        self._decompress = zstandard.ZstdDecompressor().decompress

    def append(self, record: Any) -> None:
        data = self._compress(pickle.dumps(record, protocol=5))
        self._out.write(len(data).to_bytes(4, "little") + data)
        self._count += 1

    def extend(self, records: Iterable[Any]) -> None:
        for record in records:
            self.append(record)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        self._out.flush()
        count = self._count  # records appended while iterating are not read
        with self.path.open("rb") as handle:
            for _ in range(count):
                size = int.from_bytes(handle.read(4), "little")
                yield pickle.loads(self._decompress(handle.read(size)))  # noqa: S301 (ours)

    def rewrite(self, change: Callable[[Any], Any]) -> None:
        """Replace each record by ``change(record)``, in order (through a second file)."""
        new = RecordSpool(self.path.with_name(self.path.name + ".new"))
        new.extend(change(record) for record in self)
        new._out.close()
        self._out.close()
        os.replace(new.path, self.path)
        self._out = self.path.open("ab")

    def __repr__(self) -> str:
        return f"RecordSpool({str(self.path)!r}, {self._count} records)"
