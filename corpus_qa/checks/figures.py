"""Figures in news text, and whether versions of a story report the same ones.

:func:`extract_figures` finds numbers, amounts, dates and quantities with a
normalised value, a kind, the noun they count and any qualifier ("about", "more
than"). :func:`compare_figures` aligns the sentences of two versions and pairs their
figures; :func:`check_consistent_figures` turns the pairs whose values differ into
``figure_changed`` hits for every version of a story.

>>> for f in extract_figures("more than half a million migrants crossed on Dec. 18"):
...     print(repr(f.text), f.value, f.kind, repr(f.noun), repr(f.qualifier))
'half a million' 500000 number 'migrants' 'more than'
'Dec. 18' --12-18 date '' ''

Why our own extractor: quantulum3, number-parser and text2num were measured on the
case table in ``tests/unit/figure_cases.yml`` (see ``docs/figures.md``); none handles
dates, year ranges, "a half-million" and the "one" pronoun together.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from corpus_qa.checks.sentences import DEFAULT_THRESHOLD, Alignment, SharedBlocks, Side, align
from corpus_qa.findings import Hit, Related
from corpus_qa.text.calendar import MONTH_ABBREVIATIONS, MONTH_PATTERN, MONTHS, month_number
from corpus_qa.text.segment import Sentence

Value = int | float | str
"""A figure's normalised value: a number, or a canonical string (dates, times, ranges)."""


@dataclass(frozen=True, slots=True, init=False)
class Figure:
    """One figure found in a text.

    ``text``/``span`` cover the quantity as written, with its currency, percent sign or
    time unit ("$1.2 million", "5 percent", "two hours", "one-day"); ``noun`` is the
    thing it counts as written after it ("illegal crossings", "of the top sources");
    ``unit`` is the canonical unit ("%", "USD", "hour", "year" for year ranges);
    ``qualifier`` is a hedge written before it ("about", "more than", "as many as").
    """

    value: Value
    kind: str
    text: str
    span: tuple[int, int]
    noun: str = ""
    unit: str = ""
    qualifier: str = ""

    def __init__(self, value: Value, kind: str, text: str, span: tuple[int, int],
                 noun: str = "", unit: str = "", qualifier: str = "") -> None:
        # The frozen dataclass's own __init__ sets each field with object.__setattr__,
        # which looks the field up by name; the slots' setters (_FIGURE_SLOTS) set them
        # directly, at half the cost (the extractor makes a figure per quantity and the
        # story check a copy per paragraph offset: hundreds of thousands per run).
        set_value, set_kind, set_text, set_span, set_noun, set_unit, set_qualifier = (
            _FIGURE_SLOTS)
        set_value(self, value)
        set_kind(self, kind)
        set_text(self, text)
        set_span(self, span)
        set_noun(self, noun)
        set_unit(self, unit)
        set_qualifier(self, qualifier)

    @property
    def noun_key(self) -> str:
        """The noun's head word, singular and lower-case ("of the top sources" → "source")."""
        return lemma(self.noun.split()[-1]) if self.noun else ""

    def describe(self) -> str:
        """The figure with its noun, as a reader would quote it: "10,000 illegal crossings"."""
        return f"{self.text} {self.noun}" if self.noun else self.text

    def quoted(self) -> str:
        """:meth:`describe` in quotes, saying so when a date names no real day.

        >>> extract_figures("On December 43, they met.")[0].quoted()
        '"December 43" (not a real date)'
        """
        note = " (not a real date)" if self.kind == "date" and not is_real_date(
            str(self.value)) else ""
        return f'"{self.describe()}"{note}'


_FIGURE_SLOTS = tuple(getattr(Figure, name).__set__ for name in (
    "value", "kind", "text", "span", "noun", "unit", "qualifier"))
"""The setters of :class:`Figure`'s slots, in the order of its fields."""


# --- vocabulary ---------------------------------------------------------------------

# fmt: off
_UNITS = {w: n for n, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
])}
_TENS = {w: 10 * n for n, w in enumerate([
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"
], 2)}
# fmt: on
_BIG = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SCALE_ABBR = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "tn": 10**12}
_CURRENCY_SIGNS = {
    "$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP",
    "gbp": "GBP", "¥": "JPY", "₹": "INR", "c$": "CAD", "a$": "AUD", "hk$": "HKD",
}  # fmt: skip
_CURRENCY_WORDS = {
    "dollar": "USD", "euro": "EUR", "pound": "GBP", "yen": "JPY", "yuan": "CNY",
    "peso": "peso", "rupee": "INR",
}  # fmt: skip
# fmt: off
_TIME_UNITS = frozenset([
    "second", "minute", "hour", "day", "week", "month", "year", "decade", "century",
])
# fmt: on
_COMPOUND_UNITS = tuple(f"-{u}" for u in _TIME_UNITS)  # "two-hour meeting": one meeting
_FACTORS = {"double": 2, "twice": 2, "triple": 3, "thrice": 3, "quadruple": 4}
_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
# fmt: off
_GLUED_UNITS = frozenset([
    "km", "kg", "cm", "mm", "mi", "lb", "lbs", "mph", "kph", "kmh", "mw", "gw", "kw", "kwh",
    "gb", "tb", "mb", "ha",
])
# fmt: on
_IRREGULAR_PLURALS = {
    "people": "person",
    "children": "child",
    "men": "man",
    "women": "woman",
    "police": "police",
    "personnel": "personnel",
    "staff": "staff",
    "feet": "foot",
    "centuries": "century",
    "series": "series",
    "news": "news",
}  # fmt: skip
# Words that end a noun phrase (or never start one) after a figure.
# fmt: off
_FUNCTION_WORDS = frozenset([
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "into", "onto",
    "over", "under", "about", "after", "before", "since", "during", "per", "each", "every",
    "and", "or", "but", "nor", "than", "as", "that", "which", "who", "whom", "whose", "this",
    "these", "those", "it", "its", "he", "she", "they", "we", "i", "you", "his", "her", "their",
    "our", "my", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do",
    "does", "did", "will", "would", "can", "could", "should", "may", "might", "must", "shall",
    "not", "no", "more", "less", "also", "up", "down", "out", "off", "so", "such", "ago",
    "earlier", "later", "if", "when", "while", "where", "then", "there", "here", "daily",
    "weekly", "monthly", "yearly", "annually", "apiece", "last", "next", "now", "still", "just",
    "only", "even", "already", "again", "yet",
    # German, French, Spanish: so "2,5 Millionen Euro für …" counts no noun "für"
    "für", "von", "mit", "und", "oder", "der", "die", "das", "den", "dem", "des", "im", "am",
    "auf", "bei", "nach", "seit", "um", "zu", "zum", "zur", "aus", "pro", "je", "de", "du",
    "le", "la", "les", "et", "ou", "pour", "selon", "dans", "sur", "par", "avec", "del", "el",
    "los", "las", "y", "para", "por", "en", "con", "según",
])
# fmt: on
# fmt: off
_DETERMINERS = frozenset([
    "the", "this", "that", "no", "any", "every", "each", "which", "another", "such", "only",
    "a", "an",
])
# fmt: on
# "one another", "one by one", "one after another", "one way or another": not counts.
_ONE_IDIOMS = frozenset(["another", "by", "after", "way"])
# Hedges written right before a figure, kept apart from its value.
# fmt: off
_QUALIFIERS = frozenset(tuple(q.split(" ")) for q in [
    "about", "around", "approximately", "roughly", "nearly", "almost", "some", "over", "under",
    "just over", "just under", "well over", "more than", "less than", "fewer than", "at least",
    "at most", "as many as", "as much as", "as few as", "as little as", "up to", "close to",
    "an estimated", "estimated", "upwards of", "in excess of", "no more than", "no fewer than",
    "no less than",
])
# fmt: on
_QUALIFIER_ENDS = frozenset(q[-1] for q in _QUALIFIERS)
"""The last word of every hedge."""
_QUALIFIER_TAILS = frozenset(word[-2:] for word in _QUALIFIER_ENDS)
"""The last two letters of the last word of every hedge (each has two or more)."""


@functools.lru_cache(maxsize=1 << 16)
def lemma(word: str) -> str:
    """A crude singular lower-case form, enough to compare nouns across versions.

    >>> [lemma(w) for w in ["Crossings", "countries'", "people", "hours", "bus"]]
    ['crossing', 'country', 'person', 'hour', 'bus']
    """
    return _singular(word)


def _singular(word: str) -> str:
    """:func:`lemma`, not cached (for callers that cache their own answer)."""
    w = word.lower().rstrip("'’").removesuffix("'s").removesuffix("’s")
    if w in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[w]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "ches", "shes", "xes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        return w[:-1]
    return w


@functools.lru_cache(maxsize=1 << 16)
def _is_plural(word: str) -> bool:
    return _plural(word)


def _plural(word: str) -> bool:
    """:func:`_is_plural`, not cached: a word after a figure is mostly seen once, and
    each cache it misses costs more than this."""
    w = word.lower().rstrip("'’")
    if not w.endswith("s"):  # every rule of _singular but the irregular plurals needs one
        return w in _IRREGULAR_PLURALS
    return w in _IRREGULAR_PLURALS or _singular(w) != w


# --- patterns -----------------------------------------------------------------------
# Every pattern opens with a test of its first character. A pattern that opens with a
# plain character class, or with alternatives that each open with a literal, lets the
# regex engine skip to the next such character in its own loop (the month names and the
# digits, the most frequent anchors: about twice as fast on news text); a lookahead on a
# class is still tried at every position, but fails there at once (3× faster than
# without). What must not precede a figure ("G7", "COVID-19") is checked in code.

