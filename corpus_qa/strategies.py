"""Hypothesis strategies for corpus owners: news documents, story versions, injected defects.

Test a suite, a custom expectation or a cleaning step against generated news and
against each defect family corpus-qa knows::

    from hypothesis import given
    from corpus_qa.strategies import news_documents, with_defect

    @given(news_documents())
    def test_my_cleaner_keeps_clean_text(text):
        assert my_cleaner(text) == text

    @given(with_defect("mojibake"))
    def test_my_cleaner_repairs_mojibake(case):
        assert my_cleaner(case.mutated) == case.original

Documents look like this project's seeds: a metadata header (YAML front matter,
``key: value`` lines, or a date glued to the first sentence), paragraphs with
names that carry accents (López, Bárcena, Müller), figures (10,000 crossings,
$1.2 million, 12%, December 18, 2023) and quoted speech, and a credit line
("Some information for this report came from Reuters."). They are clean for every
check of the default suite; :func:`story_versions` gives versions of one story that
differ only in harmless ways. The defects come from :mod:`corpus_qa.mutations`.

This module needs hypothesis, a test extra: ``pip install corpus-qa[test]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "corpus_qa.strategies needs hypothesis, which is a test extra — "
        "pip install corpus-qa[test]"
    ) from exc

from corpus_qa.metadata import Phrases
from corpus_qa.mutations import (
    BOILERPLATE_LINES,
    CONTROL_CHARACTERS,
    FAMILIES,
    InjectedDefect,
    change_figure,
    drop_metadata,
    inject_control_character,
    inject_invalid_bytes,
    inject_mojibake,
    inject_nfd,
    insert_boilerplate_line,
    invalidate_date,
    mutate_document,
    mutate_story,
    strip_diacritics,
)
from corpus_qa.text.calendar import MONTHS

__all__ = [
    "BOILERPLATE_LINES",
    "CONTROL_CHARACTERS",
    "DOCUMENT_FAMILIES",
    "HEADER_STYLES",
    "REQUIRED_FIELDS",
    "STORY_FAMILIES",
    "InjectedDefect",
    "Mutated",
    "MutatedStory",
    "change_figure",
    "drop_metadata",
    "inject_control_character",
    "inject_invalid_bytes",
    "inject_mojibake",
    "inject_nfd",
    "insert_boilerplate_line",
    "invalidate_date",
    "news_documents",
    "story_versions",
    "strip_diacritics",
    "with_defect",
    "with_story_defect",
]

SearchStrategy = st.SearchStrategy

DOCUMENT_FAMILIES = tuple(n for n, f in FAMILIES.items() if f.scope == "document")
STORY_FAMILIES = tuple(n for n, f in FAMILIES.items() if f.scope == "story")
HEADER_STYLES = ("front_matter", "lines", "glued")
"""How the date and source are written: a ``---`` block, ``key: value`` lines, or
``source:`` on a line and ``date 2023-12-28`` glued to the first sentence (seed 000)."""
REQUIRED_FIELDS = ("date", "source", "attribution")

# --- vocabulary -------------------------------------------------------------------------

PEOPLE = (
    ("Andrés Manuel López Obrador", "Mexican President"),
    ("Alicia Bárcena", "Foreign Relations Secretary"),
    ("José Gutiérrez", "the mayor"),
    ("María Fernández", "the health minister"),
    ("François Lefèvre", "the trade envoy"),
    ("Zoë Müller", "the committee chair"),
    ("Jürgen Schäfer", "the finance minister"),
    ("Søren Mikkelsen", "the agency director"),
    ("Łukasz Wróbel", "the deputy minister"),
    ("Inês Conceição", "the governor"),
    ("Renée Côté", "the union leader"),
    ("Ramón Núñez", "the police chief"),
)
"""Names with accents, and the role each is introduced with."""

PLAIN_PEOPLE = (
    ("Antony Blinken", "Secretary of State"),
    ("Alejandro Mayorkas", "Homeland Security Secretary"),
    ("Sarah Okafor", "the spokeswoman"),
    ("Daniel Reyes", "the regional coordinator"),
)
PLACES = ("Bogotá", "São Paulo", "Zürich", "Kraków", "Brasília", "Montréal", "Reykjavík",
          "Asunción", "Mexico City", "Washington", "Geneva", "Nairobi")
TOPICS = ("migration", "border security", "the water supply", "trade", "housing",
          "the budget", "rail crossings", "food prices")
NOUNS = ("migrants", "households", "crossings", "families", "workers", "applications")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
SOURCES = ("Voice of America", "The Daily Ledger", "Example News Service", "Radio Norte",
           "Agência Brasil")
AGENCIES = ("The Associated Press", "Reuters", "Agence France-Presse")
WORD_NUMBERS = ("two", "three", "four", "five")
SUBHEADS = ("Talks continue", "Record levels", "What comes next", "A regional challenge")
ADDED_SENTENCES = (
    "He did not give further details.",
    "The officials did not take questions from reporters.",
    "Talks are expected to continue in the coming weeks.",
    "Neither side commented on the outcome.",
)
"""Sentences a later version may add: no figure, no name, nothing to disagree with."""


# --- documents --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Story:
    """What every version of one story shares: metadata, paragraphs, credit line."""

    date: str
    source: str
    paragraphs: tuple[tuple[str, ...], ...]  # sentences, with {Q}…{/Q} / {A} quote markers
    credit: str
    subhead: tuple[int, str] | None = None  # (paragraph it precedes, text)


def _quotes(text: str, curly: bool) -> str:
    """Fill the quote markers: straight (``"`` ``'``) or typographic (“ ” ’)."""
    marks = {"{Q}": "\u201c", "{/Q}": "\u201d", "{A}": "\u2019"} if curly else {
        "{Q}": '"', "{/Q}": '"', "{A}": "'"}
    for marker, mark in marks.items():
        text = text.replace(marker, mark)
    return text


def _thousands(n: int) -> str:
    return f"{n:,}"


@st.composite
def _sentence(draw: Callable[..., Any], people: tuple[tuple[str, str], ...]) -> str:
    """One news sentence with names, places and figures."""
    name, role = draw(st.sampled_from(people))
    other, other_role = draw(st.sampled_from(PLAIN_PEOPLE))
    place = draw(st.sampled_from(PLACES))
    topic = draw(st.sampled_from(TOPICS))
    noun = draw(st.sampled_from(NOUNS))
    number = _thousands(draw(st.integers(2, 90)) * 500)
    year = draw(st.integers(2005, 2023))
    month = draw(st.sampled_from(MONTHS))
    day = draw(st.integers(1, 28))
    templates = (
        f"{role[0].upper() + role[1:]} {name} met {other} in {place} on "
        f"{draw(st.sampled_from(WEEKDAYS))} to discuss {topic}.",
        f"As many as {number} {noun} were counted daily in {month}, officials said.",
        f"{name} said the government would spend ${draw(st.integers(2, 95))} million on {topic}.",
        f"In {year}, more than {number} {noun} were registered, up "
        f"{draw(st.integers(3, 40))}% from the year before.",
        f"{other} met for about {draw(st.sampled_from(WORD_NUMBERS))} hours with {name}.",
        f"{{Q}}We have always talked about {topic},{{/Q}} {name} said before the meeting.",
        f"On {month} {day}, the authorities in {place} closed {draw(st.integers(2, 9))} "
        f"crossings, {name}{{A}}s office said.",
        f"{other}, {other_role}, said the {noun} would be counted again in {year}.",
    )
    return draw(st.sampled_from(templates))


@st.composite
def _stories(draw: Callable[..., Any]) -> _Story:
    people = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3, unique=True))
    date = draw(st.dates(dt.date(2000, 1, 1), dt.date(2025, 12, 31)))
    # A story does not repeat a sentence word for word.
    sentences = draw(st.lists(_sentence(tuple(people)), min_size=3, max_size=14, unique=True))
    sizes = draw(st.lists(st.integers(1, 3), min_size=len(sentences), max_size=len(sentences)))
    paragraphs, i = [], 0
    for size in sizes:
        if i >= len(sentences):
            break
        paragraphs.append(tuple(sentences[i:i + size]))
        i += size
    if len(paragraphs) < 3:  # at least three paragraphs: split the first sentences off
        paragraphs = [(s,) for s in sentences[:2]] + [tuple(sentences[2:])]
    # Every story names its first accented person at least once.
    name, role = people[0]
    opening = f"{role[0].upper() + role[1:]} {name} spoke to reporters on {date:%B} {date.day}."
    agencies = draw(st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=3, unique=True))
    names = agencies[0] if len(agencies) == 1 else (
        ", ".join(agencies[:-1]) + " and " + agencies[-1])
    credit = draw(st.sampled_from((
        f"Some information for this report came from {names}.",
        f"Material for this report came from {names}.",
    )))
    subhead = draw(st.none() | st.tuples(st.integers(2, len(paragraphs)),
                                         st.sampled_from(SUBHEADS)))
    return _Story(date.isoformat(), draw(st.sampled_from(SOURCES)),
                  ((opening,), *paragraphs), credit, subhead)


