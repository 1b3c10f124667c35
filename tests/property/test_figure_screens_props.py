"""The figure extractor's shortcuts are exact: each screen that lets a recogniser skip a
text is a necessary condition of its pattern matching, and each pattern tried only at
the places one scan found finds what a scan of its own finds.

Texts are runs of what the recognisers look for (``tests/fixtures/figure_texts.py``),
mixed with arbitrary characters. ``tests/unit/test_figures_recorded.py`` checks the
whole extractor against its output before the shortcuts."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_qa.checks import figures as F
from tests.fixtures.figure_texts import _SEPARATORS, _SOUP

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PIECE = st.sampled_from(_SOUP) | st.sampled_from(_SEPARATORS) | st.text(max_size=3)
TEXTS = st.lists(_PIECE, max_size=30).map("".join)


def _months(text: str) -> list[int]:
    return [m.start() for m in F._MONTH_DATE.finditer(text)]


@SETTINGS
@given(TEXTS)
def test_a_day_before_a_month_name_is_there_when_day_month_matches(text: str) -> None:
    if F._DAY_MONTH.search(text):
        assert any(F._day_before(text, at) for at in _months(text))


@SETTINGS
@given(TEXTS)
def test_screens_hold_when_their_pattern_matches(text: str) -> None:
    lang = F._Language(text, None)
    if F._TIME.search(text):
        assert F._may_have_times(text, lang)
    if F._WORD_QUANTITY.search(text):
        assert lang.has_number_word
    for pattern in (F._DIGIT_QUANTITY, F._RANGE, F._ISO_DATE, F._DECADE):
        if pattern.search(text):
            assert lang.has_digit
    for pattern, words in ((F._FRACTION, F._FRACTION_RUNS), (F._SCALE_FRACTION,
                           F._FRACTION_RUNS), (F._FACTOR, F._FACTOR_RUNS),
                           (F._INEXACT, F._INEXACT_RUNS)):
        if pattern.search(text):
            assert lang.has_any(words)
        fresh = F._Language(text, None)
        runs = re.findall(r"[a-z]+", fresh.lower)  # the runs of ASCII letters, by a regex
        assert fresh.has_any(words) == any(run.encode() in words for run in runs)


@SETTINGS
@given(TEXTS)
def test_the_currency_screen_changes_nothing(text: str) -> None:
    for start in range(len(text) + 1):
        m = F._CURRENCY_BEFORE.search(text, max(0, start - 4), start)
        expected = (start, "") if m is None else (
            m.start(), F._CURRENCY_SIGNS[m.group(0).strip().lower()])
        assert F._currency_before(text, start) == expected


@SETTINGS
@given(st.lists(TEXTS | st.sampled_from(["der die und", "the and of", "le la et"]),
                min_size=1, max_size=12))
def test_the_language_of_a_version_is_the_sum_of_its_blocks(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    blocks = list(F._blocks(text))
    per_version = F.PerVersion([("a", text)])
    assert per_version._comma_decimal(text, blocks) == F.decimal_comma(text)
    words = [w.lower() for w in F._WORD.findall(text, 0, F._LANGUAGE_CHARS)]
    assert F._language_words(text[:F._LANGUAGE_CHARS]) == (
        sum(w in F._COMMA_WORDS for w in words), sum(w in F._ENGLISH_WORDS for w in words))


def test_the_trie_matches_the_words_and_nothing_else() -> None:
    words = [*F._UNITS, *F._TENS, "hundred", *F._BIG, "dozen"]
    trie = re.compile(rf"(?:{F._trie(words)})\Z")
    assert all(trie.match(w) for w in words)
    assert not any(trie.match(w[:-1]) for w in words if w[:-1] not in words)
    assert not any(trie.match(w + "x") for w in words)
