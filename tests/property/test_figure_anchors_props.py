"""The figure extractor's faster anchors and fast paths (issue 13, session 15) give
exactly what the code they replaced gave.

- month names and digits are found by patterns that open with a plain character (the
  regex engine's own skip loop) instead of a look-ahead tried at every position;
- month names and the "December 18" or "December 2023" that starts at each are one
  scan instead of a scan for the names and two patterns tried at each;
- the number-word screen reads the ASCII letter runs of the lowered bytes instead of a
  regex;
- a day before a month name, a figure's hedge and the claimed spans have fast paths.

The replaced code is kept below as a test-local reference (the package holds one copy).
Texts are runs of what the recognisers look for (``tests/fixtures/figure_texts.py``:
numbers, dates, money, percentages, number words, several languages), mixed with
arbitrary characters. ``tests/unit/test_figures_recorded.py`` checks the whole extractor
against its recorded output.
"""

from __future__ import annotations

import bisect
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_qa.checks import figures as F
from corpus_qa.text.calendar import MONTH_PATTERN
from tests.fixtures.figure_texts import _SEPARATORS, _SOUP

SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PIECE = st.sampled_from(_SOUP) | st.sampled_from(_SEPARATORS) | st.text(max_size=3)
TEXTS = st.lists(_PIECE, max_size=30).map("".join)
# What a day before a month name is made of, densely: digits, day suffixes, "of", spaces.
_DAYISH = st.lists(st.sampled_from([
    "7", "18", "١٨", "th", "st", "nd", "rd", "h", "d", "f", "of", "oft", "x", " ", "  ", "\n",
    "\u00a0", "December", "Dec.", "May", ",", "."]), max_size=12).map("".join)

# --- the replaced code ------------------------------------------------------------------

_OLD_MONTH_AT = re.compile(rf"(?=[JFMASOND])\b{MONTH_PATTERN}")
_OLD_MONTH = f"(?P<month>{MONTH_PATTERN})"
_OLD_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?(?![\d:]|[.,]\d)"
_OLD_YEAR = r"(?P<year>\d{4})(?!\d)"
_OLD_MONTH_DAY = re.compile(rf"(?=[JFMASOND])\b{_OLD_MONTH}\s+{_OLD_DAY}\b(?:,?\s+{_OLD_YEAR})?")
_OLD_MONTH_YEAR = re.compile(rf"(?=[JFMASOND])\b{_OLD_MONTH}\s+(?:of\s+)?{_OLD_YEAR}")
_OLD_DIGITS = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d|[.,]\d)"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d|[.,]\d)"
    r"|\d{1,3}(?:[ \n\u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?(?!\d)"
    r"|\d+(?:\.\d+|,\d{1,2}(?!\d))?)"
)
_OLD_DIGIT_QUANTITY = re.compile(
    rf"(?=[0-9])(?P<digits>{_OLD_DIGITS})(?P<scale>{F._SCALE})?", re.IGNORECASE)
_OLD_NUMBER_WORD_ALONE = re.compile(
    rf"\b(?:{F._trie([*F._UNITS, *F._TENS, 'hundred', *F._BIG, 'dozen'])})\b")
_OLD_TIME_SCREEN = re.compile(r"\d(?::|\s*[ap]\.?m)", re.IGNORECASE)


def _old_day_before(text: str, at: int) -> bool:
    i = at
    while i and text[i - 1].isspace():
        i -= 1
    if i == at:
        return False
    ends = [i]
    if text[i - 2 : i] == "of" and i > 2 and text[i - 3].isspace():
        j = i - 2
        while j and text[j - 1].isspace():
            j -= 1
        ends.append(j)
    for end in ends:
        if end and text[end - 1].isdecimal():
            return True
        if end >= 3 and text[end - 2 : end] in F._DAY_SUFFIXES and text[end - 3].isdecimal():
            return True
    return False


def _old_qualifier(text: str, start: int) -> str:
    if not start or not text[start - 1].isspace():
        return ""
    split = text[max(0, start - 40) : start].split()
    if not split or split[-1].lower() not in F._QUALIFIER_ENDS:
        return ""
    words = tuple(w.lower() for w in split[-3:])
    for n in (3, 2, 1):
        if words[-n:] in F._QUALIFIERS and len(words) >= n:
            return " ".join(words[-n:])
    return ""


