"""A mapping from strings to small values kept on disk: per-document state of a run.

What a run must look up by document id — where pass 1 stored a document's row, which
story a document belongs to, which ids the corpus walk has seen — grows with the
corpus; held in dicts, it costs a few hundred bytes per document in the main process
(the id string, the value, the hash table's slot), about 1 GB per million documents.
:class:`DiskMap` keeps it in an SQLite file instead (SQLite's page cache is bounded, a
couple of MB), with the latest writes buffered in a small dict, so memory does not grow
with the corpus. A lookup costs a few microseconds.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     seen = DiskMap(Path(tmp) / "seen.db", buffer=2)
...     seen.update([("a", 1), ("b", (2, 3))]); seen["c"] = "x"
...     (len(seen), seen["b"], seen.get("z"), "c" in seen, sorted(seen))
(3, (2, 3), None, True, ['a', 'b', 'c'])
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Any

BUFFER = 4096
"""Writes held in memory before they go to the file in one transaction."""
KEYS_PER_QUERY = 500
"""Keys :meth:`DiskMap.many` looks up in one query (SQLite allows 999 parameters at least)."""


def _key(key: str) -> bytes:
    # Ids may carry lone surrogates (undecodable file names): stored as bytes, exactly.
    return key.encode("utf-8", "surrogatepass")


class DiskMap(MutableMapping[str, Any]):
    """``str -> value`` (any picklable value) in the SQLite file ``path`` (created; a
    temporary one removed on :meth:`close` when ``path`` is None). Deleting is not
    supported: a run's per-document state only grows."""

    def __init__(self, path: str | Path | None = None, *, buffer: int | None = None) -> None:
        self._tmp = None
        if path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="corpus-qa-map-")
            path = Path(self._tmp.name) / "map.db"
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE IF NOT EXISTS map (k BLOB PRIMARY KEY, v BLOB) "
                         "WITHOUT ROWID")
        self._buffer = buffer or BUFFER
        self._pending: dict[str, Any] = {}
        self._empty = self._db.execute("SELECT 1 FROM map LIMIT 1").fetchone() is None
        """Nothing in the file: a lookup needs no query (a map that stays empty, as the
        stories of a corpus of distinct documents, is asked once per document)."""

    def flush(self) -> None:
        """Write the buffered items to the file."""
        if not self._pending:
            return
        items = [(_key(k), pickle.dumps(v, protocol=5)) for k, v in self._pending.items()]
        self._pending = {}
        self._empty = False
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO map VALUES (?, ?)", items)
        self._db.execute("COMMIT")

    def _stored(self, key: str) -> Any:
        if self._empty:
            return _missing
        row = self._db.execute("SELECT v FROM map WHERE k = ?", (_key(key),)).fetchone()
        return _missing if row is None else pickle.loads(row[0])  # noqa: S301 (our own file)

    def __setitem__(self, key: str, value: Any) -> None:
        self._pending[key] = value
        if len(self._pending) >= self._buffer:
            self.flush()

    def update(self, items: Any = (), /, **kwargs: Any) -> None:  # type: ignore[override]
        pairs: Iterable[tuple[str, Any]] = items.items() if hasattr(items, "items") else items
        for key, value in pairs:
            self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    def __getitem__(self, key: str) -> Any:
        if key in self._pending:
            return self._pending[key]
        value = self._stored(key)
        if value is _missing:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self._pending or self._stored(key) is not _missing)

    def many(self, keys: Sequence[str]) -> list[Any]:
        """The values of ``keys``, in order (:class:`KeyError` for a missing one): one
        query per :data:`KEYS_PER_QUERY` keys instead of one each.

        >>> m = DiskMap(buffer=1); m.update([("a", 1), ("b", 2)]); m["c"] = 3
        >>> m.many(["c", "a", "b", "a"])
        [3, 1, 2, 1]
        """
        found: dict[bytes, bytes] = {}
        wanted = [_key(k) for k in keys if k not in self._pending]
        if wanted and not self._empty:
            for start in range(0, len(wanted), KEYS_PER_QUERY):
                part = wanted[start:start + KEYS_PER_QUERY]
                found.update(self._db.execute(
                    f"SELECT k, v FROM map WHERE k IN ({','.join('?' * len(part))})", part))
        out = []
        for key in keys:
            if key in self._pending:
                out.append(self._pending[key])
                continue
            data = found.get(_key(key))
            if data is None:
                raise KeyError(key)
            out.append(pickle.loads(data))  # noqa: S301 (our own file)
        return out

    def __delitem__(self, key: str) -> None:
        raise TypeError("a DiskMap only grows")

    def __len__(self) -> int:
        self.flush()
        if self._empty:
            return 0
        return int(self._db.execute("SELECT count(*) FROM map").fetchone()[0])

    def __iter__(self) -> Iterator[str]:
        """The keys (in the file's order, not insertion order)."""
        self.flush()
        for (key,) in self._db.execute("SELECT k FROM map"):
            yield key.decode("utf-8", "surrogatepass")

    def close(self) -> None:
        """Close the file (and remove a temporary one)."""
        self._pending = {}
        self._db.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __repr__(self) -> str:
        return f"DiskMap({str(self.path)!r})"


