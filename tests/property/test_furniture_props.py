"""Property tests for the page-furniture classifier (corpus_qa/checks/furniture.py).

- a furniture line (the sure positives of the case file, in four languages) inserted as
  a paragraph at any paragraph boundary of a generated article is found there, and
  found as sure (``page_furniture`` or a pattern's reason) at the article's edges;
- a body sentence that uses furniture words (the development set's real sentences and
  the case file's negative sentences) inserted anywhere is never flagged (a short
  subhead without a full stop at an edge may be ``possible_furniture``, by design);
- the classifier never raises and its hits are whole lines of the body.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.news_corpus import document as news_document
from corpus_qa.checks import boilerplate as bp
from corpus_qa.checks import furniture as fu
from corpus_qa.text.segment import line_spans
from corpus_qa.text.substrings import Substrings

UNIT = Path(__file__).resolve().parents[1] / "unit"
CASES = yaml.safe_load((UNIT / "furniture_cases.yml").read_text(encoding="utf-8"))
DEV = [json.loads(x) for x in (UNIT / "boilerplate_dev.jsonl").read_text("utf-8").splitlines()]
PATTERNS = bp.load_default_patterns()
CUES = fu.load_default_cues()

FURNITURE = [c["line"] for cases in CASES.values() for c in cases
             if c["expect"] == "page_furniture" and "xfail" not in c]
BODY = ([c["line"] for cases in CASES.values() for c in cases
         if c["expect"] == "none" and "xfail" not in c and c["line"].endswith(".")]
        + [r["text"] for r in DEV if r["label"] == "body"])
POSSIBLE = [c["line"] for cases in CASES.values() for c in cases
            if c["expect"] == "possible_furniture" and "xfail" not in c]
FAST = settings(max_examples=60, deadline=None)


def with_line(seed: int, line: str, at: int) -> tuple[str, tuple[int, int]]:
    paragraphs = news_document(random.Random(seed)).strip("\n").split("\n\n")
    at = at % (len(paragraphs) + 1)
    before = "\n\n".join(paragraphs[:at])
    start = len(before) + (2 if before else 0)
    text = "\n\n".join([*paragraphs[:at], line, *paragraphs[at:]]) + "\n"
    return text, (start, start + len(line))


def reported(text: str) -> list:
    hits = bp.find_document_boilerplate(text, PATTERNS, furniture=CUES)
    return hits + [h for h in CUES.find(text, skip=[h.span for h in hits])
                   if h.reason == "possible_furniture"]


@FAST
@given(st.sampled_from(FURNITURE), st.integers(0, 2**32), st.integers(0, 40))
def test_a_furniture_line_inserted_anywhere_is_found(line: str, seed: int, at: int) -> None:
    text, span = with_line(seed, line, at)
    hits = [h for h in reported(text) if h.span[0] < span[1] and span[0] < h.span[1]]
    assert [h.span for h in hits] == [span]
    edge = span[0] < fu.DEFAULT_LEADING_CHARS or span[1] > len(text.rstrip()) - 600
    if edge:
        assert hits[0].reason != "possible_furniture", hits[0].message


@FAST
@given(st.sampled_from(BODY), st.integers(0, 2**32), st.integers(0, 40))
def test_a_body_sentence_with_furniture_words_is_never_flagged(
    line: str, seed: int, at: int
) -> None:
    text, span = with_line(seed, line, at)
    assert [h.message for h in reported(text)
            if h.span[0] < span[1] and span[0] < h.span[1]] == []


@FAST
@given(st.text(max_size=400))
def test_the_classifier_never_raises_and_flags_whole_lines(text: str) -> None:
    lines = set(line_spans(text))
    for hit in CUES.find(text):
        assert hit.reason in ("page_furniture", "possible_furniture")
        assert hit.span in lines or "\n" in text[hit.span[0]:hit.span[1]]


@FAST
@given(st.lists(st.sampled_from(FURNITURE + POSSIBLE + BODY + ["Advertisement", "Read more »"]),
                min_size=1, max_size=4),
       st.integers(0, 2**32), st.lists(st.integers(0, 40), min_size=4, max_size=4))
def test_classified_once_is_what_the_classifier_finds_after_the_patterns(
    lines: list[str], seed: int, places: list[int]
) -> None:
    # The furniture expectations share the classifier's verdicts on a document (sure and
    # possible lines, found once); the boilerplate hits made from them are the ones the
    # classifier gives when it skips the lines the patterns took.
    text = news_document(random.Random(seed))
    for line, at in zip(lines, places, strict=False):
        text, _ = with_line_in(text, line, at)
    expected = bp.find_document_boilerplate(text, PATTERNS, furniture=CUES)
    shared = bp.find_document_boilerplate(text, PATTERNS, furniture=CUES,
                                          classified=CUES.find(text))
    assert shared == expected


def with_line_in(text: str, line: str, at: int) -> tuple[str, int]:
    paragraphs = text.strip("\n").split("\n\n")
    at = at % (len(paragraphs) + 1)
    return "\n\n".join([*paragraphs[:at], line, *paragraphs[at:]]) + "\n", at


END_CUES = [c.example for c in CUES if c.at == "end"]
WHOLE_LINE_SEARCH = fu.load_default_cues()
# the "end" cues searched from the start of the line: what the classifier did before it
# searched them from their longest match before the line's end
WHOLE_LINE_SEARCH._end_reach = [(r, None) for r in WHOLE_LINE_SEARCH._end]


@FAST
@given(st.lists(st.sampled_from(END_CUES + FURNITURE + BODY), min_size=1, max_size=3),
       st.text(alphabet=" \n.!»:|-–eE", max_size=4), st.booleans())
def test_end_cues_searched_near_the_end_fire_as_searched_everywhere(
    pieces: list[str], tail: str, strong_first: bool
) -> None:
    # injected: an end cue (its example) closing a line of other lines' words; harmless:
    # decoration, a line break or words after it; either way the verdicts agree.
    line = " ".join(pieces) + tail
    assert (CUES.fired(line, strong_first=strong_first)
            == WHOLE_LINE_SEARCH.fired(line, strong_first=strong_first))
    if pieces[-1] in END_CUES and not tail.strip():
        assert CUES.fired(pieces[-1])  # the example alone fires


@FAST
@given(st.text(alphabet=st.sampled_from(list("ab .!?…:;»›→•·*|–—-\"'”’)]\n\t\u00a0\u2003")),
               max_size=30), st.integers(0, 40))
def test_line_ends_read_from_the_end_as_the_regexes_find_them(line: str, start: int) -> None:
    # the trailing decoration and the sentence end, read backwards, are where the
    # regexes (which try every position) find them, on any mix of marks and spaces
    start = min(start, len(line))
    assert fu._trail_start(line, start) == fu._TRAIL.search(line, start).start()
    assert fu._ends_like_sentence(line) == (fu._SENTENCE_END.search(line) is not None)


# The glue patterns as they were written before they were asked from their rarest
# character: the lines that hold a match must be the same.
_GLUE_BEFORE = [
    (r"[a-zäöüßéèàç]{2}[.!?:][A-ZÄÖÜÉ]{1,3}[a-zäöüéèà]{2}", "_PUNCT_GLUE"),
    (r"(?<![\w.,])\d+[A-ZÄÖÜÉ][a-zäöüéèà]{3,}", "_DIGIT_GLUE"),
    (r"[a-zäöüßéèà][A-ZÄÖÜÉ][a-zäöüéèà]{2}", "_CAMEL_JOINT_IN"),
]
_GLUE_PIECES = st.sampled_from(["zu", "ab", "ß", "é", ".", ":", "!", "?", "A", "Ak", "ZEI",
                                "Ö", "zeptieren", "Teilen", "0", "12", ",", " ", "x", "_",
                                "WordPress", "Facebook: 0Teilen", "JaNein", "a.B", ".",
                                ".0Teilen", ",3Zeit", "x5Mehr"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_GLUE_PIECES, max_size=12).map("".join))
def test_glue_asked_from_its_rarest_character_is_found_in_the_same_lines(line: str) -> None:
    import re

    for before, name in _GLUE_BEFORE:
        assert (re.search(before, line) is None) == (getattr(fu, name).search(line) is None), name


def fired_by_each_trigger(cues: fu.CueSet, line: str, strong_first: bool) -> dict[str, int]:
    """:meth:`CueSet.fired` as it was before the triggers were found in one search: each
    entry's regex run when one of its triggers is ``in`` the lower-cased line."""
    reference = fu.CueSet(cues.cues, cues.settings)
    low = line.lower()
    reference._plan = tuple(
        (regex, cue, weight, frozenset() if not trigger or any(t in low for t in trigger)
         else frozenset({"\0never"}))
        for regex, cue, weight, trigger in reference._plan)
    reference._trigger_set = Substrings([])  # holds nothing: "\0never" never found
    return reference.fired(line, strong_first=strong_first)


