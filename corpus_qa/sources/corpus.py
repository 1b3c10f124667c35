"""Walk corpus paths: every file in a stable order, each read by the source of its format.

Directories are walked recursively in sorted path order (hidden files and folders such
as ``.git`` are not corpus content); a directory may mix text files and shards of every
format. A file no source reads becomes a :class:`~corpus_qa.sources.base.SkippedFile`.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus_qa.diskmap import SeenIds
from corpus_qa.documents import Document
from corpus_qa.paths import (
    display_child,
    display_path,
    id_root,
    is_printable,
    missing_path,
    printable,
    relative_name,
)
from corpus_qa.sources.base import (
    DEFAULT_FIELDS,
    CorpusPathError,
    FieldMap,
    InputProblem,
    Loaded,
    SkippedFile,
    SourceCounts,
    UnchangedFile,
)
from corpus_qa.sources.registry import format_of, is_document_file, source_for


def iter_corpus(paths: Iterable[str | os.PathLike[str]], *,
                only_files: set[str] | None = None, fields: FieldMap | None = None,
                counts: SourceCounts | None = None,
                id_roots: Iterable[str | os.PathLike[str]] = (),
                follow_symlinks: bool = False) -> Iterator[Loaded]:
    """Yield every document (and every problem) of the corpus at ``paths``, in stable order.

    ``only_files`` (display paths) limits reading to those files: the others are not
    opened at all (``--changed-since`` on a large corpus). ``fields`` names the record
    fields (JSON Lines, Parquet); ``counts``, when given, receives one entry per file read.
    A file in ``paths`` takes its id from :func:`corpus_qa.paths.id_root` with
    ``id_roots`` (the configured corpus folders); a folder's files from the folder.
    ``follow_symlinks`` reads links that lead outside the corpus and walks linked
    directories (see :class:`Walk`).
    """
    walk = Walk(paths, fields or DEFAULT_FIELDS, only_files, counts, follow_symlinks,
                id_roots)
    yield from unique_ids(walk.items(), counts)


@dataclass(frozen=True, slots=True)
class FileToRead:
    """A corpus file the walk found and did not read (``Walk(read=False)``): whoever
    reads it calls :func:`read_file` with these (a Spark task, ``--engine spark``)."""

    path: Path | str
    """The file (a string in a worker's copy of a text file's: see
    :class:`corpus_qa.engine.reading.FileBatch`; :func:`read_file` takes either)."""
    root: Path | str
    shown: str
    size: int
    shard: bool = False
    """A JSON Lines or Parquet file (many documents), not a text file (one)."""


class Walk:
    """Every entry below the corpus paths, classified without opening anything first.

    Each entry is looked at with ``lstat`` before it is opened, so a FIFO, a socket or a
    device is never opened (opening a FIFO blocks) and a link is never followed blindly:

    * a regular file is read by the source of its format (else it is skipped);
    * a directory is walked, in sorted order (names starting with ``.`` are passed over);
    * a symbolic link that loops or dangles is an ``input`` problem; one that leads
      outside the corpus paths is an ``input`` problem too, unless ``follow_symlinks``;
      a link to a file inside the corpus is read where the link is; a link to a
      directory is walked only with ``follow_symlinks`` (without it, that directory's
      files are read where they really are, or reported as outside the corpus);
    * any other kind of file with a document suffix is an ``input`` problem, never opened.

    Paths given explicitly are followed (the user named them). A name that is not
    valid UTF-8 or holds control characters is reported too; the file is still read.

    ``unchanged(shown, stat)``, when given, is asked before a regular document file is
    read: if it says yes, an :class:`UnchangedFile` is yielded instead of the file's
    documents (a caller that cached them by the file's stamp: ``--changed-since``).

    With ``read=False`` a file to read is yielded as a :class:`FileToRead` instead.
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]], fields: FieldMap,
                 only_files: set[str] | None, counts: SourceCounts | None,
                 follow_symlinks: bool,
                 id_roots: Iterable[str | os.PathLike[str]] = (),
                 unchanged: Callable[[str, os.stat_result], bool] | None = None,
                 *, read: bool = True) -> None:
        self.read = read
        self.paths = [Path(p) for p in paths]
        self.id_roots = list(id_roots)
        self.fields, self.only_files, self.counts = fields, only_files, counts
        self.follow = follow_symlinks
        self.unchanged = unchanged
        self.inside: list[str] = []
        self._only_names = {shown.rsplit("/", 1)[-1] for shown in only_files or ()}
        """The last part of each of ``only_files`` (display paths: names escaped alike)."""

    def items(self) -> Iterator[Loaded | UnchangedFile | FileToRead]:
        for given in self.paths:
            if not given.exists():
                raise CorpusPathError(missing_path(given))
        self.inside = [os.path.realpath(p) for p in self.paths]
        for given in self.paths:
            if given.is_dir():
                yield from self._directory(given, given, {_identity(os.stat(given))})
            else:
                files = [p for p in self.paths if p.is_file()]
                yield from self._file(Path(os.path.abspath(given)),
                                      id_root(given, self.id_roots, files), os.stat(given))

    def _directory(self, directory: Path, root: Path,
                   ancestors: set[tuple[int, int]],
                   ) -> Iterator[Loaded | UnchangedFile | FileToRead]:
        only = self.only_files
        try:
            with os.scandir(directory) as entries:
                # With ``only_files``, a regular file (by the directory entry's type, no
                # stat) that is not one of them is passed over: _file would drop it.
                names = sorted((entry.name, only is not None and _plain_file(entry))
                               for entry in entries)
        except OSError as exc:
            yield self._problem(directory, "unreadable_directory",
                                f"cannot list directory: {exc.strerror} — check its permissions")
            return
        # Each file's display path is the directory's and its name (os.sep "/" only);
        # its path is a string, spelled as ``directory / name`` is (no Path per file).
        shown = display_path(directory) if os.sep == "/" else None
        spelled = os.fspath(directory)
        prefix = "" if spelled == "." else spelled.rstrip(os.sep) + os.sep
        for name, plain in names:
            if name.startswith("."):
                continue  # .git, .DS_Store …: not corpus content
            if plain and printable(name) not in self._only_names:
                continue
            yield from self._entry(prefix + name, root, ancestors,
                                   None if shown is None else display_child(shown, name))

    def _entry(self, path: Path | str, root: Path, ancestors: set[tuple[int, int]],
               shown: str | None = None) -> Iterator[Loaded | UnchangedFile | FileToRead]:
        try:
            st = os.lstat(path)
        except OSError as exc:
            yield self._problem(path, "unreadable_file", f"cannot read file: {exc.strerror}")
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self._directory(Path(path), root, ancestors | {_identity(st)})
            return
        if stat.S_ISLNK(st.st_mode):
            target = self._link_target(path)
            if isinstance(target, InputProblem):
                yield target
                return
            st, real = target
            outside = not self._is_inside(real)
            if stat.S_ISDIR(st.st_mode):
                if not self.follow:
                    if outside:
                        yield self._outside(path, real, "directory")
                    return  # its files are read where they are, inside the corpus
                if _identity(st) in ancestors:
                    yield self._problem(path, "symlink_loop",
                                        f"link to {_shown(real)} leads back into a directory "
                                        "it is in — remove the link")
                    return
                yield from self._directory(Path(path), root, ancestors | {_identity(st)})
                return
            if outside and not self.follow and is_document_file(os.path.basename(path)):
                yield self._outside(path, real, "file")
                return
        yield from self._file(path, root, st, shown)

    def _file(self, path: Path | str, root: Path, st: os.stat_result,
              shown: str | None = None) -> Iterator[Loaded | UnchangedFile | FileToRead]:
        """``shown``: the file's display path, when the caller has it."""
        shown = display_path(path) if shown is None else shown
        if self.only_files is not None and shown not in self.only_files:
            return
        base = os.path.basename(path)
        if not stat.S_ISREG(st.st_mode):
            if is_document_file(base):
                yield self._problem(path, "special_file",
                                    f"{_kind(st.st_mode)}, not a regular file: not read — "
                                    "remove it from the corpus")
            else:
                yield SkippedFile(shown)
            return
        name = relative_name(path, root)
        if not is_printable(name) and is_document_file(base):
            what = ("is not valid UTF-8 (its bytes are shown as \\xNN)" if _undecodable(name)
                    else "holds a control character (shown escaped)")
            yield self._problem(path, "unsafe_file_name",
                                f"the file name {what}; the file is read — rename it, other "
                                "tools may not store or show the name", loaded=True)
        if self.unchanged is not None and self.unchanged(shown, st):
            yield UnchangedFile(shown)
            return
        if not self.read:
            fmt = format_of(base)
            yield FileToRead(path, root, shown, st.st_size,
                             shard=fmt is not None and fmt.kind != "text")
            return
        yield from read_file(path, root, self.fields, self.counts, shown=shown)

    def _link_target(self, path: Path | str) -> tuple[os.stat_result, str] | InputProblem:
        try:
            return os.stat(path), os.path.realpath(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return self._problem(path, "symlink_loop", "symbolic link loop (it leads back "
                                     "to itself): not read — remove or fix the link")
            if exc.errno == errno.ENOENT:
                return self._problem(path, "dangling_link",
                                     f"symbolic link to {_shown(os.readlink(path))}, which "
                                     "does not exist: not read — remove or fix the link")
            return self._problem(path, "unreadable_file",
                                 f"cannot follow symbolic link: {exc.strerror}")

    def _outside(self, path: Path | str, real: str, what: str) -> InputProblem:
        return self._problem(path, "outside_corpus",
                             f"symbolic link to a {what} outside the corpus ({_shown(real)}): "
                             "not read — pass --follow-symlinks to read it, or copy it in")

    def _is_inside(self, real: str) -> bool:
        return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep)
                   for root in self.inside)

    def _problem(self, path: Path | str, reason: str, message: str, *,
                 loaded: bool = False) -> InputProblem:
        return InputProblem(display_path(path), 1, reason, message, loaded=loaded)


