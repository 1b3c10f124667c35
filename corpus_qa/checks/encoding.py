"""Encoding checks: valid UTF-8, no mojibake, no stray control characters, normalized.

Each family has a fast predicate (``…_ok``) that the GX metric runs on every document
and a ``find_…`` function that explains a failing document with spans; the runner
calls the second only for documents the first rejected.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the "sloppy-windows-125x" codecs)
from ftfy.badness import BADNESS_RE

from corpus_qa.checks.badness import (
    Anchored,
    UnsupportedPattern,
    anchor_class,
    one_pass,
    outside_block,
    rewrite,
)
from corpus_qa.findings import Hit

MAX_HITS_PER_DOCUMENT = 20
"""A document with thousands of bad bytes gets this many hits; the first says how many."""


def _capped(hits: list[Hit], total: int, what: str) -> list[Hit]:
    """``hits`` (at most :data:`MAX_HITS_PER_DOCUMENT`), the first saying the ``total``.

    The hits become one finding with many spans; a document with more problems than
    that marks the first ones, and its first message says how many there are in all.
    """
    if total <= len(hits) or not hits:
        return hits
    first = hits[0]
    note = f" ({total} {what} in this document; the first {len(hits)} are marked)"
    return [replace(first, message=first.message + note), *hits[1:]]


# --- UTF-8 and U+FFFD -------------------------------------------------------------
#
# The UTF-8 expectation owns every U+FFFD: the ones the loader put in place of invalid
# bytes (``invalid_utf8``, with the byte offset) and the ones already in the text, lost
# by an earlier decoding (``replacement_character``). It reads the document's bytes, or
# its text when it has no bytes (a JSON string); the text checks never report U+FFFD.

_REPLACEMENT = "\ufffd"


def utf8_ok(raw: bytes | str | None) -> bool:
    """True when ``raw`` decodes as UTF-8 and holds no U+FFFD (a character lost upstream).

    ``raw`` is a document's bytes, or its text when it arrived as a string.

    >>> utf8_ok(b"caf\\xc3\\xa9"), utf8_ok(b"caf\\xe9"), utf8_ok("lost \\ufffd")
    (True, False, False)
    """
    if raw is None:
        return True
    if isinstance(raw, str):
        return _REPLACEMENT not in raw
    if raw.isascii():
        return True
    try:
        # In valid UTF-8 the bytes of U+FFFD are that character (0xEF only ever starts a
        # sequence): searching the decoded text is the byte search, and cheaper.
        return _REPLACEMENT not in raw.decode("utf-8")
    except UnicodeDecodeError:
        return False


def _replacement_hit(text: str, at: int, where: str) -> Hit:
    return Hit(
        "replacement_character",
        f"U+FFFD REPLACEMENT CHARACTER {where} — a character was lost when the text was "
        "decoded before it got here; recover it from the source",
        (at, at + 1),
    )


def _column(text: str, at: int) -> int:
    return at - text.rfind("\n", 0, at)


def find_invalid_utf8(raw: bytes | str | None) -> list[Hit]:
    """One hit per invalid byte sequence (its byte offset and bytes) and per U+FFFD.

    Spans are in characters of the text as the loader decoded it (each invalid
    sequence became one U+FFFD).

    >>> print(find_invalid_utf8(b"caf\\xe9 au lait")[0].message.replace(" — ", "\\n"))
    invalid UTF-8 at byte 3: \\xe9 (decoded as U+FFFD)
    re-encode the file as UTF-8 (was it written as latin-1/cp1252?)
    >>> print(find_invalid_utf8("lost \\ufffd char")[0].message.replace(" — ", "\\n"))
    U+FFFD REPLACEMENT CHARACTER at column 6
    a character was lost when the text was decoded before it got here; recover it from the source
    """
    if raw is None:
        return []
    if isinstance(raw, str):
        found = [
            _replacement_hit(raw, i, f"at column {_column(raw, i)}")
            for i, c in enumerate(raw) if c == _REPLACEMENT
        ]
        return _capped(found[:MAX_HITS_PER_DOCUMENT], len(found), "U+FFFD characters")
    hits: list[Hit] = []
    total = 0
    pos = 0
    char = 0  # character offset of raw[pos] in the decoded text
    while pos < len(raw):
        bad: tuple[int, int] | None = None
        try:
            chunk = raw[pos:].decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = (pos + exc.start, pos + exc.end)
            chunk = raw[pos:bad[0]].decode("utf-8")
        at = chunk.find(_REPLACEMENT)
        while at >= 0:
            total += 1
            if len(hits) < MAX_HITS_PER_DOCUMENT:
                byte = pos + len(chunk[:at].encode("utf-8"))
                hits.append(_replacement_hit(chunk, char + at, f"at byte {byte}"))
            at = chunk.find(_REPLACEMENT, at + 1)
        char += len(chunk)
        if bad is None:
            break
        start, end = bad
        total += 1
        if len(hits) < MAX_HITS_PER_DOCUMENT:
            shown = "".join(f"\\x{b:02x}" for b in raw[start:end])
            hits.append(
                Hit(
                    "invalid_utf8",
                    f"invalid UTF-8 at byte {start}: {shown} (decoded as U+FFFD) — re-encode "
                    "the file as UTF-8 (was it written as latin-1/cp1252?)",
                    (char, char + 1),
                )
            )
        char += 1
        pos = end
    return _capped(hits, total, "invalid byte sequences or U+FFFD characters")


# --- mojibake ---------------------------------------------------------------------
#
# Two cheap stages find suspicious characters; a confirmation stage keeps a span only
# when it can be explained as a real mis-decoding (its characters encoded with the code
# page it was wrongly read with, decoded with the right one) that reads better.
#
# 1. ftfy's badness regex (``BADNESS_RE``: UTF-8 read as a single-byte code page).
# 2. Mis-decodings that ftfy's regex does not cover: runs of Latin-1 letters that are
#    Cyrillic, Greek or CJK bytes read as cp1252/latin-1 ("Ïðèâåò"), KOI8-R and cp1251
#    read as each other ("пРЙЧЕФ"), UTF-8 three-byte sequences read as cp1252
#    ("Nguyá»…n"), UTF-8 Cyrillic read as cp1251 or KOI8-R, Latin code pages read as one
#    another ("CafÈ", "Wroc³aw").
#
# Both stages are one regex (``_SUSPICIOUS_RE``) that starts with a single character
# class, so the regex engine skips every character outside it (all of ASCII) without
# trying the alternatives. Stage 1 is derived from ftfy's own pattern when this module is
# imported (``checks/badness.py``): each alternative consumes one character that is never
# ASCII and checks the characters before it with a lookbehind and those after it with a
# lookahead. It matches where ftfy's regex matches (the equivalence tests compare the
# verdicts on hypothesis text and on a generated, mis-decoded corpus) at many times its
# speed.

# cp1252's readings of the bytes 0x80-0xBF (UTF-8 continuation bytes), and latin-1's.
_CONTINUATION = (
    "\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_INNER_SYMBOLS = ("\x80-\xac\xae-\xb6\xb8-\xbf\u02c6-\u02dd\u201a-\u2025\u2027-\u2122"
                  "\u2200-\u25ff\ufb01\ufb02")
_BETWEEN_LETTERS = "(?<=[A-Za-z].)(?=[a-z])"
"""The context of an alternative that matches only between an ASCII letter and a small
one (the screen tests it on the text's shape: :func:`_settled_by_shape`)."""
_LEGACY = (
    # (the character consumed, what must hold around it, whether it can be the only
    # non-ASCII character of a match)
    # Cyrillic / Greek / CJK bytes read as cp1252 or latin-1: three Latin-1 letters.
    ("\xc0-\xff", "(?=[\xc0-\xff]{2})", False),
    # KOI8-R read as cp1251 (or the reverse): a capital turned small, small turned capital.
    ("а-яё", "(?=[А-ЯЁ]{2})", False),
    ("А-ЯЁ", "(?<![А-ЯЁ].)(?=[А-ЯЁ]{5}|[А-ЯЁ]{2,}[\\s,.]+[А-ЯЁ]{3})", False),
    # A UTF-8 three-byte sequence read as cp1252 ("á»…"), or a two-byte one that ftfy's
    # regex lets through ("Åšrodki" for "Środki").
    ("\xe0-\xef", f"(?=[{_CONTINUATION}]{{2}})", False),
    ("\xc2-\xdf", f"(?=[{_CONTINUATION}])", False),
    # A UTF-8 two-byte sequence read as cp1251, or Cyrillic next to KOI8-R's symbols.
    # A second byte 0xA0 reads as a no-break space ("à" is "Г\xa0"), not followed by a
    # Cyrillic letter (typeset Russian puts one after a one-letter word: "В\xa0Москве").
    ("В-Я", "(?=[^\\sА-Яа-яЁё\x00-\x7f]|\xa0(?![А-Яа-яЁё]))", False),
    # The same as cp1253: "à" is "Γ\xa0" (only Γ: other Greek capitals are symbols).
    ("Γ", "(?=\xa0(?:\\s|[.,;:!?]|\\Z))", False),
    ("А-я", "(?=[\u2219-\u2265\u2320\u2321\u2500-\u25a0\xb0\xb2\xb7\xf7])", False),
    # A Latin code page read as another (mac-roman, cp437, cp1250): a symbol inside a
    # word, or a capital after a small letter ("CafÈ", "£ódŸ"). These two can match a
    # single non-ASCII character between ASCII letters.
    (_INNER_SYMBOLS, _BETWEEN_LETTERS, True),
    ("\xc0-\xd6\xd8-\xde\u0152\u0160\u0178\u017d", "(?<=[a-z].)", True),
    # A Latin code page read as a Cyrillic or Greek one ("cafй", "StraЯe", "cafι"): a
    # Cyrillic or Greek letter inside a word of Latin letters.
    ("\u0386-\u03ce\u0400-\u045f", "(?:(?<=[A-Za-z\xc0-\xff].)|(?=[A-Za-z\xc0-\xff]))",
     True),
    # A one-letter Cyrillic word after a small Latin letter, before a Latin letter or
    # punctuation ("reste а Lyon", "reste а."): a Latin one-letter word (French "à",
    # Italian "è", Portuguese "é") read as cp1251; judged with its line. Not Greek ("π"
    # and "α" are variables of English text).
    ("\u0400-\u045f",
     "(?<=[a-z][ \t].)(?=[ \t][A-Za-z]|[.,;:!?)])", True),
    # Cyrillic read as cp1253: cp1251's "а" and koi8-r's "ю" become the rare "ΰ", "ΐ", and
    # cp1251's "т" a final sigma inside a word ("νΰ", "ςε").
    ("\u0390\u03b0", "", True),
    ("\u03c2", "(?=[\u0386-\u03ce])", True),
    # Greek read as cp1251: an accented small letter (ά έ ή ί) becomes a capital inside a
    # word of small Cyrillic letters ("кхбЭсмгсг").
    ("ЬЭЮЯ", "(?<=[а-я].)", True),
)
_LEGACY_ALTERNATIVES = tuple(Anchored(f"[{anchor}]", around, single)
                             for anchor, around, single in _LEGACY)


@dataclass(frozen=True)
class ShapeScreen:
    """What a match of stages 1 and 2 needs, tested without scanning the text with a regex.

    :func:`~corpus_qa.checks.badness.one_pass` tries an alternative whose anchor always
    has a non-ASCII neighbour (``paired``) only next to one, so a text without two
    adjacent non-ASCII characters matches none of those. Each other alternative
    (``single``) needs its anchor among the text's rare characters, except those whose
    context is :data:`_BETWEEN_LETTERS`: they also need an ASCII letter before the anchor
    and a small one after it, which the text's shape tells for anchors from U+2000 to
    U+2FFF (curly quotes, dashes, bullets: common in correct text).
    """

    singles: re.Pattern[str] | None
    """The anchors of the single alternatives the rare characters must not hold."""
    between_letters: bool
    """Whether some alternative's anchors between letters are tested on the shape."""


def _shape_screen(alternatives: tuple[Anchored, ...]) -> ShapeScreen:
    flanked = [a for a in alternatives if a.single and a.context == _BETWEEN_LETTERS]
    others = [a for a in alternatives if a.single and a.context != _BETWEEN_LETTERS]
    parts = [anchor_class(others).pattern] if others else []
    outside = outside_block(anchor_class(flanked), 0x2000, 0x2FFF) if flanked else None
    if outside is None:  # tested as the others' are: anywhere among the rare characters
        parts += [anchor_class(flanked).pattern] if flanked else []
    elif outside:  # their anchors outside U+2000-U+2FFF are tested as the others' are
        parts.append(outside)
    # One character class (the parser merges the alternatives), scanned in C.
    return ShapeScreen(re.compile("|".join(parts)) if parts else None, outside is not None)


def _stages(badness_re: re.Pattern[str]) -> tuple[re.Pattern[str], re.Pattern[str],
                                                   re.Pattern[str] | None,
                                                   re.Pattern[str] | None,
                                                   ShapeScreen | None]:
    """(stage 1 alone, stages 1 and 2 in one pass, ftfy's regex when it could not be
    rewritten, the characters a match of stages 1 and 2 can start at, and the
    :class:`ShapeScreen` of stages 1 and 2 — both None when ftfy's regex is used as it
    is: it can start anywhere) for ftfy's ``badness_re``."""
    try:
        badness = rewrite(badness_re)
    except UnsupportedPattern as exc:
        warnings.warn(f"ftfy {ftfy.__version__}: its badness regex could not be rewritten "
                      f"({exc}); the mojibake check runs it as it is, several times slower",
                      RuntimeWarning, stacklevel=2)
        return badness_re, one_pass(_LEGACY_ALTERNATIVES), badness_re, None, None
    both = (*badness, *_LEGACY_ALTERNATIVES)
    return (one_pass(badness), one_pass(both), None, anchor_class(both),
            _shape_screen(both))


# Each match of _SUSPICIOUS_RE is one suspicious character, one of _SUSPICIOUS_START_RE.
(_BADNESS_FAST_RE, _SUSPICIOUS_RE, _UNREWRITTEN_RE, _SUSPICIOUS_START_RE,
 _SHAPE_SCREEN) = _stages(BADNESS_RE)

# --- the screen: what a document holds besides plain ASCII ------------------------

_PLAIN_BYTES = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F)])
"""Tab, line feed, carriage return and printable ASCII: no check starts a match at them."""


