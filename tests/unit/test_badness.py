"""Stage 1 of the mojibake check is ftfy's badness regex, rewritten from ftfy's own pattern:
the rewrite must give ``ftfy.badness.is_bad``'s verdict on every text, follow ftfy when it
changes, and fall back to ftfy's regex (with a warning) when it cannot be derived."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import ftfy
import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.mojibake_confusion import misdecoded_corpus
from corpus_qa.checks import badness, encoding

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_ftfy_is_the_one_the_rewrite_was_proved_on() -> None:
    # When this fails, ftfy changed: run this file and tests/property/test_encoding_props.py
    # against it (the rewrite follows ftfy's pattern by itself), then update
    # badness.CHECKED_FTFY and the pin in constraints.txt.
    version, digest = badness.CHECKED_FTFY
    assert (ftfy.__version__, badness.fingerprint(BADNESS_RE.pattern)) == (version, digest)
    assert f"ftfy=={version}" in (ROOT / "constraints.txt").read_text().split()


def test_a_changed_ftfy_pattern_is_caught_by_the_pin() -> None:
    changed = BADNESS_RE.pattern.replace("[{c1}]".format(**MOJIBAKE_CATEGORIES), "[\x80-\x9e]")
    assert changed != BADNESS_RE.pattern
    assert badness.fingerprint(changed) != badness.CHECKED_FTFY[1]


def test_the_installed_pattern_is_rewritten_not_used_as_it_is() -> None:
    assert encoding._UNREWRITTEN_RE is None
    alternatives = badness.rewrite(BADNESS_RE)
    assert len(alternatives) >= len(BADNESS_RE.pattern.split("\n    |"))
    # The anchors are single characters that are never ASCII.
    union = re.compile("|".join(a.anchor for a in alternatives))
    assert not any(union.fullmatch(chr(c)) for c in range(128))


def test_verdicts_are_ftfys_on_a_generated_and_misdecoded_corpus() -> None:
    texts = misdecoded_corpus(3000, seed=13)
    bad = [is_bad(t) for t in texts]
    assert 0.1 < sum(bad) / len(texts) < 0.9  # both verdicts are well represented
    assert [encoding.is_bad(t) for t in texts] == bad
    # Every match of ftfy's regex holds a character stage 1 hands to the confirmation.
    for text in texts:
        suspicious = {m.start() for m in encoding._SUSPICIOUS_RE.finditer(text)}
        for match in BADNESS_RE.finditer(text):
            assert suspicious.intersection(range(*match.span())), (text, match)


_ALPHABET = st.sampled_from(
    sorted(set("".join(MOJIBAKE_CATEGORIES.values()).replace("-", ""))
           | set("ÂÃÎÐ×ØÙà√≈‚ÄЂβ€āВГРСΒΓΞΟўaz AZ.,!?\n\t") | {"\x81", "\x9d", "\xa0"})
)
_BRANCHES = ["".join(a.source for a in alt)
             for alt in badness.alternatives(BADNESS_RE.pattern, BADNESS_RE.flags)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_BRANCHES), min_size=1, max_size=8, unique=True),
       st.lists(st.text(_ALPHABET, max_size=12), min_size=1, max_size=6))
def test_any_selection_of_ftfys_alternatives_is_rewritten_exactly(branches: list[str],
                                                                   texts: list[str]) -> None:
    # ftfy may add, drop or reorder alternatives: the rewrite of any selection of them
    # matches where the selection matches.
    original = re.compile("|".join(branches))
    rewritten = badness.one_pass(badness.rewrite(original))
    for text in texts:
        assert (rewritten.search(text) is None) is (original.search(text) is None), text


@pytest.mark.parametrize("pattern, why", [
    ("(?:Ã)©", "'('"),
    ("Ã+©", "'+'"),
    ("Ã©|", "empty alternative"),
    ("[a-z] [A-Z]", "ASCII only"),
    ("Ã\\N{COPYRIGHT SIGN}", "escape"),
])
def test_constructs_the_parser_does_not_know_are_refused(pattern: str, why: str) -> None:
    with pytest.raises(badness.UnsupportedPattern, match=re.escape(why.split()[0])):
        badness.rewrite(re.compile(pattern, re.VERBOSE))


def test_a_pattern_that_cannot_be_rewritten_is_used_as_it_is_with_a_warning(monkeypatch) -> None:
    odd = re.compile("(?:в)Ђ", re.VERBOSE)  # a group: the parser refuses it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast, suspicious, unrewritten, start, shape_screen = encoding._stages(odd)
    assert unrewritten is odd and fast is odd
    assert start is None  # ftfy's regex can start a match anywhere: nothing is screened
    assert shape_screen is None
    assert "could not be rewritten" in str(caught[0].message)
    text = "It was вЂ™ here."  # "’" read as cp1251: only the badness regex sees it
    assert suspicious.search(text) is None
    monkeypatch.setattr(encoding, "_SUSPICIOUS_RE", suspicious)
    monkeypatch.setattr(encoding, "_UNREWRITTEN_RE", unrewritten)
    monkeypatch.setattr(encoding, "_SUSPICIOUS_START_RE", start)
    monkeypatch.setattr(encoding, "_SHAPE_SCREEN", shape_screen)
    assert not encoding.mojibake_settled(encoding.rare_characters(text))
    assert not encoding._settled_by_shape(*encoding.screened(text))
    assert not encoding.mojibake_ok(text)
    assert encoding._candidate_spans(text) == [((7, 10), (7, 10))]
    (hit,) = encoding.find_mojibake(text)
    assert hit.suggestion == "’"
