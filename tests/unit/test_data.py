"""Packaged files named ``builtin:NAME``, and the one error type of every YAML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_qa.checks.boilerplate import PatternError, default_pattern_paths, load_patterns
from corpus_qa.data import (
    DATA_DIR,
    DataRefError,
    builtin_names,
    resolve_data_path,
    shown_data_path,
)
from corpus_qa.metadata import PhraseListError, load_phrases
from corpus_qa.suite import SuiteError, load_suite
from corpus_qa.yamlfile import YamlError, did_you_mean

ROOT = Path(__file__).resolve().parents[2]
LISTS = ["boilerplate/calls_to_action.yml", "boilerplate/furniture.yml",
         "boilerplate/legal.yml", "boilerplate/syndication.yml", "furniture_cues.yml",
         "metadata.yml"]


def test_every_list_and_the_news_suite_are_packaged_once() -> None:
    assert builtin_names() == sorted([*LISTS, "news.yml"])
    # The repository keeps its editable suite, but no copy of a packaged list.
    assert sorted(p.name for p in (ROOT / "expectations").iterdir()) == ["README.md", "news.yml"]


def test_builtin_reference_resolves_to_the_packaged_file() -> None:
    path = resolve_data_path("builtin:boilerplate/syndication.yml")
    assert path == DATA_DIR / "boilerplate" / "syndication.yml" and path.is_file()
    assert shown_data_path(path) == "builtin:boilerplate/syndication.yml"
    assert resolve_data_path("mine.yml", Path("suites")) == Path("suites/mine.yml")


@pytest.mark.parametrize(("ref", "hint"), [
    ("builtin:boilerplate/syndicaton.yml", "did you mean 'builtin:boilerplate/syndication.yml'?"),
    ("builtin:syndication.yml", "did you mean 'builtin:boilerplate/syndication.yml'?"),
    ("builtin:nws.yml", "did you mean 'builtin:news.yml'?"),
    ("builtin:../cli.py", "packaged files: builtin:boilerplate/calls_to_action.yml, "),
], ids=["typo", "missing-folder", "suite-typo", "outside-data"])
def test_unknown_builtin_name_suggests_the_closest(ref: str, hint: str) -> None:
    with pytest.raises(DataRefError) as info:
        resolve_data_path(ref)
    assert str(info.value).startswith(f"no packaged file '{ref}';")
    assert hint in str(info.value)


def test_packaged_suite_loads_and_matches_the_repository_suite() -> None:
    packaged = load_suite("builtin:news.yml")
    repository = load_suite(ROOT / "expectations/news.yml")
    assert packaged.path == "builtin:news.yml" and packaged.paths == ()
    assert repository.paths == ("seeds",)
    assert packaged.phrases == repository.phrases == "builtin:metadata.yml"
    strip = [(s.type, s.kwargs, s.severity, s.mostly) for s in packaged.expectations]
    assert strip == [(s.type, s.kwargs, s.severity, s.mostly) for s in repository.expectations]
    boilerplate = next(s for s in packaged.expectations
                       if s.type == "expect_document_to_have_no_boilerplate")
    # builtin: references stay as written, so results and GX exports name no local path.
    assert boilerplate.kwargs["patterns"] == default_pattern_paths()


def test_default_lists_load_from_builtin_references() -> None:
    assert default_pattern_paths() == [
        "builtin:boilerplate/syndication.yml", "builtin:boilerplate/legal.yml",
        "builtin:boilerplate/calls_to_action.yml", "builtin:boilerplate/furniture.yml"]
    assert len(load_patterns(default_pattern_paths())) > 20
    assert load_phrases("builtin:metadata.yml") is load_phrases()


def _suite(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "suite.yml"
    path.write_text(body, encoding="utf-8")
    return path


def test_suite_with_own_list_beside_builtin_lists(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "house.yml").write_text(
        "patterns:\n  - id: house_promo\n    phrase: Read our weekly digest\n"
        "    reason: call_to_action\n    where: anywhere\n"
        "    example: Read our weekly digest\n", encoding="utf-8")
    suite = load_suite(_suite(tmp_path, (
        "name: house\nexpectations:\n  - type: expect_document_to_have_no_boilerplate\n"
        "    patterns: [builtin:boilerplate/syndication.yml, lists/house.yml]\n")))
    patterns = suite.expectations[0].kwargs["patterns"]
    assert patterns == ["builtin:boilerplate/syndication.yml", str(tmp_path / "lists/house.yml")]
    assert "house_promo" in {p.id for p in load_patterns(patterns)}


@pytest.mark.parametrize(("body", "line", "hint"), [
    ("name: x\nexpectations:\n  - type: expect_document_to_have_no_boilerplate\n"
     "    patterns:\n      - builtin:boilerplate/legal.yml\n"
     "      - builtin:boilerplate/syndicaton.yml\n",
     6, "did you mean 'builtin:boilerplate/syndication.yml'?"),
    ("name: x\nmetadata:\n  phrases: builtin:metadta.yml\nexpectations:\n"
     "  - type: expect_document_to_have_no_mojibake\n",
     3, "did you mean 'builtin:metadata.yml'?"),
], ids=["pattern-list", "phrase-list"])
def test_wrong_builtin_name_in_a_suite_names_file_line(
        tmp_path: Path, body: str, line: int, hint: str) -> None:
    path = _suite(tmp_path, body)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert hint in str(info.value)


def test_wrong_builtin_suite_name() -> None:
    with pytest.raises(SuiteError,
                       match=r"^builtin:new\.yml:1: no packaged file 'builtin:new\.yml'; "
                       r"did you mean 'builtin:news\.yml'\? — pass a suite file"):
        load_suite("builtin:new.yml")


# --- one error type --------------------------------------------------------------------

PATTERN_LIST = "patterns:\n  - id: x\n    phrase: Subscribe\n    reasn: call_to_action\n"
PHRASE_LIST = "schema: 1\nsignlas: {}\n"


def _load_suite(path: Path) -> object:
    return load_suite(path)


def _load_patterns(path: Path) -> object:
    return load_patterns([path])


def _load_phrases(path: Path) -> object:
    return load_phrases(path)


@pytest.mark.parametrize(("kind", "load", "text", "line", "key", "hint"), [
    (SuiteError, _load_suite, "name: x\nexpectatons: []\n", 2, None,
     "did you mean 'expectations'?"),
    (PatternError, _load_patterns, PATTERN_LIST, 4, "reasn", "did you mean 'reason'?"),
    (PhraseListError, _load_phrases, PHRASE_LIST, 2, "signlas", "did you mean 'signals'?"),
    (SuiteError, _load_suite, "name: [x\n", 2, None, "invalid YAML"),
    (PatternError, _load_patterns, "patterns: [x\n", 2, None, "invalid YAML"),
    (PhraseListError, _load_phrases, "schema: [1\n", 2, None, "invalid YAML"),
], ids=["suite", "pattern-list", "phrase-list", "suite-yaml", "pattern-yaml", "phrase-yaml"])
def test_every_yaml_file_kind_raises_the_one_error_type(
        tmp_path: Path, kind: type, load: object, text: str, line: int, key: str | None,
        hint: str) -> None:
    path = tmp_path / "file.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load(path)  # type: ignore[operator]
    error = info.value
    assert type(error) is kind and type(error).__bases__ == (YamlError,)
    assert (error.path, error.line, error.key) == (str(path), line, key)
    assert str(error).startswith(f"{path}:{line}: " + (f"{key}: " if key else ""))
    assert hint in str(error)


def test_subclasses_add_nothing_but_a_name() -> None:
    for kind in (SuiteError, PatternError, PhraseListError):
        assert set(vars(kind)) <= {"__module__", "__doc__", "__qualname__", "__firstlineno__",
                                   "__static_attributes__"}


def test_error_reads_problem_then_remedy() -> None:
    error = YamlError("s.yml", 3, "mostly", "must be a number between 0 and 1", "write 0.95")
    assert str(error) == "s.yml:3: mostly: must be a number between 0 and 1 — write 0.95"
    assert str(error.retyped(SuiteError, context="pattern list of x.yml:2")) == (
        "s.yml:3: mostly: must be a number between 0 and 1 (pattern list of x.yml:2) — write 0.95")


def test_one_did_you_mean_is_used_everywhere() -> None:
    import corpus_qa.checks.boilerplate as bp
    import corpus_qa.metadata as md
    import corpus_qa.suite as suite

    assert suite.did_you_mean is did_you_mean and bp.did_you_mean is did_you_mean
    assert md.did_you_mean is did_you_mean
    for module in (bp, md, suite):
        assert "difflib" not in vars(module)