def rare_characters(text: str) -> str:
    """``text`` without printable ASCII, tab, LF and CR: every other character, in order.

    The mojibake and control-character regexes can only start a match at one of these,
    so a document whose rare characters hold none of a regex's first characters is
    settled without running it. Found in C (encode, delete the plain bytes, decode: a
    plain byte is never part of a longer UTF-8 sequence) at several hundred MB/s, where
    a regex scan of news text, which has a curly quote or an accent every few dozen
    characters, stops at each of them.

    >>> rare_characters("caf\\u00e9 \\u201cok\\u201d\\x07\\n")
    'é“”\\x07'
    """
    if text.isascii():
        return text.encode("ascii").translate(None, _PLAIN_BYTES).decode("ascii")
    return (text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_BYTES)
            .decode("utf-8", "surrogatepass"))


def mojibake_settled(rare: str) -> bool:
    """True when a text whose :func:`rare_characters` are ``rare`` cannot hold mojibake:
    none of them can start a suspicious span (stages 1 and 2 find nothing)."""
    return _SUSPICIOUS_START_RE is not None and _SUSPICIOUS_START_RE.search(rare) is None


def _table(*codes: tuple[bytes, bytes]) -> bytes:
    """A ``bytes.translate`` table: each byte of ``sources`` to ``code``, for each
    ``(sources, code)`` in turn; every other byte to itself."""
    table = bytearray(range(256))
    for sources, code in codes:
        for byte in sources:
            table[byte] = code[0]
    return bytes(table)


