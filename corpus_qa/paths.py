"""How corpus-qa names a file to the user: the one display-path helper.

Findings, reports, ``--changed-since`` and the pytest plugin all name files this way, so
the same file is the same string everywhere (``--changed-since`` matches on it).
"""

from __future__ import annotations

import os
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
