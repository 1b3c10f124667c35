"""corpus_qa.text.segment: the one sentence splitter, sentence starts and lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from corpus_qa.text import segment
from corpus_qa.text.segment import (
    iter_sentence_spans,
    line_spans,
    sentence_spans,
    sentence_start,
    split_sentences,
)

SEED_001 = (Path(__file__).resolve().parents[2] / "seeds" / "001_a1d7f1edd2253686.txt").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("One. Two.\nThree. Four.", 0, 9, ["One.", "Two."]),
        ("One. Two.\nThree. Four.", 10, 22, ["Three.", "Four."]),
        ("He met Dr. Jones. U.S. officials", 0, 17, ["He met Dr. Jones."]),
        ("  padded.  ", 0, 11, ["padded."]),
        ("x. Y. z", 3, 3, []),
    ],
    ids=["first-line", "second-line", "end-cuts-the-text", "whitespace-trimmed", "empty-range"],
)
def test_sentence_spans_of_a_range(text: str, start: int, end: int, expected: list[str]) -> None:
    spans = sentence_spans(text, start, end)
    assert [text[s:e] for s, e in spans] == expected
    assert all(start <= s < e <= end for s, e in spans)
    assert list(iter_sentence_spans(text, start, end)) == spans


def test_sentence_spans_equal_split_sentences_on_the_seed() -> None:
    assert sentence_spans(SEED_001) == [s.span for s in split_sentences(SEED_001)]


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        ("It is in the public domain. US, Mexico Talk by VOA", " by", "US, Mexico Talk by VOA"),
        ("in the public domain. by VOA News", " by", "in the public domain. by VOA News"),
        ("Record levels.\n\nTalks Begin\nBy Jane Doe", "By", "Talks Begin\nBy Jane Doe"),
        ("He flew to the U.S. The talks began by noon", " by", "The talks began by noon"),
        ("Sen. Smith Speaks by Jane", " by", "Sen. Smith Speaks by Jane"),
        ("Talks by Jane", "Talks", "Talks by Jane"),
    ],
    ids=[
        "after-a-sentence-end",
        "lower-case-after-period-is-one-sentence",
        "after-a-blank-line",
        "acronym-then-starter-word",
        "title-abbreviation-is-no-end",
        "at-the-floor",
    ],
)
def test_sentence_start(text: str, at: str, expected: str) -> None:
    pos = text.index(at)
    start = sentence_start(text, pos)
    assert start is not None and text[start:] == expected


def test_sentence_start_respects_floor_and_lookback() -> None:
    text = "Header line. Body starts here by Jane"
    pos = text.index(" by")
    assert sentence_start(text, pos, floor=text.index("starts")) == text.index("starts")
    long = "word " * 200 + "by Jane"
    assert sentence_start(long, long.index("by"), lookback=100) is None
    assert sentence_start(long, long.index("by")) is None  # longer than the default 400
    assert sentence_start(long, long.index("by"), lookback=2000) == 0


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("  One  \n\n Two\n", 0, ["One", "Two"]),
        ("a\nb\n", 2, ["b"]),
        ("", 0, []),
        ("no newline", 0, ["no newline"]),
        ("\r\nwindows\r\n", 0, ["windows"]),
    ],
    ids=["trimmed-blank-skipped", "from-start", "empty", "one-line", "crlf"],
)
def test_line_spans(text: str, start: int, expected: list[str]) -> None:
    assert [text[s:e] for s, e in line_spans(text, start)] == expected


def _reference_cuts(text: str) -> list[int]:
    """The cuts as the splitter made them before its one-line fast path: three sources
    (blank lines, list items, sentence ends) merged, each offset once."""
    import heapq

    paragraphs = [m.end() for m in segment._PARAGRAPH.finditer(text)]
    items = [m.start() for m in segment._LIST_ITEM.finditer(text)]
    ends = [m.end() for m in segment._END.finditer(text)
            if segment._ends_sentence(text, m.start(), m.group(0).rstrip(segment._CLOSERS),
                                      m.end())
            and not segment._ITEM_NUMBER.search(text, max(0, m.start() - 6), m.start())]
    return sorted(set(heapq.merge(paragraphs, items, ends)))


_PIECES = st.sampled_from(["Mr.", "U.S.", "Dec.", "The", "he", "said", "1.", "2)", "a)",
                           "…", "...", "?", "!", "\"", "”", "(", ")", "- ", "•", " ", "  ",
                           "\n", "\n\n", "\t", "x", "It", "18", "Inc.", "e.g."])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_cuts_of_a_line_and_of_a_text_are_the_merged_sources(text: str) -> None:
    # One line (no line break) has no blank line and no list item: its cuts are the
    # sentence ends alone; a text with line breaks merges the three sources.
    assert list(segment._cuts(text)) == _reference_cuts(text)
    line = text.replace("\n", " ")
    assert list(segment._cuts(line)) == _reference_cuts(line)


@settings(max_examples=600, deadline=None)
@given(before=st.lists(_PIECES, max_size=6).map("".join),
       line=st.lists(_PIECES, max_size=40).map("".join),
       after=st.lists(_PIECES, max_size=6).map("".join),
       edges=st.sampled_from(["\n", "\r\n", "\n\t", "\u00a0", " ", "", "1", "x"]))
def test_line_sentence_ends_cut_a_line_as_the_splitter_does(before: str, line: str,
                                                            after: str, edges: str) -> None:
    # The line is read in place, inside a longer text whose other lines must not count
    # (an item number or a title before it, a capital after it, whatever separates
    # them); its cuts, ascending or from the end, are where sentence_spans cuts the
    # line alone.
    line = line.replace("\n", " ").strip()
    assume(line)  # a line of line_spans: not empty, no white space at either edge
    text = before + edges + line + edges + after
    start = len(before) + len(edges)
    end = start + len(line)
    spans = sentence_spans(text, start, end)
    cuts = list(segment.line_sentence_ends(text, start, end))
    assert [segment.strip_span(text, a, b) for a, b in
            zip([start, *cuts], [*cuts, end], strict=True)] == spans
    assert list(segment.line_sentence_ends(text, start, end, reverse=True)) == cuts[::-1]


def test_line_sentence_ends_take_one_line() -> None:
    with pytest.raises(ValueError, match="one line"):
        list(segment.line_sentence_ends("One.\nTwo. Three", 0, 15))


_NEAR_A_MARK = st.lists(st.sampled_from(["Dec", "U.S", "x", " ", "  ", "\n", "\t", "\u00a0",
                                         "“", "(", "\"", "¿", "'", ".", "...", "…", "!?", "”",
                                         ")", "»", "12", "a", "….", "…!"]),
                        max_size=14).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=_NEAR_A_MARK, cut=st.integers(0, 40))
def test_word_before_is_what_the_regex_finds_in_the_piece(text: str, cut: int) -> None:
    lo = cut % (len(text) + 1)
    expected = segment._WORD_BEFORE.search(text[lo:])
    assert segment._word_before(text, lo, len(text)) == (expected.group(1) if expected else "")


@settings(max_examples=500, deadline=None)
@given(text=_NEAR_A_MARK, lo=st.integers(0, 20), hi=st.integers(0, 40))
def test_candidates_are_the_end_regex_matches(text: str, lo: int, hi: int) -> None:
    lo, hi = lo % (len(text) + 1), hi % (len(text) + 1)
    assert [m.span() for m in segment.boundary_candidates(text, lo, hi)] == [
        m.span() for m in segment._END.finditer(text, lo, hi)]
