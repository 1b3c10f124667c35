"""User regexes are vetted for catastrophic backtracking when their file is loaded.

The dangerous table holds the textbook shapes and simple disguises of each (another
group, a flag, a bounded count, a lazy or partly possessive repeat, a lookahead); the
safe table holds common patterns that look alike but cannot split text two ways. Every
regex in a packaged list must pass, and a dangerous one in a suite's list stops the run
with exit 2 naming the file, the line and the pattern.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corpus_qa.backtracking import vet_regex
from corpus_qa.checks.boilerplate import PatternError, load_patterns
from corpus_qa.checks.furniture import load_default_cues
from corpus_qa.data import builtin_names, resolve_data_path
from corpus_qa.metadata import PhraseListError, load_phrases, parse_phrases
from corpus_qa.suite import SuiteError, load_suite

DANGEROUS = {
    "textbook": r"(a+)+$",
    "same-alternatives": r"(a|a)*",
    "any-in-any": r"(.*)*",
    "star-star": r"(a*)*b",
    "non-capturing": r"(?:a+)+",
    "counted-outer": r"(a+){2,}",
    "bounded-both": r"(a{1,10}){1,100}$",
    "double-group": r"((a+))+",
    "optional-tail": r"(a+b?)+$",
    "prefix-alternatives": r"(a|aa)+$",
    "word-optional-space": r"(\w+\s?)*$",
    "alternative-repeat": r"(a+|b)+$",
    "scoped-ignorecase": r"(?i:a+)+$",
    "global-ignorecase": r"(?i)(A+)+$",
    "two-inner-repeats": r"(x+x+)+y",
    "optional-then-same": r"(?:a?a)+$",
    "class": r"([a-z]+)*$",
    "capitalised-words": r"(?:[A-Z]\w+ ?)+$",
    "anchored-digits": r"^(\d+)*$",
    "dot-plus": r"(.+)+X",
    "greedy-comma": r"(?:.*,)+X",
    "lazy-outer": r"(?:a+){1,}?$",
    "nested-star": r"((ab)*)*c",
    "lazy-plus": r"(a+)+?$",
    "in-lookahead": r"(?=(a+)+)",
    "second-of-two": r"(a+)++(b+)+$",
    "spelled-by-others": r"(?:a|b|ab)+$",
    "doubled-alternative": r"(?:ab|abab)+$",
    "nested-alternatives": r"(?:(?:x|y)|xy)+$",
    "digits-optional-comma": r"(?:\d+,?)+$",
    "space-then-word": r"(?:\s*\S+)+$",
    "two-spaces": r"(?:\s*[|,]?\s*(?:Share|Print))*$",
}

SAFE = {
    "word-then-space": r"(?:\w+ )+end",
    "until-comma": r"(?:[^,]+,)*",
    "possessive-inner": r"(a++)+$",
    "atomic-inner": r"(?>a+)+$",
    "shared-prefix": r"(Mr|Mrs)+",
    "adjacent-repeats": r"a+a+",
    "thousands": r"\d{1,3}(?:,\d{3})+",
    "fixed-body": r"(?:ab)+",
    "fixed-count": r"(a{2})+",
    "title-case-words": r"[A-Z][a-z]+(?: [A-Z][a-z]+)*",
    "tail-outside": r"(?:ab+)+b",
    "optional-word-then-bar": r"(?:Accept(?: all)?\s*\|\s*)+",
    "articles": r"(?:(?:the|a) \w+ )+",
    "one-char-alternatives": r"(\w|\d)+$",
    "possessive-spaces": r"(?:\s*+(?:[|,]\s*+)?(?:Share|Print))*$",
}


@pytest.mark.parametrize("source", list(DANGEROUS.values()), ids=list(DANGEROUS))
def test_dangerous_patterns_are_refused(source: str) -> None:
    problem = vet_regex(source)
    assert problem is not None
    assert "backtrack catastrophically" in problem
    assert "possessive" in problem  # the remedy


@pytest.mark.parametrize("source", list(SAFE.values()), ids=list(SAFE))
def test_safe_patterns_pass(source: str) -> None:
    assert vet_regex(source) is None


def test_the_message_shows_text_that_triggers_it() -> None:
    problem = vet_regex(r"(?:\d+,?)+$")
    assert problem is not None and "'000000000000000000000000!'" in problem


def _packaged_regexes() -> list[tuple[str, str]]:
    found = []
    for name in builtin_names():
        data = yaml.safe_load(resolve_data_path(f"builtin:{name}").read_text(encoding="utf-8"))

        def walk(node: object, name: str = name) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "regex" and isinstance(value, str):
                        found.append((name, value))
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(data)
    return found


def test_every_packaged_regex_passes() -> None:
    regexes = _packaged_regexes()
    assert len(regexes) > 100  # boilerplate lists, furniture cues, the metadata phrases
    refused = [(name, source) for name, source in regexes
               if re.search(r"\{[A-Z_]+\}", source) is None and vet_regex(source)]
    assert refused == []
    # Metadata regexes use {PLACEHOLDERS}: vet them as loaded (expanded).
    for signal in load_phrases(None).signals:
        assert vet_regex(signal.pattern.pattern) is None, signal.id
    assert len(load_default_cues()) > 0


def _pattern_file(tmp_path: Path, regex: str, example: str) -> Path:
    path = tmp_path / "mine.yml"
    path.write_text(
        "patterns:\n"
        "  - id: mine\n"
        f"    regex: '{regex}'\n"
        "    reason: page_furniture\n"
        "    where: anywhere\n"
        f"    example: {example}\n", encoding="utf-8")
    return path


def test_a_pattern_list_names_file_line_and_pattern(tmp_path: Path) -> None:
    path = _pattern_file(tmp_path, "(?:Share\\w* ?)+", "Share Share")
    with pytest.raises(PatternError) as caught:
        load_patterns([path])
    message = str(caught.value)
    assert message.startswith(f"{path}:3: regex: '(?:Share\\w* ?)+': nested repeats")


def test_a_phrase_list_regex_is_vetted() -> None:
    text = (
        "schema: 1\n"
        "signals:\n"
        "  source:\n"
        "    - id: bad\n"
        "      regex: 'Source: (?P<value>(?:\\w+\\s?)+)$'\n"
    )
    with pytest.raises(PhraseListError) as caught:
        parse_phrases(text, "mine.yml")
    assert str(caught.value).startswith("mine.yml:5: signals.source[0].regex: ")
    assert "backtrack catastrophically" in str(caught.value)


def test_a_metadata_match_pattern_is_vetted(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yml"
    suite.write_text(
        "name: x\n"
        "expectations:\n"
        "  - type: expect_document_metadata_to_match\n"
        "    field: source\n"
        "    pattern: '(\\w+\\s?)+$'\n", encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        load_suite(suite)
    assert f"{suite}:5: expect_document_metadata_to_match: parameter 'pattern'" in str(caught.value)
    assert "backtrack catastrophically" in str(caught.value)


def test_the_cli_refuses_a_dangerous_suite_pattern_with_exit_2(tmp_path: Path) -> None:
    patterns = _pattern_file(tmp_path, "(a+)+$", "aaa")
    suite = tmp_path / "suite.yml"
    suite.write_text(
        "name: x\n"
        "expectations:\n"
        "  - type: expect_document_to_have_no_boilerplate\n"
        f"    patterns: [{patterns.name}]\n", encoding="utf-8")
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("a" * 34 + "X\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "corpus_qa.cli", "validate", str(corpus), "--suite", str(suite)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert f"{patterns}:3: regex: '(a+)+$': nested repeats can backtrack" in result.stderr
    assert "Traceback" not in result.stderr