_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, "hundred", *_BIG, "dozen"], key=len, reverse=True))
_WORDS = (
    r"(?=[abdefhmnostzABDEFHMNOSTZ])"
    rf"\b(?:(?:an?|half)[\s-]+(?:(?:half|an?)[\s-]+)?)?(?:{_NUMBER_WORD})"
    rf"(?:(?:\s+and\s+|[\s-]+)(?:{_NUMBER_WORD}))*\b"
)
# Digits as written: an ASCII digit, then the rest of one of four shapes (each shape's
# leading \d{1,3} or \d+ with its first digit taken out, so the pattern opens with a
# plain character class and the regex engine skips to the next digit in its own loop).
_DIGITS = (
    r"[0-9](?:\d{0,2}(?:,\d{3})+(?:\.\d+)?(?!\d|[.,]\d)"  # 1,234,567.5 (1,320 = 1.32 in German)
    r"|\d{0,2}(?:\.\d{3})+(?:,\d+)?(?!\d|[.,]\d)"  # 1.234.567,5 (or 3.500 = 3.5 in English)
    r"|\d{0,2}(?:[ \n\u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?(?!\d)"  # 10 000 / 10 000,5
    r"|\d*(?:\.\d+|,\d{1,2}(?!\d))?)"  # 3.5; 1,32 / 2,5 (a decimal comma by its shape)
)
_CURRENCY_BEFORE = re.compile(r"(?:US\$|C\$|A\$|HK\$|\$|€|£|¥|₹|\b(?:USD|EUR|GBP) ?)$")
_CURRENCY_ENDS = "$€£¥₹DPR \n"
"""The last character of every :data:`_CURRENCY_BEFORE` match (its ``$`` also matches
before a final line break)."""
_CURRENCY_CODES = ("USD", "EUR", "GBP")
# Scale words after digits, in English, German, French and Spanish ("2,5 Millionen").
_SCALE_WORDS = {
    "hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "tausend": 10**3, "millionen": 10**6, "mio": 10**6, "milliarde": 10**9, "milliarden": 10**9,
    "mrd": 10**9, "billionen": 10**12, "mille": 10**3, "millions": 10**6, "milliard": 10**9,
    "milliards": 10**9, "millón": 10**6, "millon": 10**6, "millones": 10**6,
    "mil millones": 10**9,
}  # fmt: skip
_LONG_SCALE = {"billion": 10**12}
"""In German, French and Spanish text a "billion" is a million millions."""
_SCALE = (
    r"(?:[ \n\u00a0-](?:hundred|thousand|million|billion|trillion|tausend|millionen|milliarden?"
    r"|billionen|mille|millions|milliards?|mill[oó]n|millones|mil\s+millones)(?!\w)"
    r"|[ \u00a0](?:mio|mrd)\.?(?!\w)|(?:bn|mn|tn|m|k)\b)"
)
_DIGIT_QUANTITY = re.compile(rf"(?P<digits>{_DIGITS})(?P<scale>{_SCALE})?", re.IGNORECASE)
_WORD_QUANTITY = re.compile(rf"(?i:{_WORDS})")
_MONTH = f"(?P<month>{MONTH_PATTERN})"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?(?![\d:]|[.,]\d)"
_YEAR = r"(?P<year>\d{4})(?!\d)"
_ISO_DATE = re.compile(r"(?=[0-9])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d-])")
_DAY_MONTH = re.compile(rf"(?=[0-9]){_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?")


def _at_word_starts(tails: dict[str, str]) -> str:
    """``\\b(?:h1(?:t1)|h2(?:t2)|…)`` for the first letters ``h`` of ``tails`` and the
    pattern ``t`` of what may follow each, written so that each alternative opens with
    its letter and checks the boundary behind it: the regex engine then skips to the
    next of those letters in its own loop instead of trying the pattern at every
    position (twice as fast on news text). It matches where the pattern with ``\\b``
    in front does, the same text.

    >>> _at_word_starts({"t": "en|wo"})
    't(?<=\\\\bt)(?:en|wo)'
    """
    return "|".join(f"{re.escape(head)}(?<=\\b{re.escape(head)})(?:{tail})"
                    for head, tail in tails.items())


def _month_tails() -> dict[str, str]:
    """:data:`MONTH_PATTERN`'s alternatives by their first letter, in their order."""
    tails: dict[str, list[str]] = {}
    for name in MONTHS:
        tails.setdefault(name[0], []).append(re.escape(name[1:]))
    for abbr in sorted(MONTH_ABBREVIATIONS, key=len, reverse=True):
        tails.setdefault(abbr[0], []).append(re.escape(abbr[1:]) + r"\b\.?")
    return {head: "|".join(alternatives) for head, alternatives in tails.items()}


_MONTH_DATE = re.compile(
    f"(?P<month>{_at_word_starts(_month_tails())})"
    rf"(?:\s+(?:{_DAY}\b(?:,?\s+{_YEAR})?|(?:of\s+)?(?P<alone>\d{{4}})(?!\d)))?")
"""Every month name (:data:`MONTH_PATTERN` after a word boundary), with its day when
one follows ("December 18[, 2023]": group ``day``) or its year alone ("December [of]
2023": group ``alone``). One scan finds every month name, since none holds another
(inside one there is no word boundary before a capital), and at each the date that
starts there: at most one of the two can follow a month name (a day is one or two
digits, a year four), and whichever follows is what a pattern that requires it finds
(the month names that match at one place and may be followed by white space all end
at the same character)."""
_DAY_SUFFIXES = ("st", "nd", "rd", "th")
_DAY_BEFORE_ENDS = "fdth"
"""The last letters of "of" and of :data:`_DAY_SUFFIXES` (:func:`_day_before`)."""
_TIME = re.compile(
    r"(?=[0-9])(?:(?P<h>\d{1,2})(?::(?P<m>[0-5]\d))?\s*(?P<ampm>[ap])\.?m\.?(?![\w])"
    r"|(?P<h24>\d{1,2}):(?P<m24>[0-5]\d)(?![\d:]))",
    re.IGNORECASE,
)
_RANGE = re.compile(
    r"(?=[0-9])(?P<a>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<af>\d+))?\s*[–—-]\s*"
    r"(?:\$|€|£)?(?P<b>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<bf>\d+))?"
    r"(?P<scale>[ \n\u00a0](?:thousand|million|billion|trillion)\b)?(?P<pct>\s*%|\s+percent\b)?"
    r"(?![\w]|[.,]\d|[–—-]\d)"
)
_DECADE = re.compile(r"(?=[12])(?P<d>1\d\d0|20\d0)['’]?s\b")
_DECADE_ENDS = ("0s", "0's", "0’s")
"""What every decade ends with (:data:`_DECADE`; a text without them has none)."""
_DASHES = ("-", "–", "—")
"""The dashes a range (:data:`_RANGE`) needs."""
_FRACTION_RUNS = frozenset(
    w.encode() for w in ["half", "halves", "third", "thirds", "quarter", "quarters"])
"""Words without which neither :data:`_FRACTION` nor :data:`_SCALE_FRACTION` can match:
the denominator, after a word boundary, white space or a hyphen, and before white space
or a hyphen (:attr:`_Language.runs`)."""
_FACTOR_RUNS = frozenset(w.encode() for w in [
    *(base + verb for base in ("double", "triple", "quadruple") for verb in ("", "d", "s", "ing")),
    "twice", "thrice", "fold", "twofold", "threefold", "fourfold", "fivefold", "tenfold",
])
"""Words without which :data:`_FACTOR` cannot match: its match between word boundaries
(or "fold" after digits or a hyphen: "3-fold", "two-fold")."""
_FRACTION = re.compile(
    r"(?=[aAoOtTfFhHqQ])\b(?:(?P<num>a|an|one|two|three|four)[\s-]+)?"
    r"(?P<den>halves|half|thirds?|quarters?)(?=\s+of\b)",
    re.IGNORECASE,
)
_FACTOR = re.compile(
    r"(?=[dDtTqQfF\d])\b(?:(?P<base>double|triple|quadruple)(?P<verb>[ds]|ing)?"
    r"|(?P<adv>twice|thrice)|(?P<fold>two|three|four|five|ten|\d+)-?fold)\b",
    re.IGNORECASE,
)
_FACTOR_CONTEXT = re.compile(  # what may follow a bare "double": "double the number", "double."
    r"\s*(?:[,.;:)]|$|(?:the|that|what|its|their|his|her|in|from|since|over|to|a|an)\b)", re.I
)
_LETTERS = re.compile(r"[^\W\d_]+")
_PARTITIVE = re.compile(  # "of the", and "de"/"von" after "des milliers", "miles", "Tausende"
    r"\s+(?:of|de|von)\s+(?:(?:the|its|their|his|her|these|those|our)\s+)?")
_DETERMINER = re.compile(r"\s+(?:the|a|an|its|their)\b")
_NOUN_WORD = re.compile(r"[ \t\u00a0]*(?:\r?\n[ \t]*)?-?([^\W\d_][\w'’-]*)")
_NOUN_WORDS = re.compile(f"{_NOUN_WORD.pattern}(?:{_NOUN_WORD.pattern}(?:{_NOUN_WORD.pattern})?)?")
"""Up to three :data:`_NOUN_WORD` matches in a row, group k the k-th word: each is the match
:data:`_NOUN_WORD` finds where the one before ends (a later word that fails is left out,
never found by giving back part of an earlier one), so :func:`_noun` reads them in one
match instead of one per word."""
_PERCENT = re.compile(
    r"\s*%|\s+(?P<pp>percentage\s+points?|prozentpunkte?n?|points?\s+de\s+pourcentage"
    r"|puntos\s+porcentuales)(?!\w)"
    r"|\s+(?:percent|per\s+cent|pct|prozent|pour\s+cent|por\s+ciento|per\s+cento)(?!\w)",
    re.I,
)
_SCALE_FRACTION = re.compile(  # "a quarter million", "three-quarters of a billion", "2 and a half"
    r"(?=[aAoOtTfFhHqQ0-9])\b(?:(?P<whole>\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"\s+and\s+)?(?:(?P<num>an?|one|two|three)[\s-]+)?(?P<den>half|halves|thirds?|quarters?)"
    r"(?:\s+of)?(?:\s+an?)?[\s-]+(?P<scale>thousand|million|billion|trillion)\b",
    re.IGNORECASE,
)
# Vague amounts: a figure of kind "inexact" whose value is its order of magnitude.
_INEXACT_WORDS = {
    "dozens": "dozens", "scores": "scores", "tens": "tens", "hundreds": "hundreds",
    "thousands": "thousands", "millions": "millions", "billions": "billions",
    "dutzende": "dozens", "hunderte": "hundreds", "tausende": "thousands",
    "zehntausende": "tens of thousands", "hunderttausende": "hundreds of thousands",
    "dizaines": "tens", "centaines": "hundreds", "milliers": "thousands",
    "milliards": "billions", "decenas": "tens", "cientos": "hundreds",
    "centenares": "hundreds", "miles": "thousands", "millones": "millions",
}  # fmt: skip
_INEXACT_RUNS = frozenset(w.encode() for w in [
    "tens", "hundreds", "dozens", "scores", "thousands", "millions", "billions", "several",
    "few", "tausende", "zehntausende", "hunderttausende", "hunderte", "dutzende", "dizaines",
    "centaines", "milliers", "milliards", "decenas", "cientos", "centenares", "miles",
    "millones",
])
"""Words without which :data:`_INEXACT` cannot match: its first word (its second after
"a" or "des"), after a word boundary or white space and before white space."""
_INEXACT = re.compile(
    r"(?=[a-zA-Z])\b(?:"
    r"(?P<en>(?:(?:tens|hundreds)\s+of\s+)?(?:dozens|scores|hundreds|thousands|millions|billions)"
    r"|tens)(?=\s+of\b)"
    r"|(?:several|a\s+few)\s+(?P<few>dozen|hundred|thousand|million|billion)\b"
    r"|(?P<de>(?:Zehn|Hundert)?[Tt]ausende|Hunderte|Dutzende)\b"
    r"|(?:des\s+)(?P<fr>dizaines|centaines|milliers|millions|milliards)(?=\s+d)"
    r"|(?P<es>decenas|cientos|centenares|miles|millones)(?=\s+de\b)"
    r")",
    re.IGNORECASE,
)


