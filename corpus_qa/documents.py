"""The document model: what every source produces and every check reads."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Field:
    """One metadata value as the source found it.

    ``origin`` is where it came from: ``"field"`` (a JSON Lines or Parquet field), ``"front_matter"``
    (a YAML ``---`` block) or ``"header"`` (a leading ``key value`` line, possibly glued
    to the first sentence). ``span`` is the value's character span in the document text
    when it was read from the text itself (front matter, header), else ``None``.
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

    def __reduce__(self) -> tuple[type[Document], tuple[object, ...]]:
        # Pickled as its fields in order (documents go to the worker processes by the
        # thousand): half the CPU of the slotted dataclass's default state dict.
        return (Document, (self.id, self.text, self.path, self.raw, self.fields,
                           self.body_start, self.line, self.offset, self.record))