_CAPITALS, _SMALL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz"
_SHAPE = _table((bytes(range(0x80)), b"_"), (_CAPITALS, b"A"), (_SMALL, b"a"),
                (bytes(range(0xC0, 0x100)), b"L"), (b"\xe2", b"E"))
"""Each byte to its character's class in :func:`text_shape` (0xE2 starts U+2000-U+2FFF)."""
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))
_NON_ASCII = _table((b"Aa", b"_"), (b"E", b"L"))
"""A shape with every non-ASCII character as ``L`` and every ASCII one as ``_``."""
_LETTERS = _table((b"A", b"a"))
"""A shape with every ASCII letter as ``a``."""


def screened(text: str) -> tuple[str, bytes]:
    """``text``'s :func:`rare_characters` and :func:`text_shape`, from one encoding."""
    if text.isascii():
        return rare_characters(text), text_shape(text)
    encoded = text.encode("utf-8", "surrogatepass")
    return (encoded.translate(None, _PLAIN_BYTES).decode("utf-8", "surrogatepass"),
            encoded.translate(_SHAPE, _CONTINUATION_BYTES))


def text_shape(text: str) -> bytes:
    """One byte per character of ``text``: ``A`` a capital ASCII letter, ``a`` a small
    one, ``_`` any other ASCII character, ``E`` a character from U+2000 to U+2FFF, ``L``
    any other. Found in C (encode, one translation that deletes the continuation bytes:
    every character but ASCII has exactly one first byte, 0xC0 or above, 0xE2 for
    U+2000-U+2FFF).

    >>> text_shape("A caf\u00e9 \u201cok\u201d.")
    b'A_aaaL_EaaE_'
    """
    return text.encode("utf-8", "surrogatepass").translate(_SHAPE, _CONTINUATION_BYTES)


def _settled_by_shape(rare: str, shape: bytes) -> bool:
    """True when a text of these rare characters and this :func:`text_shape` cannot hold
    a match of stages 1 and 2 (see :class:`ShapeScreen`). Each test is a C pass over
    the shape; no regex scans the text."""
    screen = _SHAPE_SCREEN
    if screen is None or b"LL" in shape.translate(_NON_ASCII):
        return False
    if screen.singles is not None and screen.singles.search(rare) is not None:
        return False
    return not (screen.between_letters and b"aEa" in shape.translate(_LETTERS))


@dataclass(frozen=True)
class CodePage:
    """A code page as the checks name it, and the Python codecs that read and write it."""

    name: str
    decode: str
    """The codec that turns its bytes into text (strict)."""
    encode: str
    """The codec that turns text back into the bytes it was read from (when this code
    page was the wrong one; ftfy's "sloppy" codecs keep the bytes cp125x leaves undefined)."""


UTF8 = CodePage("UTF-8", "utf-8", "utf-8")
CODE_PAGES: dict[str, CodePage] = {
    page.name: page
    for page in (
        UTF8,
        CodePage("cp1252", "cp1252", "sloppy-windows-1252"),
        CodePage("latin-1", "latin-1", "latin-1"),
        CodePage("cp1251", "cp1251", "sloppy-windows-1251"),
        CodePage("koi8-r", "koi8-r", "koi8-r"),
        CodePage("cp1250", "cp1250", "sloppy-windows-1250"),
        CodePage("iso-8859-2", "iso-8859-2", "iso-8859-2"),
        CodePage("cp1253", "cp1253", "sloppy-windows-1253"),
        CodePage("mac-roman", "mac-roman", "mac-roman"),
        CodePage("cp437", "cp437", "cp437"),
        CodePage("gbk", "gbk", "gbk"),
        CodePage("shift_jis", "shift_jis", "shift_jis"),
        CodePage("euc-kr", "euc-kr", "euc-kr"),
    )
}
"""Every code page the confirmation stage knows, by the name findings use."""

WRONG_READINGS = ("cp1252", "latin-1", "cp1251", "koi8-r", "cp1250", "iso-8859-2", "cp1253",
                  "mac-roman", "cp437")
"""Code pages a text can have been wrongly read with (single-byte: every byte is a
character, so the mis-reading leaves no U+FFFD behind)."""

# (right, wrong) in order of preference: when two pairs repair a span equally well, the
# first is named (cp1252 before latin-1, as they agree on letters).
_PAIRS: tuple[tuple[CodePage, CodePage], ...] = tuple(
    (CODE_PAGES[right], CODE_PAGES[wrong])
    for right in ("UTF-8", "cp1251", "koi8-r", "cp1252", "cp1250", "iso-8859-2", "cp1253",
                  "gbk", "shift_jis", "euc-kr", "mac-roman", "cp437")
    for wrong in WRONG_READINGS
    if right != wrong and {right, wrong} != {"cp1252", "latin-1"}
    and {right, wrong} != {"cp1250", "iso-8859-2"}
)


def is_bad(text: str) -> bool:
    """ftfy's ``is_bad`` verdict (stage 1), in one pass that skips ASCII.

    >>> is_bad("caf\\u00c3\\u00a9"), is_bad("caf\\u00e9 \\u201cok\\u201d")
    (True, False)
    """
    return not text.isascii() and _BADNESS_FAST_RE.search(text) is not None


@dataclass(frozen=True)
class Misdecoding:
    """A span explained as a mis-decoding: the text it was, and the two code pages."""

    span: tuple[int, int]
    shown: str
    repaired: str
    right: str
    """The code page the bytes were written in."""
    wrong: str
    """The code page they were read with."""


