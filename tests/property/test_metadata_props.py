"""Properties of metadata resolution on generated news documents and on arbitrary text.

- planted signals (date header, syndication notice, byline, credit line) are resolved,
  with their origins, and nothing else is;
- removing the date header gives ``missing_field`` for date, and nothing else changes;
- an invalid date in the header gives ``invalid_date`` at the header's span;
- harmless edits (extra spaces, blank lines, rewrapped paragraphs, CRLF line ends,
  trailing spaces) change no resolved value;
- resolve and the checks never raise on arbitrary text, and text spans index the values.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.documents import Document, Field
from corpus_qa.metadata import (
    FIELDS,
    Metadata,
    check_date_valid,
    check_has_metadata,
    check_metadata_matches,
    resolve,
)

SETTINGS = settings(max_examples=60, deadline=None)

SOURCES = ["Voice of America", "Kaiser Health News", "Radio Free Europe"]
AGENCIES = ["The Associated Press", "Reuters", "Agence France-Presse"]
ORG_BYLINES = ["VOA News", "The Associated Press", "Reuters", "Agence France-Presse", "BBC News"]
PERSON_BYLINES = ["Jane Doe", "John Roe", "Ana de la Cruz", "Liz Sherwood-Randall"]
TITLES = [
    "US, Mexico Discuss Options to Slow Surge of Migrants at Border",
    "Talks on Migration Resume in Mexico City",
    "Record Numbers Cross the Darien Gap in 2023",
]
# Body sentences: prose with the traps of the seeds ("closed by", "led by U.S. Secretary"),
# figures and dates that are not publication dates, and no metadata signal.
SENTENCES = [
    "The delegation met on Wednesday in Mexico City.",
    "Officials said the crossings were closed by U.S. authorities.",
    "The talks were led by U.S. Secretary of State Antony Blinken.",
    "More than half a million migrants crossed the Darien Gap in 2023.",
    "A caravan organised by activists moved north on December 18.",
    '"We have always talked about addressing the causes," the president said.',
    "That is double the number who attempted the trek in 2022.",
    "About 6,000 migrants, many fleeing crime, continued their march by foot.",
    "Record levels of migrants",
]


def at(text: str, span: tuple[int, int] | None) -> str:
    """The text at ``span`` (which must be known)."""
    assert span is not None
    return text[span[0] : span[1]]


@dataclass
class News:
    """A generated document: the header and the body apart, and what was planted."""

    header: str
    body: str
    date: str  # "" when there is no date header
    expected: dict[str, tuple[tuple[str, ...], str]]  # field -> (values, origin)

    def document(self, body: str | None = None, header: str | None = None) -> Document:
        header = self.header if header is None else header
        fields = {"date": Field(self.date, "header", (6, 6 + len(self.date)))} if header else {}
        return Document(
            id="gen",
            text=header + (self.body if body is None else body),
            path="gen.txt",
            fields=fields,
            body_start=len(header),
        )


def _list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@st.composite
def news(draw: st.DrawFn) -> News:
    """A news document shaped like the seeds, with a random subset of metadata signals."""
    day = draw(st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2024, 1, 1)))
    source = draw(st.none() | st.sampled_from(SOURCES))
    byline = draw(st.none() | st.sampled_from(ORG_BYLINES + PERSON_BYLINES))
    credit = draw(
        st.none() | st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=3, unique=True)
    )
    paragraphs = [
        " ".join(p)
        for p in draw(
            st.lists(
                st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4), min_size=1, max_size=5
            )
        )
    ]
    expected: dict[str, tuple[tuple[str, ...], str]] = {}
    if day:
        expected["date"] = ((day.isoformat(),), "header")
    if source:
        paragraphs.insert(
            0,
            f"Originally posted by the {source}. {source} content is produced by "
            f"the {source}, a federal entity, and is in the public domain.",
        )
        expected["source"] = ((source,), "text")
        expected["licence"] = (("public domain",), "text")
    attribution: list[str] = []
    if byline:
        title = draw(st.sampled_from(TITLES))
        glued = draw(st.booleans())
        at = 1 if source else 0
        if glued:
            paragraphs[at] = f"{title} by {byline} {paragraphs[at]}"
        else:
            paragraphs.insert(at, f"{title}\nBy {byline}")
        attribution.append(byline)
        expected["title"] = ((title,), "text")
        if byline in PERSON_BYLINES:
            expected["author"] = ((byline,), "text")
    if credit:
        paragraphs.append(f"Some information for this report came from {_list(credit)}.")
        attribution += [c for c in credit if c not in attribution]
    if attribution:
        expected["attribution"] = (tuple(attribution), "text")
    body = "\n\n".join(paragraphs)
    if draw(st.booleans()):
        body = " ".join(body.split())  # one single line, like seed 001
    header = f" date {day.isoformat()} " if day else ""
    return News(header, body, day.isoformat() if day else "", expected)


def values(meta: Metadata) -> dict[str, tuple[tuple[str, ...], str]]:
    return {name: (resolved.values, resolved.origin) for name, resolved in meta.items()}


@SETTINGS
@given(news())
def test_planted_signals_are_resolved_and_nothing_else(generated: News) -> None:
    meta = resolve(generated.document())
    assert values(meta) == generated.expected
    assert all(not resolved.conflicts for resolved in meta.values())


@SETTINGS
@given(news().filter(lambda n: bool(n.date)))
def test_removing_the_date_header_gives_missing_field_for_date(generated: News) -> None:
    before = resolve(generated.document())
    assert check_has_metadata(before, ["date"]) == []
    after = resolve(generated.document(header=""))
    hits = check_has_metadata(after, list(before))
    assert [(h.reason, h.message.split("'")[1]) for h in hits] == [("missing_field", "date")]
    assert {k: v for k, v in values(before).items() if k != "date"} == values(after)


@SETTINGS
@given(
    news().filter(lambda n: bool(n.date)),
    st.sampled_from(["2023-13-45", "2023-02-30", "0000-01-01", "2023-12-28T25:00"]),
)
def test_an_invalid_header_date_is_flagged_at_its_span(generated: News, bad: str) -> None:
    generated.header, generated.date = f" date {bad} ", bad
    document = generated.document()
    hits = check_date_valid(resolve(document), today=dt.date(2024, 6, 1))
    assert [h.reason for h in hits] == ["invalid_date"]
    assert at(document.text, hits[0].span) == bad


def _spaces(body: str, where: list[int]) -> str:
    words = body.split(" ")
    for index in where:
        if 0 < index < len(words):
            words[index] = " " + words[index]
    return " ".join(words)


def _rewrap(body: str, width: int) -> str:
    # Words are never split (a hyphen break would insert a space into "France-Presse").
    return "\n\n".join(
        textwrap.fill(p, width, break_long_words=False, break_on_hyphens=False)
        for p in body.split("\n\n")
    )


EDITS = {
    "extra spaces": lambda body, data: _spaces(
        body, data.draw(st.lists(st.integers(0, 400), max_size=30))
    ),
    "extra blank lines": lambda body, data: body.replace("\n\n", "\n\n\n"),
    "rewrapped paragraphs": lambda body, data: _rewrap(body, data.draw(st.integers(25, 100))),
    "CRLF line ends": lambda body, data: body.replace("\n", "\r\n"),
    "trailing spaces": lambda body, data: body.replace("\n", " \t\n") + "  \n",
}


@SETTINGS
@given(news(), st.sampled_from(sorted(EDITS)), st.data())
def test_harmless_edits_change_no_resolved_value(
    generated: News, edit: str, data: st.DataObject
) -> None:
    edited = EDITS[edit](generated.body, data)
    assert values(resolve(generated.document(body=edited))) == values(resolve(generated.document()))


SIGNAL_BITS = [
    "by ",
    "By ",
    "Originally posted by the ",
    "Voice of America",
    " content is produced by ",
    "Published: ",
    "2023-13-45",
    "December 28, 2023",
    "WASHINGTON (Reuters) - ",
    "\n",
    "\n\n",
    ". ",
    "Some information for this report came from ",
    " and ",
    ", ",
    " contributed to this report",
    "CC BY 4.0",
    " is in the public domain",
    "Jane Doe ",
    "Talks Begin ",
    "the ",
    "Source: ",
    "https://example.com/x ",
    "(",
    ")",
    "\r",
    "ß",
    "İ",
]
TEXT = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(SIGNAL_BITS)), max_size=40).map(
    "".join
)
FIELD_VALUES = st.builds(
    Field,
    st.text(max_size=20),
    st.sampled_from(["field", "front_matter", "header", "jsonl", ""]),
    st.none() | st.tuples(st.integers(-3, 50), st.integers(-3, 50)),
)


@settings(max_examples=300, deadline=None)
@given(
    TEXT,
    st.dictionaries(
        st.sampled_from([*FIELDS, "license", "Date", "x"]) | st.text(max_size=5),
        FIELD_VALUES,
        max_size=4,
    ),
    st.integers(-5, 500),
)
def test_resolve_and_checks_never_raise_and_spans_index_the_text(
    text: str, fields: dict, body_start: int
) -> None:
    document = Document(id="any", text=text, path="any.txt", fields=fields, body_start=body_start)
    meta = resolve(document)
    json.dumps(meta.to_json())
    check_has_metadata(meta, ["date", "source", "attribution"])
    check_date_valid(meta, min_date="2000-01-01", max_date="2030-01-01", today=dt.date(2024, 6, 1))
    check_metadata_matches(meta, "attribution", allowed=["Reuters"], pattern="^[A-Z]")
    for resolved in meta.values():
        for item in resolved.evidence:
            if item.origin != "text":
                continue
            assert item.span is not None and item.value_span is not None
            (start, end), (value_start, value_end) = item.span, item.value_span
            assert 0 <= start <= value_start <= value_end <= end <= len(text)
            if item.field in ("source", "attribution", "author", "title", "url"):
                assert [" ".join(at(text, span).split()) for span in item.value_spans] == list(
                    item.values
                )


# --- a window's trigger answers, shared by the signals tested on it ---------------------

def _triggers_of_the_list() -> list[str]:
    from corpus_qa.metadata import load_phrases

    return sorted({t for s in load_phrases().signals for t in s.triggers})


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(_triggers_of_the_list()), st.text(max_size=6)),
                max_size=30).map(" ".join),
       st.lists(st.lists(st.sampled_from(_triggers_of_the_list() + ["zz"]), max_size=4),
                min_size=1, max_size=8))
def test_shared_trigger_answers_change_no_signal(window: str, trigger_sets: list) -> None:
    """Signals tested in turn on one window with one dict of answers fire exactly when
    each tested alone (the triggers ``in`` the window) would."""
    import re

    from corpus_qa.metadata import Signal

    signals = [Signal(f"s{n}", "source", re.compile("x"), "both", None, None, tuple(ts))
               for n, ts in enumerate(trigger_sets)]
    tested: dict[str, bool] = {}
    shared = [s.fires(window, tested) for s in signals]
    assert shared == [s.fires(window) for s in signals]
    assert shared == [not s.triggers or any(t in window for t in s.triggers) for s in signals]
    assert all(found == (t in window) for t, found in tested.items())


def test_a_trigger_is_looked_for_once_per_window() -> None:
    import re

    from corpus_qa.metadata import Signal

    class Counted(str):
        looked: list[str] = []

        def __contains__(self, part: object) -> bool:
            self.looked.append(str(part))
            return super().__contains__(part)  # type: ignore[operator]

    window = Counted("creative commons, cc by 4.0")
    signals = [Signal(f"s{n}", "licence", re.compile("x"), "both", None, None, triggers)
               for n, triggers in enumerate([("cc0", "cc"), ("cc", "creative"), ("cc",)])]
    tested: dict[str, bool] = {}
    assert [s.fires(window, tested) for s in signals] == [True, True, True]
    assert sorted(window.looked) == ["cc", "cc0"]
