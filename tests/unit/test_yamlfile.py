"""corpus_qa/yamlfile.py: each file parsed once — the packaged ones by libyaml when PyYAML
has it, a steward's by PyYAML's own parser — reading what ``yaml.compose`` and
``yaml.safe_load`` read: the same data, lines and mistakes (start-up, issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from corpus_qa import yamlfile
from corpus_qa.data import BUILTIN, DATA_DIR
from corpus_qa.yamlfile import YamlError, compose, load_located, parse_located

PACKAGED = sorted(DATA_DIR.glob("**/*.yml"))


def _reference(text: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """What the pure-Python safe loader reads: the data and each node's line."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        yamlfile._walk(node, (), lines)
    return yaml.safe_load(text), lines


def _reference_error(text: str) -> str:
    try:
        _reference(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or exc
        return f"x.yml:{mark.line + 1 if mark else 1}: invalid YAML: {problem}"
    raise AssertionError("the reference read it")


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")
def test_libyaml_parses_the_packaged_files() -> None:
    assert yamlfile._PACKAGED_PARSER is yaml.CSafeLoader


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")
def test_a_packaged_file_read_by_its_path_is_parsed_by_libyaml(
        monkeypatch: pytest.MonkeyPatch) -> None:
    parsers: list[type] = []
    libyaml, own = yaml.CSafeLoader, yaml.SafeLoader

    def spy(parser: type) -> type:
        class Spy(parser):  # type: ignore[misc, valid-type]
            def __init__(self, text: str) -> None:
                parsers.append(parser)
                super().__init__(text)
        return Spy

    monkeypatch.setattr(yamlfile, "_PACKAGED_PARSER", spy(libyaml))
    monkeypatch.setattr(yamlfile.yaml, "SafeLoader", spy(own))
    load_located(DATA_DIR / "furniture_cues.yml")  # as the furniture check loads its cues
    parse_located("a: 1\n", shown="mine.yml")
    assert parsers == [libyaml, own]


@pytest.mark.parametrize("path", PACKAGED, ids=lambda p: p.relative_to(DATA_DIR).as_posix())
def test_every_packaged_file_reads_as_the_safe_loader_reads_it(path: Path) -> None:
    assert len(PACKAGED) >= 7
    text = path.read_text(encoding="utf-8")
    shown = BUILTIN + path.relative_to(DATA_DIR).as_posix()
    located = parse_located(text, shown=shown)
    assert (located.data, located.lines) == _reference(text)
    assert repr(compose(text, shown=shown)) == repr(yaml.compose(text, Loader=yaml.SafeLoader))
    by_path = load_located(path)
    assert (by_path.data, by_path.lines) == (located.data, located.lines)


BROKEN = {
    "unclosed flow": "a: [1, 2\nb: 3\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "tab": "a:\n\tb: 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "colon in plain scalar": "a: b: c\n",
    "unknown tag": "a: !!python/object:os.system x\n",
    "control character": "a: \x01\n",
    "unclosed quote": 'a: "x\n',
    "undefined alias": "a: *missing\n",
}


@pytest.mark.parametrize("text", BROKEN.values(), ids=BROKEN.keys())
def test_a_mistake_reads_as_the_safe_loader_words_it(text: str) -> None:
    with pytest.raises(YamlError) as raised:
        parse_located(text, shown="x.yml")
    assert str(raised.value) == _reference_error(text)


@given(st.text(alphabet="ab:-[]{}#&*!|>'\"? \n\t1,.%@`~\\é", max_size=40))
def test_a_steward_s_text_reads_or_fails_as_with_the_safe_loader(text: str) -> None:
    """On text like this libyaml's parser and PyYAML's differ (``1\\t``, ``!``, ``|#``):
    a steward's file is read by PyYAML's."""
    try:
        expected: Any = _reference(text)
    except yaml.YAMLError:
        expected = _reference_error(text)
    except (ValueError, OverflowError, TypeError):  # not YAML mistakes: not compared here
        return
    try:
        located = parse_located(text, shown="x.yml")
        got: Any = (located.data, located.lines)
    except YamlError as exc:
        got = str(exc)
    assert got == expected
