"""Defect injection: put one known defect into a copy of a document or of a story.

Each mutation is a pure function of a text (or of the texts of a story's versions)
and a :class:`random.Random`; it returns the mutated text (``bytes`` for invalid
UTF-8) and an :class:`InjectedDefect` saying which expectation must report which
reason where, or ``None`` when the text offers no place for that defect (an
ASCII-only text has no accented word to decompose, a document without a date has
no date to invalidate). Mutations never change anything else on purpose.

:mod:`corpus_qa.selftest` uses them to measure a suite on a corpus (the mutation
score); :mod:`corpus_qa.strategies` wraps them as hypothesis strategies. This module
needs no test dependency.

>>> import random
>>> text, defect = inject_mojibake("Andrés Manuel López Obrador met reporters.", random.Random(1))
>>> defect.expected_reason, text[defect.span[0]:defect.span[1]] in ("AndrÃ©s", "LÃ³pez")
('mojibake', True)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any

from corpus_qa.checks.boilerplate import DEFAULT_LEADING_CHARS, DEFAULT_TRAILING_CHARS
from corpus_qa.checks.figures import Figure, extract_figures, same_value
from corpus_qa.documents import Document
from corpus_qa.findings import HitLike
from corpus_qa.metadata import Metadata, Phrases, parse_date, resolve
from corpus_qa.sources.text import read_text_metadata
from corpus_qa.text.calendar import MONTH_PATTERN
from corpus_qa.text.fold import WORD, fold_diacritics
from corpus_qa.text.segment import line_spans, split_sentences

Span = tuple[int, int]


# --- what was injected ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InjectedDefect:
    """One injected defect: which expectation must report which reason, and where.

    ``span`` is in characters of the mutated text as the loader decodes it (for
    invalid bytes: the U+FFFD the bad sequence becomes). ``spans`` lists every
    injected span when there are several (a whole document in NFD, every folded word).
    ``key`` is the metadata field of a ``missing_field``. ``evidence`` is a string the
    finding's message must contain when the check reports only its first occurrence
    at a span (diacritics: ``"Lopez/"``). ``span_checked`` is False when the finding is
    not located in the text (a missing field is reported at (0, 0)). ``version`` is the
    index of the mutated version for story-level mutations.
    """

    family: str
    expected_expectation: str
    expected_reason: str
    span: Span
    detail: str = ""
    key: str | None = None
    evidence: str | None = None
    span_checked: bool = True
    version: int | None = None
    spans: tuple[Span, ...] = field(default=())

    def all_spans(self) -> tuple[Span, ...]:
        """Every injected span (``spans``, or just ``span``)."""
        return self.spans or (self.span,)

    def matches(self, hit: HitLike) -> bool:
        """True when ``hit`` reports this defect: its reason, key, and span or evidence."""
        if hit.reason != self.expected_reason:
            return False
        if self.key is not None and hit.key != self.key:
            return False
        if not self.span_checked:
            return True
        if any(overlaps(hit.span, s) for s in self.all_spans()):
            return True
        return self.evidence is not None and self.evidence in hit.message

    def found_in(self, hits: Iterable[HitLike]) -> bool:
        """True when any of ``hits`` reports this defect."""
        return any(self.matches(h) for h in hits)

    def found_in_versions(self, hits: Iterable[Any], mutated: str) -> bool:
        """True when a hit reports this defect of the version whose id is ``mutated``.

        A cross-version defect is reported once per pair of versions, on the later one
        (``figure_changed``), so the report may sit in another version and point at the
        mutated one: its ``related`` then names ``mutated`` at the injected span.
        """
        for hit in hits:
            if getattr(hit, "document", None) == mutated and self.matches(hit):
                return True
            related = getattr(hit, "related", None)
            if (related is not None and related.document == mutated
                    and hit.reason == self.expected_reason
                    and any(overlaps(related.span, s) for s in self.all_spans())):
                return True
        return False


def overlaps(a: Span, b: Span) -> bool:
    """True when two spans share a character, or an empty span lies inside the other.

    >>> overlaps((0, 5), (4, 9)), overlaps((0, 5), (5, 9)), overlaps((3, 3), (0, 5))
    (True, False, True)
    """
    if a[0] == a[1] or b[0] == b[1]:
        return b[0] <= a[0] <= b[1] or a[0] <= b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]


# --- the families -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Family:
    """A defect family: the expectation of the default suite that must report it."""

    name: str
    expectation: str
    scope: str  # "document": one document is mutated; "story": one version of a story
    description: str


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("invalid_bytes", "expect_document_to_be_valid_utf8", "document",
               "bytes that are not UTF-8 (a latin-1/cp1252 character, a cut sequence, "
               "a stray byte)"),
        Family("mojibake", "expect_document_to_have_no_mojibake", "document",
               "a word encoded as UTF-8 and decoded as cp1252 or latin-1"),
        Family("control_character", "expect_document_to_have_no_control_characters", "document",
               "a C0/C1 control, zero-width or bidi character inside the text"),
        Family("nfd", "expect_document_to_be_unicode_normalized", "document",
               "a word, or the whole text, in NFD (decomposed accents)"),
        Family("dropped_metadata", "expect_document_to_have_metadata", "document",
               "a required field removed (header line, front matter key or text signal)"),
        Family("invalid_date", "expect_document_date_to_be_valid", "document",
               "the date made impossible (month 13, day 32, February 30)"),
        Family("boilerplate_line", "expect_document_to_have_no_boilerplate", "document",
               "a subscribe / syndication / cookie / copyright line inserted at a line boundary"),
        Family("figure_change", "expect_versions_to_have_consistent_figures", "story",
               "one number of one version changed"),
        Family("stripped_diacritics", "expect_versions_to_preserve_diacritics", "story",
               "the accented words of one version ASCII-folded"),
    )
}
"""Every defect family, by name, in the order reports list them."""


def _defect(family: str, reason: str, span: Span, detail: str, **extra: object) -> InjectedDefect:
    return InjectedDefect(family, FAMILIES[family].expectation, reason, span, detail,
                          **extra)  # type: ignore[arg-type]


# --- helpers ----------------------------------------------------------------------------

_TOKEN = re.compile(r"\S+")


def as_document(text: str) -> Document:
    """``text`` as the ``.txt`` loader reads it: front matter or header fields, body start."""
    doc = Document(id="document", text=text, path="<text>")
    read_text_metadata(doc)
    return doc


def body_start(text: str) -> int:
    """Where the body of ``text`` begins, after front matter or a metadata header."""
    return as_document(text).body_start


def _tokens(text: str, start: int) -> list[Span]:
    return [m.span() for m in _TOKEN.finditer(text, start)]


def _splice(text: str, span: Span, new: str) -> str:
    return text[: span[0]] + new + text[span[1] :]


# --- encoding ---------------------------------------------------------------------------

MOJIBAKE_CODECS = ("cp1252", "latin-1")

# An ASCII text has no non-ASCII word to mis-decode; its typographic punctuation does,
# once written as a word processor would (the commonest mojibake: "donâ€™t").


def misdecode(text: str, codec: str) -> str:
    """``text`` encoded as UTF-8 and decoded as ``codec`` (cp1252 undefined bytes as latin-1).

    >>> misdecode("López", "cp1252"), misdecode("it’s", "cp1252")
    ('LÃ³pez', 'itâ€™s')
    """
    data = text.encode("utf-8")
    if codec == "latin-1":
        return data.decode("latin-1")
    return "".join(
        bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data
    )  # like ftfy's "sloppy-windows-1252": 0x81, 0x8D, 0x8F, 0x90, 0x9D stay C1 controls


def _typographic(token: str) -> str:
    """Straight quotes as a word processor writes them (’ “ ”)."""
    out = []
    for i, char in enumerate(token):
        if char == '"':
            char = "\u201c" if i == 0 else "\u201d"
        elif char == "'":
            char = "\u2019"
        out.append(char)
    return "".join(out)


def inject_mojibake(text: str, rng: Random) -> tuple[str, InjectedDefect] | None:
    """Mis-decode one word that holds a non-ASCII letter (or, in ASCII text, a quote).

    The word is encoded as UTF-8 and decoded as cp1252 or latin-1: ``López`` →
    ``LÃ³pez``. Without non-ASCII words, an apostrophe or quote is first made
    typographic (``Blinken's`` → ``Blinkenâ€™s``). ``None`` when neither exists.
    """
    start = body_start(text)
    spans = [s for s in _tokens(text, start) if not text[s[0] : s[1]].isascii()]
    typographic = False
    if not spans:
        spans = [s for s in _tokens(text, start) if any(c in text[s[0] : s[1]] for c in "'\"")]
        typographic = True
    if not spans:
        return None
    span = rng.choice(spans)
    word = text[span[0] : span[1]]
    codec = rng.choice(MOJIBAKE_CODECS)
    broken = misdecode(_typographic(word) if typographic else word, codec)
    new_span = (span[0], span[0] + len(broken))
    return _splice(text, span, broken), _defect(
        "mojibake", "mojibake", new_span, f"{word!r} → {broken!r} (UTF-8 read as {codec})"
    )


# Bytes that are never valid where they are put: a latin-1 letter, a cp1252 quote, the
# lead byte of a cut sequence, or a byte UTF-8 never uses.
_STRAY_BYTES = (b"\xff", b"\xfe", b"\xc0", b"\x80")
_CP1252_QUOTES = {"'": b"\x92", "\u2019": b"\x92", "\u2018": b"\x91", "\u201c": b"\x93",
                  "\u201d": b"\x94", "\u2013": b"\x96", "\u2014": b"\x97"}


def _bad_byte_choices(text: str, start: int) -> list[tuple[int, int, bytes, str]]:
    """(char offset, chars replaced, bytes, description) of every way to break UTF-8 here."""
    out: list[tuple[int, int, bytes, str]] = []
    for i in range(start, len(text)):
        char = text[i]
        if char in _CP1252_QUOTES:
            out.append((i, 1, _CP1252_QUOTES[char], f"{char!r} written as cp1252"))
        elif 0x80 <= ord(char) <= 0xFF and char.isalpha():
            out.append((i, 1, char.encode("latin-1"), f"{char!r} written as latin-1"))
        elif ord(char) > 0x7F:
            cut = char.encode("utf-8")[:-1]
            out.append((i, 1, cut, f"{char!r} cut to {len(cut)} of its UTF-8 bytes"))
    return out


def inject_invalid_bytes(text: str, rng: Random) -> tuple[bytes, InjectedDefect]:
    """The text as UTF-8 bytes with one invalid sequence in the body.

    One character becomes its latin-1 or cp1252 byte, or a multi-byte character is cut
    short; otherwise a stray byte (``\\xff``, a lone continuation byte …) is inserted
    between two words. The span is the U+FFFD that the sequence decodes to.
    """
    start = body_start(text)
    choices = _bad_byte_choices(text, start)
    if not choices or rng.random() < 0.25:
        spaces = [i for i in range(max(start, 1), len(text) + 1)
                  if i == len(text) or text[i].isspace()]
        at = rng.choice(spaces) if spaces else len(text)
        stray = rng.choice(_STRAY_BYTES)
        choices = [(at, 0, stray, "stray byte " + "".join(f"\\x{b:02x}" for b in stray))]
    at, replaced, bad, what = rng.choice(choices)
    data = text[:at].encode("utf-8") + bad + text[at + replaced :].encode("utf-8")
    return data, _defect("invalid_bytes", "invalid_utf8", (at, at + 1),
                         f"{what} at character {at}")


CONTROL_CHARACTERS = ("\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\x9d", "\u200b", "\u2060",
                      "\u200e", "\u202e", "\u2066", "\ufeff")
"""Characters that never belong inside news text (no NUL: that makes a file binary)."""


def inject_control_character(text: str, rng: Random) -> tuple[str, InjectedDefect]:
    """One control, zero-width or bidi character inserted somewhere in the body."""
    start = max(body_start(text), 1)  # offset 0 would make U+FEFF a (legal) BOM
    positions = [i for i in range(start, len(text) + 1)
                 if not (0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n")]
    at = rng.choice(positions) if positions else len(text)
    char = rng.choice(CONTROL_CHARACTERS)
    return text[:at] + char + text[at:], _defect(
        "control_character", "control_character", (at, at + 1), f"U+{ord(char):04X} at {at}"
    )


def inject_nfd(text: str, rng: Random) -> tuple[str, InjectedDefect] | None:
    """One word, or the whole text, decomposed to NFD (``é`` → ``e`` + U+0301).

    ``None`` when no character of the body decomposes (ASCII text).
    """
    start = body_start(text)
    words = [s for s in _tokens(text, start)
             if unicodedata.normalize("NFD", text[s[0] : s[1]]) != text[s[0] : s[1]]]
    if not words:
        return None
    if rng.random() < 0.5:
        span = rng.choice(words)
        word = unicodedata.normalize("NFD", text[span[0] : span[1]])
        new_span = (span[0], span[0] + len(word))
        return _splice(text, span, word), _defect(
            "nfd", "not_normalized", new_span, f"{text[span[0]:span[1]]!r} in NFD"
        )
    mutated = text[:start] + unicodedata.normalize("NFD", text[start:])
    changed = tuple(s for s in _tokens(mutated, start)
                    if not unicodedata.is_normalized("NFC", mutated[s[0] : s[1]]))
    return mutated, _defect("nfd", "not_normalized", changed[0],
                            f"whole body in NFD ({len(changed)} words)", spans=changed)


# --- metadata ---------------------------------------------------------------------------


SIGNAL_SHARE_OF_SENTENCE = 0.25
"""A signal that is at least this share of its sentence is cut with the sentence."""


def _unit_of(text: str, span: Span) -> Span:
    """What to cut to remove the signal at ``span``: its sentence if the signal is most of it.

    A header value takes its key and line; a signal that is most of its sentence
    ("Originally posted by the Voice of America.") takes the sentence, and the line
    when the sentence is the whole line; a signal inside a longer sentence ("… at
    Border by VOA News U.S. and …") takes only itself.
    """
    for line in line_spans(text):
        if line[0] <= span[0] < line[1] or line[0] < span[1] <= line[1]:
            break
    else:
        return span
    piece = text[line[0] : line[1]]
    for sentence in split_sentences(piece):
        s = (line[0] + sentence.span[0], line[0] + sentence.span[1])
        if s[0] <= span[0] < s[1]:
            if span[1] - span[0] < SIGNAL_SHARE_OF_SENTENCE * (s[1] - s[0]):
                return span
            return line if s == line else (s[0], max(s[1], span[1]))
    return span


def _header_unit(text: str, span: Span, body: int) -> Span:
    """A header or front matter value's whole ``key value`` item (with its line break)."""
    line_start = text.rfind("\n", 0, span[0]) + 1
    end = span[1]
    while end < len(text) and text[end] in " \t":
        end += 1
    if end < len(text) and text[end] == "\n":
        end += 1
    elif end >= body:  # a header glued to the first sentence: keep what precedes the key
        key = re.search(r"[A-Za-z]+[ \t]*:?[ \t]*$", text[line_start : span[0]])
        if key:
            line_start += key.start()
    return line_start, end


def _cut(text: str, spans: Sequence[Span]) -> tuple[str, int]:
    """``text`` without ``spans`` (merged, with the space after each); where the first was."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        while e < len(text) and text[e] in " \t":
            e += 1
        whole_line = (s == 0 or text[s - 1] == "\n") and text[e - 1 : e] != "\n"
        if whole_line and e < len(text) and text[e] == "\n":
            e += 1  # a whole line goes with its line break
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out = text
    for s, e in reversed(merged):
        out = out[:s] + out[e:]
    return out, merged[0][0] if merged else 0


def _evidence_units(text: str, meta: Metadata, name: str, body: int) -> list[Span]:
    units = []
    for item in meta[name].evidence:
        if item.span is None:
            continue
        if item.origin in ("header", "front_matter"):
            units.append(_header_unit(text, item.span, body))
        else:
            units.append(_unit_of(text, item.span))
    return units


MAX_DROP_ROUNDS = 4


def drop_metadata(
    text: str, rng: Random, *, field_name: str = "date", phrases: Phrases | None = None
) -> tuple[str, InjectedDefect] | None:
    """Remove every statement of ``field_name`` (header item, front matter key, text signal).

    A text signal is cut with its sentence when it is most of the sentence (a source
    notice, a credit line) and alone otherwise (a byline glued to the body). ``None``
    when the text does not state the field, or still does after a few rounds of cuts.
    ``rng`` is unused (dropping is deterministic) but keeps the signature of the others.
    """
    del rng
    first: int | None = None
    for _ in range(MAX_DROP_ROUNDS):
        doc = as_document(text)
        meta = resolve(doc, phrases)
        if field_name not in meta:
            if first is None:
                return None
            return text, _defect("dropped_metadata", "missing_field", (first, first),
                                 f"'{field_name}' removed", key=field_name, span_checked=False)
        units = _evidence_units(text, meta, field_name, doc.body_start)
        if not units:
            return None  # stated only outside the text (not possible for a plain text)
        text, at = _cut(text, units)
        first = at if first is None else min(first, at)
    return None


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH_NAME = re.compile(rf"\b{MONTH_PATTERN}(?!\w)")
_DAY_NUMBER = re.compile(r"(?<!\d)([0-3]?\d)(?:st|nd|rd|th)?(?![\d:])")


def impossible_date(raw: str, rng: Random) -> str | None:
    """``raw`` (a date as written) with an impossible month or day, in the same format.

    >>> impossible_date("2023-12-28", Random(1)), impossible_date("December 28, 2023", Random(1))
    ('2023-13-28', 'February 30, 2023')
    """
    iso = _ISO_DAY.search(raw)
    if iso:
        year = iso.group(1)
        new = rng.choice((f"{year}-13-{iso.group(3)}", f"{year}-{iso.group(2)}-32",
                          f"{year}-02-30"))
        return raw[: iso.start()] + new + raw[iso.end() :]
    month = _MONTH_NAME.search(raw)
    day = next((m for m in _DAY_NUMBER.finditer(raw) if len(m.group(1)) <= 2), None)
    if day is None:
        return None
    if month and rng.random() < 0.5:  # February 30, written where the month and day were
        for span, new in sorted([(day.span(1), "30"), (month.span(), "February")], reverse=True):
            raw = _splice(raw, span, new)
        return raw
    return _splice(raw, day.span(1), "32")


def invalidate_date(
    text: str, rng: Random, *, phrases: Phrases | None = None
) -> tuple[str, InjectedDefect] | None:
    """Make the document's date impossible (``2023-13-28``, ``2023-12-32``, ``February 30``).

    ``None`` when the text states no date or the date's format leaves no day to spoil.
    """
    meta = resolve(as_document(text), phrases)
    if "date" not in meta:
        return None
    resolved = meta["date"]
    span = resolved.location()
    raw = text[span[0] : span[1]]
    if span == (0, 0) or not raw:
        return None
    bad = impossible_date(raw, rng)
    if bad is None:
        return None
    mutated = _splice(text, span, bad)
    check = resolve(as_document(mutated), phrases)
    if "date" not in check or parse_date(check["date"].raw).date is not None:
        return None  # the spoiled date no longer reads as a date at all
    return mutated, _defect("invalid_date", "invalid_date", (span[0], span[0] + len(bad)),
                            f"date {raw!r} → {bad!r}")


# --- boilerplate ------------------------------------------------------------------------

PUBLISHERS = ("The Example Times", "Reuters", "The Conversation", "Kaiser Health News",
              "the Daily Ledger", "Global Wire Service")
"""Names used in inserted syndication and copyright lines."""


@dataclass(frozen=True, slots=True)
class BoilerplateLine:
    """A line that should have been stripped, the reason it must be reported with, where it counts.

    ``marked`` is the part the reason applies to (the first sentence of a two-sentence
    line); ``edges`` lines count only near the start or end of the body.
    """

    text: str
    reason: str
    edges: bool = False
    marked: str | None = None


BOILERPLATE_LINES = (
    BoilerplateLine("Subscribe to our newsletter", "call_to_action"),
    BoilerplateLine("Sign up for our daily newsletter to get the latest news.", "call_to_action"),
    BoilerplateLine("Follow us on Facebook and Twitter.", "call_to_action"),
    BoilerplateLine("Share this article", "call_to_action"),
    BoilerplateLine("Originally published by {PUBLISHER}. All rights reserved.",
                    "syndication_notice", True, "Originally published by {PUBLISHER}."),
    BoilerplateLine("This article was originally published by {PUBLISHER}.", "syndication_notice",
                    True),
    BoilerplateLine("This article is republished from {PUBLISHER} under a Creative Commons "
                    "license.",
                    "syndication_notice", True),
    BoilerplateLine("Copyright {YEAR} {PUBLISHER}. All rights reserved.", "legal_notice", True),
    BoilerplateLine("We use cookies to improve your experience on our website.", "cookie_notice"),
    BoilerplateLine("By continuing to use this site, you agree to our use of cookies.",
                    "cookie_notice"),
    BoilerplateLine("Advertisement", "page_furniture"),
)
"""The lines :func:`insert_boilerplate_line` draws from (phrased as sites print them)."""


def _boundaries(text: str, start: int) -> list[int]:
    """Offsets in the body where a new line can start: line starts, and the end."""
    out = [i for i in range(start, len(text)) if i == 0 or text[i - 1] == "\n"]
    return [*out, len(text)]


def _counts_at(text: str, at: int, length: int, start: int) -> bool:
    """True when a line of ``length`` inserted at ``at`` is wholly in the leading or trailing block.

    Both blocks are measured on the text after the insertion, as the check sees it.
    Wholly: the check judges each sentence of a line by its own position, so a
    two-sentence notice across a block's border is not one the pattern lists promise
    to find.
    """
    if at + length < start + DEFAULT_LEADING_CHARS or not text[at:].strip():
        return True
    new_end = len(text.rstrip()) + length + 1  # the inserted line and its line break
    return at > new_end - DEFAULT_TRAILING_CHARS


def insert_boilerplate_line(text: str, rng: Random) -> tuple[str, InjectedDefect]:
    """A subscribe / syndication / copyright / cookie line inserted at a line boundary.

    Lines that count only at the edges of a body go at a boundary near its start or
    end; the others at any boundary of the body.
    """
    line = rng.choice(BOILERPLATE_LINES)
    fill = {"PUBLISHER": rng.choice(PUBLISHERS), "YEAR": str(rng.randint(2000, 2025))}
    shown = line.text.format(**fill)
    marked = (line.marked or line.text).format(**fill)
    start = body_start(text)
    boundaries = _boundaries(text, start)
    if line.edges:
        boundaries = [b for b in boundaries if _counts_at(text, b, len(shown), start)]
    at = rng.choice(boundaries)
    if at == len(text):
        before = "" if not text or text.endswith("\n") else "\n"
        insert, offset = before + shown + "\n", len(before)
    else:
        insert, offset = shown + "\n", 0
    begin = at + offset + shown.index(marked)
    return text[:at] + insert + text[at:], _defect(
        "boilerplate_line", line.reason, (begin, begin + len(marked)), f"inserted {shown!r}"
    )


# --- versions of a story ----------------------------------------------------------------

_DIGIT_RUN = re.compile(r"\d{1,3}(?:([, \u00a0])\d{3})+(?!\d)|\d+(?:\.\d+)?")
_CHANGEABLE_KINDS = ("number", "money", "percent", "year", "date")


def _changed_number(run: re.Match[str], kind: str, rng: Random) -> str:
    """A different number written like ``run`` (same grouping and decimals)."""
    digits = run.group(0)
    separator = run.group(1)
    if kind == "year" and len(digits) == 4:
        return str(int(digits) - rng.randint(1, 3))
    if kind == "date":
        day = int(digits)
        new_day = (day - 1 + rng.randint(1, 20)) % 28 + 1 if day <= 31 else day + 1
        return str(new_day).zfill(len(digits))
    if "." in digits:
        whole, decimals = digits.split(".")
        value = round(float(digits) * rng.choice((2, 3)), len(decimals))
        return f"{value:.{len(decimals)}f}"
    value = int(re.sub(r"\D", "", digits))
    new = value * rng.choice((2, 3)) if value else rng.randint(2, 9)
    if separator:
        return f"{new:,}".replace(",", separator)
    return str(new)


def _shared_figures(versions: Sequence[str], target: int) -> list[Figure]:
    """Figures in the body of one version, with digits, whose value another version states too.

    Figures of the metadata header (its date) are metadata, not the story's figures.
    """
    others = [extract_figures(t) for i, t in enumerate(versions) if i != target]
    start = body_start(versions[target])
    out = []
    for fig in extract_figures(versions[target]):
        if fig.span[0] < start:
            continue
        if fig.kind in _CHANGEABLE_KINDS and _DIGIT_RUN.search(fig.text) and any(
            same_value(fig, g) for figs in others for g in figs
        ):
            out.append(fig)
    return out


def change_figure(
    versions: Sequence[str], rng: Random, *, target: int | None = None
) -> tuple[list[str], InjectedDefect] | None:
    """Change one number in one version that another version states too (10,000 → 20,000).

    Numbers are doubled or tripled, years moved back 1–3 years, days of the month
    moved; the grouping (``10,000``) is kept. ``None`` when no version shares a
    written-in-digits figure with another.
    """
    candidates = [target] if target is not None else list(range(len(versions)))
    eligible = [(i, f) for i in candidates for f in _shared_figures(versions, i)]
    if len(versions) < 2 or not eligible:
        return None
    index, fig = rng.choice(eligible)
    runs = list(_DIGIT_RUN.finditer(fig.text))
    run = runs[-1] if fig.kind == "date" else runs[0]
    new_digits = _changed_number(run, fig.kind, rng)
    new_text = _splice(fig.text, run.span(), new_digits)
    text = versions[index]
    mutated = _splice(text, fig.span, new_text)
    out = list(versions)
    out[index] = mutated
    span = (fig.span[0], fig.span[0] + len(new_text))
    return out, _defect("figure_change", "figure_changed", span,
                        f"{fig.text!r} → {new_text!r}", version=index)


def _accented_words(text: str) -> dict[str, str]:
    """Folded form → accented form, for the words this text always writes with accents."""
    accented: dict[str, str] = {}
    plain: set[str] = set()
    for match in WORD.finditer(text):
        word = match.group()
        folded = fold_diacritics(word)
        if folded == word:
            plain.add(word)
        else:
            accented.setdefault(folded, word)
    return {k: v for k, v in accented.items() if k not in plain}


def _fold_words(text: str, chosen: set[str], shown: set[str]) -> tuple[str, list[Span], list[str]]:
    """``text`` with the accented words whose folded form is in ``chosen`` folded.

    Returns the new text, and the spans and folded forms of those in ``shown``.
    """
    parts: list[str] = []
    spans: list[Span] = []
    words: list[str] = []
    pos = length = 0
    for match in WORD.finditer(text):
        folded = fold_diacritics(match.group())
        if folded == match.group() or folded not in chosen:
            continue
        parts.append(text[pos : match.start()])
        length += match.start() - pos
        if folded in shown:
            spans.append((length, length + len(folded)))
            words.append(folded)
        parts.append(folded)
        length += len(folded)
        pos = match.end()
    parts.append(text[pos:])
    return "".join(parts), spans, words


def strip_diacritics(
    versions: Sequence[str], rng: Random, *, target: int | None = None
) -> tuple[list[str], InjectedDefect] | None:
    """ASCII-fold the accented words of one version (``López`` → ``Lopez``).

    The version is one that shares at least one accented word with another version
    (so the loss can be seen); either all its accented words are folded, or some of
    those it shares. ``None`` when no two versions share an accented word.
    """
    accents = [_accented_words(t) for t in versions]
    candidates = [target] if target is not None else list(range(len(versions)))
    others = [{k for j, a in enumerate(accents) if j != i for k in a} for i in range(len(versions))]
    eligible = [i for i in candidates if set(accents[i]) & others[i]]
    if not eligible:
        return None
    index = rng.choice(eligible)
    shared = sorted(set(accents[index]) & others[index])
    if rng.random() < 0.5:  # every accented word, or only some of those another version has
        chosen = set(rng.sample(shared, rng.randint(1, len(shared))))
    else:
        chosen = set(accents[index])
    text, spans, words = _fold_words(versions[index], chosen, set(shared))
    out = list(versions)
    out[index] = text
    names = ", ".join(accents[index][w] for w in dict.fromkeys(words))
    return out, _defect("stripped_diacritics", "diacritics_stripped", spans[0],
                        f"folded {names} ({len(spans)}×)", evidence=f"{words[0]}/",
                        version=index, spans=tuple(spans))


# --- one entry point per scope ----------------------------------------------------------

def mutate_document(
    family: str, text: str, rng: Random, *, field_name: str = "date",
    phrases: Phrases | None = None,
) -> tuple[str | bytes, InjectedDefect] | None:
    """Inject one defect of a document-level ``family`` into ``text`` (see :data:`FAMILIES`)."""
    if family not in FAMILIES or FAMILIES[family].scope != "document":
        known = ", ".join(n for n, f in FAMILIES.items() if f.scope == "document")
        raise ValueError(f"unknown document defect family {family!r}; expected one of: {known}")
    if family == "dropped_metadata":
        return drop_metadata(text, rng, field_name=field_name, phrases=phrases)
    if family == "invalid_date":
        return invalidate_date(text, rng, phrases=phrases)
    simple: dict[str, Callable[[str, Random], tuple[str | bytes, InjectedDefect] | None]] = {
        "invalid_bytes": inject_invalid_bytes,
        "mojibake": inject_mojibake,
        "control_character": inject_control_character,
        "nfd": inject_nfd,
        "boilerplate_line": insert_boilerplate_line,
    }
    return simple[family](text, rng)


def mutate_story(
    family: str, versions: Sequence[str], rng: Random, *, target: int | None = None
) -> tuple[list[str], InjectedDefect] | None:
    """Inject one defect of a story-level ``family`` into one of ``versions``."""
    if family == "figure_change":
        return change_figure(versions, rng, target=target)
    if family == "stripped_diacritics":
        return strip_diacritics(versions, rng, target=target)
    known = ", ".join(n for n, f in FAMILIES.items() if f.scope == "story")
    raise ValueError(f"unknown story defect family {family!r}; expected one of: {known}")
