"""How corpus-qa names a file to the user: the one display-path helper.

Findings, reports, ``--changed-since`` and the pytest plugin all name files this way, so
the same file is the same string everywhere (``--changed-since`` matches on it).

A file name is bytes on POSIX; Python keeps bytes that are not UTF-8 as lone surrogates,
which no UTF-8 output (JSON, pandas, the report) can hold, and a newline in a name would
split a one-line finding. :func:`printable` shows both as backslash escapes.
"""

from __future__ import annotations

import os
import re
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


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute.

    Symbolic links are not followed: a link inside the corpus is named where it is.
    Undecodable bytes and control characters are escaped (:func:`printable`).

    >>> display_path(Path.cwd() / "corpus" / "a.txt")
    'corpus/a.txt'
    >>> display_path("corpus/../corpus/a.txt")
    'corpus/a.txt'
    """
    absolute = Path(os.path.abspath(path))
    try:
        shown = absolute.relative_to(os.path.abspath(os.getcwd())).as_posix()
    except ValueError:
        shown = absolute.as_posix()
    return printable(shown)