class _OldClaims:
    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def covers(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos)
        return i > 0 and self.ends[i - 1] > pos

    def take(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        if i and self.ends[i - 1] > start or i < len(self.starts) and self.starts[i] < end:
            return False
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


def _groups(m: re.Match[str]) -> tuple[object, ...]:
    return (m.span(), *(m.span(g) for g in m.re.groupindex))


# --- the properties -----------------------------------------------------------------------


@SETTINGS
@given(TEXTS | _DAYISH)
def test_one_scan_finds_the_month_names_and_the_dates_the_old_patterns_found(text: str) -> None:
    found = list(F._MONTH_DATE.finditer(text))
    assert [(m.start(), m.group("month")) for m in found] == [
        (m.start(), m.group()) for m in _OLD_MONTH_AT.finditer(text)]
    days = [(m.span(), m.span("month"), m.span("day"), m.span("year"))
            for m in found if m["day"] is not None]
    alone = [(m.span(), m.span("month"), m.span("alone")) for m in found if m["alone"] is not None]
    assert days == [(m.span(), m.span("month"), m.span("day"), m.span("year"))
                    for m in _OLD_MONTH_DAY.finditer(text)]
    assert alone == [(m.span(), m.span("month"), m.span("year"))
                     for m in _OLD_MONTH_YEAR.finditer(text)]


@SETTINGS
@given(TEXTS)
def test_digits_are_read_as_they_were(text: str) -> None:
    assert [_groups(m) for m in F._DIGIT_QUANTITY.finditer(text)] == [
        _groups(m) for m in _OLD_DIGIT_QUANTITY.finditer(text)]


@SETTINGS
@given(TEXTS | TEXTS.map(str.lower))
def test_the_number_word_screen_holds_where_the_old_one_did(text: str) -> None:
    lang = F._Language(text, None)
    if _OLD_NUMBER_WORD_ALONE.search(lang.lower):
        assert lang.has_number_word
    if F._WORD_QUANTITY.search(text):
        assert lang.has_number_word


@SETTINGS
@given(TEXTS)
def test_the_time_screen_holds_where_the_time_pattern_matches(text: str) -> None:
    if F._TIME.search(text):
        assert F._TIME_SCREEN.search(text)
    if F._TIME_SCREEN.search(text):
        assert _OLD_TIME_SCREEN.search(text)


@SETTINGS
@given(TEXTS | _DAYISH)
def test_a_day_before_a_month_name_is_told_as_it_was(text: str) -> None:
    for at in range(len(text) + 1):
        assert F._day_before(text, at) == _old_day_before(text, at), at


@SETTINGS
@given(TEXTS)
def test_a_hedge_is_read_as_it_was(text: str) -> None:
    for start in range(len(text) + 1):
        assert F._qualifier(text, start) == _old_qualifier(text, start), start


@SETTINGS
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.just(n), st.lists(
    st.tuples(st.integers(0, n - 1), st.integers(1, 8)), max_size=25))))
def test_claims_are_taken_as_they_were(case: tuple[int, list[tuple[int, int]]]) -> None:
    size, spans = case
    new, old = F._Claims(size), _OldClaims()
    for start, length in spans:
        end = min(size, start + length)
        assert new.take(start, end) == old.take(start, end)
        assert [bool(b) for b in new.taken] == [old.covers(pos) for pos in range(size)]


# What the word screens guard, densely: the words of every ``*_RUNS`` set and their
# neighbours in the patterns, in any case and with the letters ``re.IGNORECASE`` folds,
# glued by what may or may not make a word boundary.
_RUN_WORDS = [
    "double", "triple", "quadruple", "ing", "d", "s", "fold", "twice", "thrice", "two",
    "three", "four", "five", "ten", "half", "halves", "third", "quarter", "tens", "hundreds",
    "dozens", "scores", "thousands", "millions", "billions", "several", "few", "tausende",
    "Zehn", "Hundert", "hunderte", "dutzende", "des", "dizaines", "centaines", "milliers",
    "milliards", "decenas", "cientos", "centenares", "miles", "millones", "one", "eleven",
    "twenty", "hundred", "thousand", "million", "billion", "trillion", "dozen", "a", "an",
    "of", "de", "and", "am", "pm", "p.m.", "a.m", "5", "12",
]
_RUN_GLUE = ["", " ", "  ", "-", "\n", "é", "3", "_", "'", ".", ",", "ſ", "İ", "ı", "\u212a"]
_RUN_WORD = st.sampled_from(_RUN_WORDS).flatmap(lambda w: st.sampled_from([
    w, w.upper(), w.title(), w.replace("s", "ſ"), w.replace("i", "ı"),
    w.upper().replace("I", "İ")]))
