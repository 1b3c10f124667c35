"""The files shipped inside corpus-qa: the default suite, its lists and the JSON Schemas.

A suite, ``--suite`` or ``[tool.corpus_qa] suite`` names a packaged file as
``builtin:NAME`` — ``builtin:news.yml``, ``builtin:metadata.yml``,
``builtin:boilerplate/syndication.yml`` — and any other string as a path relative to
the file that names it. :func:`resolve_data_path` is the one place that tells the two
apart (see ``docs/suites.md``). This module imports nothing heavy.

>>> resolve_data_path("builtin:news.yml").name
'news.yml'
>>> resolve_data_path("lists/mine.yml", Path("expectations")).as_posix()
'expectations/lists/mine.yml'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_qa.yamlfile import did_you_mean

BUILTIN = "builtin:"
"""The prefix of a reference to a file packaged in ``corpus_qa/data/``."""
DATA_DIR = Path(__file__).resolve().parent
"""Where the packaged files are (a real folder: corpus-qa is installed unzipped)."""
DEFAULT_SUITE = "builtin:news.yml"
"""The packaged default suite for news corpora."""


class DataRefError(ValueError):
    """A ``builtin:`` reference names no packaged file (the message suggests the closest)."""

    def __init__(self, ref: str, problem: str) -> None:
        super().__init__(problem)
        self.ref, self.problem = ref, problem


@dataclass(frozen=True)
class EmbeddedList:
    """A steward's list file carried inside an exported suite: its name and YAML text.

    ``corpus-qa export-gx`` writes a user's pattern or cue list as
    ``{"file": NAME, "text": YAML}`` instead of a path, so the exported suite works
    from any folder and on any machine; errors in it still read ``NAME (embedded):LINE``.
    """

    file: str
    text: str

    KEYS = ("file", "text")

    @property
    def shown(self) -> str:
        return f"{self.file} (embedded)"

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "text": self.text}


ListRef = str | EmbeddedList
"""What names a list file: a path, ``builtin:NAME``, or an embedded list."""


def list_ref(item: Any) -> ListRef:
    """A list reference from a suite parameter: a string, or an ``{"file", "text"}``
    mapping (an exported suite's embedded list). Raises ValueError for anything else.

    >>> list_ref({"file": "lists/house.yml", "text": "patterns: []"}).file
    'lists/house.yml'
    """
    if isinstance(item, str | EmbeddedList):
        return item
    if isinstance(item, Mapping):
        keys = sorted(item)
        if keys == sorted(EmbeddedList.KEYS) and all(isinstance(v, str) for v in item.values()):
            return EmbeddedList(item["file"], item["text"])
        raise ValueError(f"an embedded list is {{'file': NAME, 'text': YAML}}, got keys {keys}")
    raise ValueError(f"expected a list file path or an embedded list, got {item!r}")


def embedded(ref: ListRef, base: Path) -> str | dict[str, str]:
    """``ref`` as an exported suite carries it: ``builtin:`` names and embedded lists as
    they are, a user's file (a path as the runner holds it) embedded with its name
    relative to ``base`` (the suite's folder). Raises OSError if it cannot be read."""
    if isinstance(ref, EmbeddedList):
        return ref.to_json()
    if is_builtin(ref):
        return ref
    name = Path(os.path.relpath(Path(ref).resolve(), base.resolve())).as_posix()
    return EmbeddedList(name, Path(ref).read_text(encoding="utf-8")).to_json()


def is_builtin(ref: str | Path | EmbeddedList) -> bool:
    """Whether ``ref`` names a packaged file (``builtin:…``)."""
    return isinstance(ref, str) and ref.startswith(BUILTIN)


def builtin_names() -> list[str]:
    """Every packaged suite and list, as the name after ``builtin:`` (sorted).

    >>> "boilerplate/syndication.yml" in builtin_names()
    True
    """
    return sorted(p.relative_to(DATA_DIR).as_posix() for p in DATA_DIR.rglob("*.yml"))


def resolve_data_path(ref: str | Path, base: Path | None = None) -> Path:
    """The file ``ref`` names: a packaged file for ``builtin:NAME``, else ``base / ref``.

    Raises :class:`DataRefError` when ``NAME`` is not a packaged file; the caller adds
    the ``file:line:`` it was read from.
    """
    if not is_builtin(ref):
        return (base / ref) if base is not None else Path(ref)
    name = str(ref)[len(BUILTIN):].strip().lstrip("/")
    names = builtin_names()
    if name not in names:
        hint = did_you_mean(name, names)
        if hint.startswith("; did you mean '"):
            hint = hint.replace("'", "'" + BUILTIN, 1)
        else:
            hint = "; packaged files: " + ", ".join(BUILTIN + n for n in names)
        raise DataRefError(str(ref), f"no packaged file '{ref}'{hint}")
    return DATA_DIR / name


def shown_data_path(path: str | Path) -> str:
    """How a file is named in messages: ``builtin:NAME`` for a packaged file, else as given."""
    try:
        return BUILTIN + Path(path).resolve().relative_to(DATA_DIR).as_posix()
    except ValueError:
        return str(path)