def _header(story: _Story, style: str) -> str:
    if style == "front_matter":
        return f"---\ndate: {story.date}\nsource: {story.source}\n---\n\n"
    if style == "lines":
        return f"date: {story.date}\nsource: {story.source}\n\n"
    return f"source: {story.source}\ndate {story.date} "  # glued to the first sentence


def _render(story: _Story, style: str, blocks: list[list[str]], curly: bool) -> str:
    body = "\n\n".join(" ".join(b) for b in blocks)
    return _quotes(_header(story, style) + body + "\n\n" + story.credit + "\n", curly)


@st.composite
def _version(draw: Callable[..., Any], story: _Story, *, edits: bool,
             header_styles: tuple[str, ...] = HEADER_STYLES) -> str:
    """One rendering of ``story``; with ``edits``, harmlessly reflowed and extended.

    A subhead is a block of its own: paragraphs are joined and split around it, never
    across it, so every version keeps it before the same sentence (or drops it).
    """
    style = draw(st.sampled_from(header_styles))
    blocks = [list(p) for p in story.paragraphs]
    heading = None
    if story.subhead is not None and not (edits and draw(st.booleans())):
        heading = [story.subhead[1]]
        blocks.insert(story.subhead[0], heading)
    if edits and draw(st.booleans()):  # join two paragraphs
        pairs = [i for i in range(1, len(blocks) - 1)
                 if blocks[i] is not heading and blocks[i + 1] is not heading]
        if pairs:
            i = draw(st.sampled_from(pairs))
            blocks[i:i + 2] = [blocks[i] + blocks[i + 1]]
    if edits and draw(st.booleans()):  # split a paragraph of several sentences
        several = [i for i, p in enumerate(blocks) if len(p) > 1]
        if several:
            i = draw(st.sampled_from(several))
            blocks[i:i + 1] = [blocks[i][:1], blocks[i][1:]]
    if edits and draw(st.booleans()):  # an added sentence
        paragraphs = [i for i in range(1, len(blocks)) if blocks[i] is not heading]
        i = draw(st.sampled_from(paragraphs))
        blocks[i] = [*blocks[i], draw(st.sampled_from(ADDED_SENTENCES))]
    return _render(story, style, blocks, draw(st.booleans()))