_RUN_TEXTS = st.lists(
    st.lists(_RUN_WORD, min_size=1, max_size=3).map("".join) | st.sampled_from(_RUN_GLUE),
    max_size=12).map("".join)


def _word_screens_hold(text: str) -> None:
    lang = F._Language(text, None)
    for pattern, words in ((F._FRACTION, F._FRACTION_RUNS), (F._SCALE_FRACTION,
                           F._FRACTION_RUNS), (F._FACTOR, F._FACTOR_RUNS),
                           (F._INEXACT, F._INEXACT_RUNS)):
        if pattern.search(text):
            assert lang.has_any(words), pattern.pattern
    if F._WORD_QUANTITY.search(text):
        assert lang.has_number_word
    if F._TIME.search(text):
        assert F._may_have_times(text, lang)


@settings(SETTINGS, max_examples=2000)
@given(_RUN_TEXTS | TEXTS)
def test_the_word_screens_hold_where_their_patterns_match(text: str) -> None:
    _word_screens_hold(text)


def test_the_word_screens_hold_on_every_two_words() -> None:
    """Every pair of the words above, joined by nothing, a space or a hyphen, in lower and
    upper case, and before "of"/"de" (what some patterns need after them)."""
    for first in _RUN_WORDS:
        for second in _RUN_WORDS:
            for glue in ("", " ", "-"):
                for text in (f"{first}{glue}{second} of x", f"{first}{glue}{second} de x"):
                    for cased in (text, text.upper()):
                        _word_screens_hold(cased)


def _old_plural(word: str) -> bool:
    w = word.lower().rstrip("'’")
    return w in F._IRREGULAR_PLURALS or F._singular(w) != w


_WORDISH = st.lists(st.sampled_from([
    "police", "people", "series", "staff", "bus", "buses", "countr", "ies", "s", "'s", "’", "'",
    "S", "İ", "ſ", "x", "ch", "es", "is", "us", "news", "Men"]), max_size=4).map("".join)


@SETTINGS
@given(_WORDISH | st.text(max_size=6))
def test_a_plural_is_told_as_it_was(word: str) -> None:
    assert F._plural(word) == _old_plural(word)


def _old_digits_value(digits: str, comma_decimal: bool) -> float:
    if digits.isdecimal():
        return float(digits)
    d = F._DIGIT_SPACES.sub("", digits).replace("−", "-")
    commas, dots = d.count(","), d.count(".")
    if commas and dots:
        decimal = "," if d.rfind(",") > d.rfind(".") else "."
        group = "." if decimal == "," else ","
        return float(d.replace(group, "").replace(decimal, "."))
    if commas + dots == 0:
        return float(d)
    mark = "," if commas else "."
    if commas + dots > 1:
        return float(d.replace(mark, ""))
    fraction = d.split(mark)[1]
    if len(fraction) != 3 or (mark == ",") == comma_decimal:
        return float(d.replace(mark, "."))
    return float(d.replace(mark, ""))


@SETTINGS
@given(TEXTS, st.booleans())
def test_digits_are_valued_as_they_were(text: str, comma: bool) -> None:
    for m in F._DIGIT_QUANTITY.finditer(text):
        assert F._digits_value(m["digits"], comma) == _old_digits_value(m["digits"], comma)


@SETTINGS
@given(TEXTS)
def test_letters_glued_after_a_number_are_looked_for_where_they_can_be(text: str) -> None:
    for end in range(len(text) + 1):
        after = text[end : end + 1]
        if F._LETTERS.match(text, end):
            assert after.isalnum() and not after.isdecimal()


@SETTINGS
@given(_RUN_TEXTS | TEXTS)
def test_the_runs_are_those_of_the_lowered_text(text: str) -> None:
    lang = F._Language(text, None)
    runs = {run.encode() for run in re.findall(r"[a-z]+", lang.lower)}
    assert lang.runs == F._SCREEN_RUNS & runs