def _candidate_spans(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Stages 1 and 2: suspicious spans, widened to whole words and merged when no ASCII
    letter or digit separates them; each with the same span widened to the neighbouring
    words that have no ASCII letter either (the short words of a mis-decoded run, or
    correct text in another script: the confirmation tries the wide span first)."""
    found = [m.span() for m in _SUSPICIOUS_RE.finditer(text)]
    if _UNREWRITTEN_RE is not None:  # ftfy's regex as it is: its matches' non-ASCII chars
        found = sorted({*found, *((i, i + 1) for m in _UNREWRITTEN_RE.finditer(text)
                                  for i in range(*m.span()) if not text[i].isascii())})
    spans: list[tuple[int, int]] = []
    for start, end in found:
        start, end = _expand_to_words(text, start, end)
        if spans and (start <= spans[-1][1]
                      or _FOREIGN_GAP_RE.fullmatch(text, spans[-1][1], start)):
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    widened = []
    for start, end in spans:
        if _LONE_LETTER_RE.fullmatch(text, start, end):  # judged with its line instead
            widened.append(((start, end), (start, end)))
            continue
        before = _FOREIGN_WORDS_BEFORE_RE.search(text, 0, start)
        after = _FOREIGN_WORDS_AFTER_RE.match(text, end)
        widened.append(((before.start() if before else start, after.end() if after else end),
                        (start, end)))
    return widened


# Words with no ASCII letter or digit: the short words between and around mis-decoded
# words ("â", "íà") are part of the same mis-decoded run.
_FOREIGN_GAP_RE = re.compile(r"[^A-Za-z0-9]*")
_FOREIGN_WORDS_BEFORE_RE = re.compile(r"(?:(?<!\S)[^\sA-Za-z0-9]+\s+)+\Z")
_FOREIGN_WORDS_AFTER_RE = re.compile(r"(?:\s+[^\sA-Za-z0-9]+(?=\s|\Z))+")


def _expand_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole words around a span. A no-break space (0xA0 read as cp1252, the second
    byte of "à" in UTF-8) and C1 "next line" are not word breaks here."""
    before = _WORD_BREAK_BEFORE_RE.search(text, 0, start)
    after = _WORD_BREAK_RE.search(text, end)
    return (before.end() if before else 0), (after.start() if after else len(text))


_WORD_BREAK_RE = re.compile("[ \t\n\r\f\v\u2000-\u200a\u2028\u2029\u3000]")
_WORD_BREAK_BEFORE_RE = re.compile(_WORD_BREAK_RE.pattern + "(?=[^" + _WORD_BREAK_RE.pattern[1:]
                                   + "*\\Z)")


# --- how natural a span reads (the confirmation stage's yardstick) -------------------

# Letter frequencies (percent) of running Russian and Greek text; other Cyrillic letters
# (Ukrainian, Serbian, Belarusian) count as 1.5 %.
_FREQUENCIES = {
    **dict(zip("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё", (
        10.97, 8.45, 8.01, 7.35, 6.70, 6.26, 5.47, 4.73, 4.54, 4.40, 3.49, 3.21, 2.98, 2.81,
        2.62, 2.01, 1.90, 1.74, 1.70, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48,
        0.36, 0.32, 0.26, 1.5, 0.4), strict=True)),  # ъ: rare in Russian, common in Bulgarian
    **dict(zip("αοιετσςνηυρπκμλωδγχθφβξζψ", (
        12.0, 9.8, 8.5, 8.0, 8.0, 5.0, 2.5, 6.5, 5.0, 4.5, 4.4, 4.0, 4.0, 3.5, 2.8, 2.0, 1.8,
        1.7, 1.2, 1.3, 0.8, 0.7, 0.4, 0.4, 0.15), strict=True)),
}
_LOG_FREQUENCY = {c: math.log10(f) for c, f in _FREQUENCIES.items()}
_NATURAL_LOG_FREQUENCY = 0.72
"""Mean log10 frequency of the letters of ordinary Cyrillic or Greek text is 0.6–0.8;
text read with the wrong Cyrillic or Greek code page scores 0.2–0.5."""
_VOWELS = frozenset("аеиоуыэюяіїєαεηιουω")
_FEWEST_VOWELS = 0.33
"""Ordinary Cyrillic and Greek text is 33–55 % vowels; scrambled text often 20–30 %."""

# Accented Latin letters by language group: real text needs one group, text read with
# the wrong Latin code page mixes several ("Pøíliš žluouèký").
_ACCENT_GROUPS = (
    "àâæçéèêëîïôœùûüÿ",  # French
    "áéíñóúü",  # Spanish
    "àáâãçéêíóôõú",  # Portuguese
    "àèéìíîòóù",  # Italian
    "äöüßé",  # German
    "åäæøöéáíóúýðþ",  # Nordic
    "áäčďéěíĺľňóôŕřšťúůýž",  # Czech, Slovak
    "ąćęłńóśźż",  # Polish
    "áéíóöőúüű",  # Hungarian
    "ăâîșşțţ",  # Romanian
    "çğıöşüâî",  # Turkish
    "čćđšž",  # Croatian, Slovene
    "āčēģīķļņšūžąęėįųõäöü",  # Baltic
    "àçéèíïòóúü",  # Catalan
    "àáâãèéêìíòóôõùúýăđĩũơư" + "".join(map(chr, range(0x1EA0, 0x1EFA))),  # Vietnamese
)
_WESTERN_GROUPS = tuple(_ACCENT_GROUPS[i] for i in (0, 1, 2, 3, 4, 5, 13))
_CENTRAL_GROUPS = tuple(_ACCENT_GROUPS[i] for i in (4, 6, 7, 8, 9, 11))
PAGE_LANGUAGES: dict[str, tuple[str, ...]] = {
    "cp1252": _WESTERN_GROUPS, "latin-1": _WESTERN_GROUPS, "mac-roman": _WESTERN_GROUPS,
    "cp437": _WESTERN_GROUPS, "cp1250": _CENTRAL_GROUPS, "iso-8859-2": _CENTRAL_GROUPS,
}
"""The language groups (of :data:`_ACCENT_GROUPS`) each Latin code page was written for:
text repaired to that page is judged against these alone. Vietnamese is never written in
cp1252, Czech never in latin-1; UTF-8 text may be in any of them."""


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    """The script of a letter, coarsely: LATIN, CYRILLIC, GREEK, CJK, HANGUL, ARABIC …"""
    if char.isascii():
        return "LATIN"
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0]
    if first in ("CJK", "HIRAGANA", "KATAKANA", "IDEOGRAPHIC"):
        return "CJK"
    if first == "HALFWIDTH":
        return "HALFWIDTH"
    return first


@lru_cache(maxsize=8192)
def _rare_ideograph(char: str) -> bool:
    """True for an ideograph outside the common sets of Chinese (GB 2312 level 1) and
    Japanese (JIS X 0208 level 1): the text a wrong CJK code page makes is full of them."""
    for codec, first, last in (("gb2312", 0xB0, 0xD7), ("shift_jis", 0x88, 0x9F)):
        try:
            lead = char.encode(codec)[0]
        except UnicodeEncodeError:
            continue
        if first <= lead <= last:
            return False
    return True


@lru_cache(maxsize=4096)
def _is_symbol(char: str) -> bool:
    """Box drawing, math and other symbols that are not letters (but not currency)."""
    return unicodedata.category(char) in ("So", "Sm", "Sk", "No")


def _hard_errors(text: str) -> int:
    """Characters no correct text holds: controls, unassigned, private use, U+FFFD."""
    return sum(
        1 for c in text
        if c not in "\t\n\r" and (unicodedata.category(c) in ("Cc", "Cn", "Co") or c == "\ufffd")
    )


