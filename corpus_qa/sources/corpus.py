"""Walk corpus paths: every file in a stable order, each read by the source of its format.

Directories are walked recursively in sorted path order (hidden files and folders such
as ``.git`` are not corpus content); a directory may mix text files and shards of every
format. A file no source reads becomes a :class:`~corpus_qa.sources.base.SkippedFile`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpus_qa.documents import Document
from corpus_qa.paths import display_path, id_root
from corpus_qa.sources.base import (
    DEFAULT_FIELDS,
    CorpusPathError,
    FieldMap,
    InputProblem,
    Loaded,
    SkippedFile,
    SourceCounts,
)
from corpus_qa.sources.registry import format_of, source_for


def iter_corpus(paths: Iterable[str | os.PathLike[str]], *,
                only_files: set[str] | None = None, fields: FieldMap | None = None,
                counts: SourceCounts | None = None,
                id_roots: Iterable[str | os.PathLike[str]] = ()) -> Iterator[Loaded]:
    """Yield every document (and every problem) of the corpus at ``paths``, in stable order.

    ``only_files`` (display paths) limits reading to those files: the others are not
    opened at all (``--changed-since`` on a large corpus). ``fields`` names the record
    fields (JSON Lines, Parquet); ``counts``, when given, receives one entry per file read.
    A file in ``paths`` takes its id from :func:`corpus_qa.paths.id_root` with
    ``id_roots`` (the configured corpus folders); a folder's files from the folder.
    """
    fields = fields or DEFAULT_FIELDS
    yield from unique_ids(_walk(list(paths), only_files, fields, counts, list(id_roots)), counts)


def _walk(paths: list[str | os.PathLike[str]], only_files: set[str] | None,
          fields: FieldMap, counts: SourceCounts | None,
          id_roots: list[str | os.PathLike[str]]) -> Iterator[Loaded]:
    files = [p for p in paths if Path(p).is_file()]
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise CorpusPathError(f"{given}: no such file or directory — check the corpus path")
        if root.is_file():
            if only_files is None or display_path(root) in only_files:
                yield from read_file(Path(os.path.abspath(root)),
                                     id_root(root, id_roots, files), fields, counts)
            continue
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            if any(part.startswith(".") for part in file.relative_to(root).parts):
                continue  # .git, .DS_Store …: not corpus content
            if only_files is None or display_path(file) in only_files:
                yield from read_file(file, root, fields, counts)


def unique_ids(items: Iterable[Loaded], counts: SourceCounts | None = None) -> Iterator[Loaded]:
    """Pass items on; a document whose id was already used is renamed after its locator.

    The second document keeps being validated (as ``path#line`` / ``path#rowN``) and a
    ``duplicate_id`` problem names both places, so neither is lost.
    """
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, Document):
            where = locator(item)
            first = seen.get(item.id)
            if first is not None:
                base = new_id = (f"{item.path}#row{item.line}" if _is_parquet(item.path)
                                 else f"{item.path}#{item.line}")
                n = 2
                while new_id in seen:
                    new_id, n = f"{base}~{n}", n + 1
                problem = InputProblem(
                    item.path, item.line, "duplicate_id",
                    f"id '{item.id}' is already used at {first}; validated as '{new_id}' — "
                    "give every record its own id", document=new_id, loaded=True)
                if counts is not None:
                    for count in reversed(counts.files):
                        if count.path == item.path:
                            count.problems += 1
                            break
                item.id = new_id
                yield problem
            seen[item.id] = where
        yield item


def locator(doc: Document) -> str:
    """Where a document is: ``path`` (a text file), ``path:line`` (JSON Lines), or
    ``path#rowN`` (Parquet)."""
    if _is_parquet(doc.path):
        return f"{doc.path}#row{doc.line}"
    if doc.raw is not None:
        return doc.path
    return f"{doc.path}:{doc.line}"


def _is_parquet(path: str) -> bool:
    fmt = format_of(path)
    return fmt is not None and fmt.kind == "parquet"


def read_file(file: Path, root: Path, fields: FieldMap = DEFAULT_FIELDS,
              counts: SourceCounts | None = None) -> Iterator[Loaded]:
    """The documents and problems of one file (a skipped file when no source reads it)."""
    shown = display_path(file)
    fmt = format_of(file.name)
    if fmt is None:
        yield SkippedFile(shown)
        return
    count = (counts or SourceCounts()).start(shown, fmt.label)
    yield from source_for(fmt).read(file, shown, root, fields, count)
