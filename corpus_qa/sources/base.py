"""What every source shares: the items it yields, the field map, per-shard counts.

A source reads one corpus file and yields :class:`~corpus_qa.documents.Document` and
:class:`InputProblem` items in file order. A file no source reads becomes a
:class:`SkippedFile`. Nothing is dropped silently: every record that could not become a
document is an :class:`InputProblem` naming the file and the line (JSON Lines) or row
(Parquet), and :class:`SourceCounts` accounts for every record read.

This module imports nothing heavy (no yaml, no pyarrow): the pytest plugin's
registration imports the registry, which imports this.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from corpus_qa.documents import Document


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Input that could not become a document (or only partly): where and why.

    ``line`` is the 1-based line of a text or JSON Lines file (of the decompressed
    stream), or the 1-based row of a Parquet file.
    """

    path: str
    line: int
    reason: str  # unreadable_file | binary_file | invalid_json | missing_text | duplicate_id …
    message: str
    document: str | None = None
    """The document's id, when the input had one (a record without text keeps its id)."""
    loaded: bool = False
    """Whether the document was still loaded and validated (a front-matter or id problem)."""


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file in a corpus directory with a suffix no source reads (counted, not dropped)."""

    path: str


@dataclass(frozen=True, slots=True)
class UnchangedFile:
    """A file the caller already holds the documents of (its stamp matched): not read.

    Yielded only by a :class:`~corpus_qa.sources.corpus.Walk` given ``unchanged``.
    """

    path: str


class CorpusPathError(Exception):
    """A corpus path that does not exist (a usage error: exit 2)."""


Loaded = Document | InputProblem | SkippedFile
"""What :func:`corpus_qa.sources.iter_corpus` yields."""


DEFAULT_MAX_DOCUMENT_BYTES = 10_000_000
"""The largest document read (10 MB: a long book; a news article is a few KB). Checking a
document holds several copies of its text, so a bigger one could exhaust memory."""


@dataclass(frozen=True, slots=True)
class FieldMap:
    """How records are read: which fields hold the text, the id and the metadata (JSON
    Lines, Parquet), and how large one document may be (every format).

    Each name may be a dotted path into nested objects (``meta.id``); a key that itself
    contains dots is found first. Metadata comes from the object at ``metadata`` and from
    every other top-level field of the record.
    """

    text: str = "text"
    id: str = "id"
    metadata: str = "metadata"
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    """A text file, JSON Lines record or Parquet text larger than this (bytes of UTF-8)
    is not validated: it becomes a ``document_too_large`` input finding."""

    def hint(self) -> str:
        """The command-line flags that would choose these fields (for messages)."""
        return " ".join(f"--{k}-field {v}" for k, v in
                        (("text", self.text), ("id", self.id), ("metadata", self.metadata))
                        if v != getattr(DEFAULT_FIELDS, k))


DEFAULT_FIELDS = FieldMap()


def too_large(shown: str, line: int, size: int, limit: int, what: str,
              document: str | None = None) -> InputProblem:
    """The ``document_too_large`` problem of a file, record or text of ``size`` bytes."""
    return InputProblem(
        shown, line, "document_too_large",
        f"{what} is {size:,} bytes, over the limit of {limit:,} for one document — split it, "
        "or raise the limit (--max-document-bytes, or corpus: max_document_bytes in the suite)",
        document=document)


@dataclass(slots=True)
class SourceCount:
    """What was read from one corpus file: records, documents made, problems reported."""

    path: str
    format: str
    records: int = 0
    documents: int = 0
    problems: int = 0

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A worker sends one back per file it read: pickled as its fields in order (a
        # slotted dataclass's default pickle is its state as a dict, 3x the CPU).
        return (SourceCount, (self.path, self.format, self.records, self.documents,
                              self.problems))

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "records": self.records,
                "documents": self.documents, "problems": self.problems}


@dataclass
class SourceCounts:
    """Per-file counts of a run, in reading order (the results' ``sources`` list)."""

    files: list[SourceCount] = field(default_factory=list)

    def start(self, path: str, format: str) -> SourceCount:
        count = SourceCount(path, format)
        self.files.append(count)
        return count

    def to_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.files]


class DocumentSource(Protocol):
    """One input format: reads one file, yields its documents and problems in file order.

    ``shown`` is the path as findings show it; ``root`` the corpus directory the file was
    found under (text trees derive ids from it); ``count`` is filled as records are read.
    """

    format: str

    def read(self, file: Path, shown: str, root: Path, fields: FieldMap,
             count: SourceCount) -> Iterator[Document | InputProblem]: ...