def _trie(words: Sequence[str]) -> str:
    """A regex for any of ``words`` (distinct, letters only) that branches one letter at
    a time: Python's regex engine tries the alternatives of ``a|b|c`` one by one at each
    position, a trie only those that start right. It matches where the alternation does.

    >>> _trie(["ten", "tens", "two"])
    't(?:e(?:n(?:s)?)|w(?:o))'
    """
    heads: dict[str, list[str]] = {}
    for word in words:
        heads.setdefault(word[0], []).append(word[1:])
    parts = []
    for head, tails in sorted(heads.items()):
        rest = [tail for tail in tails if tail]
        if not rest:
            parts.append(re.escape(head))
            continue
        branch = f"(?:{_trie(rest)})"
        parts.append(re.escape(head) + (branch + "?" if len(rest) < len(tails) else branch))
    return "|".join(parts)


_NUMBER_WORD_RUNS = frozenset(
    w.encode() for w in [*_UNITS, *_TENS, "hundred", *_BIG, "dozen"])
"""Words without which :data:`_WORD_QUANTITY` cannot match: its last number word comes
after white space or a hyphen (or starts it, after a word boundary) and ends at one."""
_CLOCK_RUNS = frozenset([b"am", b"pm"])
""""am"/"pm" without dots after an hour (:data:`_TIME`): after a digit or white space,
before a character that is not a letter."""
_SCREEN_RUNS = _FRACTION_RUNS | _FACTOR_RUNS | _INEXACT_RUNS | _NUMBER_WORD_RUNS | _CLOCK_RUNS
"""Every word a screen of :class:`_Language` looks up (:attr:`_Language.runs`)."""
_LETTER_RUNS = bytes(c if 0x61 <= c <= 0x7A else c + 0x20 if 0x41 <= c <= 0x5A else 0x20
                     for c in range(256))
"""A ``bytes.translate`` table that keeps a-z, turns A-Z into a-z and every other byte
into a space: the words of a text's UTF-8 bytes, so translated and split, are its runs of
ASCII letters in lower case."""
_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")
"""The characters other than A-Z that ``re.IGNORECASE`` matches to an ASCII letter or
``str.lower`` turns into one ("İ", dotless "ı", long "ſ", the Kelvin sign): in a text
without them, the runs of ASCII letters of the text in lower case are those of
:attr:`_Language.lower`."""
_ASCII_DIGIT = re.compile(r"[0-9]")
_TIME_SCREEN = re.compile(r"[0-9]\d?(?::|\s*[ap]\.?m)", re.IGNORECASE)
"""What every :data:`_TIME` holds: its hour, then a colon or "am"/"pm" (maybe with
dots); most texts have digits and no time. Opening with a plain character class, it
lets the regex engine skip to the next ASCII digit in its own loop."""
_CURRENCY_WORD = re.compile(
    r"\s+(?:(?:US|U\.S\.|American)\s+)?(?P<w>dollar|euro|pound|yen|yuan|peso|rupee)s?\b"
    r"(?:\s+sterling\b)?",
    re.IGNORECASE,
)
_TIME_UNIT = re.compile(
    r"(?:\s+|-)(?P<u>seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|century)\b",
    re.IGNORECASE,
)
_SUFFIX = re.compile(
    f"(?P<percent>{_PERCENT.pattern})|(?P<currency>{_CURRENCY_WORD.pattern})"
    f"|(?P<duration>{_TIME_UNIT.pattern})",
    re.IGNORECASE,
)
""":data:`_PERCENT`, :data:`_CURRENCY_WORD` or :data:`_TIME_UNIT`, tried in that order at
one place: one match tells which of them (the first that matches) follows a quantity."""


# --- candidates ---------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    value: Value
    kind: str
    unit: str = ""
    with_noun: bool = True


def _number(value: float) -> int | float:
    """``value`` as an int when it is whole (so 5e5 prints as 500000)."""
    return int(value) if float(value).is_integer() else value


def _fmt(value: float) -> str:
    return str(_number(round(value, 6)))


_DIGIT_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_AMBIGUOUS_MARK = re.compile(r"\d{1,3}[.,]\d{3}")


def _digits_value(digits: str, comma_decimal: bool = False) -> float:
    """The value of digits as written, with "," and "." read by their shape and the language.

    Both marks: the last one is the decimal mark ("1,234.5", "1.234,5"). One mark used
    more than once groups thousands. A single mark followed by other than three digits
    is a decimal mark ("1,32", "3.5"); followed by exactly three it is ambiguous, and the
    text's language decides: "1,320" is 1320 in English and 1.32 in German, "3.500" the
    other way round.

    >>> _digits_value("1,320"), _digits_value("1,320", True), _digits_value("1.234,5")
    (1320.0, 1.32, 1234.5)
    """
    if digits.isdecimal():  # the common case, no mark or space (isdecimal is regex \d)
        return float(digits)
    if digits.isascii() and digits.isprintable() and " " not in digits:
        d = digits  # no white space to take out, no "−"
    else:
        d = _DIGIT_SPACES.sub("", digits).replace("−", "-")
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


# Function words that tell a text written with decimal commas (German, French, Spanish,
# Italian, Portuguese, Dutch) from an English one.
# fmt: off
_COMMA_WORDS = frozenset([
    "der", "die", "das", "und", "nicht", "mit", "für", "ist", "von", "dem", "den", "des",
    "eine", "einer", "auf", "sich", "auch", "wurde",  # German
    "le", "la", "les", "et", "est", "une", "dans", "pour", "qui", "sur", "aux", "du", "avec",
    "ont", "été",  # French
    "el", "los", "las", "y", "por", "con", "para", "una", "según", "fue", "del",  # Spanish
    "il", "della", "che", "sono", "alla", "per",  # Italian
    "não", "uma", "com", "foi",  # Portuguese
    "het", "een", "van", "voor", "niet", "zijn", "werd",  # Dutch
])
_ENGLISH_WORDS = frozenset([
    "the", "and", "of", "to", "is", "was", "that", "for", "with", "on", "are", "has", "have",
    "were", "said", "by", "from",
])
# fmt: on
_WORD = re.compile(r"[^\W\d_]+")
_TWINS = ("\u0130", "\u0131", "\u017f")
_CASE_TWINS = str.maketrans(dict(zip(_TWINS, "iis", strict=True)))
"""The letters other than A–Z that ``re.IGNORECASE`` matches to an ASCII letter and
``str.lower`` does not turn into it ("İ", dotless "ı", long "ſ"; the Kelvin sign lowers
to "k"), so that a word missing from :attr:`_Language.lower` is missing for the regexes."""


def _key(word: str) -> str:
    """A word a case-insensitive regex matched, in lower case as the tables spell it
    ("THİRD", "thırd" → "third")."""
    return word.translate(_CASE_TWINS).lower()


_LANGUAGE_CHARS = 1500
"""How much of a text's start :attr:`_Language.comma_decimal` reads."""


class _Language:
    """What the text's language says about its figures, decided on first use only."""

    __slots__ = ("_comma", "_digits", "_lower", "_runs", "claims", "text")

    def __init__(self, text: str, comma_decimal: bool | None) -> None:
        self.text = text
        self._comma = comma_decimal
        self._lower: str | None = None
        self._digits: bool | None = None
        self._runs: frozenset[bytes] | None = None
        self.claims: _Claims | None = None
        """The spans earlier recognisers took (set by :func:`extract_figures`): a match
        that starts inside one can never be taken, so it need not be read."""

    @property
    def lower(self) -> str:
        """The text in lower case, for cheap word tests before a costly regex (offsets
        may differ from the text's: never use it to locate anything). An ASCII word that
        a case-insensitive regex finds in the text is in it (see :data:`_CASE_TWINS`)."""
        if self._lower is None:
            text = self.text
            if not text.isascii() and any(twin in text for twin in _TWINS):
                text = text.translate(_CASE_TWINS)
            self._lower = text.lower()
        return self._lower

    @property
    def runs(self) -> frozenset[bytes]:
        """The words of :data:`_SCREEN_RUNS` that are whole runs of ASCII letters in the
        lower-cased text, which every regex the screens guard needs, in any case (each
        ``*_RUNS`` says why): a word with a word boundary, white space or a hyphen on
        each side is a whole run. The runs are read from the UTF-8 bytes with every
        byte but a-z turned into a space (``bytes.translate`` and ``split``: one pass
        for every screen, several times faster than a regex per screen). A run may also
        be a word glued to another by a non-ASCII letter, a digit or "_" ("éone"): a
        regex is then tried for nothing."""
        if self._runs is None:
            text = self.text
            if not text.isascii() and any(c in text for c in _TO_ASCII):
                text = self.lower
            raw = text.encode("utf-8", "surrogatepass")
            self._runs = _SCREEN_RUNS.intersection(raw.translate(_LETTER_RUNS).split())
        return self._runs

    def has_any(self, words: frozenset[bytes]) -> bool:
        """Whether one of ``words`` (a ``*_RUNS`` set) is a run of :attr:`runs`: a regex
        that needs one of them cannot match a text without."""
        return not self.runs.isdisjoint(words)

    @property
    def has_digit(self) -> bool:
        """Whether the text has an ASCII digit, which every pattern opening with
        ``(?=[0-9])`` or ``[0-9]`` needs."""
        if self._digits is None:
            self._digits = _ASCII_DIGIT.search(self.text) is not None
        return self._digits

    @property
    def has_number_word(self) -> bool:
        """Whether a number word of :data:`_WORD_QUANTITY` may stand alone in the text
        (:data:`_NUMBER_WORD_RUNS`)."""
        return not self.runs.isdisjoint(_NUMBER_WORD_RUNS)

    @property
    def comma_decimal(self) -> bool:
        """Whether "1,320" means 1.32: the function words of its first 1,500 characters."""
        if self._comma is None:
            comma, english = _language_words(self.text[:_LANGUAGE_CHARS])
            self._comma = comma > english
        return self._comma


def _language_words(text: str) -> tuple[int, int]:
    """How many words of ``text`` are function words of a decimal-comma language, and
    how many English ones (:attr:`_Language.comma_decimal`). A text cut after white
    space counts the sum of its pieces' counts."""
    # The words of the lower-cased text are the lower-cased words, but for "İ", the one
    # letter whose lower case is two characters.
    words = ([w.lower() for w in _WORD.findall(text)] if "\u0130" in text
             else _WORD.findall(text.lower()))
    return sum(map(_COMMA_WORDS.__contains__, words)), sum(map(_ENGLISH_WORDS.__contains__, words))


def decimal_comma(text: str) -> bool:
    """Whether ``text`` reads like a language that writes decimal commas.

    >>> decimal_comma("Die Zinsen stiegen um 1,320 Prozent, sagte die Bank."), decimal_comma(
    ...     "The bank said 1,320 people lost their jobs.")
    (True, False)
    """
    return _Language(text, None).comma_decimal