class _Missing:
    pass


_missing = _Missing()


class SeenIds:
    """Ids already used, each with a small value (where its document is), for a check
    per document: "was this id seen, and where?".

    Most ids are new, so the answer must be cheap without a lookup in the file: a
    64-bit hash of each id is kept in a sorted NumPy array (8 bytes per id; the latest
    few thousand in a set until merged in), and the file (a :class:`DiskMap`) is read
    only when the hash was seen — a repeated id, or, rarely, another id with the same
    hash.

    >>> seen = SeenIds()
    >>> seen["r1"] = "a.jsonl:1"
    >>> (seen.get("r1"), seen.get("r2"), "r1" in seen)
    ('a.jsonl:1', None, True)
    """

    def __init__(self, *, merge_every: int | None = None) -> None:
        import numpy as np

        self._np = np
        merge_every = merge_every or BUFFER
        self._values = DiskMap(buffer=merge_every)
        self._hashes = np.empty(0, dtype=np.int64)
        self._recent: set[int] = set()
        self._merge_every = merge_every

    def _maybe(self, key: str) -> bool:
        h = hash(key)
        if h in self._recent:
            return True
        at = int(self._np.searchsorted(self._hashes, h))
        return at < len(self._hashes) and int(self._hashes[at]) == h

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default) if self._maybe(key) else default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._maybe(key) and key in self._values

    def __setitem__(self, key: str, value: Any) -> None:
        self._values[key] = value
        self._recent.add(hash(key))
        if len(self._recent) >= self._merge_every:
            np = self._np
            recent = np.fromiter(self._recent, dtype=np.int64, count=len(self._recent))
            self._hashes = np.union1d(self._hashes, recent)
            self._recent = set()

    def update(self, items: Iterable[tuple[str, Any]]) -> None:
        for key, value in items:
            self[key] = value

    def any_of(self, keys: list[str]) -> bool:
        """Whether any of ``keys`` was seen: ``any(k in self for k in keys)``, their hashes
        looked up together (a batch of ids read in a worker: one NumPy search, not one
        per id)."""
        np = self._np
        hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
        known = self._hashes
        at = np.minimum(np.searchsorted(known, hashes), max(len(known) - 1, 0))
        maybe = ([keys[i] for i in np.flatnonzero(known[at] == hashes)] if len(known)
                 else [])
        if self._recent:
            maybe += [key for key, h in zip(keys, hashes.tolist(), strict=True)
                      if h in self._recent]
        return any(key in self._values for key in maybe)