def unnaturalness(text: str, groups: tuple[str, ...] = _ACCENT_GROUPS) -> float:
    """How unlike ordinary text ``text`` reads: 0 for natural text, more for mixed scripts,
    dense or mixed-language accents, implausible letter case or rare letters.

    >>> unnaturalness("Привет, мир") < unnaturalness("Ïðèâåò, ìèð")
    True
    """
    # A lone C1 character matches BADNESS_RE too: count it once, as a hard error.
    score = 3.0 * _hard_errors(text) + 3.0 * sum(
        1 for m in BADNESS_RE.finditer(text) if not _C1_RE.fullmatch(m.group()))
    # A lone capital before a no-break space: UTF-8 "Š" (C5 A0) read as cp1252 or latin-1
    # ("Å\xa0ol"), which ftfy's regex lets through; not À É Ó Ö Á, real one-letter words.
    score += 3.0 * len(_LONE_CAPITAL_NBSP_RE.findall(text))
    # Chinese and Japanese are written without spaces: ideographs between spaces are
    # bytes of a spaced script (Cyrillic, Greek) read as a CJK code page.
    score += 1.0 * len(_SPACED_IDEOGRAPHS_RE.findall(text))
    score += 0.5 * sum(1 for c in text if "\u3400" <= c <= "\u9fff" and _rare_ideograph(c))
    accents: set[str] = set()
    rare = 0.0
    counted = vowels = 0
    latin_words = foreign_words = lone_letters = 0
    for word in text.split():
        letters = [c for c in word if c.isalpha()]
        scripts = {_script(c) for c in letters}
        if scripts & {"CYRILLIC", "GREEK"}:
            lone_letters += scripts == {"CYRILLIC"} and len(letters) == 1
            foreign_words += len(letters) > 1 and scripts <= {"CYRILLIC", "GREEK"}
        elif len(letters) >= 2 and scripts == {"LATIN"} and word.islower():
            latin_words += 1
        score += 3.0 * max(0, len(scripts) - 1) + 1.0 * ("HALFWIDTH" in scripts)
        score += sum(1.0 for c in word if not c.isascii() and _is_symbol(c))
        inner = word.strip(_EDGE_PUNCTUATION) if scripts <= _SPACED_SCRIPTS else ""
        score += 1.5 * sum(
            1 for c in inner[1:-1]
            if not c.isascii() and c not in _WORD_PUNCTUATION
            and (unicodedata.category(c)[0] in "SP" or unicodedata.category(c) == "No")
        )
        # Long capitalized words are rare in running Cyrillic and Greek text, and KOI8-R
        # and cp1251 read as each other turn small letters into capitals.
        if len(letters) >= 4 and scripts & {"CYRILLIC", "GREEK"} and word.isupper():
            score += 0.75
        # Greek final sigma inside a word: Greek text read with a wrong Greek code page.
        score += 2.0 * len(_MEDIAL_FINAL_SIGMA_RE.findall(word))
        if scripts == {"GREEK"}:
            score += _greek_word_oddity(letters)
        run = 0
        for i, c in enumerate(word):
            if c.isalpha() and not c.isascii() and scripts == {"LATIN"}:
                accents.add(c.lower())
                run += 1
                if run == 3:
                    score += 2.0
            else:
                run = 0
            if i > 0 and c.isupper() and word[i - 1].islower():
                score += 2.0
            if c.isalpha() and not c.isascii():
                base = _base_letter(c)
                if base in _LOG_FREQUENCY or _script(c) == "CYRILLIC":
                    rare += _LOG_FREQUENCY.get(base, 0.18)
                    vowels += base in _VOWELS
                    counted += 1
    if accents:
        score += 2.0 * (_groups_needed(accents, groups) - 1)
    # One-letter Cyrillic words among lowercase Latin words and no Cyrillic or Greek
    # word: Latin one-letter words ("à", "è") read with a Cyrillic code page.
    if lone_letters and not foreign_words and latin_words >= 3:
        score += 3.0 * lone_letters
    if counted:
        weight = min(1.0, counted / 6)
        score += max(0.0, _NATURAL_LOG_FREQUENCY - rare / counted) * 12.0 * weight
        score += max(0.0, _FEWEST_VOWELS - vowels / counted) * 20.0 * weight
    return score


_GREEK_ACCENTED = frozenset("άέήίόύώΐΰ")
_GREEK_RARE = frozenset("ΰΐ")
_GREEK_NO_FINAL = frozenset("βγδζθκλμξπτφχψ")


def _greek_word_oddity(letters: list[str]) -> float:
    """How unlike a word of monotonic Greek these letters are: a word of four or more
    small letters without an accent (monotonic spelling marks the stress of nearly every
    word of two syllables or more), a word ending in a consonant other than ς ν ρ, and
    the rare ΰ ΐ. Cyrillic bytes (cp1251, koi8-r) read as cp1253 make all three: cp1251's
    "Бизнес каза" reads "Αθηνερ κΰηΰ".

    >>> _greek_word_oddity(list("κυβέρνηση")), _greek_word_oddity(list("κΰηΰ"))
    (0.0, 2.0)
    """
    small = [c for c in letters if c.islower()]
    score = 1.0 * sum(1 for c in small if c in _GREEK_RARE)
    if len(small) >= 4 and len(small) == len(letters) and not _GREEK_ACCENTED.intersection(small):
        score += 1.0
    if len(letters) >= 2 and letters[-1] in _GREEK_NO_FINAL:
        score += 1.0
    return score


@lru_cache(maxsize=4096)
def _base_letter(char: str) -> str:
    """The lowercase letter without its accents (``ά`` → ``α``, ``Ё`` → ``е``)."""
    return unicodedata.normalize("NFD", char.lower())[0]


def _groups_needed(accents: set[str], groups: tuple[str, ...] = _ACCENT_GROUPS) -> int:
    """How many of ``groups`` it takes to cover these accented letters (greedy)."""
    left = set(accents)
    needed = 0
    while left:
        best = max(groups, key=lambda g: len(left.intersection(g)))
        covered = left.intersection(best)
        needed += 1
        if not covered:
            return needed + len(left)
        left -= covered
    return needed


_EDGE_PUNCTUATION = "\"'()[]{}<>.,;:!?«»‹›„“”‘’‚…—–-¡¿「」『』（）。，、"
_WORD_PUNCTUATION = "’‘ʼ·‐‑-'"
"""Punctuation that real words hold inside them (apostrophes, Catalan l·l, hyphens)."""

_LONE_CAPITAL_NBSP_RE = re.compile("(?<![^\\W\\d_])[ÂÃÄÅÆÐÑ]\xa0")
_MEDIAL_FINAL_SIGMA_RE = re.compile("ς(?=[^\\W\\d_])")
_SPACED_IDEOGRAPHS_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff] +(?=[\u3040-\u30ff\u3400-\u9fff])")
_SPACED_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})
"""Scripts whose words are separated by spaces (so a word is a unit to judge)."""

_LOST_RE = re.compile("\ufffd*\x00\ufffd*")
"""A lost byte (marked NUL) and the bytes of its sequence around it: one lost character."""

_MARGIN = 1.5
_CJK_PAGES = frozenset({"gbk", "shift_jis", "euc-kr"})
_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")
"""Kana, ideographs and Hangul: a CJK original needs at least three of them."""
_LOSSY_READINGS = frozenset({"cp1252", "cp1251", "cp1250", "cp1253"})
"""Code pages with undefined bytes: a strict reader leaves U+FFFD for them."""
_LEGACY_PRIOR = 0.5
"""Text was most likely written in UTF-8: a legacy original must read this much better."""
"""A repair must read this much more naturally than the span to be believed."""