def _plain_file(entry: os.DirEntry[str]) -> bool:
    """Whether a directory entry is a regular file, not a link (from the entry's type
    where the file system gives one); False when that cannot be told."""
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _undecodable(name: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in name)


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def _shown(path: str) -> str:
    return printable(path)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "a special file"


def unique_ids(items: Iterable[Loaded], counts: SourceCounts | None = None) -> Iterator[Loaded]:
    """Pass items on; a document whose id was already used is renamed after its locator.

    The second document keeps being validated (as ``path#line`` / ``path#rowN``) and a
    ``duplicate_id`` problem names both places, so neither is lost.
    """
    return UniqueIds(counts)(items)


class UniqueIds:
    """The ids used so far, and what :func:`unique_ids` does with the next items."""

    def __init__(self, counts: SourceCounts | None = None) -> None:
        self.counts = counts
        self.seen = SeenIds()
        """id -> where the document that has it is (its locator), on disk: the walk of a
        corpus of millions of documents does not hold their ids in memory."""

    def accept(self, placed: Iterable[tuple[str, str]]) -> bool:
        """Take (id, locator) of documents read elsewhere, if none needs renaming;
        else take none and say so (the caller reads them again through this object)."""
        placed = list(placed)
        ids = [doc_id for doc_id, _ in placed]
        if len(set(ids)) != len(ids) or self.seen.any_of(ids):
            return False
        self.seen.update(placed)
        return True

    def __call__(self, items: Iterable[Loaded]) -> Iterator[Loaded]:
        seen, counts = self.seen, self.counts
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
    if doc.raw is not None:  # a whole file: only a text file's document keeps its bytes
        return doc.path
    if _is_parquet(doc.path):
        return f"{doc.path}#row{doc.line}"
    return f"{doc.path}:{doc.line}"


def _is_parquet(path: str) -> bool:
    fmt = format_of(path)
    return fmt is not None and fmt.kind == "parquet"


def read_file(file: Path | str, root: Path | str, fields: FieldMap = DEFAULT_FIELDS,
              counts: SourceCounts | None = None, *, shown: str | None = None,
              ) -> Iterator[Loaded]:
    """The documents and problems of one file (a skipped file when no source reads it);
    ``shown``: its :func:`display_path`, when the caller has it already. ``file`` and
    ``root`` may be strings (a worker's batch of text files: no ``Path`` is made)."""
    shown = display_path(file) if shown is None else shown
    fmt = format_of(os.path.basename(file))
    if fmt is None:
        yield SkippedFile(shown)
        return
    if fmt.kind != "text":  # the shard sources open a Path
        file, root = Path(file), Path(root)
    counts = counts or SourceCounts()
    count = counts.start(shown, fmt.label)
    for item in source_for(fmt).read(file, shown, root, fields, count):
        if isinstance(item, SkippedFile):  # a report corpus-qa wrote: not a source file
            counts.files.remove(count)
        yield item
