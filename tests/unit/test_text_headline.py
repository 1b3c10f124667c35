"""corpus_qa.text.headline: the one title/byline detector, and metadata and boilerplate agreeing.

Each case gives a text and the title, the byline and the names the detector must
find with the packaged phrase list's byline wording (``None``: no byline at all).
"""

from __future__ import annotations

from typing import Any

import pytest

from corpus_qa.checks.boilerplate import find_glued_header
from corpus_qa.documents import Document
from corpus_qa.metadata import byline_rules, resolve
from corpus_qa.text.headline import Headline, body_follows, find_headline, is_title_case

RULES, SMALL_WORDS = byline_rules()
SEED_TITLE = "US, Mexico Discuss Options to Slow Surge of Migrants at Border"
WRAPPED_TITLE = SEED_TITLE.replace(" Slow ", " Slow\n")

# (id, text, (title, byline, names) or None)
CASES: list[tuple[str, str, tuple[str | None, str, str] | None]] = [
    ("seed-001-glued", f"{SEED_TITLE} by VOA News U.S. and Mexican officials met.",
     (SEED_TITLE, "by VOA News", "VOA News")),
    ("glued-before-lower-case-body",
     "Talks Resume in Mexico City by Jane Doe officials met on Monday.",
     ("Talks Resume in Mexico City", "by Jane Doe", "Jane Doe")),
    ("glued-organisation-before-lower-case-body",
     "Border Talks Resume by VOA News officials met on Monday.",
     ("Border Talks Resume", "by VOA News", "VOA News")),
    ("glued-gives-back-capitalised-body-words",
     "Border Talks Resume by Jane Doe Mexican President Andres Manuel Lopez Obrador said.",
     ("Border Talks Resume", "by Jane Doe", "Jane Doe")),
    ("glued-after-a-notice",
     "Originally posted by the Voice of America. Wildfires Force Thousands to Flee in Chile "
     "By Jane Doe and John Roe The fires spread overnight.",
     ("Wildfires Force Thousands to Flee in Chile", "By Jane Doe and John Roe",
      "Jane Doe and John Roe")),
    ("glued-before-dateline",
     "Senate Passes Border Bill After Long Debate by Jane Doe WASHINGTON (AP) — It passed.",
     ("Senate Passes Border Bill After Long Debate", "by Jane Doe", "Jane Doe")),
    ("title-line-then-byline-line-with-role",
     "Mexico Agrees to Reopen Rail Crossings\nBy Jane Doe, Staff Writer\nOfficials said so.",
     ("Mexico Agrees to Reopen Rail Crossings", "By Jane Doe, Staff Writer",
      "Jane Doe, Staff Writer")),
    ("byline-line-alone", "By Reuters\nOil prices rose on Monday.",
     (None, "By Reuters", "Reuters")),
    ("byline-line-then-short-sentence-is-not-a-role",
     "By Jane Doe Officials met today.\nMore text.", (None, "By Jane Doe", "Jane Doe")),
    ("title-rewrapped", f"{WRAPPED_TITLE}\nby VOA News The talks.",
     (WRAPPED_TITLE, "by VOA News", "VOA News")),
    ("headline-with-by-inside",
     "Man Killed by Police Officer in Texas by John Smith The shooting happened on Monday.",
     ("Man Killed by Police Officer in Texas", "by John Smith", "John Smith")),
    ("no-by-the-numbers", "The budget grew.\nBy the numbers\nSpending rose 4%.", None),
    ("no-prose-by", "The bill was passed by Congress. It was signed by President Joe Biden.",
     None),
    ("no-two-word-title-before-lower-case",
     "Proposal Backed by Business Leaders across the region.", None),
    ("no-title-case-by-without-name", "Talks by the Sea\nThe talks began.", None),
    ("no-seed-000-glued-date", " date 2023-12-28 U.S. and Mexican officials met Wednesday.",
     None),
]  # fmt: skip

