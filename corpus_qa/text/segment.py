"""Sentences and lines with character offsets into the text they come from.

One splitter for every caller: the boilerplate units, the title before a byline,
the sentence alignment of versions and the mutations all cut text here.

>>> [s.text for s in split_sentences("Mr. Blinken met U.S. officials. They talked.")]
['Mr. Blinken met U.S. officials.', 'They talked.']
>>> t = "Originally posted by VOA. U.S. and Mexican officials met. They spoke."
>>> [t[s:e] for s, e in sentence_spans(t)]
['Originally posted by VOA.', 'U.S. and Mexican officials met.', 'They spoke.']
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from corpus_qa.text.calendar import month_abbreviations

Span = tuple[int, int]

# Titles that precede a name: a period after them never ends a sentence.
# fmt: off
_TITLES = frozenset([
    "mr", "mrs", "ms", "messrs", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt",
    "capt", "cmdr", "adm", "maj", "st", "rev", "hon", "pres", "supt", "fr", "mt", "ft", "vs",
    "v",
])
# fmt: on
# Abbreviations that may end a sentence: the period ends it only before a word that
# usually starts one ("… in Dec. The talks" splits, "Dec. 18" and "Inc. said" do not).
# fmt: off
_ABBREVIATIONS = month_abbreviations() | frozenset([
    "inc", "corp", "ltd", "co", "jr", "sr", "vol", "fig", "approx", "est", "dept", "univ",
    "ave", "blvd", "etc", "al", "e.g", "i.e", "no", "nos", "mio", "mrd", "tsd",
])
# fmt: on
# Words that commonly start a sentence in news (after an abbreviation, they decide).
# fmt: off
_STARTERS = frozenset([
    "the", "a", "an", "he", "she", "it", "its", "they", "we", "i", "you", "this", "that",
    "these", "those", "there", "his", "her", "their", "our", "my", "but", "and", "so", "yet",
    "or", "in", "on", "at", "by", "for", "from", "with", "after", "before", "when", "while",
    "as", "if", "since", "though", "although", "because", "some", "many", "most", "several",
    "all", "both", "no", "not", "also", "however", "meanwhile", "still", "then", "now", "today",
    "yesterday", "what", "who", "which", "where", "why", "how", "officials",
])
# fmt: on
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«([¿¡"
# A candidate boundary: terminal punctuation, closing quotes/brackets, then whitespace.
_END = re.compile(rf"(?:\.\.\.|…|[.!?]+)[{re.escape(_CLOSERS)}]*(?=\s)")
_MARK = re.compile(r"[.!?…]")  # what an _END match starts with
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# A list item at the start of a line: a bullet, or "1." / "2)" / "a)", then a space.
_LIST_ITEM = re.compile(r"\n[ \t]*(?=(?:[-*•·▪‣◦–—]|\d{1,2}[.)]|[a-z]\))[ \t]+\S)")
_ITEM_NUMBER = re.compile(r"(?:^|\n)[ \t]*(?:\d{1,2}|[a-z])$")
_WORD_BEFORE = re.compile(rf"[{re.escape(_OPENERS)}]*([^\s{re.escape(_OPENERS)}]*)$")
_NEXT_WORD = re.compile(rf"\s+[{re.escape(_OPENERS)}]*([^\W_][\w'’.-]*)?")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")  # "U.S", "a.m", "F" (an initial)
_LINE = re.compile(r"[^\n]+")
LOOKBACK = 400
"""How far back :func:`sentence_start` looks for the start of a sentence, in characters."""


@dataclass(frozen=True, slots=True, init=False)
class Sentence:
    """One sentence of a text: its position among the sentences and its character span."""

    index: int
    span: Span
    text: str

    def __init__(self, index: int, span: Span, text: str) -> None:
        # The slots' setters, not the frozen dataclass's object.__setattr__ by name: half
        # the cost, and the story check places a sentence per version (see Figure).
        set_index, set_span, set_text = _SENTENCE_SLOTS
        set_index(self, index)
        set_span(self, span)
        set_text(self, text)


_SENTENCE_SLOTS = tuple(getattr(Sentence, name).__set__ for name in ("index", "span", "text"))
"""The setters of :class:`Sentence`'s slots, in the order of its fields."""