class SignatureFile:
    """A story grouper's signatures (one row of ``width`` uint32 per signed document), in
    the order they were added: what :class:`corpus_qa.checks.versions.SignatureRows`
    holds in memory (512 bytes a document: 512 MB at a million), held in memory up to
    ``IN_MEMORY`` rows and beyond that in the file ``path``.

    A file is written through a small buffer and read two ways. :meth:`columns` maps
    ``ROWS_READ`` rows at a time, in order, and unmaps them at once. :meth:`take` reads
    each row it is asked for with a positioned read and never maps the file: where the
    page cache holds large folios (as here), touching one row of a mapped file maps up to
    2 MB of it into the process — 4,096 random rows of a 512 MB file grew the process's
    resident memory by 341 MB, which grouping a million documents paid at every block.

    >>> import numpy as np, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for in_memory in (8, 1):
    ...         rows = SignatureFile(Path(tmp) / "sig.bin", 4, in_memory=in_memory)
    ...         rows.append(np.arange(4, dtype=np.uint32)); rows.append(np.ones(4, dtype=np.uint32))
    ...         taken = rows.take(np.array([1, 0]))[:, 0].tolist()
    ...         print(len(rows), rows.columns(1, 3).tolist(), taken)
    ...         rows.close(delete=True)
    2 [[1, 2], [1, 1]] [1, 0]
    2 [[1, 2], [1, 1]] [1, 0]
    """

    IN_MEMORY = 65_536
    """Rows held in memory before they go to the file (32 MB of 128-column signatures):
    a corpus of up to that many documents is grouped without reading a file."""

    ROWS_READ = 16_384
    """Rows :meth:`columns` maps at once (8 MB of 128-column signatures)."""

    def __init__(self, path: str | Path, width: int, *, buffer: int = BUFFER,
                 in_memory: int | None = None) -> None:
        import numpy as np

        self._np = np
        self.path, self.width = Path(path), width
        self._in_memory = self.IN_MEMORY if in_memory is None else in_memory
        self._memory: Any = np.empty((min(64, max(self._in_memory, 1)), width), dtype=np.uint32)
        self._file: Any = None  # opened when the rows no longer fit in memory
        self._buffer = np.empty((buffer, width), dtype=np.uint32)
        self._pending = 0
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def append(self, signature: Any) -> None:
        if self._file is None and self._count < self._in_memory:
            if self._count == len(self._memory):
                grown = self._np.empty((min(2 * self._count, self._in_memory), self.width),
                                       dtype=self._np.uint32)
                grown[: self._count] = self._memory
                self._memory = grown
            self._memory[self._count] = signature
            self._count += 1
            return
        if self._file is None:  # the rows go to the file from now on
            self._file = self.path.open("w+b")
            self._file.write(self._memory[: self._count].tobytes())
            self._memory = None
        self._buffer[self._pending] = signature
        self._pending += 1
        self._count += 1
        if self._pending == len(self._buffer):
            self._flush()

    def _flush(self) -> None:
        if self._file is not None:
            if self._pending:
                self._file.write(self._buffer[: self._pending].tobytes())
                self._pending = 0
            self._file.flush()

    def _mapped(self, start: int, stop: int) -> Any:
        """Rows ``start:stop`` mapped read-only (unmapped when the array is dropped).

        An array over an :class:`mmap.mmap` of those rows' pages: what ``numpy.memmap``
        maps, without its costs per call (resolving the path, an array subclass whose
        every slice and index goes through Python), paid once per slice that
        :meth:`columns` and :meth:`matrix` map."""
        import mmap

        np = self._np
        self._flush()
        rows = stop - start
        if rows <= 0:
            return np.empty((0, self.width), dtype=np.uint32)
        offset = start * self.width * 4
        aligned = offset - offset % mmap.ALLOCATIONGRANULARITY
        with self.path.open("rb") as handle:  # the map keeps its own descriptor
            mapped = mmap.mmap(handle.fileno(), offset - aligned + rows * self.width * 4,
                               access=mmap.ACCESS_READ, offset=aligned)
        return np.frombuffer(mapped, dtype=np.uint32, count=rows * self.width,
                             offset=offset - aligned).reshape(rows, self.width)

    def columns(self, start: int, stop: int) -> Any:
        """Columns ``start:stop`` of every row (in memory: 4 bytes a column and row)."""
        np = self._np
        if self._file is None:
            return self._memory[: self._count, start:stop].copy()
        out = np.empty((self._count, stop - start), dtype=np.uint32)
        for first in range(0, self._count, self.ROWS_READ):
            last = min(first + self.ROWS_READ, self._count)
            mapped = self._mapped(first, last)
            out[first:last] = mapped[:, start:stop]
            del mapped
        return out

    def take(self, rows: Any) -> Any:
        """The rows at ``rows`` (in memory)."""
        np = self._np
        if self._file is None:
            return self._memory[: self._count][rows]
        if not len(rows):
            return np.empty((0, self.width), dtype=np.uint32)
        self._flush()
        out = np.empty((len(rows), self.width), dtype=np.uint32)
        size, fd = self.width * 4, self._file.fileno()
        view = memoryview(out).cast("B")
        for i, row in enumerate(rows.tolist()):
            if os.preadv(fd, [view[i * size : (i + 1) * size]], row * size) != size:
                raise OSError(f"{self.path}: row {row} of {self._count} could not be read")
        return out

    def matrix(self) -> Any:
        """Every row, read only: a view of the memory, or the file mapped (for an engine
        that ships them elsewhere)."""
        if self._file is None:
            view = self._memory[: self._count]
            view.flags.writeable = False
            return view
        if not self._count:
            return self._np.empty((0, self.width), dtype=self._np.uint32)
        return self._mapped(0, self._count)

    def close(self, *, delete: bool = False) -> None:
        """Close the file (and remove it with ``delete``)."""
        if self._file is not None:
            self._file.close()
        self._memory = None
        if delete:
            self.path.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"SignatureFile({str(self.path)!r}, {self._count} rows)"
