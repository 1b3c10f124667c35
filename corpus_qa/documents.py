"""The document model: what every source produces and every check reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Field:
    """One metadata value as the source found it.

    ``origin`` is where it came from: ``"field"`` (a JSON Lines or Parquet field),
    ``"front_matter"`` (a YAML ``---`` block) or ``"header"`` (a leading ``key value``
    line, possibly glued to the first sentence). ``span`` is the value's character span
    in the document text when it was read from the text itself (front matter, header),
    else ``None``.
    """

    value: str
    origin: str
    span: tuple[int, int] | None = None


@dataclass(slots=True)
class Document:
    """One document of a corpus.

    ``text`` is the whole decoded text (front matter and header included, so that
    spans always index the text a steward sees); invalid UTF-8 sequences are decoded
    as U+FFFD and ``raw`` keeps the original bytes so their byte offsets can be
    reported. ``raw`` is ``None`` for documents that arrived as JSON strings.
    ``body_start`` is the offset where the body begins after front matter / header.
    ``line`` is the 1-based line of ``path`` where the document starts (JSON Lines
    records: the line of the decompressed stream), or its 1-based row in a Parquet file;
    with ``path`` it is the document's locator (see ``docs/sources.md``). ``record`` says
    what ``line`` is: ``None`` for a whole file (findings are placed at the line and
    column of the file), ``"line"`` for a JSON Lines record and ``"row"`` for a Parquet
    row (findings are placed at the record; the position inside the text is given apart).
    ``offset`` is a JSON Lines record's byte offset in its (decompressed) stream, kept so
    the record can be read again with one seek (:mod:`corpus_qa.sources.locate`).
    """

    id: str
    text: str
    path: str
    raw: bytes | None = None
    fields: dict[str, Field] = field(default_factory=dict)
    body_start: int = 0
    line: int = 1
    offset: int | None = None
    record: str | None = None

    def __reduce__(self) -> tuple[Any, tuple[object, ...]]:
        # Documents go to the worker processes by the thousand: pickled as their fields in
        # order (half the CPU of the slotted dataclass's default state dict), and a text
        # that is its bytes decoded (every text file's) as the bytes alone — half the
        # bytes through the pipe, decoded again on the other side.
        text: str | None = self.text
        raw = self.raw
        if raw is not None and len(raw) >= len(self.text) and (
                raw.decode("utf-8", errors="replace") == self.text):
            text = None
        return (_document, (self.id, text, self.path, raw, self.fields, self.body_start,
                            self.line, self.offset, self.record))


def _document(id: str, text: str | None, path: str, raw: bytes | None,  # noqa: A002
              fields: dict[str, Field], body_start: int, line: int, offset: int | None,
              record: str | None) -> Document:
    """A pickled :class:`Document` back (its text decoded from its bytes when left out)."""
    if text is None:
        assert raw is not None
        text = raw.decode("utf-8", errors="replace")
    return Document(id, text, path, raw, fields, body_start, line, offset, record)