def _ends_sentence(text: str, start: int, punct: str, end: int, lo: int = 0,
                   hi: int | None = None) -> bool:
    """Whether the punctuation ``text[start:end]`` (``punct`` without closers) ends a sentence
    of the piece ``text[lo:hi]`` (default: the whole text), which is read as if it were the
    whole text: nothing outside it is looked at."""
    hi = len(text) if hi is None else hi
    following = _NEXT_WORD.match(text, end, hi)
    nxt = following.group(1) if following else None
    if nxt is None:  # end of text or next is a digit/symbol-led quote
        rest = text[end : min(end + 80, hi)].lstrip()
        return not rest or rest[0].isupper() or rest[0].isdigit() or rest[0] in _OPENERS
    if not (nxt[0].isupper() or nxt[0].isdigit()):
        return False
    starter = nxt.lower().rstrip(".,") in _STARTERS
    if punct in ("...", "…"):
        return starter
    if punct != ".":
        return True
    before = _word_before(text, max(lo, start - 40), start)
    key = before.lower()
    if key in _TITLES:
        return False
    if key in _ABBREVIATIONS or _ACRONYM.fullmatch(before):
        return starter
    return True


def _word_before(text: str, lo: int, end: int) -> str:
    """The word that ends at ``end`` without the quotes or brackets that open it ("Dec" of
    "(Dec"; "" after white space): what ``_WORD_BEFORE`` finds in ``text[lo:end]``, read
    from the last token instead of trying every position of the piece.

    >>> _word_before("in (“Dec", 0, 8), _word_before("U.S. ", 0, 5)
    ('Dec', '')
    """
    piece = text[lo:end]
    if piece.endswith("\n"):  # "$" also matches before a final line break
        piece = piece[:-1]
    if not piece or piece[-1].isspace():
        return ""
    word = _WORD_BEFORE.search(piece.rsplit(None, 1)[-1])
    return word.group(1) if word else ""


def _item_number_before(text: str, at: int, lo: int = 0) -> bool:
    """Whether an item number ("12", "a" at the start of a line) ends right before ``at``
    in the piece ``text[lo:]``: then the period at ``at`` ends nothing. The piece's start
    counts as a line's start, as it does when the piece is split alone."""
    if lo and at - lo <= 6:
        return _ITEM_NUMBER.search(text[lo:at]) is not None
    return _ITEM_NUMBER.search(text, max(0, at - 6), at) is not None


def _is_end(text: str, m: re.Match[str], lo: int = 0, hi: int | None = None) -> bool:
    """Whether the candidate ``m`` (an ``_END`` match) ends a sentence of ``text[lo:hi]``."""
    return (_ends_sentence(text, m.start(), m.group(0).rstrip(_CLOSERS), m.end(), lo, hi)
            and not _item_number_before(text, m.start(), lo))


def boundary_candidates(text: str, lo: int = 0,
                        hi: int | None = None) -> Iterator[re.Match[str]]:
    """The places in ``text[lo:hi]`` where a sentence may end, each to be confirmed (or
    not) by the splitter's rules: ``_END.finditer(text, lo, hi)``. A match starts at a
    mark, so each search jumps to the next mark (one character class, which the regex
    engine scans for quickly) and tries ``_END`` there, instead of trying ``_END`` at
    every position."""
    hi = len(text) if hi is None else hi
    pos = lo
    while (mark := _MARK.search(text, pos, hi)) is not None:
        m = _END.match(text, mark.start(), hi)
        if m is None:
            pos = mark.start() + 1
        else:
            yield m
            pos = m.end()


def _sentence_ends(text: str) -> Iterator[int]:
    """Offsets right after each mark that ends a sentence, ascending and distinct."""
    return (m.end() for m in boundary_candidates(text) if _is_end(text, m))


