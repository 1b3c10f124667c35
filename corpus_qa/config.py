"""Project defaults from ``[tool.corpus_qa]`` in the nearest ``pyproject.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ProjectConfig:
    """Defaults a corpus repository sets for ``corpus-qa`` (paths are made absolute-ish)."""

    root: Path | None = None
    paths: tuple[str, ...] = ()
    suite: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_project_config(start: Path | None = None) -> ProjectConfig:
    """Read ``[tool.corpus_qa]``; paths in it are relative to the pyproject's folder."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        return ProjectConfig()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ProjectConfig()
    table = data.get("tool", {}).get("corpus_qa", {})
    if not isinstance(table, dict):
        return ProjectConfig()
    root = pyproject.parent

    def rel(p: str) -> str:
        path = root / p
        try:
            return path.relative_to(Path.cwd()).as_posix() or "."
        except ValueError:
            return path.as_posix()

    paths = table.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    suite = table.get("suite")
    return ProjectConfig(
        root=root,
        paths=tuple(rel(p) for p in paths if isinstance(p, str)),
        suite=rel(suite) if isinstance(suite, str) else None,
        raw=table,
    )
