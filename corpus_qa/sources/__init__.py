"""Corpus input: one source per format, chosen by file suffix in one registry.

* :mod:`~corpus_qa.sources.registry` — suffix -> format -> source (no heavy imports);
* :mod:`~corpus_qa.sources.base` — the :class:`DocumentSource` protocol, the items a
  source yields (:class:`InputProblem`, :class:`SkippedFile`), the :class:`FieldMap`
  and per-file :class:`SourceCounts`;
* :mod:`~corpus_qa.sources.text` — ``.txt`` / ``.md`` trees (front matter, headers);
* :mod:`~corpus_qa.sources.jsonl` — JSON Lines, plain or gzip / zstd / bz2 / xz;
* :mod:`~corpus_qa.sources.parquet` — Parquet, read in batches;
* :mod:`~corpus_qa.sources.records` — one record -> one document, for both;
* :mod:`~corpus_qa.sources.corpus` — :func:`iter_corpus` walks paths in stable order.

Formats, locators and counts are described in ``docs/sources.md``. Importing this
package stays light (the pytest plugin imports the registry at registration time):
:func:`iter_corpus` and :func:`display_path` are loaded on first use.
"""

from __future__ import annotations

from typing import Any

from corpus_qa.sources.base import (
    DEFAULT_FIELDS,
    CorpusPathError,
    DocumentSource,
    FieldMap,
    InputProblem,
    Loaded,
    SkippedFile,
    SourceCount,
    SourceCounts,
)
from corpus_qa.sources.registry import DOCUMENT_SUFFIXES, format_of, is_document_file

__all__ = [
    "DEFAULT_FIELDS", "DOCUMENT_SUFFIXES", "CorpusPathError", "DocumentSource", "FieldMap",
    "InputProblem", "Loaded", "SkippedFile", "SourceCount", "SourceCounts", "display_path",
    "format_of", "is_document_file", "iter_corpus",
]


def __getattr__(name: str) -> Any:
    if name in ("iter_corpus", "display_path", "read_file"):
        from corpus_qa.sources import corpus

        return getattr(corpus, name)
    raise AttributeError(f"module 'corpus_qa.sources' has no attribute {name!r}")
