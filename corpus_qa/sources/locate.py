"""Read one document again by its locator, without reading its file from the start.

A run never needs this (later passes and the report read the run's row store), but a
tool that holds a locator from the results — an editor plug-in, a notebook, ``fix`` —
can fetch that one document:

==========================  ============================================================
format                      how the document is found again
==========================  ============================================================
``.txt`` / ``.md``          the file is read (one file, one document)
``.jsonl``                  a seek to the record's byte offset (``Document.offset``, kept
                            by the first read); without it, lines are counted up to it
``.jsonl.gz/.bz2/.xz/.zst`` the stream is decompressed up to the record and discarded:
                            the cost grows with the record's position in the shard (up to
                            one read of the shard), which is why runs use the row store
``.parquet``                the footer says which row group holds the row; only that row
                            group is read
==========================  ============================================================

A locator that no longer matches its file (the file changed, the line is now blank or
past the end) raises :class:`LocatorError` naming the file and line, never a wrong
document.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from corpus_qa.documents import Document
from corpus_qa.paths import display_path
from corpus_qa.sources.base import DEFAULT_FIELDS, FieldMap
from corpus_qa.sources.registry import format_of

DISCARD_CHUNK = 1 << 20
"""Decompressed bytes skipped at a time on the way to a compressed record."""


class LocatorError(LookupError):
    """The locator does not name a readable document of that file."""


def read_document(path: str | Path, line: int = 1, *, offset: int | None = None,
                  fields: FieldMap = DEFAULT_FIELDS, root: str | Path | None = None) -> Document:
    """The document at ``path`` line/row ``line`` (``offset``: its byte offset, if known).

    ``root`` is the corpus directory the document's id is relative to (text files only;
    by default the file's own directory). Problems the first read reported (an invalid
    byte, a record without an id) are not reported again: the document is returned as
    the checks saw it.
    """
    file = Path(path)
    fmt = format_of(file.name)
    if fmt is None:
        raise LocatorError(f"{display_path(file)}: not a corpus file (unknown suffix)")
    if line < 1:
        raise LocatorError(f"{display_path(file)}: line/row numbers start at 1, not {line}")
    if fmt.kind == "text":
        return _text(file, Path(root) if root is not None else file.parent)
    if fmt.kind == "parquet":
        return _parquet_row(file, line, fields)
    return _jsonl_record(file, line, offset, fields, fmt.compression)


def _only_document(items: object, where: str) -> Document:
    for item in items:  # type: ignore[attr-defined]
        if isinstance(item, Document):
            return item
    raise LocatorError(f"{where}: no document there (the file changed, or the line holds "
                       "no readable record) — validate the corpus again for fresh locators")


def _text(file: Path, root: Path) -> Document:
    from corpus_qa.sources.text import load_text_file

    shown = display_path(file)
    try:
        doc_id = file.resolve().relative_to(root.resolve()).with_suffix("").as_posix()
    except ValueError:
        raise LocatorError(f"{shown}: not inside the corpus root {display_path(root)}") from None
    return _only_document(load_text_file(file, shown, doc_id), shown)


def _jsonl_record(file: Path, line: int, offset: int | None, fields: FieldMap,
                  compression: str | None) -> Document:
    from corpus_qa.sources.base import too_large
    from corpus_qa.sources.jsonl import STREAM_ERRORS, bounded_lines, jsonl_record, open_stream

    shown = display_path(file)
    where = f"{shown}:{line}"
    limit = fields.max_document_bytes
    try:
        with file.open("rb") as raw, open_stream(raw, compression) as stream:
            if offset is not None:
                _skip(stream, offset, compression is None)
                lines = bounded_lines(stream, limit)
            else:
                lines = islice(bounded_lines(stream, limit), line - 1, None)
            record_line, size = next(lines, (b"", 0))
    except STREAM_ERRORS as exc:
        raise LocatorError(f"{where}: cannot read up to this record ({exc})") from None
    if record_line is None:
        raise LocatorError(f"{where}: {too_large(shown, line, size, limit, 'this record').message}")
    if not record_line.strip():
        raise LocatorError(f"{where}: no record on this line (the file changed?) — validate "
                           "the corpus again for fresh locators")
    doc = _only_document(jsonl_record(record_line, shown, line, fields), where)
    doc.offset = offset
    return doc


def _skip(stream: object, offset: int, seekable: bool) -> None:
    if seekable:
        stream.seek(offset)  # type: ignore[attr-defined]
        return
    left = offset
    while left > 0:
        chunk = stream.read(min(left, DISCARD_CHUNK))  # type: ignore[attr-defined]
        if not chunk:
            return  # past the end: the empty line read next reports it
        left -= len(chunk)


def _parquet_row(file: Path, row: int, fields: FieldMap) -> Document:
    import pyarrow as pa

    from corpus_qa.sources.parquet import _pyarrow, row_id
    from corpus_qa.sources.records import make_document

    shown = display_path(file)
    where = f"{shown}:{row}"
    try:
        parquet = _pyarrow().ParquetFile(file)
    except (OSError, pa.ArrowException) as exc:
        raise LocatorError(f"{shown}: not a readable Parquet file ({exc})") from None
    with parquet:
        first = 1
        for group in range(parquet.metadata.num_row_groups):
            size = parquet.metadata.row_group(group).num_rows
            if row < first + size:
                try:
                    table = parquet.read_row_group(group)
                except (OSError, pa.ArrowException) as exc:
                    raise LocatorError(f"{where}: its row group cannot be read ({exc})") from None
                record = table.slice(row - first, 1).to_pylist()[0]
                return make_document(record, shown, row, row_id(shown, row), fields, "row")
            first += size
    raise LocatorError(f"{where}: the file has {first - 1} rows — validate the corpus again "
                       "for fresh locators")