def explain_misdecoding(segment: str) -> tuple[str, str, str] | None:
    """``(repaired, right, wrong)`` when ``segment`` reads as text in code page ``right``
    that was read with code page ``wrong``; ``None`` when no mis-decoding explains it.

    >>> explain_misdecoding("Ïðèâåò, ìèð")
    ('Привет, мир', 'cp1251', 'cp1252')
    >>> explain_misdecoding("s4y4 c1nt4 k4mu ¢¢") is None
    True
    """
    before = unnaturalness(segment)
    before_letters = unnaturalness(_C1_RE.sub("", segment)) if _C1_RE.search(segment) else before
    lost = segment.count("\ufffd")
    best: tuple[float, int, str, str, str] | None = None
    for order, (right, wrong) in enumerate(_PAIRS):
        try:
            if lost and right is UTF8 and wrong.name in _LOSSY_READINGS:
                # Mojibake read lossily (a byte cp1252 leaves undefined became U+FFFD):
                # the lost byte stays lost, and the sequence it was part of reads U+FFFD.
                data = segment.replace("\ufffd", "\x00").encode(wrong.encode)
                repaired = _LOST_RE.sub("\ufffd", data.decode("utf-8", errors="replace"))
            else:
                repaired = segment.encode(wrong.encode).decode(right.decode)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if (repaired == segment or _hard_errors(repaired) > repaired.count("\ufffd")
                or repaired.count("\ufffd") > lost
                or lost and not any(not c.isascii() and c != "\ufffd" for c in repaired)
                or not _letters_changed(segment, repaired) or _word_broken(segment, repaired)
                or right.name in _CJK_PAGES and len(_CJK_RE.findall(repaired)) < 3):
            continue
        after = _unnaturalness_in(repaired, right.name) + (right is not UTF8) * _LEGACY_PRIOR
        # A single-byte swap must earn its keep on the letters: C1 characters count as
        # control characters (the control expectation's), not as evidence.
        baseline = before if len(repaired) != len(segment) else before_letters
        if after + _MARGIN <= baseline and (best is None or after < best[0]):
            best = (after, order, repaired, right.name, wrong.name)
    if best is None:
        fixed = ftfy.fix_encoding_and_explain(segment)
        steps = dict(fixed.explanation or [])
        if (fixed.text != segment and "encode" in steps and "decode" in steps
                and not _hard_errors(fixed.text) and _letters_changed(segment, fixed.text)
                and unnaturalness(fixed.text) < before):
            return fixed.text, _ftfy_name(steps["decode"]), _ftfy_name(steps["encode"])
        return None
    return best[2], best[3], best[4]


def _word_broken(segment: str, repaired: str) -> bool:
    """True when a single-byte swap turns a letter into a space, or a letter between two
    letters into a non-letter (KOI8-R's no-break space and "·" for cp1251's "љ" "ћ"):
    no repair breaks a word."""
    if len(segment) != len(repaired):
        return False
    for i, (a, b) in enumerate(zip(segment, repaired, strict=True)):
        if a == b or not a.isalpha() or b.isalpha():
            continue
        if b.isspace() or b == "\xb7" or (0 < i < len(segment) - 1 and segment[i - 1].isalpha()
                                          and segment[i + 1].isalpha()):
            return True
    return False


# Letters of Western code pages in places their languages never put them: a grave vowel
# before a vowel (French, Italian, Catalan: "rozpoèet" is Czech "rozpočet" read through
# cp1252), a nasal ã õ before a consonant other than s (Portuguese: "nõtt" is Hungarian
# "nőtt"), ñ before a consonant (Spanish: "mieszkañcy"), œ ending a word (French), æ
# before a vowel (Danish, Norwegian: "poduzeæima" is Croatian "poduzećima").
_WESTERN_ODD_RE = re.compile(
    "[àèìòù](?=[aeiouyáéíóúàèìòùâêîôûäëïöü])|[ãõ](?=[^\\W\\d_aeiouáéíóúsn])"
    "|ñ(?=[^\\W\\d_aeiouáéíóú])|œ(?![^\\W\\d_])|æ(?=[aeiouyáéíóú])", re.IGNORECASE)


def _unnaturalness_in(text: str, page: str) -> float:
    """:func:`unnaturalness` of text read in code page ``page``: its accents judged
    against the languages written in that page, and its letters where they never stand."""
    groups = PAGE_LANGUAGES.get(page, _ACCENT_GROUPS)
    score = unnaturalness(text, groups)
    if groups is _WESTERN_GROUPS:
        score += 1.0 * len(_WESTERN_ODD_RE.findall(text))
    return score


def _letters_changed(segment: str, repaired: str) -> bool:
    """False when a swap changed no letter, or explains a C1 character that is not a
    byte of a multi-byte sequence: such a character ("a\\x85b", most often a cp1252 "…"
    read as latin-1) is the control-character expectation's."""
    if any(_LONE_C1_RE.fullmatch(word) for word in _ASCII_SPACE_RE.split(segment)):
        return False
    if len(segment) != len(repaired):
        return True  # multi-byte sequences were joined (UTF-8, CJK)
    if _ISOLATED_C1_RE.search(segment):
        return False  # a C1 character between ASCII characters: a control character
    return any(a != b and (a.isalpha() or b.isalpha()) for a, b in zip(segment, repaired,
                                                                         strict=True))


_C1_RE = re.compile("[\x80-\x9f]")
_ISOLATED_C1_RE = re.compile("(?<![^\x00-\x7f])[\x80-\x9f](?![^\x00-\x7f])")
_ASCII_SPACE_RE = re.compile("[ \t\n\r\f\v]+")  # str.split() also splits at U+0085
_LONE_C1_RE = re.compile("[\x00-\x7f]*(?:[\x80-\x9f][\x00-\x7f]*)+")
"""A word whose only non-ASCII characters are C1 controls."""


def _ftfy_name(codec: str) -> str:
    """The name findings use for one of ftfy's codecs ("sloppy-windows-1252" → "cp1252")."""
    if codec.startswith("utf-8"):
        return "UTF-8"
    return {"macroman": "mac-roman"}.get(codec, codec.replace("sloppy-", "").replace(
        "windows-", "cp"))


def misdecodings(text: str, *, first_only: bool = False) -> list[Misdecoding]:
    """Every confirmed mis-decoding in ``text`` (all three stages)."""
    if text.isascii():
        return []
    spans: list[Misdecoding] = []
    for wide, core in _candidate_spans(text):
        start, end = wide
        if wide == core and _LONE_LETTER_RE.fullmatch(text, start, end):
            # One letter alone cannot tell: its line does (and most often, the line is
            # Cyrillic text, where it is a real word: nothing to confirm).
            explained = _explain_lone_letter(text, start, end)
        else:
            explained = explain_misdecoding(text[start:end])
            if explained is None and core != wide:
                start, end = core
                explained = explain_misdecoding(text[start:end])
            if explained is None:
                start, end = core
                explained = _explain_lone_letter(text, start, end)
        if explained is None:
            continue
        repaired, right, wrong = explained
        if first_only:
            return [Misdecoding((start, end), text[start:end], repaired, right, wrong)]
        spans.append(Misdecoding((start, end), text[start:end], repaired, right, wrong))
    found: list[Misdecoding] = []
    for span in _one_page_per_reading(spans):
        (start, end), segment, repaired, right, wrong = (
            span.span, span.shown, span.repaired, span.right, span.wrong)
        last = found[-1] if found else None
        gap = text[last.span[1]:start] if last else ""
        if last and (last.right, last.wrong) == (right, wrong) and _SHORT_GAP_RE.fullmatch(gap):
            # One mis-decoded run broken by a short ASCII word ("… VÄƒn An phÃ¡t …").
            found[-1] = Misdecoding((last.span[0], end), text[last.span[0]:end],
                                    last.repaired + gap + repaired, right, wrong)
        else:
            found.append(Misdecoding((start, end), segment, repaired, right, wrong))
    return found