def _dates(text: str, lang: _Language) -> Iterator[_Candidate]:
    """ISO dates, "December 18[, 2023]", "18 December [2023]", "December 2023"."""
    for m in _ISO_DATE.finditer(text) if "-" in text and lang.has_digit else ():
        if m.start() and text[m.start() - 1] in "0123456789-":
            continue
        y, mo, d = int(m["year"]), int(m["month"]), int(m["day"])
        if 1 <= mo <= 12:  # an impossible day ("2023-12-43") is kept: it may be a typo
            yield _Candidate(
                m.start(), m.end(), f"{y:04d}-{mo:02d}-{d:02d}", "date", with_noun=False
            )
    # Every other date has a month name: one scan finds them all, with the date that
    # starts at each.
    months: list[int] = []
    alone: list[re.Match[str]] = []  # "December 2023", taken after "18 December [2023]"
    for m in _MONTH_DATE.finditer(text):
        months.append(m.start())
        if m["day"] is not None:
            if (cand := _day_date(text, m)) is not None:
                yield cand
        elif m["alone"] is not None:
            alone.append(m)
    if any(_day_before(text, at) for at in months):  # else "18 December" cannot match
        for m in _DAY_MONTH.finditer(text):
            if (cand := _day_date(text, m)) is not None:
                yield cand
    for m in alone:
        value = f"{int(m['alone']):04d}-{_month(m['month']):02d}"
        yield _Candidate(m.start(), m.end(), value, "date", with_noun=False)


def _day_date(text: str, m: re.Match[str]) -> _Candidate | None:
    """The date of a match with a month, a day and maybe a year, unless it is glued to
    a word or its day is no day of the month but a count ("In December 45 people")."""
    start, end = m.span()
    if _glued_before(text, start):
        return None
    name, written_day, written_year = m.group("month", "day", "year")
    day = int(written_day)
    year = f"{int(written_year):04d}" if written_year else "-"
    value = f"{year}-{_month(name):02d}-{day:02d}"
    # Days 1-28 exist in every month (the month is 1-12 here).
    if not 1 <= day <= 28 and not is_real_date(value) and _counts_a_noun(text, end):
        return None
    return _Candidate(start, end, value, "date", "", False)


def _day_before(text: str, at: int) -> bool:
    """Whether a day may end before the month name at ``at``: white space back to a
    digit, or to a digit and "st"/"nd"/"rd"/"th", maybe with "of" between ("18 of
    December"). False means :data:`_DAY_MONTH` has no match whose month is there."""
    if at >= 2 and text[at - 1] == " ":  # most month names: one space after a word
        c = text[at - 2]
        if c not in _DAY_BEFORE_ENDS and not c.isspace() and not c.isdecimal():
            return False  # neither a digit nor the end of "of", "st", "nd", "rd", "th"
    i = at
    while i and text[i - 1].isspace():  # regex \s is str.isspace, \d is str.isdecimal
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
        if end >= 3 and text[end - 2 : end] in _DAY_SUFFIXES and text[end - 3].isdecimal():
            return True
    return False


def is_real_date(value: str) -> bool:
    """Whether an ISO date value (``--MM-DD`` when the year is not written) names a real day.

    >>> is_real_date("--02-29"), is_real_date("2023-02-29"), is_real_date("--12-43")
    (True, False, False)
    """
    year, month, day = _date_parts(value)
    if not day:
        return True
    y, mo, d = int(year) if year else 2000, int(month), int(day)  # 2000: a leap year
    return 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]


def _counts_a_noun(text: str, end: int) -> bool:
    """Whether a content word follows ``end`` ("45 people"), not punctuation or "the"."""
    nxt = _NOUN_WORD.match(text, end)
    return nxt is not None and nxt.group(1).lower() not in _FUNCTION_WORDS


@functools.lru_cache(maxsize=256)
def _month(name: str) -> int:
    """The number of a month name the date regexes matched."""
    number = month_number(name)
    if number is None:  # the regexes only match month names: a bug, not a finding
        raise ValueError(f"not a month name: {name!r}")
    return number


def _times(text: str, lang: _Language) -> Iterator[_Candidate]:
    """Clock times: "3 p.m.", "3:30 pm", "15:30" → "15:30"."""
    if not _may_have_times(text, lang):
        return
    for m in _TIME.finditer(text):
        if _glued_before(text, m.start()) or int(m["h"] or m["h24"]) > 23:
            continue
        if m["h24"] is not None:
            hour, minute = int(m["h24"]), int(m["m24"])
        else:
            if int(m["h"]) > 12:
                continue
            hour, minute = int(m["h"]) % 12, int(m["m"] or 0)
            hour += 12 if m["ampm"].lower() == "p" else 0
        yield _Candidate(m.start(), m.end(), f"{hour:02d}:{minute:02d}", "time", with_noun=False)


def _may_have_times(text: str, lang: _Language) -> bool:
    """False when :data:`_TIME` cannot match: no digit, or neither a colon nor
    "am"/"pm" (in any case, maybe dotted) after one."""
    if not lang.has_digit:
        return False
    if ":" not in text and lang.runs.isdisjoint(_CLOCK_RUNS):
        if ".m" not in text and ".M" not in text:
            return False  # no "a.m"/"p.m" either: "m" is the lower case of "m" and "M" alone
        lower = lang.lower  # "a"/"p", "." and "m" have no case twins
        if not ("a.m" in lower or "p.m" in lower):
            return False
    return _TIME_SCREEN.search(text) is not None


def _ranges(text: str, lang: _Language) -> Iterator[_Candidate]:
    """Dash ranges: "2012–13" (years), "10-15 people", "$10–15 million"; "3-2" is a score."""
    if not ("-" in text or "–" in text or "—" in text) or not lang.has_digit:
        return  # the regex costs 10 µs per paragraph; it needs one of _DASHES
    for m in _RANGE.finditer(text):
        start, cur = _currency_before(text, m.start())
        if not cur and _glued_before(text, start):
            continue
        a_str, b_str = m["a"].replace(",", ""), m["b"].replace(",", "")
        a = float(f"{a_str}.{m['af']}" if m["af"] else a_str)
        b = float(f"{b_str}.{m['bf']}" if m["bf"] else b_str)
        unit = ""
        if len(a_str) == 4 and 1000 <= a <= 2199 and not (cur or m["scale"] or m["pct"]):
            if len(b_str) == 2:
                b = a // 100 * 100 + b + (100 if a // 100 * 100 + b <= a else 0)
            unit = "year" if len(b_str) in (2, 4) else ""
        if b <= a and not unit:
            yield _Candidate(start, m.end(), f"{a_str}-{b_str}", "score")
            continue
        scale = _BIG[m["scale"].strip().lower()] if m["scale"] else 1
        unit = "%" if m["pct"] else (cur or unit)
        kind = "range" if b > a else "score"
        yield _Candidate(start, m.end(), f"{_fmt(a * scale)}/{_fmt(b * scale)}", kind, unit)


def _decades(text: str, lang: _Language) -> Iterator[_Candidate]:
    """ "the 1990s" → "1990s"."""
    if not ("0s" in text or "0's" in text or "0’s" in text):
        return  # every decade ends with one of _DECADE_ENDS
    for m in _DECADE.finditer(text):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "'’"):
            continue
        yield _Candidate(m.start(), m.end(), f"{m['d']}s", "decade", with_noun=False)


def _fractions(text: str, lang: _Language) -> Iterator[_Candidate]:
    """ "half of", "two-thirds of", "a quarter of" → 0.5, 0.666667, 0.25."""
    if not lang.has_any(_FRACTION_RUNS):
        return
    for m in _FRACTION.finditer(text):
        num = _key(m["num"]) if m["num"] else "one"
        numerator = 1 if num in ("a", "an", "one") else _UNITS[num]
        den = _key(m["den"])
        if den in ("halves", "thirds", "quarters") and numerator == 1:
            continue
        value = round(numerator / _FRACTIONS[den], 6)
        yield _Candidate(m.start(), m.end(), value, "fraction")


def _scale_fractions(text: str, lang: _Language) -> Iterator[_Candidate]:
    """ "a quarter million", "three-quarters of a billion", "two and a half million"."""
    if not lang.has_any(_FRACTION_RUNS):
        return  # the regex costs 0.1 ms per 3 KB; most texts have none of these words
    for m in _SCALE_FRACTION.finditer(text):
        if _glued_before(text, m.start()):
            continue
        num = _key(m["num"] or "one")
        numerator = 1 if num in ("a", "an", "one") else _UNITS[num]
        den = _key(m["den"])
        if den in ("halves", "thirds", "quarters") and numerator == 1:
            continue
        whole = _key(m["whole"]) if m["whole"] else "zero"
        base = int(whole) if whole.isdigit() else _UNITS[whole]
        value = round((base + numerator / _FRACTIONS[den]) * _BIG[_key(m["scale"])], 6)
        cand = _with_suffix(text, m.start(), m.end(), value, "", is_words=True)
        if cand is not None:
            yield cand


def _inexact(text: str, lang: _Language) -> Iterator[_Candidate]:
    """Vague amounts: "hundreds of", "tens of thousands of", "a few hundred", "Tausende",
    "des milliers de", "miles de" → their order of magnitude ("hundreds"), never a number."""
    if not lang.has_any(_INEXACT_RUNS):
        return  # the regex costs 0.25 ms per 3 KB: skip texts that cannot match
    for m in _INEXACT.finditer(text):
        if m["en"]:
            value = " ".join(_key(m["en"]).split())
            start, end = m.start("en"), m.end("en")
        elif m["few"]:
            value = _key(m["few"]) + "s"
            start, end = m.start(), m.end()
        else:
            group = next(g for g in ("de", "fr", "es") if m[g])
            value = _INEXACT_WORDS[_key(m[group])]
            start, end = m.start(group), m.end(group)
        yield _Candidate(start, end, value, "inexact")


def _factors(text: str, lang: _Language) -> Iterator[_Candidate]:
    """ "double the number", "doubled", "twice", "threefold" → 2, 2, 2, 3.

    A bare "double"/"triple" counts only before a determiner, a preposition or the end
    of a clause, so "double standard" and "double-digit" are not factors.
    """
    if not lang.has_any(_FACTOR_RUNS):
        return
    for m in _FACTOR.finditer(text):
        if m["base"]:
            value = _FACTORS[_key(m["base"])]
            if not m["verb"] and not _FACTOR_CONTEXT.match(text, m.end()):
                continue
        elif m["adv"]:
            value = _FACTORS[_key(m["adv"])]
        else:
            fold = _key(m["fold"])
            value = int(fold) if fold.isdigit() else (_UNITS | {"ten": 10})[fold]
        yield _Candidate(m.start(), m.end(), value, "factor")


def _currency_before(text: str, start: int) -> tuple[int, str]:
    """Where a figure at ``start`` starts if a currency sign precedes it, and the currency."""
    if not start or text[start - 1] not in _CURRENCY_ENDS:
        return start, ""
    if text[start - 1] == " " and text[start - 4 : start - 1] not in _CURRENCY_CODES:
        return start, ""  # a space ends only "USD ", "EUR ", "GBP "
    m = _CURRENCY_BEFORE.search(text, max(0, start - 4), start)
    if m is None:
        return start, ""
    return m.start(), _CURRENCY_SIGNS[m.group(0).strip().lower()]


def _glued_before(text: str, start: int) -> bool:
    """True when the match at ``start`` continues a word or a number ("G7", "COVID-19", "3.5")."""
    if start == 0:
        return False
    prev = text[start - 1]
    if prev.isalnum() or prev in "_/\\#@":
        return True
    if prev in ".,:-−–" and start >= 2:
        return text[start - 2].isalnum()
    return False