def line_sentence_ends(text: str, start: int, end: int, *,
                       reverse: bool = False) -> Iterator[int]:
    """Where :func:`sentence_spans` cuts the line ``text[start:end]`` (offsets into
    ``text``, each right after a sentence's closing mark), ascending, or from the last one
    back with ``reverse``; lazily, and without copying the line.

    The same candidates and the same rule as splitting the line alone: a caller that
    needs only the first sentence of a line, or only its last, decides one boundary
    instead of splitting the whole line. The line holds no line break (a span of
    :func:`line_spans`); a range with one raises ``ValueError``.

    >>> t = "Intro. Sen. Smith met Dr. Jones. He left. Bye"
    >>> list(line_sentence_ends(t, 0, len(t))), next(line_sentence_ends(t, 0, len(t), reverse=True))
    ([6, 32, 41], 41)
    """
    if text.find("\n", start, end) >= 0:
        raise ValueError("line_sentence_ends takes one line (no line break); "
                         "use sentence_spans for a longer piece")
    candidates = boundary_candidates(text, start, end)
    if reverse:
        candidates = reversed(list(candidates))  # type: ignore[assignment]
    return (m.end() for m in candidates if _is_end(text, m, start, end))


def _cuts(text: str) -> Iterator[int]:
    """Offsets where a new sentence may start (before whitespace is trimmed), ascending."""
    ends = _sentence_ends(text)
    if "\n" not in text:
        # No blank line and no list item (both start at a line break): the sentence
        # ends alone, already ascending and distinct (a line of a text, split often).
        return ends
    return _merged(
        (m.end() for m in _PARAGRAPH.finditer(text)),
        (m.start() for m in _LIST_ITEM.finditer(text)),
        ends,
    )


def _merged(*cuts: Iterator[int]) -> Iterator[int]:
    """The ascending ``cuts`` merged into one ascending run, each offset once."""
    last = -1
    for cut in heapq.merge(*cuts):
        if cut != last:
            yield cut
            last = cut


