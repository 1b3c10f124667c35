"""corpus_qa.text.substrings: the strings of a set found in a text in one search are
exactly those ``in`` finds, overlapping, nested or repeated."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.checks.furniture import load_default_cues
from corpus_qa.text.substrings import Substrings

# a small alphabet, so strings overlap, nest and share prefixes and suffixes often
SMALL = st.text(alphabet="abc .(©", min_size=1, max_size=5)


def by_in(strings: set[str] | frozenset[str], text: str) -> set[str]:
    return {s for s in strings if s in text}


@pytest.mark.parametrize(("strings", "text", "found"), [
    (["site", "website", "web"], "our website", {"site", "website", "web"}),
    (["abc", "cde"], "abcde", {"abc", "cde"}),          # overlapping: both
    (["ab", "abcd"], "abcx", {"ab"}),                    # the longer one fails late
    (["b", "abc"], "xabcx", {"b", "abc"}),               # inside a longer match
    (["(c)", "©"], "(c) 2024 ©", {"(c)", "©"}),          # regex characters are literal
    (["Share"], "share", set()),                         # case-sensitive, as ``in``
    ([], "anything", set()),
])
def test_examples(strings: list[str], text: str, found: set[str]) -> None:
    assert Substrings(strings).present(text) == found == by_in(set(strings), text)


def test_the_empty_string_is_refused() -> None:
    with pytest.raises(ValueError, match="empty string"):
        Substrings(["a", ""])


def test_it_pickles() -> None:
    found = Substrings(["web", "site"])
    assert pickle.loads(pickle.dumps(found)).present("website") == {"web", "site"}


@settings(max_examples=400, deadline=None)
@given(st.sets(SMALL, max_size=12), st.text(alphabet="abc .(©x", max_size=40))
def test_present_is_what_in_finds(strings: set[str], text: str) -> None:
    assert Substrings(strings).present(text) == by_in(strings, text)


CUE_TRIGGERS = Substrings(t for cue in load_default_cues() for t in cue.trigger)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(CUE_TRIGGERS.strings)), max_size=6),
       st.text(alphabet="abcdefghijklmnopqrstuvwxyzäéü ()[]@.", max_size=30),
       st.randoms(use_true_random=False))
def test_the_cue_lists_triggers_are_found_wherever_they_are(
    pieces: list[str], noise: str, rng: object
) -> None:
    # the cue list's own triggers, run together with and cut by other text
    parts = [*pieces, *noise.split(" ")]
    rng.shuffle(parts)  # type: ignore[attr-defined]
    text = "".join(parts)
    assert CUE_TRIGGERS.present(text) == by_in(CUE_TRIGGERS.strings, text)