TRIGGERS = sorted({t for cue in CUES for t in cue.trigger})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FURNITURE + BODY + POSSIBLE + TRIGGERS + [c.example for c in CUES]),
                min_size=1, max_size=4),
       st.sampled_from(["", " ", "", "x", "X"]), st.booleans())
def test_triggers_found_in_one_search_fire_the_same_cues(
    pieces: list[str], glue: str, strong_first: bool
) -> None:
    # lines of furniture, body sentences, bare triggers and cue examples, run together
    # (so triggers straddle the joins) or apart: the same cues fire either way
    line = glue.join(pieces)
    assert CUES.fired(line, strong_first=strong_first) == fired_by_each_trigger(
        CUES, line, strong_first)


# The reader cue as it was first written; the list's form opens with the class of the
# first letters (faster to search) and must fire on exactly the same lines.
READER_AS_WRITTEN = re.compile(
    r"\b(?:[Yy]ou|[Yy]our|[Yy]ou.re|Sie|Ihre?[mnrs]?|Ihnen|[Dd]u|[Dd]ein(?:e[mnrs]?)?|[Dd]ir"
    r"|[Dd]ich|[Vv]ous|[Vv]otre|[Vv]os|[Tt]u|[Tt]es|[Uu]sted|[Tt]us)\b")
