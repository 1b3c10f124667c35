"""One record (a JSON object or a Parquet row) -> a document, with the field map.

Shared by :mod:`~corpus_qa.sources.jsonl` and :mod:`~corpus_qa.sources.parquet` so a
record means the same in every format: the text at ``fields.text``, the id at
``fields.id`` (else ``path#line`` / ``path#rowN``), metadata from the object at
``fields.metadata`` and from every other top-level field.

>>> from corpus_qa.sources.base import FieldMap
>>> doc = make_document({"id": 7, "body": "Hi.", "meta": {"date": "2024-01-02"}},
...                     "a.jsonl", 3, "a.jsonl#3", FieldMap(text="body", metadata="meta"))
>>> doc.id, doc.text, doc.line, doc.record, doc.fields["date"].value
('7', 'Hi.', 3, 'line', '2024-01-02')
>>> make_document({"content": "Hi.", "id": 1}, "a.jsonl", 3, "a.jsonl#3", FieldMap()).message
"record has no string 'text' field (fields: content, id) — pass --text-field content"
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from corpus_qa.documents import Document, Field
from corpus_qa.paths import printable
from corpus_qa.sources.base import FieldMap, InputProblem, too_large

MISSING = object()
"""What :func:`lookup` returns for a field the record does not have."""


def lookup(record: Mapping[str, Any], name: str) -> Any:
    """The value at ``name`` in ``record``: the key itself, else a dotted path; or a sentinel."""
    if name in record:
        return record[name]
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    return value


def plain(value: Any) -> str:
    """A metadata value as a string: strings as they are, dates in ISO form, else JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def make_document(record: Mapping[str, Any], shown: str, line: int, default_id: str,
                  fields: FieldMap, kind: str = "line") -> Document | InputProblem:
    """The record as a document, or the problem that stops it becoming one.

    ``line`` is the record's line (JSON Lines, ``kind="line"``) or row (Parquet,
    ``kind="row"``), both 1-based.
    """
    raw_id = lookup(record, fields.id)
    doc_id = default_id if raw_id is MISSING or raw_id in (None, "") else plain(raw_id)
    if _SURROGATE.search(doc_id):  # not encodable: shown escaped, as file names are
        doc_id = printable(doc_id)
    text = lookup(record, fields.text)
    if not isinstance(text, str):
        return InputProblem(shown, line, "missing_text",
                            no_surrogates(missing_text_message(record, fields, text)),
                            document=doc_id)
    if len(text) > fields.max_document_bytes // 4 and (
            size := len(text.encode("utf-8"))) > fields.max_document_bytes:
        return too_large(shown, line, size, fields.max_document_bytes, "the text",
                         document=doc_id)
    doc = Document(id=doc_id, text=no_surrogates(text), path=shown, raw=None, line=line,
                   record=kind)
    for key, value in metadata_items(record, fields):
        if value is None:
            continue
        doc.fields.setdefault(no_surrogates(str(key).lower()),
                              Field(no_surrogates(plain(value)), "field", None))
    return doc


def metadata_items(record: Mapping[str, Any], fields: FieldMap) -> list[tuple[Any, Any]]:
    """The record's metadata (key, value) pairs: the object at ``fields.metadata`` first,
    then every other top-level field but the text and the id (``None`` values included)."""
    metadata = lookup(record, fields.metadata)
    items = list(metadata.items()) if isinstance(metadata, Mapping) else []
    top = fields.metadata.split(".")[0] if fields.metadata not in record else fields.metadata
    skip = {fields.text, fields.id, top}
    return items + [(k, v) for k, v in record.items() if k not in skip]


_SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (JSON's ``"\\ud800"``: not a character, and not
    encodable as UTF-8) replaced by U+FFFD, which the valid-UTF-8 expectation reports.

    >>> no_surrogates("a\\ud800b") == "a\\ufffdb"
    True
    """
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def missing_text_message(record: Mapping[str, Any], fields: FieldMap, found: Any) -> str:
    """``record has no string 'text' field (fields: …) — pass --text-field NAME``."""
    names = ", ".join(sorted(map(str, record))) or "none"
    if found is MISSING or found is None:
        problem = f"record has no string '{fields.text}' field (fields: {names})"
    else:
        problem = (f"record's '{fields.text}' field is {_kind(found)}, not a string "
                   f"(fields: {names})")
    candidate = _text_candidate(record, fields)
    if candidate is not None:
        return f"{problem} — pass --text-field {candidate}"
    return f"{problem} — add the text or remove the record"


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _text_candidate(record: Mapping[str, Any], fields: FieldMap) -> str | None:
    """The longest top-level string field other than the id: the likely text."""
    strings = [(len(v), str(k)) for k, v in record.items()
               if isinstance(v, str) and v and k not in (fields.id, fields.text)]
    return max(strings)[1] if strings else None
