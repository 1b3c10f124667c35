"""Project defaults from ``[tool.corpus_qa]`` in the nearest ``pyproject.toml``.

Keys (see ``docs/suites.md``, "Project defaults"): ``paths``, ``suite``, ``pytest``,
``baseline``, ``waivers``, ``engine``, ``spark_master``, ``spark_conf``,
``shard_results_above``. Paths are
relative to the folder of the ``pyproject.toml``;
``suite`` may also name a packaged suite (``builtin:news.yml``). An unknown key, a
value of the wrong type or a ``builtin:`` name that does not exist raises
:class:`ConfigError` naming ``pyproject.toml:LINE`` (exit code 2).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus_qa.data import DataRefError, is_builtin, resolve_data_path
from corpus_qa.yamlfile import did_you_mean

CONFIG_KEYS = ("paths", "suite", "pytest", "baseline", "waivers", "engine", "spark_master",
               "spark_conf", "shard_results_above")
ENGINES = ("local", "spark")
"""The keys ``[tool.corpus_qa]`` may hold."""


class ConfigError(Exception):
    """``[tool.corpus_qa]`` is wrong: ``pyproject.toml:LINE: key: problem — remedy`` (exit 2)."""

    def __init__(self, path: str, line: int, key: str | None, problem: str,
                 remedy: str | None = None) -> None:
        self.path, self.line, self.key, self.problem, self.remedy = path, line, key, problem, remedy
        text = f"{path}:{line}: " + (f"[tool.corpus_qa] {key}: " if key else "") + problem
        super().__init__(text + (f" — {remedy}" if remedy else ""))


@dataclass(frozen=True)
class ProjectConfig:
    """Defaults a corpus repository sets for ``corpus-qa`` (paths relative to the working dir)."""

    root: Path | None = None
    paths: tuple[str, ...] = ()
    suite: str | None = None
    """A suite file, or a packaged suite kept as written (``builtin:news.yml``)."""
    baseline: str | None = None
    """``--baseline`` default: the findings file a CI gate compares against."""
    waivers: str | None = None
    """``--waivers`` default: the YAML file of accepted findings."""
    engine: str | None = None
    """``--engine`` default: ``local`` or ``spark``."""
    spark_master: str | None = None
    """``--spark-master`` default (``local[*]`` when unset)."""
    spark_conf: tuple[str, ...] = ()
    """``--spark-conf`` defaults, as ``key=value`` strings (the flags add to them)."""
    shard_results_above: int | None = None
    """``--shard-results-above`` default: documents plus findings above which ``--json``
    writes its documents and findings as JSON Lines shards next to the file."""
    raw: dict[str, Any] = field(default_factory=dict)
    pyproject: Path | None = None


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_project_config(start: Path | None = None) -> ProjectConfig:
    """Read and check ``[tool.corpus_qa]``; raise :class:`ConfigError` on a mistake."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        return ProjectConfig()
    shown = _shown(pyproject)
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, 1, None, f"cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(shown, int(match.group(1)) if match else 1, None,
                          f"invalid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("corpus_qa", {}) if isinstance(tool, dict) else {}
    lines = _key_lines(text)
    if not isinstance(table, dict):
        raise ConfigError(shown, lines.get("", 1), None, "tool.corpus_qa must be a table",
                          "write [tool.corpus_qa] with key = value lines under it")

    def fail(key: str, problem: str, remedy: str | None = None) -> ConfigError:
        return ConfigError(shown, lines.get(key, lines.get("", 1)), key, problem, remedy)

    for key in table:
        if key not in CONFIG_KEYS:
            hint = did_you_mean(key, CONFIG_KEYS)
            known = None if "expected one of" in hint else "known keys: " + ", ".join(CONFIG_KEYS)
            raise fail(key, f"unknown key{hint}", known)
    root = pyproject.parent

    def rel(p: str) -> str:
        path = root / p
        try:
            return path.relative_to(Path.cwd()).as_posix() or "."
        except ValueError:
            return path.as_posix()

    def one_path(key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail(key, f"must be a path (a string), got {value!r}")
        return value

    paths = table.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise fail("paths", f"must be a list of paths, got {paths!r}",
                   'write paths = ["corpus"]')
    suite = one_path("suite")
    if suite is not None and is_builtin(suite):
        try:
            resolve_data_path(suite)
        except DataRefError as exc:
            raise fail("suite", exc.problem) from None
    baseline, waivers = one_path("baseline"), one_path("waivers")
    engine = table.get("engine")
    if engine is not None and engine not in ENGINES:
        raise fail("engine", f"must be one of {', '.join(ENGINES)}, got {engine!r}",
                   'write engine = "spark" (or leave it out for the local engine)')
    master = table.get("spark_master")
    if master is not None and (not isinstance(master, str) or not master.strip()):
        raise fail("spark_master", f"must be a Spark master URL (a string), got {master!r}",
                   'write spark_master = "spark://HOST:7077"')
    conf = table.get("spark_conf", {})
    if not isinstance(conf, dict) or not all(
            isinstance(v, str | int | float | bool) for v in conf.values()):
        raise fail("spark_conf", f"must be a table of Spark settings, got {conf!r}",
                   'write spark_conf = { "spark.executor.memory" = "4g" }')
    shard_above = table.get("shard_results_above")
    if shard_above is not None and (isinstance(shard_above, bool)
                                    or not isinstance(shard_above, int) or shard_above < 0):
        raise fail("shard_results_above", f"must be a number of items (0 or more), got "
                   f"{shard_above!r}", "write shard_results_above = 100000")
    return ProjectConfig(
        root=root,
        paths=tuple(rel(p) for p in paths),
        suite=None if suite is None else suite if is_builtin(suite) else rel(suite),
        baseline=None if baseline is None else rel(baseline),
        waivers=None if waivers is None else rel(waivers),
        engine=engine,
        spark_master=master,
        spark_conf=tuple(f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                         for k, v in conf.items()),
        shard_results_above=shard_above,
        raw=table,
        pyproject=pyproject,
    )


_HEADER = re.compile(r"\s*\[\s*([^\]\[]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")


def _key_lines(text: str) -> dict[str, int]:
    """1-based lines of the ``[tool.corpus_qa]`` header (key ``""``) and of each key in it.

    tomllib keeps no positions; this scan covers the usual layout (one table, one key per
    line). Keys written elsewhere (dotted keys in ``[tool]``) fall back to line 1.
    """
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            inside = header.group(1).replace('"', "").replace(" ", "") == "tool.corpus_qa"
            if inside:
                lines[""] = number
            continue
        key = _KEY.match(line) if inside else None
        if key:
            lines.setdefault(key.group(1).strip("\"'"), number)
    return lines


def _shown(path: Path) -> str:
    from corpus_qa.paths import display_path

    return display_path(path)