def strip_span(text: str, start: int, end: int) -> Span:
    """``(start, end)`` without the white space at either edge of ``text[start:end]``."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _spans(text: str) -> Iterator[Span]:
    """The sentence spans of the whole ``text``, lazily (whitespace trimmed, none empty)."""
    start = 0
    # A paragraph (one a story shares, split alone) whose only line breaks end it: its
    # blank line can only cut at its very end (the white space runs to it), where the
    # text ends anyway, and no list item starts there; so only the sentence ends cut it.
    cuts = _cuts(text) if "\n" in text.rstrip() else _sentence_ends(text)
    for cut in itertools.chain(cuts, (len(text),)):
        s, e = strip_span(text, start, cut)
        if s < e:
            yield s, e
        start = cut


def split_sentences(text: str) -> list[Sentence]:
    """Cut ``text`` into sentences; spans index ``text`` and exclude surrounding whitespace.

    Blank lines always end a sentence; a single newline is only whitespace, so a
    reflowed paragraph splits exactly like the same paragraph on one line — except
    before a list item (a line opening with a bullet, "1." or "a)"), which is a
    sentence of its own, as is the line introducing the list ("… was:"); the period
    of an item number ("1.") ends nothing. A period
    after a title ("Dr.") never ends one; after an abbreviation or an acronym ("Dec.",
    "U.S.") only before a word that usually starts a sentence.

    >>> [s.text for s in split_sentences('On Dec. 18 he said "No." Then ... he left.')]
    ['On Dec. 18 he said "No."', 'Then ... he left.']
    >>> [s.text for s in split_sentences("Turnout was:\\n- North: 45%\\n2. South: 38%")]
    ['Turnout was:', '- North: 45%', '2. South: 38%']
    """
    return [Sentence(i, (s, e), text[s:e]) for i, (s, e) in enumerate(_spans(text))]


def split_sentences_reusing(text: str, known: dict[str, list[Span]]) -> list[Sentence]:
    """:func:`split_sentences`, paragraph by paragraph, reusing the sentence spans of
    paragraphs seen before (``known``: paragraph, with the blank line after it → its spans).

    Exactly ``split_sentences(text)``: a blank line always ends a sentence, and what
    the splitter looks at around a boundary does not reach across one that already
    ends a sentence (looking back, it stops at white space; looking ahead from the last
    mark of a paragraph, the blank line decides anyway; a paragraph is cut off only
    where the next one starts a line). Versions of one story share
    most paragraphs, so each is split once per story.

    >>> known = {}
    >>> a = split_sentences_reusing("One. Two.\\n\\nThree.", known)
    >>> b = split_sentences_reusing("Zero.\\n\\nThree.", known)
    >>> [s.text for s in b], b == split_sentences("Zero.\\n\\nThree."), sorted(known)
    (['Zero.', 'Three.'], True, ['One. Two.\\n\\n', 'Three.', 'Zero.\\n\\n'])
    """
    out: list[Sentence] = []
    for start, end in sentence_blocks(text):
        block = text[start:end]
        spans = known.get(block)
        if spans is None:
            spans = known[block] = block_sentence_spans(block)
        for s, e in spans:
            out.append(Sentence(len(out), (start + s, start + e), block[s:e]))
    return out


def sentence_blocks(text: str) -> list[Span]:
    """The spans of ``text``'s blocks that split into sentences apart, in order, none
    empty: each ends after a blank line whose white space ends with a line break (the
    look-back for an item number, a line break then "12.", must see what it sees in the
    whole text). See :func:`split_sentences_reusing`.

    >>> sentence_blocks("One. Two.\\n\\nThree.\\n \\n")
    [(0, 11), (11, 20)]
    """
    out: list[Span] = []
    start = 0
    for m in _PARAGRAPH.finditer(text):
        end = m.end()
        if text[end - 1] == "\n" and end > start:
            out.append((start, end))
            start = end
    if len(text) > start:
        out.append((start, len(text)))
    return out


def block_sentence_spans(block: str) -> list[Span]:
    """The sentence spans of one block of :func:`sentence_blocks` (offsets in ``block``)."""
    return list(_spans(block))


def iter_sentence_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[Span]:
    """The sentence spans of ``text[start:end]`` as offsets into ``text``, lazily.

    The piece is split as if it were the whole text (nothing after ``end`` is looked at).
    """
    end = len(text) if end is None else end
    for s, e in _spans(text[start:end]):
        yield start + s, start + e


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """The sentence spans of ``text[start:end]`` (e.g. one line), as offsets into ``text``.

    >>> t = "Sen. Smith met Dr. Jones in Washington, D.C. today. Is it over? Yes!"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Sen. Smith met Dr. Jones in Washington, D.C. today.', 'Is it over?', 'Yes!']
    """
    return list(iter_sentence_spans(text, start, end))


def sentence_start(text: str, pos: int, floor: int = 0, lookback: int = LOOKBACK) -> int | None:
    """Where the sentence that ``pos`` is in starts (not before ``floor``).

    ``None`` when that sentence starts more than ``lookback`` characters before ``pos``.
    What follows ``pos`` is looked at too, as the splitter does ("domain. by VOA" is
    one sentence: a lower-case word after the period).

    >>> t = "It is in the public domain. US, Mexico Discuss Migration by VOA News"
    >>> t[sentence_start(t, t.index(" by")) :]
    'US, Mexico Discuss Migration by VOA News'
    """
    low = max(floor, pos - lookback)
    window = text[low : pos + 80]
    start: int | None = low if low == floor else None
    for cut in _cuts(window):
        if low + cut > pos:
            break
        start = low + cut
    if start is None:
        return None
    return strip_span(text, start, pos)[0] if start < pos else pos


def line_spans(text: str, start: int = 0) -> list[Span]:
    """Spans of the non-blank lines of ``text`` from ``start``, without surrounding whitespace.

    >>> line_spans("  One  \\n\\n Two\\n")
    [(2, 5), (10, 13)]
    """
    spans = []
    for m in _LINE.finditer(text, start):
        s, e = strip_span(text, m.start(), m.end())
        if s < e:
            spans.append((s, e))
    return spans
