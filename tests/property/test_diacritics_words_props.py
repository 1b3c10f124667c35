"""The diacritics check's words of a piece of text (``_Piece``): found with ``findall`` and,
for the words that are not ASCII, their first spans (when asked) with ``str.find`` checked
against the match around each place, instead of one match object per word. They must be exactly what
walking the matches of ``WORD`` gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.checks.versions import _first_span, _Piece
from corpus_qa.text.fold import WORD

# Letters ASCII and not, digits (ASCII and other), the underscore, combining marks,
# a numeric non-digit ("²"), spaces and punctuation: every edge of a WORD match.
_CHARS = st.sampled_from(list("aAbéÉeLopzó09٣_²\u0301\u0308 .-'\n") + ["Lo\u0301pez", "López"])
_TEXTS = st.lists(_CHARS, max_size=40).map("".join)


def _walked(text: str) -> tuple[dict[str, tuple[int, int]], list[str]]:
    firsts: dict[str, tuple[int, int]] = {}
    for match in WORD.finditer(text):
        firsts.setdefault(match.group(), match.span())
    return firsts, list(firsts)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_a_piece_has_the_words_and_first_spans_of_walking_its_matches(text: str) -> None:
    firsts, order = _walked(text)
    piece = _Piece(text)
    assert list(piece.words) == order
    assert piece.non_ascii == [w for w in order if not w.isascii()]
    assert [piece.first(w) for w in piece.non_ascii] == [firsts[w] for w in piece.non_ascii]


@settings(max_examples=300, deadline=None)
@given(_TEXTS, _TEXTS, st.sampled_from(["é", "ab", "a", "Lo\u0301pez", "b9"]))
def test_a_word_inside_a_longer_run_is_not_its_first_use(before: str, after: str,
                                                          word: str) -> None:
    """"é" inside "béé", "ab" after a digit run "9ab", "a" inside "_a"? Each place ``find``
    proposes is checked against the match of its run."""
    text = f"{before}{word}{after} {word}"
    firsts, _ = _walked(text)
    if word in firsts:
        assert _first_span(text, word) == firsts[word]


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_a_word_is_what_one_alternation_per_character_matched(text: str) -> None:
    """``WORD`` reads runs of letters and digits, then of marks, in turn: the matches of
    the pattern it replaced, a letter then one alternation per character."""
    import re

    from corpus_qa.text.fold import COMBINING_MARKS

    before = re.compile(f"[^\\W\\d_](?:[^\\W_]|[{COMBINING_MARKS}])*")
    assert [m.span() for m in WORD.finditer(text)] == [m.span() for m in before.finditer(text)]