READER = re.compile(next(c.source for c in CUES if c.id == "reader_address"))
_READER_WORDS = ["you", "You", "your", "you're", "you’re", "Sie", "sie", "Ihr", "Ihre", "Ihrem",
                 "Ihnen", "ihnen", "du", "Du", "dein", "Deine", "deines", "dir", "Dich", "vous",
                 "Votre", "vos", "tu", "Tes", "usted", "Usted", "tus", "Tus", "IHR", "YOU"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_READER_WORDS),
                          st.text(alphabet="yYsSiIdDvVtTuUeo_1é’' .,\n-", max_size=4)),
                max_size=8).map("".join))
def test_the_reader_cue_fires_on_the_lines_it_fired_on_as_written(line: str) -> None:
    # reader words run into other letters, digits, underscores and marks on either side
    # (no longer whole words) or standing apart (whole words): the same verdict
    assert (READER.search(line) is None) == (READER_AS_WRITTEN.search(line) is None), line


@FAST
@given(st.lists(st.sampled_from(FURNITURE + POSSIBLE + BODY + ["Advertisement", "Read more »",
                                                               "word " * 450]),
                min_size=1, max_size=4),
       st.integers(0, 2**32), st.lists(st.integers(0, 40), min_size=4, max_size=4),
       st.integers(0, 30))
def test_lines_split_once_give_what_each_check_splitting_them_gives(
    lines: list[str], seed: int, places: list[int], body_start: int
) -> None:
    # The checks of one document share its line split (one per document while GX
    # validates a batch): given the lines, each check finds what it finds splitting them.
    text = news_document(random.Random(seed))
    for line, at in zip(lines, places, strict=False):
        text, _ = with_line_in(text, line, at)
    shared = line_spans(text, body_start)
    assert (bp.find_boilerplate(text, PATTERNS, body_start=body_start, lines=shared)
            == bp.find_boilerplate(text, PATTERNS, body_start=body_start))
    assert (CUES.find(text, body_start=body_start, lines=shared)
            == CUES.find(text, body_start=body_start))
    assert (bp.find_flattened_paragraphs(text, 2000, body_start=body_start, lines=shared)
            == bp.find_flattened_paragraphs(text, 2000, body_start=body_start))
    classified = CUES.find(text, body_start=body_start, lines=shared)
    assert (bp.find_document_boilerplate(text, PATTERNS, body_start=body_start, furniture=CUES,
                                         classified=classified, lines=shared)
            == bp.find_document_boilerplate(text, PATTERNS, body_start=body_start,
                                            furniture=CUES))
    assert shared == line_spans(text, body_start)  # no check changed the shared split