KNOWN_MISSES = [
    pytest.param(
        "Talks With U.S. Officials Resume by Jane Doe The talks began.",
        ("Talks With U.S. Officials Resume", "by Jane Doe", "Jane Doe"),
        id="known-acronym-in-title-before-starter-word",
        marks=pytest.mark.xfail(
            strict=True, reason="the splitter ends a sentence after 'U.S.' before 'Officials'"
        ),
    ),
    pytest.param(
        "Record Levels of Migrants\nTalks Begin\nBy Jane Doe\n\nThe talks began.",
        ("Talks Begin", "By Jane Doe", "Jane Doe"),
        id="known-title-case-line-before-the-title",
        marks=pytest.mark.xfail(
            strict=True, reason="a Title-Case line with no full stop joins the title"
        ),
    ),
    pytest.param(
        "Border Talks Resume by Mary Ann Smith The talks began.",
        ("Border Talks Resume", "by Mary Ann Smith", "Mary Ann Smith"),
        id="known-glued-three-word-name",
        marks=pytest.mark.xfail(
            strict=True, reason="a glued person's third name could be the body's first word"
        ),
    ),
]


def _shown(text: str, headline: Headline | None) -> tuple[str | None, str, str] | None:
    if headline is None:
        return None
    title = headline.title
    return (
        text[title[0] : title[1]] if title else None,
        text[headline.byline[0] : headline.byline[1]],
        text[headline.names[0] : headline.names[1]],
    )


def _detect(text: str) -> tuple[str | None, str, str] | None:
    return _shown(text, find_headline(text, RULES, small_words=SMALL_WORDS))


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_detector(text: str, expected: Any) -> None:
    assert _detect(text) == expected


@pytest.mark.parametrize(("text", "expected"), KNOWN_MISSES)
def test_detector_known_misses(text: str, expected: Any) -> None:
    assert _detect(text) == expected


def _metadata_answer(text: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(title, byline span text, attribution values) the resolver records from the byline."""
    meta = resolve(Document(id="d", path="d.txt", text=text))
    title = meta["title"].value if "title" in meta else None
    if "attribution" not in meta:
        return title, None, ()
    (byline,) = [e for e in meta["attribution"].evidence if e.signal == "byline"] or [None]
    if byline is None or byline.span is None:
        return title, None, ()
    return title, text[byline.span[0] : byline.span[1]], byline.values


def _boilerplate_answer(text: str) -> tuple[str | None, str | None, str | None]:
    hits = {h.reason: h for h in find_glued_header(text)}
    title = hits["title_in_body"].suggestion if "title_in_body" in hits else None
    if "byline_in_body" not in hits:
        return title, None, None
    byline = hits["byline_in_body"]
    return title, text[byline.span[0] : byline.span[1]], byline.suggestion


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t, _ in CASES])
def test_metadata_and_boilerplate_give_the_same_answer(text: str) -> None:
    m_title, m_byline, m_names = _metadata_answer(text)
    b_title, b_byline, b_names = _boilerplate_answer(text)
    assert m_byline == b_byline
    if m_byline is not None:
        assert m_title == (" ".join(b_title.split()) if b_title else None)
        assert b_names is not None and ", ".join(m_names) == b_names.replace(" and ", ", ")


def test_jane_doe_suggestion_is_the_whole_name() -> None:
    text = "Talks Resume in Mexico City by Jane Doe officials met on Monday."
    title, byline = find_glued_header(text)
    assert (title.suggestion, byline.suggestion) == ("Talks Resume in Mexico City", "Jane Doe")
    assert byline.message == (
        'byline "by Jane Doe" is part of the body text — move into metadata: attribution'
    )
    assert resolve(Document(id="d", path="d.txt", text=text))["attribution"].values == (
        "Jane Doe",
    )


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("US, Mexico Discuss Options to Slow Surge", True),
        ("Talks Begin", True),
        ("2023 Talks Begin", True),
        ("“Quoted” Title Here", True),
        ("to Begin Talks", False),
        ("Talks were held", False),
        ("", False),
    ],
    ids=["seed", "two-words", "digit", "quotes", "small-word-first", "lower-case", "empty"],
)
def test_is_title_case(words: str, expected: bool) -> None:
    assert is_title_case(words.split(), SMALL_WORDS) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("x The body", True), ("x\nthe body", False), ("x   ", True), ("x 6,000 migrants", True)],
    ids=["capital", "lower-case-across-line-break", "end-of-text", "digit"],
)
def test_body_follows(text: str, expected: bool) -> None:
    assert body_follows(text, 1) is expected
