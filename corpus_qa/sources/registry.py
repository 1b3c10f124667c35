"""The one table of file suffixes and the source that reads each.

Kept free of heavy imports (yaml, pyarrow, zstandard): the pytest plugin imports
:data:`DOCUMENT_SUFFIXES` and :func:`is_document_file` at registration time; a source
module is imported only when a file of its format is read.

>>> format_of("shards/part-00001.jsonl.zst")
Format(kind='jsonl', compression='zstd')
>>> format_of("a/b.md"), format_of("x.parquet").kind, format_of("notes.pdf")
(Format(kind='text', compression=None), 'parquet', None)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from corpus_qa.sources.base import DocumentSource

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl",)
"""Plain (uncompressed) JSON Lines."""
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd", ".bz2": "bz2", ".xz": "xz"}
"""Compressed JSON Lines: ``.jsonl`` or ``.json`` followed by one of these."""
COMPRESSED_JSONL_SUFFIXES = tuple(f"{base}{c}" for base in (".jsonl", ".json")
                                  for c in COMPRESSIONS)
PARQUET_SUFFIXES = (".parquet",)

DOCUMENT_SUFFIXES = (*TEXT_SUFFIXES, *JSONL_SUFFIXES, *COMPRESSED_JSONL_SUFFIXES,
                     *PARQUET_SUFFIXES)
"""Every (possibly compound) suffix a source reads; match names with :func:`format_of`."""

_MODULES = {"text": "corpus_qa.sources.text", "jsonl": "corpus_qa.sources.jsonl",
            "parquet": "corpus_qa.sources.parquet"}


class Format(NamedTuple):
    """A file's format: ``text``, ``jsonl`` or ``parquet``, and its compression if any."""

    kind: str
    compression: str | None = None

    @property
    def label(self) -> str:
        """``jsonl.zstd``, ``parquet`` …: the format as the results' ``sources`` list shows it."""
        return f"{self.kind}.{self.compression}" if self.compression else self.kind


def format_of(name: str) -> Format | None:
    """The format of a file name by its suffix (case-insensitive), or ``None``."""
    lower = name.lower()
    if lower.endswith(TEXT_SUFFIXES):
        return Format("text")
    if lower.endswith(JSONL_SUFFIXES):
        return Format("jsonl")
    if lower.endswith(PARQUET_SUFFIXES):
        return Format("parquet")
    for suffix in COMPRESSED_JSONL_SUFFIXES:
        if lower.endswith(suffix):
            return Format("jsonl", COMPRESSIONS[suffix[suffix.index(".", 1):]])
    return None


def is_document_file(name: str) -> bool:
    """Whether a source reads files of this name."""
    return format_of(name) is not None


def source_for(fmt: Format) -> DocumentSource:
    """The source that reads ``fmt`` (its module imported on first use)."""
    module = _LOADED.get(fmt.kind)
    if module is None:  # (import_module looks the module up again on every call)
        module = _LOADED[fmt.kind] = importlib.import_module(_MODULES[fmt.kind])
    return module.source(fmt.compression)  # type: ignore[no-any-return]


_LOADED: dict[str, Any] = {}
"""The source modules imported so far, by format kind."""
