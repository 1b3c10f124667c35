"""Encoding checks: valid UTF-8, no mojibake, no stray control characters, normalized.

Each family has a fast predicate (``…_ok``) that the GX metric runs on every document
and a ``find_…`` function that explains a failing document with spans; the runner
calls the second only for documents the first rejected.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.badness import BADNESS_RE

from corpus_qa.findings import Hit

MAX_HITS_PER_DOCUMENT = 20
"""A document with thousands of bad bytes gets this many hits, then one summary hit."""


def _capped(hits: list[Hit], total: int, what: str) -> list[Hit]:
    if total <= MAX_HITS_PER_DOCUMENT:
        return hits
    last = hits[-1]
    more = total - MAX_HITS_PER_DOCUMENT
    return hits + [Hit(last.reason, f"… and {more} more {what} in this document", last.span)]


# --- UTF-8 ------------------------------------------------------------------------


def utf8_ok(raw: bytes | str | None) -> bool:
    """True when ``raw`` decodes as UTF-8 (strings and missing bytes are valid by construction).

    >>> utf8_ok(b"caf\\xc3\\xa9"), utf8_ok(b"caf\\xe9")
    (True, False)
    """
    if not isinstance(raw, bytes | bytearray):
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def find_invalid_utf8(raw: bytes | str | None) -> list[Hit]:
    """One hit per invalid byte sequence, with its byte offset and the bytes themselves.

    The span is in characters of the text as the loader decoded it (each invalid
    sequence became one U+FFFD).

    >>> [h.message for h in find_invalid_utf8(b"caf\\xe9 au lait")]
    ['invalid UTF-8 at byte 3: \\\\xe9 (decoded as U+FFFD) — re-encode the file as UTF-8 (was it written as latin-1/cp1252?)']
    """
    if not isinstance(raw, bytes | bytearray):
        return []
    hits: list[Hit] = []
    total = 0
    pos = 0
    char = 0  # character offset of raw[pos] in the decoded text
    while pos < len(raw):
        try:
            raw[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            start, end = pos + exc.start, pos + exc.end
            char += len(raw[pos:start].decode("utf-8"))
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
    return _capped(hits, total, "invalid byte sequences")


# --- mojibake ---------------------------------------------------------------------

_WORD_AROUND = re.compile(r"\S+")


def mojibake_ok(text: str) -> bool:
    """True when ftfy's badness detector finds nothing.

    ASCII text cannot hold mojibake, so it is never scanned. This is deliberately
    not ``ftfy.fix_text(t) != t``: fix_text also "fixes" curly quotes and
    ligatures, which are correct text.

    >>> mojibake_ok("Caf\\u00e9 \\u201cquoted\\u201d"), mojibake_ok("Caf\\u00c3\\u00a9")
    (True, False)
    """
    return text.isascii() or not BADNESS_RE.search(text)


def _expand_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def find_mojibake(text: str) -> list[Hit]:
    """One hit per run of words that ftfy's detector marks, with ftfy's reading of it.

    >>> find_mojibake("The caf\\u00c3\\u00a9 opened.")[0].message
    'mojibake "cafÃ©" — ftfy reads it as "café"; decode the source as UTF-8 or run ftfy.fix_text'
    """
    if mojibake_ok(text):
        return []
    spans: list[tuple[int, int]] = []
    for match in BADNESS_RE.finditer(text):
        start, end = _expand_to_words(text, *match.span())
        if spans and start <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    hits = []
    for start, end in spans[:MAX_HITS_PER_DOCUMENT]:
        segment = text[start:end]
        fixed = ftfy.fix_text(segment)
        reading = (
            f'ftfy reads it as "{fixed}"' if fixed != segment else "ftfy cannot repair it"
        )
        hits.append(
            Hit(
                "mojibake",
                f'mojibake "{segment}" — {reading}; decode the source as UTF-8 or run ftfy.fix_text',
                (start, end),
            )
        )
    return _capped(hits, len(spans), "mojibake runs")


# --- control characters -----------------------------------------------------------

# C0 except tab/LF/CR, DEL, C1, U+FFFD, line/paragraph separators are left alone (they
# are whitespace), zero-width space / word joiner / Mongolian vowel separator, bidi
# embeddings/overrides/isolates and marks. ZWJ/ZWNJ are legitimate inside words of
# many scripts (Persian, Devanagari, emoji sequences); they are flagged only next to
# ASCII or whitespace, where they are invisible junk. A BOM is allowed at offset 0.
_CONTROL_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\u200b\u2060\u180e\u200e\u200f"
    "\u202a-\u202e\u2066-\u2069\ufeff]"
    "|(?<=[\x00-\x7f\\s])[\u200c\u200d]|[\u200c\u200d](?=[\x00-\x7f\\s]|$)"
)


def control_characters_ok(text: str) -> bool:
    """True when the text holds no stray control characters (a leading BOM is allowed).

    >>> control_characters_ok("tab\\tand\\nnewline"), control_characters_ok("bell\\x07")
    (True, False)
    """
    match = _CONTROL_RE.search(text)
    if match is None:
        return True
    if match.start() == 0 and text[0] == "\ufeff":
        return _CONTROL_RE.search(text, 1) is None
    return False


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
    for match in _CONTROL_RE.finditer(text):
        if match.start() == 0 and match.group() == "\ufeff":
            continue
        total += 1
        if len(hits) >= MAX_HITS_PER_DOCUMENT:
            continue
        char = match.group()
        start = match.start()
        column = start - text.rfind("\n", 0, start)
        if char == "\ufffd":
            reason = "replacement_character"
            advice = "a character was lost in decoding upstream; recover it from the source"
        else:
            reason = "control_character"
            advice = "remove it (or replace it with a space)"
        hits.append(
            Hit(reason, f"control character {_describe(char)} at column {column} — {advice}",
                (start, start + 1))
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
    counted = f"{runs} run" if runs == 1 else f"{runs}{'+' if runs == MAX_RUNS_COUNTED else ''} runs"
    return [
        Hit(
            "not_normalized",
            f"not {form}-normalized: '{shown}' should be '{unicodedata.normalize(form, piece)}' "
            f"({counted} in this document) — normalize the text to {form}",
            first,
        )
    ]
