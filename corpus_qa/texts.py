"""Get documents back by id after a streaming run, without keeping texts in memory.

The runner keeps only each document's location (path and line); the report and the
cross-version checks read the few documents they need again, through the same
loaders, so they see exactly the text that was validated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from corpus_qa.documents import Document
from corpus_qa.loaders import JSONL_SUFFIXES, jsonl_record, load_text_file


class DocumentSource:
    """Documents by id, re-read from the corpus on demand.

    ``records`` are the run's document records (``id``, ``path``, ``line``). Plain files
    are read whole; JSONL files get a line-offset index on first use, so fetching
    any record is one seek.
    """

    def __init__(self, records: Iterable[Mapping[str, Any]]) -> None:
        self.where = {r["id"]: (r["path"], int(r.get("line") or 1)) for r in records}
        self._line_offsets: dict[str, list[int]] = {}

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.where

    def document(self, doc_id: str) -> Document:
        """The document ``doc_id`` as the loader produced it."""
        path, line = self.where[doc_id]
        file = Path(path)
        if file.suffix.lower() in JSONL_SUFFIXES:
            offsets = self._offsets(path)
            with file.open("rb") as handle:
                handle.seek(offsets[line - 1])
                data = handle.readline()
            for item in jsonl_record(data, path, line):
                if isinstance(item, Document):
                    item.id = doc_id
                    return item
            raise LookupError(f"{path}:{line}: record no longer loads as a document")
        for item in load_text_file(file, path, doc_id):
            if isinstance(item, Document):
                return item
        raise LookupError(f"{path}: no longer loads as a document")

    def text(self, doc_id: str) -> str:
        """The decoded text of ``doc_id`` (what spans index)."""
        return self.document(doc_id).text

    __call__ = text

    def _offsets(self, path: str) -> list[int]:
        if path not in self._line_offsets:
            offsets = [0]
            with open(path, "rb") as handle:
                for line in handle:
                    offsets.append(offsets[-1] + len(line))
            self._line_offsets[path] = offsets
        return self._line_offsets[path]