_LONE_LETTER_RE = re.compile("[!-/:-@[-`{-~]*[\u0400-\u045f][!-/:-@[-`{-~]*")
"""One Cyrillic letter with ASCII punctuation around it (not KOI8-R's box drawing: "ц═"
is UTF-8 "à" read as KOI8-R, confirmed as it is)."""
_FOREIGN_PAIR_RE = re.compile("[\u0370-\u03ff\u0400-\u045f]{2}")
_LINE_REACH = 240
"""How far along its line a lone letter's context reaches (characters each side)."""


def _explain_lone_letter(text: str, start: int, end: int) -> tuple[str, str, str] | None:
    """A one-letter Cyrillic word on a line of Latin words, judged with its line
    (``unnaturalness`` counts it against the Latin words around it): a Latin one-letter
    word read with a Cyrillic code page ("à" read as cp1251 is "а").
    ``(repaired, right, wrong)`` for the word alone, or ``None``.
    """
    if not _LONE_LETTER_RE.fullmatch(text, start, end):
        return None
    line_start = max(text.rfind("\n", 0, start) + 1, start - _LINE_REACH)
    line_end = text.find("\n", end)
    line_end = min(len(text) if line_end < 0 else line_end, end + _LINE_REACH)
    # Whole words only: where the reach cuts a word, the cut word is left out.
    if line_start > 0 and text[line_start - 1] != "\n":
        line_start = text.find(" ", line_start, start) + 1 or start
    if line_end < len(text) and text[line_end] != "\n":
        line_end = text.rfind(" ", end, line_end) if " " in text[end:line_end] else end
    line = text[line_start:line_end]
    if _FOREIGN_PAIR_RE.search(line):  # Cyrillic or Greek words: a real one-letter word
        return None
    explained = explain_misdecoding(line)
    if explained is None or len(explained[0]) != len(line):
        return None
    repaired, right, wrong = explained
    return repaired[start - line_start:end - line_start], right, wrong


def _one_page_per_reading(found: list[Misdecoding]) -> list[Misdecoding]:
    """``found`` with one pair of code pages named for the spans read through single-byte
    pages: a document is written in one code page and read with one, and a span alone
    often reads as well through two pairs ("rozpoиet" is "rozpoèet" in cp1252 and
    "rozpočet" in cp1250, both read as cp1251). The named pair that reads all of them
    most naturally is named for all; when none reads them all, the same is done for
    the spans of each wrong page. A pair that cannot read a span is not a candidate."""
    found = list(found)
    legacy = [i for i, m in enumerate(found)
              if m.right in _SINGLE_BYTE_RIGHTS and m.wrong in _SINGLE_BYTE_RIGHTS]
    if len({(found[i].right, found[i].wrong) for i in legacy}) < 2:
        return found
    groups = [legacy] if _name_one_pair(found, legacy) else []
    if not groups:
        by_wrong: dict[str, list[int]] = {}
        for i in legacy:
            by_wrong.setdefault(found[i].wrong, []).append(i)
        for where in by_wrong.values():
            _name_one_pair(found, where)
    return found


def _name_one_pair(found: list[Misdecoding], where: list[int]) -> bool:
    """Name, for the spans ``where``, the pair among theirs that reads all of them most
    naturally (ties: the pair named most often); False when no pair reads them all."""
    named = [(found[i].right, found[i].wrong) for i in where]
    best: tuple[float, int, tuple[str, str], list[str]] | None = None
    for pair in dict.fromkeys(named):
        readings = [_reread(found[i].shown, *pair) for i in where]
        if any(r is None for r in readings):
            continue
        read = [r for r in readings if r is not None]
        total = sum(_unnaturalness_in(r, pair[0]) for r in read)
        if best is None or (total, -named.count(pair)) < best[:2]:
            best = (total, -named.count(pair), pair, read)
    if best is None:
        return False
    for i, repaired in zip(where, best[3], strict=True):
        found[i] = replace(found[i], repaired=repaired, right=best[2][0], wrong=best[2][1])
    return True


_SINGLE_BYTE_RIGHTS = frozenset({"cp1251", "koi8-r", "cp1252", "latin-1", "cp1250",
                                 "iso-8859-2", "cp1253", "mac-roman", "cp437"})


def _reread(segment: str, right: str, wrong: str) -> str | None:
    """``segment`` encoded with code page ``wrong`` and decoded with ``right``, when that
    is a repair: it decodes, changes letters and breaks no word."""
    try:
        repaired = segment.encode(CODE_PAGES[wrong].encode).decode(CODE_PAGES[right].decode)
    except (UnicodeEncodeError, UnicodeDecodeError, KeyError):
        return None
    if (_hard_errors(repaired) or not _letters_changed(segment, repaired)
            or _word_broken(segment, repaired)):
        return None
    return repaired


_SHORT_GAP_RE = re.compile(r"[ \t]*(?:[!-~]{1,12}[ \t]+){0,2}")
"""Up to two short words of ASCII between two mis-decoded runs, on one line."""


def mojibake_ok(text: str, rare: str | None = None, shape: bytes | None = None) -> bool:
    """True when no stage finds a mis-decoding (ASCII text is never scanned).

    ``rare``, ``shape``: the text's :func:`rare_characters` and :func:`text_shape`, when
    the caller has them (computed here otherwise: :func:`screened` finds both). A text
    none of whose rare characters can start a suspicious span passes without a regex
    scan (:func:`mojibake_settled`), and so does one whose shape rules every
    alternative out (:class:`ShapeScreen`: no two adjacent non-ASCII characters, no
    curly quote between letters, …); other text costs one pass of the stages' regex;
    only suspicious spans are confirmed.
    This is deliberately not ``ftfy.fix_text(t) != t``: fix_text also "fixes" curly
    quotes and ligatures, which are correct text.

    >>> mojibake_ok("Caf\\u00e9 \\u201cquoted\\u201d"), mojibake_ok("Caf\\u00c3\\u00a9")
    (True, False)
    """
    if text.isascii():
        return True
    if rare is None:
        rare = rare_characters(text)
    if mojibake_settled(rare) or _settled_by_shape(
            rare, text_shape(text) if shape is None else shape):
        return True
    return not misdecodings(text, first_only=True)


def find_mojibake(text: str) -> list[Hit]:
    """One hit per mis-decoded run of words: the code pages, and the repaired span.

    >>> hit = find_mojibake("The caf\\u00c3\\u00a9 opened.")[0]
    >>> print(hit.message.replace(" — ", "\\n"))
    mojibake "cafÃ©"
    UTF-8 text read as cp1252; it should read "café"
    decode the source as UTF-8
    >>> hit.suggestion
    'café'
    """
    found = misdecodings(text)
    hits = [
        Hit(
            "mojibake",
            f'mojibake "{m.shown}" — {m.right} text read as {m.wrong}; it should read '
            f'"{m.repaired}" — decode the source as {m.right}',
            m.span,
            suggestion=m.repaired,
        )
        for m in found[:MAX_HITS_PER_DOCUMENT]
    ]
    return _capped(hits, len(found), "mojibake runs")


