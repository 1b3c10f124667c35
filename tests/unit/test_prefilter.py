"""corpus_qa.checks.prefilter: the first characters of a regex's match, and the characters
every match holds, are necessary."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_qa.checks.boilerplate import load_default_patterns, scoped_flags
from corpus_qa.checks.prefilter import can_start, first_characters, needed_characters, relaxed


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
    (r"(?:\d{1,6} [Cc]omments?|Comments)", "\u0663 comments"),  # ARABIC-INDIC THREE
    (r"[\w-]+ \d", "\u00e9t\u00e9 2"),
    (r"\s*\|", "\u2003|"),                                     # EM SPACE
])
def test_a_text_the_pattern_matches_starts_with_one_of_them(source: str, text: str) -> None:
    assert re.fullmatch(source, text)
    assert can_start(first_characters(source), text[0])
    assert needed_characters(source) <= set(text)


def test_the_first_characters_are_read_from_what_the_pattern_consumes() -> None:
    assert first_characters(r"(?i)abc") is None        # case-insensitive letters: any
    assert first_characters(r"(?i)\(c\)") == {"("}     # a caseless character stays
    assert first_characters(r"a?") is None              # may be empty: any
    assert first_characters(r"[^a]b") is None           # negated class: any
    assert first_characters(r"(?=x)?[ab]c") == {"a", "b"}
    assert first_characters(r"(?:Home|News)(?: \| \w+)+") == {"H", "N"}
    assert first_characters(r"x*[0-2]") == {"x", "0", "1", "2"}


def test_the_needed_characters_are_read_from_what_every_match_consumes() -> None:
    assert needed_characters(r"(?i)abc") == frozenset()      # case-insensitive letters
    assert needed_characters(r"(?i)\(c\)") == {"(", ")"}     # caseless characters stay
    assert needed_characters(r"a?b*c{0,2}") == frozenset()    # optional
    assert needed_characters(r"(?:a|ab)(?:xa|ya)") == {"a"}   # in every branch
    assert needed_characters(r"(?=x)y(?!z)[q]") == {"y", "q"}  # look-arounds consume none
    assert needed_characters(r"[^(]*+[(]x{2,}") == {"(", "x"}
    assert needed_characters(r"(?:(?:a|b)c)+|c") == {"c"}


_PATTERNS = [p for p in load_default_patterns()]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), pattern=st.sampled_from(_PATTERNS))
def test_every_match_of_a_default_pattern_holds_its_needed_characters(data, pattern) -> None:  # type: ignore[no-untyped-def]
    source = scoped_flags(pattern.source)
    text = data.draw(st.from_regex(source, fullmatch=True), label="text")
    assert needed_characters(source) <= set(text)
    assert pattern.example and needed_characters(source) <= set(pattern.example)


@pytest.mark.parametrize("source", [r"\d", r"\w", r"\s", r"(?a)\d", r"(?a)\w", r"(?a)\s",
                                    r"[\d,]", r"[_\s]"])
def test_a_class_by_name_can_start_with_every_character_re_matches(source: str) -> None:
    first = first_characters(source)
    assert first is not None
    regex = re.compile(source)
    for code in range(0x110000):
        char = chr(code)
        if regex.fullmatch(char):
            assert can_start(first, char), (source, hex(code))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), pattern=st.sampled_from(_PATTERNS))
def test_every_match_of_a_default_pattern_starts_with_one_of_its_first_characters(
    data, pattern  # type: ignore[no-untyped-def]
) -> None:
    source = scoped_flags(pattern.source)
    text = data.draw(st.from_regex(source, fullmatch=True), label="text")
    assert can_start(first_characters(source), text[0])


@pytest.mark.parametrize(("source", "unit", "rest"), [
    (r"Read more\.$", "Read more.", " The story goes on."),         # an end anchor
    (r"Ad\b", "Ad", "vertising"),                                 # a word boundary
    (r"Sponsored\Z", "Sponsored", " content"),
    (r"(?!Breaking)[A-Z]\w*+ alert", "Weather alert", " issued."),  # look-ahead, possessive
    (r"Photo: [^.]*+", "Photo: Jane Smith", ". More text"),        # possessive up to the end
    (r"(?>Share|Tweet) this", "Tweet this", " now"),              # atomic group
    (r"(?=.*permission$)Used with permission", "Used with permission", " of AP."),
    (r"(?<=\n)Menu", "Menu", " Home"),                              # a look-behind is kept
    (r"(?i:follow\s+us)", "FOLLOW  us", " on X"),
    (r"(?:\d{1,3}+ min(?:ute)?s? read)", "4 min read", "ing"),
])
def test_a_relaxed_pattern_matches_wherever_the_text_goes_on(
    source: str, unit: str, rest: str
) -> None:
    text = "\n" + unit + rest
    regex = re.compile(source)
    assert regex.fullmatch(text, 1, 1 + len(unit))
    loose = relaxed(source)
    assert loose is not None
    assert re.compile(loose).match(text, 1, len(text))


def test_what_cannot_be_relaxed_is_none() -> None:
    assert relaxed(r"(a)?(?(1)b|c)") is None  # a conditional group
    assert relaxed(r"(?x)a b") is None  # a global flag (a suite's pattern has it scoped)
    assert relaxed(scoped_flags(r"(?x)a b")) == "(?:ab)"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), pattern=st.sampled_from(_PATTERNS), rest=st.text(max_size=20))
def test_every_match_of_a_default_pattern_is_matched_by_its_relaxed_form(
    data, pattern, rest: str  # type: ignore[no-untyped-def]
) -> None:
    # injected: a text the pattern matches whole; harmless: any text after it
    source = scoped_flags(pattern.source)
    loose = relaxed(source)
    assert loose is not None, pattern.id  # every packaged pattern can be relaxed
    text = data.draw(st.from_regex(source, fullmatch=True), label="text")
    assert re.compile(loose).match(text + rest)
