"""Properties of the text primitives (corpus_qa.text) on generated and arbitrary text.

- sentence spans index the text, are trimmed, in order, and cover every non-space
  character; a range splits like the same text cut out;
- the folds are idempotent; the diacritics fold keeps the length of precomposed
  Latin, Greek and Cyrillic text and never leaves a combining mark;
- every month name and abbreviation, in any case, with or without a dot, parses as a
  date for the resolver and as a figure for the figure check;
- the headline detector never raises; on generated "<Title> by <Name> <body>" texts
  metadata and boilerplate give the same (and the right) title and byline.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime as dt
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.checks.boilerplate import _byline_starts, find_glued_header
from corpus_qa.checks.figures import extract_figures
from corpus_qa.documents import Document
from corpus_qa.metadata import byline_rules, parse_date, resolve
from corpus_qa.text.calendar import MONTH_ABBREVIATIONS, MONTHS, month_number
from corpus_qa.text.fold import COMBINING_MARKS, fold, fold_diacritics, name_key
from corpus_qa.text.headline import find_headline
from corpus_qa.text.segment import sentence_spans, split_sentences

SETTINGS = settings(max_examples=60, deadline=None)
RULES, SMALL_WORDS = byline_rules()

_PIECES = [
    "The talks began.", "Mr. Blinken met U.S. officials.", "On Dec. 18 it closed!",
    '"We spoke," he said.', "It ended ... slowly.", "Was it 3.5?", "Record levels",
    "López said so.", "They met at 10 a.m. Wednesday.", "by VOA News", "Sen. Smith left.",
]  # fmt: skip
_SEPARATORS = [" ", "\n", "\n\n", "  ", "\t"]
news = st.lists(
    st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)), max_size=12
).map(lambda parts: "".join(p + s for p, s in parts))
any_text = st.one_of(st.text(max_size=300), news)


# --- segment ---------------------------------------------------------------------------


@SETTINGS
@given(any_text)
def test_sentences_index_the_text_and_cover_it_in_order(text: str) -> None:
    sentences = split_sentences(text)
    covered = set()
    previous_end = 0
    for index, sentence in enumerate(sentences):
        start, end = sentence.span
        assert sentence.index == index
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == sentence.text == sentence.text.strip()
        covered.update(range(start, end))
        previous_end = end
    assert all(i in covered for i, char in enumerate(text) if not char.isspace())


@SETTINGS
@given(any_text, st.data())
def test_a_range_splits_like_the_text_cut_out(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    shifted = [(start + s, start + e) for s, e in sentence_spans(text[start:end])]
    assert sentence_spans(text, start, end) == shifted


# --- fold ------------------------------------------------------------------------------

# Letters and spaces of the Latin, Greek and Cyrillic blocks, precomposed.
_ALPHABET = st.characters(max_codepoint=0x4FF, categories=("Lu", "Ll", "Lt", "Zs"))
precomposed = st.text(_ALPHABET, max_size=60).map(lambda t: unicodedata.normalize("NFC", t))


@SETTINGS
@given(st.text(max_size=200))
def test_folds_are_idempotent(text: str) -> None:
    assert fold_diacritics(fold_diacritics(text)) == fold_diacritics(text)
    assert fold(fold(text)) == fold(text)


@SETTINGS
@given(precomposed)
def test_fold_diacritics_keeps_length_and_leaves_no_mark(text: str) -> None:
    folded = fold_diacritics(text)
    assert len(folded) == len(text)
    assert not any("\u0300" <= c <= "\u036f" for c in unicodedata.normalize("NFD", folded))
    assert COMBINING_MARKS.startswith("\u0300-\u036f")


@SETTINGS
@given(precomposed, st.sampled_from(["", " ", "  ", "\n"]))
def test_name_key_ignores_accents_case_and_spacing(name: str, extra: str) -> None:
    spaced = extra + f"{extra} ".join(name.split()) + extra
    assert name_key(spaced) == name_key(name)
    assert name_key(fold_diacritics(name)) == name_key(name)
    assert name_key(name.casefold()) == name_key(name)


# --- calendar --------------------------------------------------------------------------

month_names = st.sampled_from([*MONTHS, *MONTH_ABBREVIATIONS])
spellings = st.tuples(month_names, st.sampled_from(["", "."]), st.sampled_from(
    [str, str.lower, str.upper])).map(lambda t: t[2](t[0]) + t[1])  # fmt: skip


@SETTINGS
@given(month_names, st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
def test_every_month_name_and_abbreviation_parses(name: str, date: dt.date) -> None:
    number = month_number(name)
    assert number is not None
    # The day is moved into the month the name stands for.
    day = min(date.day, std_calendar.monthrange(date.year, number)[1])
    expected = dt.date(date.year, number, day)
    dotted = name + "." if name in MONTH_ABBREVIATIONS else name
    for written in (f"{name} {day}, {date.year}", f"{dotted} {day}, {date.year}",
                    f"{day} {name} {date.year}"):  # fmt: skip
        assert parse_date(written).date == expected, written
        figures = extract_figures(f"The talks ended on {written} in the capital.")
        assert [f.value for f in figures if f.kind == "date"] == [expected.isoformat()], written


@SETTINGS
@given(spellings)
def test_month_number_accepts_any_case_and_a_dot(spelling: str) -> None:
    assert month_number(spelling) == month_number(spelling.rstrip(".").title())


# --- headline --------------------------------------------------------------------------


@SETTINGS
@given(any_text)
def test_detector_never_raises(text: str) -> None:
    headline = find_headline(text, RULES, small_words=SMALL_WORDS)
    if headline is not None:
        assert 0 <= headline.byline[0] <= headline.names[0] < headline.names[1] <= len(text)
    for hit in find_glued_header(text):
        assert 0 <= hit.span[0] < hit.span[1] <= len(text)


_TITLE_WORDS = ["Talks", "Border", "Migrants", "Leaders", "Mexico", "Crossings", "Reopen",
                "Resume", "Rail", "Surge", "Record", "Levels", "New", "Plan", "Agree"]
_SMALL = ["of", "to", "in", "on", "at", "for"]
_FIRST = ["Jane", "John", "Ana", "Maria", "Pedro", "Liz", "Omar"]
_LAST = ["Doe", "Roe", "Cruz", "Smith", "Okafor", "Reyes", "Bauer"]
_ORGS = ["VOA News", "Reuters", "BBC News", "Agence France-Presse"]
_BODIES = ["U.S. and Mexican officials met on Monday.", "The talks began on Monday.",
           "Mexican officials said so.", "officials met on Monday.", "About 6,000 migrants left.",
           "WASHINGTON (AP) — The Senate voted."]  # fmt: skip


@st.composite
def headed_texts(draw: st.DrawFn) -> tuple[str, str, str]:
    """(text, title, name): a Title-Case title, "by <Name>", a body, glued or on lines."""
    words = draw(st.lists(st.sampled_from(_TITLE_WORDS), min_size=3, max_size=8))
    for _ in range(draw(st.integers(0, 2))):
        words.insert(draw(st.integers(1, len(words) - 1)), draw(st.sampled_from(_SMALL)))
    title = " ".join(words)
    if draw(st.booleans()):
        name = f"{draw(st.sampled_from(_FIRST))} {draw(st.sampled_from(_LAST))}"
    else:
        name = draw(st.sampled_from(_ORGS))
    body = draw(st.sampled_from(_BODIES))
    layout = draw(st.sampled_from(["glued", "lines", "notice"]))
    if layout == "lines":
        body = body[0].upper() + body[1:]
        return f"{title}\nBy {name}\n\n{body}", title, name
    prefix = "Originally posted by the Voice of America. " if layout == "notice" else ""
    return f"{prefix}{title} by {name} {body}", title, name


@SETTINGS
@given(headed_texts())
def test_metadata_and_boilerplate_agree_on_title_and_byline(case: tuple[str, str, str]) -> None:
    text, title, name = case
    meta = resolve(Document(id="d", path="d.txt", text=text))
    hits = {h.reason: h for h in find_glued_header(text)}
    # The right answer, from both.
    assert meta["title"].value == title
    assert hits["title_in_body"].suggestion == title
    assert name in meta["attribution"].values
    assert hits["byline_in_body"].suggestion == name
    # The same spans: what boilerplate flags is what metadata read.
    (byline,) = [e for e in meta["attribution"].evidence if e.signal == "byline"]
    assert byline.span == hits["byline_in_body"].span
    assert meta["title"].span == hits["title_in_body"].span


_FOLD_CHARS = "‘’‚‛′`´“”„‟″«»øØłŁđĐħĦı'\"ab é"


@given(st.text(alphabet=st.sampled_from(_FOLD_CHARS) | st.characters(), max_size=60))
def test_replaced_is_translate(text: str) -> None:
    """The folds' character replacements are exactly ``str.translate`` with the same table
    (what they were before ``translate`` was found 10× slower on non-ASCII text)."""
    from corpus_qa.text.fold import _QUOTES, _UNDECOMPOSABLE, _replaced

    for pairs in (_QUOTES, _UNDECOMPOSABLE, _QUOTES + _UNDECOMPOSABLE):
        assert _replaced(text, pairs) == text.translate(str.maketrans(dict(pairs)))


_BYLINE_STARTS = _byline_starts()
_BY_PIECES = ["by VOA News", "By Jane Doe", "BY REUTERS", "by", "By", "baby", "Abby Roe",
              "Talks Resume at Border", "officials met.", "Standby", "hobby by Omar Reyes",
              "by\nLiz Cruz", "By The Associated Press"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_BY_PIECES),
                          st.sampled_from([" ", "\n", "\n\n", ". ", ""])),
                max_size=10).map(lambda parts: "".join(p + s for p, s in parts)),
       st.integers(0, 40), st.integers(0, 200))
def test_bylines_looked_for_from_their_first_letters_are_those_a_search_finds(
    text: str, start: int, width: int
) -> None:
    # bylines, "by" inside other words and at the edge of the range: the rules tried only
    # where a "b" or "B" lies in text[start:end] find what a search of the whole text finds
    start = min(start, len(text))
    assert any(s is not None for s in _BYLINE_STARTS)

    def found(**starts: object) -> object:
        h = find_headline(text, RULES, small_words=SMALL_WORDS, start=start, end=start + width,
                          **starts)  # type: ignore[arg-type]
        return h and (h.byline, h.names, h.title, h.match.span(), h.match.re.pattern)

    assert found(starts=_BYLINE_STARTS) == found()