# --- control characters -----------------------------------------------------------

# C0 except tab/LF/CR, DEL, C1 (line/paragraph separators are left alone: they are
# whitespace), zero-width space / word joiner / Mongolian vowel separator, bidi
# embeddings/overrides/isolates and marks. ZWJ/ZWNJ are legitimate inside words of
# many scripts (Persian, Devanagari, emoji sequences); they are flagged only next to
# ASCII or whitespace, where they are invisible junk. A BOM is allowed at offset 0.
# U+FFFD is not a control character: the UTF-8 expectation owns it. A C1 character
# that is a byte of a mis-decoded UTF-8 sequence ("â€\x9d" for "”") is part of that
# mojibake, and the mojibake expectation owns it.
# One character class first, so the regex engine skips everything else in C.
_CONTROL_CHARS = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2060\u180e\u200e\u200f"
                  "\u202a-\u202e\u2066-\u2069\ufeff")
_CONTROL_START_RE = re.compile(f"[{_CONTROL_CHARS}\u200c\u200d]")
"""The characters a match of _CONTROL_RE starts at (each match is one of them)."""
_CONTROL_RE = re.compile(
    _CONTROL_START_RE.pattern
    + f"(?:(?<=[{_CONTROL_CHARS}])"
    "|(?<=[\x00-\x7f\\s][\u200c\u200d])|(?<=[\u200c\u200d])(?=[\x00-\x7f\\s]|$))"
)


def stray_controls(text: str) -> Iterator[re.Match[str]]:
    """The control characters that no other expectation owns."""
    owned: list[tuple[int, int]] | None = None
    for match in _CONTROL_RE.finditer(text):
        start = match.start()
        if start == 0 and match.group() == "\ufeff":
            continue
        if "\x80" <= match.group() <= "\x9f":
            if owned is None:
                owned = [m.span for m in misdecodings(text)]
            if any(lo <= start < hi for lo, hi in owned):
                continue
        yield match


def control_characters_ok(text: str, rare: str | None = None) -> bool:
    """True when the text holds no stray control characters (a leading BOM is allowed).

    ``rare``: the text's :func:`rare_characters`, when the caller has them; a text with
    no control, zero-width or bidi character among them passes without a regex scan.

    >>> control_characters_ok("tab\\tand\\nnewline"), control_characters_ok("bell\\x07")
    (True, False)
    >>> control_characters_ok("He said \\u00e2\\u20ac\\u0153hi\\u00e2\\u20ac\\x9d")  # mojibake's
    True
    """
    if _CONTROL_START_RE.search(rare_characters(text) if rare is None else rare) is None:
        return True
    return next(stray_controls(text), None) is None


_C0_NAMES = (
    "NULL START-OF-HEADING START-OF-TEXT END-OF-TEXT END-OF-TRANSMISSION ENQUIRY ACKNOWLEDGE "
    "BELL BACKSPACE TAB LINE-FEED LINE-TABULATION FORM-FEED CARRIAGE-RETURN SHIFT-OUT SHIFT-IN "
    "DATA-LINK-ESCAPE DEVICE-CONTROL-ONE DEVICE-CONTROL-TWO DEVICE-CONTROL-THREE "
    "DEVICE-CONTROL-FOUR NEGATIVE-ACKNOWLEDGE SYNCHRONOUS-IDLE END-OF-TRANSMISSION-BLOCK CANCEL "
    "END-OF-MEDIUM SUBSTITUTE ESCAPE FILE-SEPARATOR GROUP-SEPARATOR RECORD-SEPARATOR UNIT-SEPARATOR"
).split()


def _describe(char: str) -> str:
    code = ord(char)
    name = unicodedata.name(char, None)
    if name is None:
        if code < 0x20:
            name = _C0_NAMES[code].replace("-", " ")
        elif code == 0x7F:
            name = "DELETE"
        else:
            name = "C1 CONTROL (often a cp1252 character decoded as latin-1)"
    return f"U+{code:04X} {name}"


def find_control_characters(text: str) -> list[Hit]:
    """One hit per stray control character, naming its code point.

    >>> find_control_characters("a\\x07b")[0].message
    'control character U+0007 BELL at column 2 — remove it (or replace it with a space)'
    """
    hits: list[Hit] = []
    total = 0
    for match in stray_controls(text):
        total += 1
        if len(hits) >= MAX_HITS_PER_DOCUMENT:
            continue
        start = match.start()
        hits.append(
            Hit(
                "control_character",
                f"control character {_describe(match.group())} at column {_column(text, start)}"
                " — remove it (or replace it with a space)",
                (start, start + 1),
            )
        )
    return _capped(hits, total, "control characters")


# --- Unicode normalization --------------------------------------------------------

FORMS = ("NFC", "NFD", "NFKC", "NFKD")


def normalized_ok(text: str, form: str = "NFC") -> bool:
    """True when the text is already in normalization ``form``.

    >>> normalized_ok("caf\\u00e9"), normalized_ok("cafe\\u0301")
    (True, False)
    """
    return text.isascii() or unicodedata.is_normalized(form, text)


MAX_RUNS_COUNTED = 50


def _attaches(char: str) -> bool:
    """True for characters that compose with what precedes them (marks, Hangul V/T jamo)."""
    return unicodedata.combining(char) != 0 or "\u1160" <= char <= "\u11ff"


def _first_run(text: str, form: str) -> tuple[int, int]:
    """The span of the first character cluster that normalization changes."""
    normalized = unicodedata.normalize(form, text)
    first = next(
        (i for i, (a, b) in enumerate(zip(text, normalized, strict=False)) if a != b),
        min(len(text), len(normalized)),
    )
    start = min(first, len(text) - 1)
    while start > 0 and _attaches(text[start]):
        start -= 1
    end = start + 1
    while end < len(text) and _attaches(text[end]):
        end += 1
    return start, end


def find_unnormalized(text: str, form: str = "NFC") -> list[Hit]:
    r"""The span of the first run that is not in ``form``, and how many runs are.

    >>> print(find_unnormalized("cafe\u0301 ok")[0].message)
    not NFC-normalized: 'e\u0301' should be 'é' (1 run in this document) — normalize the text to NFC
    """
    if normalized_ok(text, form):
        return []
    first = _first_run(text, form)
    runs, pos = 1, first[1]
    while runs < MAX_RUNS_COUNTED and not unicodedata.is_normalized(form, text[pos:]):
        runs += 1
        pos += _first_run(text[pos:], form)[1]
    piece = text[first[0]:first[1]]
    shown = piece.encode("ascii", "backslashreplace").decode("ascii")
    more = "+" if runs == MAX_RUNS_COUNTED else ""
    counted = f"{runs} run" if runs == 1 else f"{runs}{more} runs"
    return [
        Hit(
            "not_normalized",
            f"not {form}-normalized: '{shown}' should be '{unicodedata.normalize(form, piece)}' "
            f"({counted} in this document) — normalize the text to {form}",
            first,
        )
    ]
