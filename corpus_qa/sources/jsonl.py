"""JSON Lines, plain or compressed (gzip, zstd, bz2, xz): one record per line, streamed.

A file is read line by line through its decompressor, never whole: memory is bounded by
the longest line. Line numbers count lines of the decompressed stream (1-based, blank
lines included), so ``shard.jsonl.gz:120`` is the 120th line of ``zcat shard.jsonl.gz``.

An empty file is an empty shard (no records, no problem) in every compression.
A damaged stream (truncated, corrupt, not compressed the way its suffix says) ends the
file with one ``truncated_stream`` problem at the line reached, naming the compressed
byte offset where decoding stopped; every record before it is still read.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from corpus_qa.documents import Document
from corpus_qa.sources.base import FieldMap, InputProblem, SourceCount, too_large
from corpus_qa.sources.records import make_document

READ_CHUNK = 1 << 16
"""Compressed bytes fed to the zstd decompressor at a time."""


class JsonlSource:
    """Reads one JSON Lines file, plain or compressed."""

    def __init__(self, compression: str | None = None) -> None:
        self.compression = compression
        self.format = f"jsonl.{compression}" if compression else "jsonl"

    def read(self, file: Path, shown: str, root: Path, fields: FieldMap,
             count: SourceCount) -> Iterator[Document | InputProblem]:
        for item in load_jsonl(file, shown, fields, self.compression, count):
            if isinstance(item, Document):
                count.documents += 1
            else:
                count.problems += 1
            yield item


def source(compression: str | None = None) -> JsonlSource:
    """The JSON Lines source for ``compression`` (``None``, gzip, zstd, bz2 or xz)."""
    return JsonlSource(compression)


def _zstd_errors() -> tuple[type[BaseException], ...]:
    try:
        import zstandard
    except ImportError:  # pragma: no cover - a declared dependency
        return ()
    return (zstandard.ZstdError,)


STREAM_ERRORS: tuple[type[BaseException], ...] = (
    EOFError, OSError, zlib.error, lzma.LZMAError, *_zstd_errors())
"""What a damaged compressed stream raises while it is read."""


def open_stream(raw: IO[bytes], compression: str | None) -> IO[bytes]:
    """A binary stream of the decompressed content of ``raw``."""
    if compression is None:
        return raw
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "bz2":
        return bz2.BZ2File(raw, mode="rb")
    if compression == "xz":
        return lzma.LZMAFile(raw, mode="rb")
    if compression == "zstd":
        return io.BufferedReader(_ZstdReader(raw), buffer_size=READ_CHUNK)
    raise ValueError(f"unknown compression {compression!r}")


FEED = 64
"""Compressed bytes given to the zstd decompressor at a time. A zstd block of 128 KiB of
one repeated byte is 4 bytes long, so 64 bytes decompress to at most ~2 MiB: a small
file that expands to gigabytes (a decompression bomb) is read in bounded pieces. (The
decompressor takes no output limit; gzip, bz2 and xz readers bound their output
themselves.) Small pieces cost more calls than 64 KiB ones on ordinary data, which zstd
still decompresses at hundreds of MB/s (``tests/unit/test_sources_jsonl.py`` pins the
bound, not a time)."""


class _ZstdReader(io.RawIOBase):
    """zstd frames, one after another, raising ``EOFError`` on a frame cut short.

    (``zstandard``'s own ``stream_reader`` returns a truncated frame's end as a plain
    end of file, which would lose the damage silently.)
    """

    def __init__(self, raw: IO[bytes]) -> None:
        import zstandard

        self._raw = raw
        self._new = zstandard.ZstdDecompressor().decompressobj
        self._obj = self._new()
        self._input, self._in_pos = b"", 0
        self._pending, self._pos = b"", 0
        self._fed = False  # input given to the current frame since it started

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._pos >= len(self._pending):
            piece = self._next_input()
            if not piece:
                if self._fed and not self._obj.eof:
                    raise EOFError("compressed file ended before the end of a zstd frame")
                return 0
            self._pending, self._pos = self._decompressed(piece), 0
        size = min(len(buffer), len(self._pending) - self._pos)
        buffer[:size] = memoryview(self._pending)[self._pos:self._pos + size]
        self._pos += size
        return size

    def _next_input(self) -> bytes:
        if self._in_pos >= len(self._input):
            self._input, self._in_pos = self._raw.read(READ_CHUNK), 0
        piece = self._input[self._in_pos:self._in_pos + FEED]
        self._in_pos += len(piece)
        return piece

    def _decompressed(self, piece: bytes) -> bytes:
        out = []
        while piece:
            if self._obj.eof:
                self._obj, self._fed = self._new(), False
            self._fed = True
            out.append(self._obj.decompress(piece))
            piece = self._obj.unused_data if self._obj.eof else b""
        return out[0] if len(out) == 1 else b"".join(out)


def load_jsonl(file: Path, shown: str, fields: FieldMap | None = None,
               compression: str | None = None,
               count: SourceCount | None = None) -> Iterator[Document | InputProblem]:
    """One document per JSON object line; a damaged stream ends the file with a problem."""
    fields = fields or FieldMap()
    try:
        raw = file.open("rb")
    except OSError as exc:
        yield InputProblem(shown, 1, "unreadable_file",
                           f"cannot read file: {exc.strerror} — check its permissions")
        return
    number = offset = 0
    with raw:
        if not raw.peek(1):
            return  # an empty file is an empty shard, whatever its suffix says
        stream = open_stream(raw, compression)
        limit = fields.max_document_bytes
        try:
            for number, (line_bytes, size) in enumerate(bounded_lines(stream, limit), start=1):  # noqa: B007
                start, offset = offset, offset + size
                if line_bytes is None:
                    if count is not None:
                        count.records += 1
                    yield too_large(shown, number, size, limit, "this record")
                    continue
                if not line_bytes.strip():
                    continue
                if count is not None:
                    count.records += 1
                for item in jsonl_record(line_bytes, shown, number, fields):
                    if isinstance(item, Document):
                        item.offset = start
                    yield item
        except STREAM_ERRORS as exc:
            yield _broken_stream(shown, number + 1, raw, compression, exc)


def bounded_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[bytes | None, int]]:
    """Each line of ``stream`` (its newline included) and its length in bytes.

    A line longer than ``limit`` bytes is yielded as ``(None, length)``: it is read
    through in pieces and never held whole, so one enormous record (a 1 GB line in a
    small compressed shard) costs its reading time, not its size in memory.
    """
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line, len(line)
            continue
        size = len(line)
        del line
        while True:
            piece = stream.readline(READ_CHUNK)
            size += len(piece)
            if not piece or piece.endswith(b"\n"):
                break
        yield None, size


def _broken_stream(shown: str, line: int, raw: IO[bytes], compression: str | None,
                   exc: BaseException) -> InputProblem:
    try:
        offset = raw.tell()
    except (OSError, ValueError):
        offset = None
    where = f" near compressed byte {offset:,}" if offset is not None and compression else ""
    what = f"{compression} stream" if compression else "file"
    detail = str(exc).strip() or type(exc).__name__
    return InputProblem(
        shown, line, "truncated_stream",
        f"the {what} breaks at line {line}{where} ({detail}); the records before it were "
        "read — re-create or re-download the file")


MAX_DEPTH_HINT = "nested too deeply to read"


def jsonl_record(line_bytes: bytes, shown: str, number: int,
                 fields: FieldMap | None = None) -> Iterator[Document | InputProblem]:
    """The document (or problems) of one JSON Lines line."""
    fields = fields or FieldMap()
    if len(line_bytes) > fields.max_document_bytes:
        yield too_large(shown, number, len(line_bytes), fields.max_document_bytes, "this record")
        return
    try:
        line = line_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield InputProblem(shown, number, "invalid_utf8",
                           f"invalid UTF-8 at byte {exc.start} of this line — re-encode the file "
                           "as UTF-8; the record was read with U+FFFD in place of the bad bytes")
        line = line_bytes.decode("utf-8", errors="replace")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        yield InputProblem(shown, number, "invalid_json",
                           f"invalid JSON at column {exc.colno}: {exc.msg} — "
                           "fix or remove this line")
        return
    except RecursionError:
        yield InputProblem(shown, number, "invalid_json",
                           f"JSON {MAX_DEPTH_HINT} (objects or arrays nested hundreds deep) — "
                           "flatten or remove this line")
        return
    if not isinstance(record, dict):
        yield InputProblem(shown, number, "invalid_json",
                           f"a JSONL line must be an object with '{fields.id}' and "
                           f"'{fields.text}' — fix this line")
        return
    try:
        yield make_document(record, shown, number, f"{shown}#{number}", fields)
    except RecursionError:
        yield InputProblem(shown, number, "invalid_json",
                           f"a metadata value is {MAX_DEPTH_HINT} — flatten or remove this line")