def _words_value(words: list[str]) -> tuple[float, int] | None:
    """Value of the longest valid prefix of number words, and how many words it used.

    >>> _words_value("a half million".split()), _words_value("one hundred and five".split())
    ((500000.0, 3), (105.0, 4))
    >>> _words_value("two three".split()), _words_value(["hundred"])
    ((2.0, 1), None)
    """
    i, factor, current, total = 0, 1.0, 0, 0
    implicit = False  # "a million", "half a million": the one is implied
    low = [w.lower() for w in words]
    if low[0] in ("a", "an"):
        i, implicit, current = 1, True, 1
    if i < len(low) and low[i] == "half":
        factor, implicit, current = 0.5, True, 1
        i += 1
        if i < len(low) and low[i] in ("a", "an"):
            i += 1
    if implicit and (i >= len(low) or low[i] not in (*_BIG, "hundred", "dozen")):
        return None
    used, last, big = 0, "", math.inf
    while i < len(low):
        w = low[i]
        if w in _UNITS or w in _TENS:
            if (
                last in ("unit", "teen")
                or (last == "tens" and w not in _UNITS)
                or (last == "tens" and _UNITS.get(w, 0) >= 10)
            ):
                break
            current += _UNITS.get(w, _TENS.get(w, 0))
            last = "tens" if w in _TENS else ("teen" if _UNITS[w] >= 10 else "unit")
        elif w == "hundred" and current and last != "hundred" and current < 100:
            current *= 100
            last = "hundred"
        elif w in _BIG and (current or implicit) and _BIG[w] < big:
            total += max(current, 1) * _BIG[w]
            big, current, last = _BIG[w], 0, "big"
        elif w == "dozen" and current and last != "dozen":
            current *= 12
            last = "dozen"
        elif w == "and" and last in ("hundred", "big") and i + 1 < len(low):
            i += 1
            continue
        else:
            break
        implicit = False
        i += 1
        used = i
    if used == 0:
        return None
    return (total + current) * factor, used


def _parse_words(words: str, offset: int) -> tuple[int, int, float] | None:
    """Span and value of the number words matched at ``offset`` ("a two-hour" → "two")."""
    spans = [w.span() for w in _LETTERS.finditer(words)]
    low = [words[s:e] for s, e in spans]
    parsed = _words_value(low)
    if parsed is None and low[0].lower() in ("a", "an") and len(low) > 1:
        spans, low = spans[1:], low[1:]
        parsed = _words_value(low)
    if parsed is None:
        return None
    value, used = parsed
    return offset + spans[0][0], offset + spans[used - 1][1], value


def _is_pronoun_one(text: str, start: int, end: int) -> bool:
    """True for the pronoun "one" ("the critical one", "no one", "one another")."""
    if start and text[start - 1] in "-‐":  # "one-on-one", "no-one"
        return True
    before = re.search(r"([^\W\d_]+)[\s-]*$", text[max(0, start - 20) : start])
    if before and before.group(1).lower() in _DETERMINERS:
        return True
    after = text[end : end + 30]
    if after.startswith("-"):  # "one-day" counts; "one-on-one", "one-sided", "one-off" do not
        return re.match(r"-(?:on-one|sided|off|way)\b", after, re.IGNORECASE) is not None
    nxt = re.match(r"\s+([^\W\d_]+)", after)
    if not nxt:
        return True
    word = nxt.group(1).lower()
    if word == "of":
        return False  # "one of the …" is a count: see docs/figures.md
    return word in _FUNCTION_WORDS or word in _ONE_IDIOMS


def _digit_quantities(text: str, lang: _Language) -> Iterator[_Candidate]:
    """Digits with their sign or currency, scale word, percent sign or time unit."""
    if not lang.has_digit:
        return
    taken = lang.claims.taken if lang.claims is not None else None
    for m in _DIGIT_QUANTITY.finditer(text):
        if taken is not None and taken[m.start()]:
            continue  # the day of a date, the digits of a range: taken already
        cand = _digit_quantity(text, m, lang)
        if cand is not None:
            yield cand


def _digit_quantity(text: str, m: re.Match[str], lang: _Language) -> _Candidate | None:
    start, cur = _currency_before(text, m.start())
    if not cur and start >= 1 and text[start - 1] in "-−" and not _glued_before(text, start - 1):
        start -= 1  # a minus sign: "-5 degrees" (but not "COVID-19")
    elif not cur and _glued_before(text, start):
        return None
    digits = m["digits"]
    if digits.isdecimal():  # no mark: not ambiguous
        value = float(digits)
    else:
        ambiguous = _AMBIGUOUS_MARK.fullmatch(digits) is not None
        value = _digits_value(digits, ambiguous and lang.comma_decimal)
    value *= -1 if text[start] in "-−" else 1
    end = m.end()
    written = m["scale"]
    if written is None:  # most numbers have no scale word
        scale, factor = "", 1
    else:
        scale = " ".join(_key(written.strip().strip("-").rstrip(".")).split())
        if scale in ("m", "k") and not cur:  # "5m" may be metres; "$5m" is money
            end, scale = m.end("digits"), ""
        factor = (_LONG_SCALE[scale] if scale in _LONG_SCALE and lang.comma_decimal
                  else _SCALE_WORDS.get(scale, _SCALE_ABBR.get(scale, 1)))
    if factor != 1:  # "8,2 Millionen" is 8200000, not 8199999.999999999 (binary floats):
        value = float(f"{value * factor:.15g}")  # 15 significant digits are exact
    # _LETTERS opens with [^\W\d_]: an alphanumeric character that is no decimal digit.
    after = text[end : end + 1]
    glued = _LETTERS.match(text, end) if after.isalnum() and not after.isdecimal() else None
    if glued:
        return _glued_number(start, end, value, glued.group(0), cur)
    return _with_suffix(text, start, end, value, cur, is_words=False)


def _word_quantities(text: str, lang: _Language) -> Iterator[_Candidate]:
    """Number words ("two", "half a million", "twenty-five") with their unit."""
    if not lang.has_number_word:
        return  # the regex costs 25 µs per paragraph; most have no number word
    for m in _WORD_QUANTITY.finditer(text):
        parsed = _parse_words(m.group(0), m.start())
        if parsed is None:
            continue  # "a few", "half of" (fractions are found on their own), "hundreds"
        start, end, value = parsed
        cand = _with_suffix(text, start, end, value, "", is_words=True)
        if cand is not None:
            yield cand


def _glued_number(start: int, end: int, value: float, suffix: str, cur: str) -> _Candidate | None:
    """Digits followed directly by letters: ordinals, "10km"; "4G", "3D" are not figures."""
    low = suffix.lower()
    if low in ("st", "nd", "rd", "th") and value.is_integer():
        return _Candidate(start, end + len(suffix), int(value), "ordinal")
    if low in _GLUED_UNITS and not cur:
        return _Candidate(start, end + len(suffix), _number(value), "number", low)
    return None


def _with_suffix(
    text: str, start: int, end: int, value: float, cur: str, *, is_words: bool
) -> _Candidate | None:
    """Classify a quantity by what follows it: percent, currency word, time unit or nothing."""
    suffix = _SUFFIX.match(text, end)
    follows = suffix.lastgroup if suffix is not None else None
    if suffix is not None and follows == "percent":
        return _Candidate(start, suffix.end(), _number(value), "percent",
                          "pp" if suffix["pp"] else "%")
    if suffix is not None and follows == "currency" and not cur:
        currency = _CURRENCY_WORDS[_key(suffix["w"])]
        return _Candidate(start, suffix.end(), _number(value), "money", currency)
    if cur:
        return _Candidate(start, end, _number(value), "money", cur)
    if suffix is not None and follows == "duration":
        return _Candidate(start, suffix.end(), _number(value), "duration", lemma(suffix["u"]))
    if is_words and text[start:end].lower() == "one" and _is_pronoun_one(text, start, end):
        return None
    digits = text[start:end]
    if not is_words and len(digits) == 4 and digits.isdecimal() and 1000 <= value <= 2199:
        nxt = _NOUN_WORD.match(text, end)
        word = nxt.group(1) if nxt else ""
        if not (word and _is_plural(word) and word.lower() not in _FUNCTION_WORDS):
            return _Candidate(start, end, int(value), "year", with_noun=False)
    return _Candidate(start, end, _number(value), "number")


# Recognisers in priority order: a later one never takes text an earlier one took.
_RECOGNISERS: tuple[Callable[[str, _Language], Iterator[_Candidate]], ...] = (
    _dates,
    _times,
    _ranges,
    _decades,
    _scale_fractions,
    _fractions,
    _factors,
    _digit_quantities,
    _word_quantities,
    _inexact,
)
_WITHOUT_WORDS = tuple(r for r in _RECOGNISERS if r not in (
    _scale_fractions, _fractions, _factors, _word_quantities, _inexact))
"""The recognisers left when :attr:`_Language.runs` is empty (most texts): each of the
others finds nothing then, its screen needing a word of the runs."""


# --- nouns and qualifiers -------------------------------------------------------------


def _noun(text: str, end: int, kind: str, singular: bool) -> str:
    """The noun phrase a figure counts, as written after it ("illegal crossings").

    Reads up to three words, stopping at punctuation or a function word. A figure
    other than one counts a plural, so the phrase ends at the first plural word
    ("10,000 illegal crossings daily"); after "one" (or when no plural follows) it is
    the first word ("one-day meeting comes"). "of the" after a count is kept ("two of
    the top sources").
    """
    pos = end
    partitive = _PARTITIVE.match(text, pos)
    if partitive and kind in ("number", "percent", "fraction", "money", "inexact"):
        pos = partitive.end()
        singular = False  # "one of the top sources"
    elif kind == "factor" and (det := _DETERMINER.match(text, pos)) is not None:
        pos = det.end()
    m = _NOUN_WORDS.match(text, pos)
    if m is None:
        return ""
    last, plural = 0, False  # how many words the phrase takes; whether the last is plural
    for k in (1, 2, 3):
        word = m.group(k)
        if word is None:
            break
        kind_of_word = _noun_word(word)
        if kind_of_word == _FUNCTION:
            break
        last, plural = k, kind_of_word == _PLURAL
        if plural:
            break
    if not last:
        return ""
    if singular or not plural:
        last = 1
    return text[end : m.end(last)].strip(" \t\r\n\u00a0-")


_FUNCTION, _PLURAL, _OTHER = 0, 1, 2


@functools.lru_cache(maxsize=1 << 16)
def _noun_word(word: str) -> int:
    """What a word after a figure is to its noun phrase: a function word (it ends the
    phrase), a plural (the last word of a count's phrase) or another word."""
    if word.lower() in _FUNCTION_WORDS:
        return _FUNCTION
    return _PLURAL if _plural(word) else _OTHER


