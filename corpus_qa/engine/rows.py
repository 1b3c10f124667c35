"""A document as rows of plain values: what GX validates, what later passes read back,
and what the results list.

Pass 1 resolves a document's metadata once; everything after it reads the row form
(:meth:`corpus_qa.metadata.Metadata.to_row`), never the document again.
"""

from __future__ import annotations

from typing import Any

from corpus_qa.documents import Document
from corpus_qa.metadata import Metadata, Phrases, parse_date


def validation_row(doc: Document, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The row GX validates for a document: one column per thing an expectation reads
    (no ``metadata`` column when the suite reads none: ``metadata`` is ``None``)."""
    row = {
        "id": doc.id,
        "text": doc.text,
        # The UTF-8 expectation reads the bytes, or the text of a document without bytes
        # (a JSON string): it owns every U+FFFD (docs/encoding.md).
        "raw": doc.raw if doc.raw is not None else doc.text,
        "body": {"text": doc.text, "body_start": doc.body_start},
    }
    if metadata is not None:
        row["metadata"] = metadata
    return row


def stored_row(doc: Document, metadata: dict[str, Any], credits: list[str]) -> dict[str, Any]:
    """What the story pass and the report read back: text, where its body starts,
    its resolved metadata (row form) and the names of its credit lines."""
    return {"id": doc.id, "path": doc.path, "line": doc.line, "text": doc.text,
            "body_start": doc.body_start, "metadata": metadata, "credits": credits}


def document_record(doc: Document, metadata: Metadata) -> dict[str, Any]:
    """The document's entry in the JSON results (id, path, story, metadata with origins)."""
    return {"id": doc.id, "path": doc.path, "line": doc.line, "record": doc.record,
            "story": None, "metadata": metadata.to_json()}


def grouping_date(metadata: Metadata) -> str | None:
    """The document's date as ISO ``YYYY-MM-DD`` when it is a valid date (orders versions)."""
    if "date" not in metadata:
        return None
    parsed = parse_date(metadata["date"].raw)
    return parsed.date.isoformat() if parsed.date else None


def credits_of(metadata: Metadata, phrases: Phrases) -> list[str]:
    """Attribution names that come from credit lines (not from a byline)."""
    if "attribution" not in metadata:
        return []
    bylines = {s.id for s in phrases.signals if s.kind == "byline"}
    names: list[str] = []
    for evidence in metadata["attribution"].evidence:
        if evidence.signal not in bylines:
            names.extend(v for v in evidence.values if v not in names)
    return names
