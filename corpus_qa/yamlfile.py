"""Read YAML keeping the line of every key, so errors can say ``file:line: …``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class YamlError(Exception):
    """A YAML file is unreadable or malformed; the message starts with ``file:line:``."""


@dataclass
class Located:
    """A parsed YAML document and the 1-based line of each node, by path of keys/indexes."""

    path: str
    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def line(self, *where: Any) -> int:
        """The line of the node at ``where`` (or of its nearest parent that has one)."""
        key = tuple(where)
        while key not in self.lines and key:
            key = key[:-1]
        return self.lines.get(key, 1)

    def error(self, message: str, *where: Any) -> YamlError:
        """An error for the node at ``where``, prefixed with ``file:line:``."""
        return YamlError(f"{self.path}:{self.line(*where)}: {message}")


def load_located(path: str | Path) -> Located:
    """Parse a YAML file, recording the line of every mapping key and sequence item."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError(f"{shown}:1: cannot read: {exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise YamlError(f"{shown}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    located = Located(shown, data)
    if node is not None:
        _walk(node, (), located.lines)
    return located


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