def _styles(header_styles: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [s for s in header_styles if s not in HEADER_STYLES]
    if not header_styles or unknown:
        raise ValueError(f"header_styles must be a non-empty selection of {HEADER_STYLES}, "
                         f"got {header_styles!r}")
    return tuple(header_styles)


def news_documents(*, header_styles: tuple[str, ...] = HEADER_STYLES) -> SearchStrategy[str]:
    """Clean news-like documents: a metadata header, 4–15 paragraphs, a credit line.

    The date and source are in the header (``header_styles``: front matter, header
    lines, or a date glued to the first sentence), attribution in the closing credit
    line; at least one name carries accents; figures include thousands, money,
    percentages, years, dates and word numbers; quotes are straight or typographic.
    """
    styles = _styles(header_styles)
    return _stories().flatmap(lambda story: _version(story, edits=False, header_styles=styles))


def story_versions(
    *, min_versions: int = 2, max_versions: int = 3,
    header_styles: tuple[str, ...] = HEADER_STYLES,
) -> SearchStrategy[list[str]]:
    """Versions of one story that differ only harmlessly.

    Each version may write its header differently, join or split paragraphs, add a
    sentence without figures or names, use straight or curly quotes, or leave out
    the subhead. Figures, names (with their accents) and metadata are the same in all.
    """
    if not 2 <= min_versions <= max_versions:
        raise ValueError(
            f"need 2 <= min_versions <= max_versions, got {min_versions} and {max_versions}")
    styles = _styles(header_styles)
    return _stories().flatmap(lambda story: st.lists(
        _version(story, edits=True, header_styles=styles),
        min_size=min_versions, max_size=max_versions))


# --- defects ----------------------------------------------------------------------------


class Mutated(NamedTuple):
    """A document, the same document with one injected defect, and what was injected."""

    original: str
    mutated: str | bytes
    defect: InjectedDefect


class MutatedStory(NamedTuple):
    """A story's versions, the versions with one defect in one of them, and the defect."""

    versions: list[str]
    mutated: list[str]
    defect: InjectedDefect


def _check_family(family: str, families: tuple[str, ...], what: str) -> None:
    if family not in families:
        raise ValueError(f"unknown {what} defect family {family!r}; "
                         f"expected one of: {', '.join(families)}")


def with_defect(
    family: str,
    documents: SearchStrategy[str] | None = None,
    *,
    field_name: str | None = None,
    phrases: Phrases | None = None,
) -> SearchStrategy[Mutated]:
    """Documents (default :func:`news_documents`) with one defect of a document ``family``.

    ``family`` is one of :data:`DOCUMENT_FAMILIES`. For ``dropped_metadata``,
    ``field_name`` is the field removed (default: one of date, source, attribution).
    Documents that offer no place for the defect are rejected (e.g. ``nfd`` on an
    ASCII-only text), so give documents that can hold it.
    """
    _check_family(family, DOCUMENT_FAMILIES, "document")
    base = documents if documents is not None else news_documents()
    fields = st.just(field_name) if field_name else st.sampled_from(REQUIRED_FIELDS)

    @st.composite
    def build(draw: Callable[..., Any]) -> Mutated:
        text = draw(base)
        out = mutate_document(family, text, draw(st.randoms(use_true_random=False)),
                              field_name=draw(fields), phrases=phrases)
        assume(out is not None)
        assert out is not None
        return Mutated(text, *out)

    return build()


def with_story_defect(
    family: str, stories: SearchStrategy[list[str]] | None = None
) -> SearchStrategy[MutatedStory]:
    """Story versions (default :func:`story_versions`) with a story ``family`` defect in one.

    ``family`` is ``figure_change`` or ``stripped_diacritics``; ``defect.version`` is
    the index of the mutated version.
    """
    _check_family(family, STORY_FAMILIES, "story")
    base = stories if stories is not None else story_versions()

    @st.composite
    def build(draw: Callable[..., Any]) -> MutatedStory:
        versions = draw(base)
        out = mutate_story(family, versions, draw(st.randoms(use_true_random=False)))
        assume(out is not None)
        assert out is not None
        return MutatedStory(versions, *out)

    return build()
