"""corpus_qa.checks.prefilter: the first characters of a regex's match are necessary."""

from __future__ import annotations

import re

import pytest

from corpus_qa.checks.prefilter import first_characters


@pytest.mark.parametrize(("source", "text"), [
    (r"(?i)kelvin", "\u212aELVIN"),      # KELVIN SIGN folds to k
    (r"(?i:s)tate", "\u017ftate"),        # LONG S folds to s
    (r"[A-Z]\w+ \| \w+", "Home | News"),
    (r"(?:\d+ )?comments?", "12 comments"),
    (r"(?:[^(\n]++|\((?!AP))*+\(AP Photo\)", "Smith (AP Photo)"),
    (r"(?=Adv)Advertisement", "Advertisement"),
    (r"x{0}Ad", "Ad"),
    (r"(?:Share|Tweet)(?: this)?", "Tweet this"),
    (r"(?>©|\(c\)) 2024", "(c) 2024"),
])
def test_a_text_the_pattern_matches_starts_with_one_of_them(source: str, text: str) -> None:
    assert re.fullmatch(source, text)
    first = first_characters(source)
    assert first is None or text[0] in first


def test_the_first_characters_are_read_from_what_the_pattern_consumes() -> None:
    assert first_characters(r"(?i)abc") is None        # case-insensitive letters: any
    assert first_characters(r"(?i)\(c\)") == {"("}     # a caseless character stays
    assert first_characters(r"a?") is None              # may be empty: any
    assert first_characters(r"[^a]b") is None           # negated class: any
    assert first_characters(r"(?=x)?[ab]c") == {"a", "b"}
    assert first_characters(r"(?:Home|News)(?: \| \w+)+") == {"H", "N"}
    assert first_characters(r"x*[0-2]") == {"x", "0", "1", "2"}