def _qualifier(text: str, start: int) -> str:
    """The hedge right before ``start`` ("as many as 10,000" → "as many as"), or ""."""
    if not start or not text[start - 1].isspace():
        return ""  # the last character of the window below
    if (start >= 3 and not text[start - 2].isspace() and not text[start - 3].isspace()
            and text[start - 3 : start - 1].lower() not in _QUALIFIER_TAILS):
        return ""  # the word before does not end as a hedge does: most figures follow none
    window = text[max(0, start - 40) : start]
    last = window.rsplit(None, 1)  # the last word alone: most figures follow no hedge
    if not last or last[-1].lower() not in _QUALIFIER_ENDS:
        return ""
    words = tuple(w.lower() for w in window.split()[-3:])
    for n in (3, 2, 1):
        if words[-n:] in _QUALIFIERS and len(words) >= n:
            return " ".join(words[-n:])
    return ""


# --- extraction -----------------------------------------------------------------------


class _Claims:
    """Spans already taken by a figure, to keep later recognisers off them: a byte per
    character of the text, set where a taken span covers it (``taken[pos]``: a
    candidate starting at ``pos`` would overlap one). A candidate's span is never empty:
    every recogniser's match holds a character."""

    __slots__ = ("taken",)

    def __init__(self, size: int) -> None:
        self.taken = bytearray(size)

    def take(self, start: int, end: int) -> bool:
        """Claim ``[start, end)`` unless it overlaps a claimed span."""
        taken = self.taken
        if taken.find(1, start, end) >= 0:
            return False
        taken[start:end] = b"\x01" * (end - start)
        return True


def _start(c: _Candidate) -> int:
    return c.start


def extract_figures(text: str, *, comma_decimal: bool | None = None) -> list[Figure]:
    """Every figure in ``text``, in order of position.

    >>> [(f.value, f.kind) for f in extract_figures("In 2023, 10 000 people paid $1.2 million")]
    [(2023, 'year'), (10000, 'number'), (1200000, 'money')]
    >>> extract_figures("X formerly known as Twitter said the U.S. was the critical one.")
    []
    """
    claims = _Claims(len(text))
    take = claims.take
    found: list[_Candidate] = []
    lang = _Language(text, comma_decimal)
    lang.claims = claims
    for recognise in _RECOGNISERS if lang.runs else _WITHOUT_WORDS:
        for c in recognise(text, lang):
            if take(c.start, c.end):
                found.append(c)
    found.sort(key=_start)
    return [_figure(text, c) for c in found]


