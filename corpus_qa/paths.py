"""How corpus-qa names a file to the user (the one display-path helper), and which folder
a file given on its own takes its document id from.

Findings, reports, ``--changed-since`` and the pytest plugin all name files this way, so
the same file is the same string everywhere (``--changed-since`` matches on it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute.

    Symbolic links are not followed: a link inside the corpus is named where it is.

    >>> display_path(Path.cwd() / "corpus" / "a.txt")
    'corpus/a.txt'
    >>> display_path("corpus/../corpus/a.txt")
    'corpus/a.txt'
    """
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(os.path.abspath(os.getcwd())).as_posix()
    except ValueError:
        return absolute.as_posix()


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
