"""Read YAML keeping the line of every key, so errors can say ``file:line: …``.

Every file a steward writes for corpus-qa — suites, boilerplate pattern lists, metadata
phrase lists — reports its mistakes with one error type, :class:`YamlError`, whose
message reads ``file:line: key: problem — remedy`` (see ``docs/suites.md``). The
one "did you mean" helper, :func:`did_you_mean`, lives here too: this module imports
nothing but PyYAML (and, when it parses, :mod:`corpus_qa.data` to tell a packaged file),
so checks, loaders and the CLI can all use it without GX.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

E = TypeVar("E", bound="YamlError")


class YamlError(Exception):
    """A YAML file corpus-qa reads is wrong: ``file:line: key: problem — remedy`` (exit 2).

    ``key`` names the offending key (``None`` when the problem is the whole file or is
    already named in ``problem``); ``remedy``, when given, says what to do instead.

    >>> str(YamlError("news.yml", 14, "mostly", "must be between 0 and 1", "write 0.95"))
    'news.yml:14: mostly: must be between 0 and 1 — write 0.95'
    """

    def __init__(self, path: str, line: int, key: str | None, problem: str,
                 remedy: str | None = None) -> None:
        self.path, self.line, self.key = str(path), int(line), key
        self.problem, self.remedy = problem, remedy
        text = f"{self.path}:{self.line}: " + (f"{key}: " if key else "") + problem
        super().__init__(text + (f" — {remedy}" if remedy else ""))

    def retyped(self, kind: type[E], *, context: str | None = None) -> E:
        """The same error as ``kind`` (e.g. a pattern-list error raised by the suite loader),
        with ``context`` appended to the problem when given."""
        problem = f"{self.problem} ({context})" if context else self.problem
        return kind(self.path, self.line, self.key, problem, self.remedy)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the closest choice, else the list of what is allowed.

    >>> did_you_mean("feilds", ["fields", "severity"])
    "; did you mean 'fields'?"
    >>> did_you_mean("zzz", ["error", "warning"])
    '; expected one of: error, warning'
    """
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; expected one of: {', '.join(options)}"


@dataclass
class Located:
    """A parsed YAML document and the 1-based line of each node, by path of keys/indexes.

    ``path`` is how the file is shown in messages (``builtin:news.yml`` for a packaged
    file); ``source`` is the file that was read, whose folder relative references in it
    are resolved against.
    """

    path: str
    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    source: Path | None = None

    @property
    def folder(self) -> Path:
        """The folder of the file that was read (relative references start here)."""
        return (self.source or Path(self.path)).parent

    def line(self, *where: Any) -> int:
        """The line of the node at ``where`` (or of its nearest parent that has one)."""
        key = tuple(where)
        while key not in self.lines and key:
            key = key[:-1]
        return self.lines.get(key, 1)

    def error(self, message: str, *where: Any, kind: type[E] | None = None,
              key: str | None = None, remedy: str | None = None) -> YamlError:
        """An error of type ``kind`` (default :class:`YamlError`) for the node at ``where``."""
        return (kind or YamlError)(self.path, self.line(*where), key, message, remedy)


def load_located(path: str | Path, *, shown: str | None = None,
                 kind: type[E] | None = None) -> Located:
    """Parse a YAML file, recording the line of every mapping key and sequence item.

    Errors (unreadable file, invalid YAML) are raised as ``kind`` (default
    :class:`YamlError`) and name the file as ``shown`` (default: ``path``).
    """
    error = kind or YamlError
    shown = shown or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise error(shown, 1, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                    "save the file as UTF-8") from None
    except OSError as exc:
        raise error(shown, 1, None, f"cannot read: {exc.strerror or exc}",
                    "check the path") from None
    return parse_located(text, shown=shown, source=Path(path), kind=kind)


def parse_located(text: str, *, shown: str, source: Path | None = None,
                  kind: type[E] | None = None) -> Located:
    """:func:`load_located` on YAML text already read (``shown`` names it in errors)."""
    error = kind or YamlError
    try:
        node, data = _parsed(text, shown, source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise error(shown, line, None,
                    f"invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except (ValueError, OverflowError) as exc:  # resolved as a date, but no such date
        line, value = _unbuildable(compose(text, shown=shown, source=source))
        raise error(shown, line, None, f"invalid date {value!r} ({exc})",
                    "write dates as YYYY-MM-DD, or quote the value") from None
    located = Located(shown, data, source=source)
    if node is not None:
        _walk(node, (), located.lines)
    return located


_PACKAGED_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""How the packaged lists and suites (``builtin:…``) are parsed: PyYAML's safe loader on
libyaml's parser when PyYAML was built with it, ten times faster than PyYAML's own
parser, the values resolved and built by the same safe loader. The two parsers differ on
odd input (a tab after a value, a bare ``!`` tag), so what a steward writes is parsed by
PyYAML's own, as always; every packaged file reads the same with either
(``tests/unit/test_yamlfile.py``)."""


def _parsed(text: str, shown: str, source: Path | None = None, *,
            build: bool = True) -> tuple[yaml.Node | None, Any]:
    """The root node of ``text`` (its lines) and, with ``build``, the data built from it:
    one parse, as ``yaml.compose`` and ``yaml.safe_load`` would return them. A packaged
    file is named ``builtin:…`` (``shown``) or read from the package (``source``)."""
    from corpus_qa.data import BUILTIN, shown_data_path

    packaged = shown.startswith(BUILTIN) or (
        source is not None and shown_data_path(source).startswith(BUILTIN))
    loader = (_PACKAGED_PARSER if packaged else yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if build and node is not None else None)
    finally:
        loader.dispose()


def compose(text: str, *, shown: str, source: Path | None = None) -> yaml.Node | None:
    """``yaml.compose(text, Loader=yaml.SafeLoader)`` (parsed as :func:`_parsed` parses the
    file named ``shown``, read from ``source``)."""
    return _parsed(text, shown, source, build=False)[0]


def _unbuildable(root: yaml.Node | None) -> tuple[int, str]:
    """The line and text of the first timestamp scalar that cannot be built (2024-13-45)."""
    stack = [root] if root is not None else []
    loader = yaml.SafeLoader("")
    bad: list[tuple[int, str]] = []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                bad.append((node.start_mark.line + 1, node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return min(bad, default=(1, ""))


def _walk(node: yaml.Node, where: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    lines.setdefault(where, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*where, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*where, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*where, index)] = item.start_mark.line + 1
            _walk(item, (*where, index), lines)