# A blank line after a sentence that ends in a plain lower-case word: no figure, and
# nothing a figure looks at before or after it, reaches across it (every pattern that
# can span a "." followed by white space needs the "." of "Dec.", "U.S.", "p.m." or
# "Mio."; the look-backs of a figure at the start of the next paragraph stop at white
# space or at that final "."). See extract_figures_reusing.
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_BLOCK_END = re.compile(r"(?<![^\W\d_])([^\W\d_]{2,})[.!?][\"”’')\]]*$")
_DOTTED_SCALES = frozenset(["mio", "mrd"])


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the blocks of ``text`` whose figures can be found apart (each ends after
    the white space of a blank line that :data:`_BLOCK_END` allows)."""
    start = 0
    for blank in _BLANK_LINE.finditer(text):
        m = _BLOCK_END.search(text, max(0, blank.start() - 40), blank.start())
        if m is not None and m.group(1).islower() and m.group(1) not in _DOTTED_SCALES:
            yield start, blank.end()
            start = blank.end()
    if start < len(text) or not text:
        yield start, len(text)


def extract_figures_reusing(text: str, known: dict[tuple[str, bool], list[Figure]],
                            comma_decimal: bool | None = None) -> list[Figure]:
    """:func:`extract_figures`, paragraph by paragraph, reusing the figures of paragraphs
    seen before (``known``: paragraph and decimal-comma reading → its figures).

    Versions of a story share most of their paragraphs, so a story's figures are
    extracted about once per distinct paragraph instead of once per version. The result
    is exactly ``extract_figures(text)``: paragraphs are cut only where no figure and
    nothing a figure looks at reaches across (:data:`_BLOCK_END`), and the text's
    language (decimal commas) is read from the whole text, as there, unless
    ``comma_decimal`` says it (:func:`decimal_comma` of the text, known already).

    >>> known = {}
    >>> a = extract_figures_reusing("He paid $5 on Monday.\\n\\nShe paid 7 euros.", known)
    >>> b = extract_figures_reusing("They met.\\n\\nShe paid 7 euros.", known)
    >>> [f.text for f in b], b == extract_figures("They met.\\n\\nShe paid 7 euros."), len(known)
    (['7 euros'], True, 3)
    """
    comma = _Language(text, None).comma_decimal if comma_decimal is None else comma_decimal
    return _extract_blocks(text, list(_blocks(text)), known, comma)


def _extract_blocks(text: str, blocks: list[tuple[int, int]],
                    known: dict[tuple[str, bool], list[Figure]], comma: bool,
                    moved: dict[tuple[int, int], list[Figure]] | None = None) -> list[Figure]:
    """:func:`extract_figures_reusing` of ``text`` cut into its ``blocks``.

    ``moved``: the figures of blocks already placed at an offset (the identity of the
    block's list in ``known`` and the offset → its figures there), shared by the versions
    of a story, whose blocks before the first edit stand at the same offsets in each: a
    figure is immutable, so each version reads the same objects."""
    out: list[Figure] = []
    for start, end in blocks:
        block = text[start:end]
        found = known.get((block, comma))
        if found is None:
            found = known[(block, comma)] = extract_figures(block, comma_decimal=comma)
        if start == 0 or not found:
            out.extend(found)
            continue
        there = moved.get((id(found), start)) if moved is not None else None
        if there is None:
            there = [Figure(f.value, f.kind, f.text, (f.span[0] + start, f.span[1] + start),
                            f.noun, f.unit, f.qualifier) for f in found]
            if moved is not None:  # keyed by identity: ``known`` keeps ``found`` alive
                moved[(id(found), start)] = there
        out.extend(there)
    return out


def _figure(text: str, c: _Candidate) -> Figure:
    start, end, value = c.start, c.end, c.value
    written = text[start:end]
    noun = (_noun(text, end, c.kind, value == 1 or written.endswith(_COMPOUND_UNITS))
            if c.with_noun else "")
    if value.__class__ is float and value.is_integer():  # _number(value); ints are whole
        value = int(value)
    return Figure(value, c.kind, written, (start, end), noun, c.unit, _qualifier(text, start))


# --- comparing two versions -------------------------------------------------------------


@dataclass(frozen=True, slots=True, init=False)
class FigureRow:
    """One row of the figure table of two versions.

    ``status`` is ``"same"`` (equal values), ``"changed"`` (the same figure with another
    value), ``"only_a"`` or ``"only_b"`` (a figure the other version does not have:
    in an added sentence, or dropped from a shared one).
    """

    status: str
    a: Figure | None
    b: Figure | None

    def __init__(self, status: str, a: Figure | None, b: Figure | None) -> None:
        set_status, set_a, set_b = _ROW_SLOTS  # a row per figure and pair: see Figure
        set_status(self, status)
        set_a(self, a)
        set_b(self, b)


_ROW_SLOTS = tuple(getattr(FigureRow, name).__set__ for name in ("status", "a", "b"))
"""The setters of :class:`FigureRow`'s slots, in the order of its fields."""


@dataclass(frozen=True, slots=True)
class FigureMismatch:
    """A figure whose value differs between two aligned sentences of two versions."""

    a: Figure
    b: Figure
    a_sentence: tuple[int, int]
    b_sentence: tuple[int, int]


class _HasText(Protocol):
    text: str


def _text(doc: str | _HasText) -> str:
    return doc if isinstance(doc, str) else doc.text


def same_value(a: Figure, b: Figure, tolerance: float = 0.0) -> bool:
    """Whether two figures state the same thing, allowing a relative ``tolerance`` on numbers.

    A date without a year matches the same day with one ("December 18" = "2023-12-18").

    >>> f = extract_figures("about 6,000 or 6,100")
    >>> same_value(f[0], f[1]), same_value(f[0], f[1], tolerance=0.02)
    (False, True)
    """
    if a.kind != b.kind or a.unit != b.unit:
        return False
    if a.value == b.value:  # equal values agree, dates included (the common case)
        return True
    if isinstance(a.value, str) or isinstance(b.value, str):
        if a.kind == "date" and isinstance(a.value, str) and isinstance(b.value, str):
            return _dates_agree(a.value, b.value)
        return False  # unequal strings: only dates may still agree
    return abs(a.value - b.value) <= tolerance * max(abs(a.value), abs(b.value))


def _date_parts(value: str) -> tuple[str, ...]:
    """ "2023-12-18" → (2023, 12, 18); "--12-18" → ("", 12, 18); "2023-12" → (2023, 12, "")."""
    if value.startswith("--"):
        return ("", *value[2:].split("-"))
    parts = value.split("-")
    return (*parts, *[""] * (3 - len(parts)))


def _dates_agree(a: str, b: str) -> bool:
    """Whether two dates agree on every part both of them state ("December 18" = "2023-12-18")."""
    return all(
        x == y or not x or not y for x, y in zip(_date_parts(a), _date_parts(b), strict=True)
    )


def _pair_rows(a_figs: list[Figure], b_figs: list[Figure], tolerance: float,
               a_span: tuple[int, int] | None = None,
               b_span: tuple[int, int] | None = None,
               texts: tuple[str, str] | None = None) -> list[FigureRow]:
    """Pair the figures of two aligned sentences.

    Equal values pair first (same noun first, then any noun); then figures of the same
    kind and noun whose values differ pair as ``changed``; then, when exactly one
    figure of a kind is left on each side, those two pair as ``changed`` too. Within
    each step the candidates closest in relative position in their sentences pair
    first, so "In 2016 … than in 2017" changed to "In 2017 … than in 2017" pairs the
    two second 2017s and reports the first year as changed. Last, with ``texts``, a
    figure whose kind changed ("On December 12," → "On 12,") pairs as ``changed`` with
    the figure left in the same slot of the other sentence: the same word before it and
    the same word or mark after it (see :func:`_kind_changed`).
    """
    if not a_figs or not b_figs:  # a sentence one version has alone: nothing to pair
        return ([FigureRow("only_a", f, None) for f in a_figs]
                + [FigureRow("only_b", None, f) for f in b_figs])
    left_a, left_b = list(a_figs), list(b_figs)
    rows: list[FigureRow] = []
    if len(a_figs) * len(b_figs) > MAX_FIGURE_PAIRS:
        return _pair_in_order(left_a, left_b, tolerance)

    def positions(span: tuple[int, int] | None, figs: list[Figure]) -> dict[int, float]:
        if span is not None and span[1] > span[0]:
            return {id(f): (f.span[0] - span[0]) / (span[1] - span[0]) for f in figs}
        return {id(f): i / max(1, len(figs)) for i, f in enumerate(figs)}

    pos_a, pos_b = positions(a_span, a_figs), positions(b_span, b_figs)
    if _unchanged(a_figs, b_figs, pos_a, pos_b):
        return [FigureRow("same", fa, fb) for fa, fb in zip(a_figs, b_figs, strict=True)]

    def pair(status: str, ok: Callable[[Figure, Figure], bool]) -> None:
        # Closest in relative position first (ties: file order). Gaps do not change as
        # figures pair off, so one sorted pass picks what picking the best pair again
        # and again would, in O(k² log k) instead of O(k³).
        candidates = sorted(
            (abs(pos_a[id(fa)] - pos_b[id(fb)]), ia, ib)
            for ia, fa in enumerate(left_a) for ib, fb in enumerate(left_b) if ok(fa, fb))
        used_a: set[int] = set()
        used_b: set[int] = set()
        for _, ia, ib in candidates:
            if ia not in used_a and ib not in used_b:
                used_a.add(ia)
                used_b.add(ib)
                rows.append(FigureRow(status, left_a[ia], left_b[ib]))
        left_a[:] = [f for i, f in enumerate(left_a) if i not in used_a]
        left_b[:] = [f for i, f in enumerate(left_b) if i not in used_b]

    pair("same", lambda x, y: _same_noun(x, y) and same_value(x, y))
    pair("same", lambda x, y: same_value(x, y, tolerance))
    pair("changed", lambda x, y: x.kind == y.kind and _same_noun(x, y))
    for kind in sorted({f.kind for f in left_a}):
        kin_a = [f for f in left_a if f.kind == kind]
        kin_b = [f for f in left_b if f.kind == kind]
        if len(kin_a) == 1 and len(kin_b) == 1:
            rows.append(FigureRow("changed", kin_a[0], kin_b[0]))
            left_a.remove(kin_a[0])
            left_b.remove(kin_b[0])
    if texts is not None:
        pair("changed", lambda x, y: _kind_changed(x, y, texts))
    rows += [FigureRow("only_a", f, None) for f in left_a]
    rows += [FigureRow("only_b", None, f) for f in left_b]
    return rows


def _same_noun(a: Figure, b: Figure) -> bool:
    """``a.noun_key == b.noun_key``, without computing the keys of equal nouns."""
    return a.noun == b.noun or a.noun_key == b.noun_key


def _unchanged(a_figs: list[Figure], b_figs: list[Figure], pos_a: dict[int, float],
               pos_b: dict[int, float]) -> bool:
    """Whether two aligned sentences state the same figures in the same places — the
    common case, an unedited sentence — so that :func:`_pair_rows` pairs each figure with
    its counterpart without searching.

    That is exactly what the search would do: each k-th figure pairs with the k-th
    (same noun, same value) at gap 0, and no other candidate has gap 0, since distinct
    figures of one sentence have distinct positions. Linear instead of O(k² log k).
    """
    if len(a_figs) != len(b_figs):
        return False
    for fa, fb in zip(a_figs, b_figs, strict=True):
        if pos_a[id(fa)] != pos_b[id(fb)] or not _same_noun(fa, fb) or not same_value(fa, fb):
            return False
    return True


MAX_FIGURE_PAIRS = 40_000
"""Candidate pairs (figures in one sentence × in the other) searched for the closest
match; past that (a table flattened into one "sentence", 200 figures on each side) the
figures pair in order, so a pathological sentence costs linear time, not quadratic."""


def _pair_in_order(a_figs: list[Figure], b_figs: list[Figure],
                   tolerance: float) -> list[FigureRow]:
    """Figures paired by their order in the sentence: the bounded fallback of _pair_rows."""
    rows = []
    for fa, fb in zip(a_figs, b_figs, strict=False):
        if same_value(fa, fb, tolerance):
            rows.append(FigureRow("same", fa, fb))
        elif fa.kind == fb.kind:
            rows.append(FigureRow("changed", fa, fb))
        else:
            rows += [FigureRow("only_a", fa, None), FigureRow("only_b", None, fb)]
    shared = min(len(a_figs), len(b_figs))
    rows += [FigureRow("only_a", f, None) for f in a_figs[shared:]]
    rows += [FigureRow("only_b", None, f) for f in b_figs[shared:]]
    return rows


_TOKEN_BEFORE = re.compile(r"(\w+|[^\w\s])\s*$")
_TOKEN_AFTER = re.compile(r"\s*(\w+|[^\w\s])")


def _slot(text: str, f: Figure) -> tuple[str, str]:
    """The word (or mark) right before and right after a figure, case-folded."""
    before = _TOKEN_BEFORE.search(text, max(0, f.span[0] - 40), f.span[0])
    after = _TOKEN_AFTER.match(text, f.span[1])
    return (before.group(1).casefold() if before else "",
            after.group(1).casefold() if after else "")


def _kind_changed(a: Figure, b: Figure, texts: tuple[str, str]) -> bool:
    """Whether two figures of different kinds are one figure whose kind changed.

    They sit in the same slot (same token before and after), neither is inexact
    ("hundreds of" is never compared with a number), and they do not agree: a date
    that names the year stated by the other side, or two equal numbers ("2023" as a year
    and as a count), agree.
    """
    if a.kind == b.kind or "inexact" in (a.kind, b.kind):
        return False
    if _slot(texts[0], a) != _slot(texts[1], b):
        return False
    values = {a.kind: a.value, b.kind: b.value}
    if {"date", "year"} == set(values):
        return _date_parts(str(values["date"]))[0] not in ("", str(values["year"]))
    if isinstance(a.value, int | float) and isinstance(b.value, int | float):
        return a.value != b.value
    return True


def _in(figs: list[Figure], starts: list[int], span: tuple[int, int] | None) -> list[Figure]:
    """The figures (sorted, with their ``starts``) that lie inside ``span``."""
    if span is None:
        return []
    lo, hi = bisect.bisect_left(starts, span[0]), bisect.bisect_left(starts, span[1])
    return [f for f in figs[lo:hi] if f.span[1] <= span[1]]


def _table(
    a_text: str,
    b_text: str,
    a_figs: list[Figure],
    b_figs: list[Figure],
    tolerance: float,
    threshold: float,
) -> list[tuple[Alignment, FigureRow]]:
    return _aligned_table(a_text, b_text, a_figs, b_figs, tolerance, threshold)[1]


def _aligned_table(
    a_text: str,
    b_text: str,
    a_figs: list[Figure],
    b_figs: list[Figure],
    tolerance: float,
    threshold: float,
    sides: tuple[Side, Side] | None = None,
    placed: tuple[list[_Placed], list[_Placed]] | None = None,
    copied_rows: bool = True,
) -> tuple[list[Alignment], list[tuple[Alignment, FigureRow]]]:
    """The sentence alignment of two versions and the figure rows of each aligned pair.

    ``sides``: both versions already split, with their figures masked; ``placed``: the
    figures of each of their sentences (:func:`_placed`), so that a sentence aligned with
    one other reads its figures there. Without ``copied_rows``, the rows of a sentence
    copied unchanged (every one ``same``) are left out: a caller that wants only the
    changed figures."""
    if not (tolerance >= 0.0 and math.isfinite(tolerance)):
        raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
    alignments = align(
        a_text,
        b_text,
        threshold=threshold,
        a_masks=[f.span for f in a_figs],
        b_masks=[f.span for f in b_figs],
        a_side=sides[0] if sides else None,
        b_side=sides[1] if sides else None,
    )
    out: list[tuple[Alignment, FigureRow]] = []
    a_starts, b_starts = [f.span[0] for f in a_figs], [f.span[0] for f in b_figs]
    placed_a, placed_b = placed if placed is not None else ([], [])
    for al in alignments:
        sa, sb = al.a, al.b
        if placed is not None and len(sa) == 1 and len(sb) == 1:
            a_in, a_key = placed_a[sa[0].index]
            b_in, b_key = placed_b[sb[0].index]
            copied = (a_key is not None and a_key == b_key and sa[0].text == sb[0].text
                      and len(a_in) * len(b_in) <= MAX_FIGURE_PAIRS)
        elif placed is not None and len(sa) + len(sb) == 1:  # one side's sentence alone
            a_in = placed_a[sa[0].index][0] if sa else []
            b_in = placed_b[sb[0].index][0] if sb else []
            copied = False
        else:
            a_in, b_in = _in(a_figs, a_starts, al.a_span), _in(b_figs, b_starts, al.b_span)
            copied = _copied(al, a_in, b_in)
        if copied:
            if a_in and copied_rows:
                out += [(al, FigureRow("same", fa, fb)) for fa, fb in zip(a_in, b_in, strict=True)]
            continue
        rows = _pair_rows(a_in, b_in, tolerance, al.a_span, al.b_span, (a_text, b_text))
        rows.sort(key=_row_position)
        out.extend((al, row) for row in rows)
    return alignments, out


def _copied(al: Alignment, a_figs: list[Figure], b_figs: list[Figure]) -> bool:
    """Whether an aligned pair is one sentence copied unchanged, its figures in the same
    places with the same readings — most of a story's sentences — so that each figure
    pairs with its counterpart as ``same`` without measuring positions.

    Exactly what :func:`_pair_rows` would give (its :func:`_unchanged` case): in two
    equal sentences the same offset is the same relative position, and equal kind, unit,
    value and noun are the same value and noun.
    """
    if len(al.a) != 1 or len(al.b) != 1 or len(a_figs) != len(b_figs):
        return False
    a, b = al.a[0], al.b[0]
    if a.text != b.text or len(a_figs) * len(b_figs) > MAX_FIGURE_PAIRS:
        return False
    a0, b0 = a.span[0], b.span[0]
    return all(fa.span[0] - a0 == fb.span[0] - b0 and fa.value == fb.value
               and fa.kind == fb.kind and fa.unit == fb.unit and fa.noun == fb.noun
               for fa, fb in zip(a_figs, b_figs, strict=True))


_Placed = tuple[list[Figure], tuple[tuple[int, Value, str, str, str], ...] | None]
"""One sentence's figures, and what :func:`_copied` compares of them: each one's offset in
the sentence, value, kind, unit and noun (``None`` when a value is not equal to itself)."""


def _placed(figs: list[Figure], sentences: Sequence[Sentence]) -> list[_Placed]:
    """The figures of each sentence (:func:`_in` of its span) with the key :func:`_copied`
    compares: two sentences of equal text are copied unchanged when their keys are equal
    (equal tuples have equal items, each compared with ``==``; a NaN, which is not equal
    to itself and never a figure's value, gets no key)."""
    starts = [f.span[0] for f in figs]
    out: list[_Placed] = []
    for sentence in sentences:
        inside = _in(figs, starts, sentence.span)
        if not inside:
            out.append((inside, ()))
            continue
        s0 = sentence.span[0]
        key: tuple[tuple[int, Value, str, str, str], ...] | None = tuple(
            [(f.span[0] - s0, f.value, f.kind, f.unit, f.noun) for f in inside])
        for f in inside:
            if f.value != f.value:
                key = None
                break
        out.append((inside, key))
    return out


def _row_position(row: FigureRow) -> tuple[int, int]:
    return (
        row.a.span[0] if row.a else 1 << 60,
        row.b.span[0] if row.b else 1 << 60,
    )


def figure_table(
    a: str | _HasText,
    b: str | _HasText,
    *,
    tolerance: float = 0.0,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[FigureRow]:
    """Every figure of two versions, paired sentence by sentence, in reading order.

    >>> rows = figure_table("We met for about two hours.", "They met for about 2 hours.")
    >>> [(r.status, r.a.text, r.b.text) for r in rows]
    [('same', 'two hours', '2 hours')]
    """
    a_text, b_text = _text(a), _text(b)
    table = _table(
        a_text, b_text, extract_figures(a_text), extract_figures(b_text), tolerance, threshold
    )
    return [row for _, row in table]


def compare_figures(
    a: str | _HasText,
    b: str | _HasText,
    *,
    tolerance: float = 0.0,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[FigureMismatch]:
    """Figures that changed value between aligned sentences of two versions.

    ``tolerance`` is relative: 0.02 lets "about 6,000" match "6,100". Figures in a
    sentence only one version has are not mismatches.

    >>> a = "As many as 10,000 illegal crossings daily."
    >>> [(m.a.describe(), m.b.describe()) for m in compare_figures(a, a.replace("10,000", "1,000"))]
    [('10,000 illegal crossings', '1,000 illegal crossings')]
    """
    a_text, b_text = _text(a), _text(b)
    return _mismatches(
        a_text, b_text, extract_figures(a_text), extract_figures(b_text), tolerance, threshold
    )


def _mismatches(
    a_text: str,
    b_text: str,
    a_figs: list[Figure],
    b_figs: list[Figure],
    tolerance: float,
    threshold: float,
) -> list[FigureMismatch]:
    out: list[FigureMismatch] = []
    for al, row in _table(a_text, b_text, a_figs, b_figs, tolerance, threshold):
        if row.status == "changed" and row.a and row.b and al.a_span and al.b_span:
            out.append(FigureMismatch(row.a, row.b, al.a_span, al.b_span))
    return out


# --- the story-level check --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairTable:
    """Two versions as the figure check compared them: its sentence alignment and its
    figure table. The report's story view shows exactly this, so the view and the
    check cannot disagree."""

    a: str
    b: str
    aligned: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    rows: tuple[FigureRow, ...]

    def to_json(self) -> dict[str, object]:
        """``{"documents", "aligned", "figures"}`` as the results' ``stories[].pairs`` hold it."""
        return tables_json(packed_tables([self]))[0]


_PackedFigure = tuple[str, Value, tuple[int, int], str, str]
"""A figure as a table keeps it for the report: text, value, span, kind, noun."""

PackedTable = tuple[str, str, tuple[tuple[tuple[int, int], tuple[int, int]], ...],
                    tuple[tuple[str, _PackedFigure | None, _PackedFigure | None], ...]]
"""A :class:`PairTable` as plain tuples: its documents, aligned spans, and each row's
status and figures (:func:`packed_tables`; :func:`tables_json` reads it)."""


def packed_tables(tables: Iterable[PairTable]) -> list[PackedTable]:
    """The tables as plain tuples, to be stored (pickled) and read back as JSON by
    :func:`tables_json` for the report: each figure one tuple, shared by every row and
    table it is in (pickled once), instead of a dict per figure and row.

    >>> t = PairTable("a", "b", (((0, 9), (0, 9)),), tuple(figure_table("7 days.", "7 days.")))
    >>> tables_json(packed_tables([t]))[0] == t.to_json()
    True
    """
    packed: dict[int, _PackedFigure] = {}  # by the figure's identity, while the tables live

    def pack(f: Figure | None) -> _PackedFigure | None:
        if f is None:
            return None
        found = packed.get(id(f))
        if found is None:
            found = packed[id(f)] = (f.text, f.value, f.span, f.kind, f.noun)
        return found

    return [(t.a, t.b, t.aligned, tuple((row.status, pack(row.a), pack(row.b)) for row in t.rows))
            for t in tables]


def tables_json(tables: Iterable[PackedTable]) -> list[dict[str, object]]:
    """``{"documents", "aligned", "figures"}`` of each packed table (:func:`packed_tables`),
    as the report's story view reads it."""
    return [{
        "documents": [a, b],
        "aligned": [[list(x), list(y)] for x, y in aligned],
        "figures": [{"a": _figure_json(fa), "b": _figure_json(fb),
                     "match": status == "same", "status": status}
                    for status, fa, fb in rows],
    } for a, b, aligned, rows in tables]


def _figure_json(figure: _PackedFigure | None) -> dict[str, object] | None:
    if figure is None:
        return None
    text, value, span, kind, noun = figure
    return {"text": text, "value": value, "span": list(span), "kind": kind, "noun": noun}


def check_consistent_figures(
    versions: Sequence[tuple[str, str]],
    tolerance: float = 0.0,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    dates: Sequence[str | None] | None = None,
) -> list[Hit]:
    """``figure_changed`` hits for the versions ``(doc_id, text)`` of one story.

    Every pair of versions is compared (a story has a handful). A figure that differs
    between two versions is **one** finding, on the later version of the pair (see
    :func:`later_version`), ``related`` pointing at the figure in the earlier one. One
    hit per document and figure span: when several earlier versions disagree with the
    same figure, its message names them all and ``related`` points to the first.
    """
    return compare_versions(versions, tolerance, threshold=threshold, dates=dates)[0]


def later_version(versions: Sequence[tuple[str, str]], dates: Sequence[str | None] | None,
                  i: int, j: int) -> int:
    """Which of versions ``i`` and ``j`` is the later one: the later date when both have
    one and they differ (ISO dates compare as strings), else the larger document id.

    >>> later_version([("b", ""), ("a", "")], None, 0, 1)
    0
    >>> later_version([("b", ""), ("a", "")], ["2023-12-28", "2023-12-29"], 0, 1)
    1
    """
    if dates is not None:
        di, dj = dates[i], dates[j]
        if di and dj and di != dj:
            return i if di > dj else j
    return i if versions[i][0] > versions[j][0] else j


class PerVersion:
    """What the figure check computes once per version of a story, on first use: its
    figures, and its sentences with their tokens (a :class:`Side`).

    Shared by every pair the version is in, so a story of k versions extracts and splits
    k times, not once per pair; sentences the versions share are tokenised once.
    """

    def __init__(self, versions: Sequence[tuple[str, str]]) -> None:
        self.versions = versions
        self._figures: dict[int, list[Figure]] = {}
        self._sides: dict[int, Side] = {}
        self._known: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
        self._paragraphs: dict[tuple[str, bool], list[Figure]] = {}
        self._split: dict[str, list[tuple[int, int]]] = {}
        self._blocks: SharedBlocks = {}
        self._words: dict[str, tuple[int, int]] = {}
        self._placed: dict[int, list[_Placed]] = {}
        self._moved: dict[tuple[int, int], list[Figure]] = {}

    def figures(self, i: int) -> list[Figure]:
        """The figures of version ``i`` (its paragraphs shared with other versions are
        not read again: :func:`extract_figures_reusing`)."""
        if i not in self._figures:
            text = self.versions[i][1]
            blocks = list(_blocks(text))
            self._figures[i] = _extract_blocks(text, blocks, self._paragraphs,
                                               self._comma_decimal(text, blocks), self._moved)
        return self._figures[i]

    def _comma_decimal(self, text: str, blocks: list[tuple[int, int]]) -> bool:
        """:func:`decimal_comma` of ``text``, from the counts of its blocks (cut after white
        space, so no word straddles two), each block the versions share counted once."""
        comma = english = 0
        for start, end in blocks:
            if start >= _LANGUAGE_CHARS:
                break
            if end > _LANGUAGE_CHARS:
                counts = _language_words(text[start:_LANGUAGE_CHARS])
            else:
                block = text[start:end]
                counts = self._words.get(block) or self._words.setdefault(
                    block, _language_words(block))
            comma += counts[0]
            english += counts[1]
        return comma > english

    def side(self, i: int) -> Side:
        """The sentences of version ``i``, its figures masked."""
        if i not in self._sides:
            self._sides[i] = Side(self.versions[i][1], [f.span for f in self.figures(i)],
                                  self._known, self._split, self._blocks)
        return self._sides[i]

    def placed(self, i: int) -> list[_Placed]:
        """The figures of each sentence of version ``i`` (:func:`_placed`)."""
        if i not in self._placed:
            self._placed[i] = _placed(self.figures(i), self.side(i).sentences)
        return self._placed[i]


def compare_versions(
    versions: Sequence[tuple[str, str]],
    tolerance: float = 0.0,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    pairs: Sequence[tuple[int, int]] | None = None,
    dates: Sequence[str | None] | None = None,
    per_version: PerVersion | None = None,
    shown: Callable[[int, int], bool] | None = None,
) -> tuple[list[Hit], list[PairTable]]:
    """:func:`check_consistent_figures` and the table of each pair it compared.

    ``pairs`` (indices into ``versions``) defaults to every pair; ``dates`` (one ISO
    date or ``None`` per version) decide which version of a pair is the later one.
    ``per_version``: the versions' figures and sentences from an earlier call on the same
    ``versions`` (a story compared pair by pair), else computed here. ``shown(i, j)``:
    whether the table of pair ``(i, j)`` is wanted (default: every pair's); a pair whose
    table is not wanted is only read for its changed figures (no row is made for a
    sentence copied unchanged, whose figures all pair as ``same``).
    """
    prepared = per_version if per_version is not None else PerVersion(versions)
    figs = [prepared.figures(i) for i in range(len(versions))]
    side = prepared.side

    if pairs is None:
        pairs = [(i, j) for i in range(len(versions)) for j in range(i + 1, len(versions))]
    found: dict[tuple[int, tuple[int, int]], tuple[Figure, list[tuple[int, Figure]]]] = {}
    tables = []
    for i, j in pairs:
        wanted = shown is None or shown(i, j)
        alignments, table = _aligned_table(
            versions[i][1], versions[j][1], figs[i], figs[j], tolerance, threshold,
            (side(i), side(j)), (prepared.placed(i), prepared.placed(j)), copied_rows=wanted)
        for al, row in [(al, row) for al, row in table if row.status == "changed"]:
            if row.a and row.b and al.a_span and al.b_span:
                if later_version(versions, dates, i, j) == i:
                    found.setdefault((i, row.a.span), (row.a, []))[1].append((j, row.b))
                else:
                    found.setdefault((j, row.b.span), (row.b, []))[1].append((i, row.a))
        if not wanted:
            continue
        aligned = tuple(((al.a[0].span[0], al.a[-1].span[1]), (al.b[0].span[0], al.b[-1].span[1]))
                        for al in alignments if al.a and al.b)  # the spans of the paired ones
        tables.append(PairTable(versions[i][0], versions[j][0], aligned,
                                tuple(row for _, row in table)))
    hits = []
    for (i, span), (fig, others) in sorted(found.items()):
        first, first_fig = others[0]
        theirs = ", ".join(f"{o.quoted()} in {versions[k][0]}" for k, o in others)
        hits.append(
            Hit(
                "figure_changed",
                f"figure changed between versions: {fig.quoted()} here vs {theirs}"
                " — check which is right",
                span,
                related=Related(versions[first][0], first_fig.span),
                document=versions[i][0],
            )
        )
    return hits, tables
