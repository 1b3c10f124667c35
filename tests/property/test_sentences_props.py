"""Properties of sentence splitting and alignment."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_qa.checks.sentences import align
from corpus_qa.text import segment
from corpus_qa.text.segment import split_sentences

SETTINGS = settings(max_examples=80, deadline=None)

_PIECES = [
    "The talks began.", "Mr. Blinken met U.S. officials.", "On Dec. 18 it closed!",
    '"We spoke," he said.', "It ended ... slowly.", "Was it 3.5?", "Record levels",
    "López said so.", "They met at 10 a.m. Wednesday.",
]  # fmt: skip
_SEPARATORS = [" ", "\n", "\n\n", "  "]


@st.composite
def texts(draw: st.DrawFn) -> str:
    """News-like text: distinct sentences (a story rarely repeats one) with mixed layout."""
    pieces = draw(st.lists(st.sampled_from(_PIECES), max_size=12, unique=True))
    return "".join(p + draw(st.sampled_from(_SEPARATORS)) for p in pieces)


@SETTINGS
@given(st.text(max_size=400))
def test_spans_index_the_text(text: str) -> None:
    sentences = split_sentences(text)
    for s in sentences:
        assert text[s.span[0] : s.span[1]] == s.text
        assert s.text == s.text.strip() and s.text
    assert all(x.span[1] <= y.span[0] for x, y in zip(sentences, sentences[1:], strict=False))


def _spans_through_every_cut(text: str) -> list[tuple[int, int]]:
    """The sentence spans cut at every boundary the splitter knows (its blank lines and
    list items included): what :func:`split_sentences` gives for any text."""
    out, start = [], 0
    for cut in [*segment._cuts(text), len(text)]:
        s, e = segment.strip_span(text, start, cut)
        if s < e:
            out.append((s, e))
        start = cut
    return out


_PARAGRAPH_ENDS = ["", "\n", "\n\n", "\n \n", "\n\n\n  ", " \n\t\n ", "\r\n\r\n"]


@SETTINGS
@given(texts(), st.sampled_from(_PARAGRAPH_ENDS), st.text(alphabet=" \n-1.a)", max_size=6))
@example("Record levels", "\n", "\n- a")  # a list item after one line break
@example("Record levels\n\nThe talks began.", "", "")
def test_a_paragraph_that_breaks_only_at_its_end_is_cut_at_its_sentence_ends(
        text: str, end: str, tail: str) -> None:
    """A text whose line breaks are all in the white space that ends it (a paragraph of a
    story, split alone) is cut where the whole splitter cuts it."""
    for candidate in (text.replace("\n", " ") + end, text + end, text + tail):
        assert [s.span for s in split_sentences(candidate)] == _spans_through_every_cut(
            candidate), repr(candidate)


def _squeezed(text: str) -> list[str]:
    return [" ".join(s.text.split()) for s in split_sentences(text)]


@SETTINGS
@given(texts(), st.data())
def test_reflowing_does_not_change_sentences(text: str, data: st.DataObject) -> None:
    """A single newline is whitespace: breaking lines inside paragraphs changes nothing."""
    single_spaces = [m.start() for m in re.finditer(r"(?<!\s) (?!\s)", text)]
    chosen = data.draw(st.sets(st.sampled_from(single_spaces))) if single_spaces else set()
    reflowed = "".join("\n" if i in chosen else c for i, c in enumerate(text))
    assert _squeezed(reflowed) == _squeezed(text)


@SETTINGS
@given(texts(), texts())
def test_alignment_covers_every_sentence_once_in_order(a: str, b: str) -> None:
    alignments = align(a, b)
    a_seen = [s.index for al in alignments for s in al.a]
    b_seen = [s.index for al in alignments for s in al.b]
    assert a_seen == list(range(len(split_sentences(a))))
    assert b_seen == list(range(len(split_sentences(b))))


@SETTINGS
@given(texts(), st.sampled_from(_SEPARATORS))
def test_a_text_aligns_with_its_own_relayout(text: str, separator: str) -> None:
    """Joining or splitting paragraphs leaves no full sentence unpaired.

    Unpunctuated lines (headings) may glue onto the next sentence when paragraphs are
    joined; one such line pairs 2:1 with it, but a run of them can stay unpaired.
    """
    other = separator.join(s.text for s in split_sentences(text))
    for al in align(text, other):
        assert al.paired or all(not s.text.endswith((".", "!", "?")) for s in al.a)


# Characters at every edge of folding and tokenising: quotes, accents precomposed and
# combining (also at a sentence's start), a ligature, full-width and other digits,
# digit-group separators, a final sigma, a dotted capital I, Hangul jamo that compose,
# the separator the batch uses, and a masked figure's "#".
_FOLD_EDGES = st.sampled_from(list(
    "aZé\u0301“”’«ﬁ１２3９٣,\u00a0\u202f\u2009 \nΣςİß\u1100\u1161\u11a8\x00#-.")
    + ["10,000", "1 234", "ΟΔΟΣ", " # ", "Lo\u0301pez"])
_SENTENCES = st.lists(_FOLD_EDGES, max_size=14).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_SENTENCES, max_size=6), st.lists(_SENTENCES, max_size=3))
@example(["It was 12,", "345 6 and 7", "9", ",123 more"], [])  # groups at the joins
@example(["a\x00b", "c"], ["c"])  # a sentence holding the separator
@example(["ΟΔΟΣ", "\u1161\u11a8x", "\u0301é", "\u1100"], [])  # sigma, jamo, marks at joins
def test_sentences_tokenised_together_have_each_one_s_tokens(keys: list[str],
                                                             seen: list[str]) -> None:
    """``_tokenised`` folds the new sentences of a side in one call: each gets exactly
    ``tokens`` of it alone, and what ``known`` already held is kept."""
    from corpus_qa.checks.sentences import _tokenised, tokens

    known = {key: (("kept",), frozenset(["kept"])) for key in seen}
    _tokenised(keys + seen, known)
    for key in keys + seen:
        words, word_set = known[key]
        if key in seen:
            assert words == ("kept",)
        else:
            assert words == tokens(key) and word_set == frozenset(words)
        assert tokens(key) == tokens(key.replace(" ", "\n"))  # a reflowed sentence is known
