"""How corpus-qa names a file to the user (the one display-path helper), and which folder
a file given on its own takes its document id from.

Findings, reports, ``--changed-since`` and the pytest plugin all name files this way, so
the same file is the same string everywhere (``--changed-since`` matches on it).

A file name is bytes on POSIX; Python keeps bytes that are not UTF-8 as lone surrogates,
which no UTF-8 output (JSON, pandas, the report) can hold, and a newline in a name would
split a one-line finding. :func:`printable` shows both as backslash escapes.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from pathlib import Path

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(name: str) -> str:
    """``name`` with undecodable bytes and control characters as backslash escapes.

    >>> printable("bad\\udcffname.txt"), printable("two\\nlines.txt"), printable("café.txt")
    ('bad\\\\xffname.txt', 'two\\\\nlines.txt', 'café.txt')
    """
    if not _UNPRINTABLE.search(name):
        return name
    return _UNPRINTABLE.sub(_escape, name)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def is_printable(name: str) -> bool:
    """Whether ``name`` is shown as it is (valid UTF-8, no control characters)."""
    return not _UNPRINTABLE.search(name)


def missing_path(given: str | os.PathLike[str], what: str = "the corpus path",
                 shown: str | None = None) -> str:
    """Why a path given on the command line (or in a configuration) cannot be read: a
    symlink loop, a link to nothing, or nothing there; and what to do. ``shown``: how to
    name it (default: as given)."""
    shown = shown if shown is not None else printable(os.fspath(given))
    if os.path.islink(given):
        try:
            os.stat(given)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return f"{shown}: a symlink loop (the link leads back to itself) — check {what}"
            return (f"{shown}: a symlink to {printable(os.readlink(given))}, which does not "
                    f"exist — check {what}")
    return f"{shown}: no such file or directory — check {what}"


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute.

    Symbolic links are not followed: a link inside the corpus is named where it is.
    Undecodable bytes and control characters are escaped (:func:`printable`).

    >>> display_path(Path.cwd() / "corpus" / "a.txt")
    'corpus/a.txt'
    >>> display_path("corpus/../corpus/a.txt")
    'corpus/a.txt'
    """
    # String operations, not pathlib: this runs for every file of the corpus, and
    # Path.relative_to cost as much as checking a news article's encoding.
    absolute = os.path.abspath(path)
    cwd = os.path.abspath(os.getcwd())
    below = cwd if cwd.endswith(os.sep) else cwd + os.sep
    same_root = absolute.startswith("//") == cwd.startswith("//")  # POSIX's "//" root
    if os.path.normcase(absolute) == os.path.normcase(cwd):
        shown = "."
    elif same_root and os.path.normcase(absolute).startswith(os.path.normcase(below)):
        shown = absolute[len(below):]
    else:
        shown = absolute
    if os.sep != "/":
        shown = shown.replace(os.sep, "/")
    return printable(shown)


def display_child(shown_directory: str, name: str) -> str:
    """``display_path(directory / name)`` for a file ``name`` listed in ``directory``, given
    ``display_path(directory)``: one join per file instead of resolving each path again.

    >>> display_child(".", "a.txt"), display_child("corpus/2024", "a.txt")
    ('a.txt', 'corpus/2024/a.txt')
    >>> display_child("/", "a.txt"), display_child("/data", "bad\\udcff.txt")
    ('/a.txt', '/data/bad\\\\xff.txt')
    """
    name = printable(name)
    if shown_directory == ".":
        return name
    if shown_directory.endswith("/"):  # the file system's root
        return shown_directory + name
    return f"{shown_directory}/{name}"


def relative_name(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str:
    """``os.fspath(Path(path).relative_to(root))``, by string operations when ``path`` is
    spelled below ``root`` (how a corpus walk builds its paths): this runs for every file.

    >>> relative_name(Path("corpus/a/b.txt"), Path("corpus")), relative_name("x/y", ".")
    ('a/b.txt', 'x/y')
    """
    spelled, under = os.fspath(path), os.fspath(root)
    if (under not in ("", ".") and spelled.startswith(under)
            and spelled[len(under):len(under) + 1] == os.sep and not under.endswith(os.sep)):
        return spelled[len(under) + 1:]
    return os.fspath(Path(path).relative_to(root))


def document_id(relative: str) -> str:
    """The id of a whole-file document: its path below the corpus root without its last
    suffix, with ``/`` between folders (``Path(relative).with_suffix("").as_posix()``),
    made :func:`printable`.

    >>> document_id("2024/a.b.txt"), document_id(".hidden"), document_id("noext")
    ('2024/a.b', '.hidden', 'noext')
    """
    head, sep, name = relative.rpartition(os.sep)
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        name = name[:dot]
    shown = head + sep + name
    return printable(shown if os.sep == "/" else shown.replace(os.sep, "/"))


def work_tree_root(path: str | os.PathLike[str]) -> Path | None:
    """The top folder of the git work tree holding ``path`` (a folder with ``.git``), or None.

    Only the file system is asked (no ``git`` process): ``.git`` is a folder in a clone and
    a file in a linked work tree or a submodule; both count.
    """
    here = Path(os.path.abspath(path))
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def id_root(file: str | os.PathLike[str], corpus_roots: Iterable[str | os.PathLike[str]],
            given: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """The folder a document file given on its own takes its id from (absolute).

    A file passed by itself (as the pre-commit hook passes staged files) must get the id it
    has when its corpus folder is validated, or baselines and waivers stop matching. So:

    1. the deepest of ``corpus_roots`` (the configured corpus paths) that holds it;
    2. else the top of the git work tree that holds it (ids stay the same whichever
       files are staged together);
    3. else the common parent of the files ``given`` with it (itself included).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     corpus = Path(tmp, "corpus")
    ...     id_root(corpus / "sub" / "a.txt", [corpus]) == corpus
    True
    """
    absolute = Path(os.path.abspath(file))
    inside = [Path(os.path.abspath(r)) for r in corpus_roots]
    inside = [r for r in inside if r in absolute.parents]
    if inside:
        return max(inside, key=lambda r: len(r.parts))
    top = work_tree_root(absolute.parent)
    if top is not None:
        return top
    parents = [Path(os.path.abspath(g)).parent for g in given] or [absolute.parent]
    return Path(os.path.commonpath([absolute.parent, *parents]))
