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

import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterator
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
