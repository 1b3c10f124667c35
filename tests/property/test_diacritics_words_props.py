"""The diacritics check's words of a piece of text (``_Piece``): the words that are not ASCII
found with ``findall`` and their first spans (when asked) with ``str.find`` checked
against the match around each place, instead of one match object per word; whether a text
has a word (``_Words.has``) without a table of its words; and the story's screen
(``_may_strip``). They must be exactly what walking the matches of ``WORD`` gives."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.checks import versions as vc
from corpus_qa.checks.versions import (
    _NON_ASCII_WORD,
    _first_span,
    _Piece,
    _Words,
    check_preserved_diacritics,
)
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


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_the_non_ascii_pattern_matches_as_word_does(text: str) -> None:
    """``_NON_ASCII_WORD`` matches where ``WORD`` does, its group holding the match exactly
    when the match is not ASCII."""
    ours = [(m.span(), m.group(1)) for m in _NON_ASCII_WORD.finditer(text)]
    assert ours == [(m.span(), None if m.group().isascii() else m.group())
                    for m in WORD.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(_TEXTS, st.sampled_from(["é", "ab", "a", "Lopez", "López", "Lo\u0301pez", "b9", "9", "_a",
                                "a b", ""]))
def test_a_text_has_a_word_when_it_is_one_of_its_matches(text: str, word: str) -> None:
    assert _Words(text).has(word) == (word in set(WORD.findall(text)))


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.lists(st.sampled_from(["é", "ab", "a", "Lopez", "López", "Lo\u0301pez", "b9",
                                         "9", "_a", ""]), max_size=8),
       st.integers(min_value=0, max_value=4))
def test_a_table_made_after_some_reads_answers_as_the_reads_do(
        text: str, asked: list[str], reads: int) -> None:
    """After ``_READS_BEFORE_A_TABLE`` searches, ``has`` and ``first`` answer from a table
    of the text's words read in one pass: the same answers as searching the text."""
    matches = list(WORD.finditer(text))
    words = {m.group() for m in matches}
    asked = [*asked, *(m.group() for m in matches)]
    with mock.patch.object(vc, "_READS_BEFORE_A_TABLE", reads):
        version, piece = _Words(text), _Piece(text)
        for word in asked:
            assert version.has(word) == (word in words)
            if word in words:
                first = next(m.span() for m in matches if m.group() == word)
                assert piece.first(word) == first


_NAMES = st.sampled_from(["López", "Lopez", "Lo\u0301pez", "LÓPEZ", "LOPEZ", "él", "el", "Łódź",
                          "Lodz", "Zoë", "Zoe", "Søren", "Soren", "9Lopez", "Lopezé", "café"])
_STORY_TEXTS = st.lists(st.one_of(_NAMES, _CHARS), max_size=12).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(_STORY_TEXTS, min_size=1, max_size=4))
def test_the_screen_settles_only_stories_without_hits(texts: list[str]) -> None:
    """``_may_strip`` saying no means the whole check finds nothing: the check with the
    screen gives what the check without it gives."""
    versions = [(f"v{i}", text) for i, text in enumerate(texts)]
    screened = check_preserved_diacritics(versions)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vc, "_may_strip", lambda texts: True)
        assert check_preserved_diacritics(versions) == screened
    if not vc._may_strip(texts):
        assert screened == []
