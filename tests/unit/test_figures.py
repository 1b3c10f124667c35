"""Figure extraction (case table), pairing of two versions, and the story-level check."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from corpus_qa.checks.figures import (
    Figure,
    check_consistent_figures,
    compare_figures,
    extract_figures,
    figure_table,
    lemma,
    same_value,
)
from corpus_qa.findings import Hit, Related

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED_000 = "000_c3359af66ac874be"
SEED_001 = "001_a1d7f1edd2253686"
CASES = yaml.safe_load((Path(__file__).with_name("figure_cases.yml")).read_text("utf-8"))


def _seed(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text("utf-8")


def _as_row(f: Figure) -> dict[str, object]:
    row: dict[str, object] = {
        "text": f.text,
        "span": list(f.span),
        "value": f.value,
        "kind": f.kind,
    }
    for key in ("noun", "unit", "qualifier"):
        if getattr(f, key):
            row[key] = getattr(f, key)
    return row


def _params() -> list[object]:
    out = []
    for case in CASES:
        marks = []
        if case.get("known_failure"):
            marks.append(pytest.mark.xfail(reason=case["known_failure"], strict=True))
        out.append(pytest.param(case["text"], case["figures"], id=case["id"], marks=marks))
    return out


def test_case_table_is_consistent() -> None:
    """Every expected span really covers the expected text, and ids are unique."""
    assert len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        for fig in case["figures"]:
            start, end = fig["span"]
            assert case["text"][start:end] == fig["text"], case["id"]


@pytest.mark.parametrize(("text", "expected"), _params())
def test_extract_figures(text: str, expected: list[dict[str, object]]) -> None:
    assert [_as_row(f) for f in extract_figures(text)] == expected


# --- values and nouns ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("crossings", "crossing"),
        ("countries'", "country"),
        ("People", "person"),
        ("buses", "buse"),  # crude on purpose: both versions get the same crude form
        ("status", "status"),
        ("meeting", "meeting"),
    ],
    ids=["plural-s", "possessive-plural-ies", "irregular", "es-crude", "us-ending", "singular"],
)
def test_lemma(word: str, expected: str) -> None:
    assert lemma(word) == expected


@pytest.mark.parametrize(
    ("a", "b", "tolerance", "expected"),
    [
        ("half a million", "500,000", 0.0, True),
        ("10,000 people", "10 000 people", 0.0, True),
        ("about 6,000 people", "6,100 people", 0.0, False),
        ("about 6,000 people", "6,100 people", 0.02, True),
        ("about 6,000 people", "6,200 people", 0.02, False),
        ("On December 18 it", "On 18 December 2023 it", 0.0, True),
        ("On December 18 it", "On December 19 it", 0.0, False),
        ("$5 million", "€5 million", 0.0, False),
        ("two hours", "two days", 0.0, False),
        ("2012–13", "2012-2013", 0.0, True),
    ],
    ids=[
        "scale-words-vs-digits",
        "comma-vs-space-separator",
        "rounding-exact",
        "rounding-within-2pc",
        "rounding-beyond-2pc",
        "date-without-year",
        "date-other-day",
        "currency-differs",
        "time-unit-differs",
        "year-range-forms",
    ],
)
def test_same_value(a: str, b: str, tolerance: float, expected: bool) -> None:
    (fa,), (fb,) = extract_figures(a), extract_figures(b)
    assert same_value(fa, fb, tolerance) is expected


# --- comparing two versions -----------------------------------------------------------


def test_compare_finds_a_changed_figure_with_both_spans() -> None:
    a = "Officials met Wednesday. There were as many as 10,000 illegal crossings daily."
    b = "Officials met on Wednesday.\n\nThere were as many as 1,000 illegal crossings daily."
    (mm,) = compare_figures(a, b)
    assert (mm.a.text, mm.a.span, mm.b.text, mm.b.span) == ("10,000", (47, 53), "1,000", (51, 56))
    assert (mm.a_sentence, mm.b_sentence) == ((25, 78), (29, 81))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("More than half a million people left.", "More than 500,000 people left."),
        (
            "About 10,000 people left. They\nwent north.",
            "About 10 000 people left.\n\nThey went north.",
        ),
        ('He said "10 people" left.', "He said “10 people” left."),
        ("Lopez said 10 people left.", "López said 10 people left."),
        ("10 people left.", "10 people left. A new sentence adds 99 more figures."),
        ("The two sides met for two hours.", "They met for two hours."),
        ("The meeting lasted two hours.", "The meeting lasted 2 hours."),
    ],
    ids=[
        "scale-word-rewrite",
        "separator-and-reflow",
        "curly-quotes",
        "accents",
        "figure-in-added-sentence",
        "figure-dropped-from-shared-sentence",
        "number-word-vs-digit",
    ],
)
def test_compare_ignores_harmless_differences(a: str, b: str) -> None:
    assert compare_figures(a, b) == []


def test_compare_tolerance_is_relative() -> None:
    a, b = "About 6,000 migrants marched north.", "About 6,100 migrants marched north."
    assert len(compare_figures(a, b)) == 1
    assert compare_figures(a, b, tolerance=0.02) == []


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")], ids=["negative", "nan", "inf"])
def test_compare_rejects_bad_tolerance(bad: float) -> None:
    with pytest.raises(ValueError, match="tolerance must be a finite number >= 0"):
        compare_figures("1 person", "2 people", tolerance=bad)


def test_compare_accepts_documents() -> None:
    class Doc:
        def __init__(self, text: str) -> None:
            self.text = text

    assert len(compare_figures(Doc("We saw 3 cars."), Doc("We saw 4 cars."))) == 1


def test_changed_noun_and_value_still_pairs_when_alone() -> None:
    rows = figure_table("In the end 10 officials came.", "In the end 12 ministers came.")
    assert [(r.status, r.a and r.a.text, r.b and r.b.text) for r in rows] == [
        ("changed", "10", "12")
    ]


# --- the seeds ------------------------------------------------------------------------

SEED_TABLE = [
    ("10,000", "10,000", 10000),
    ("two hours", "two hours", 2),
    ("two", "two", 2),
    ("one-day", "one-day", 1),
    ("2023", "2023", 2023),
    ("a half-million", "half a million", 500000),
    ("double", "double", 2),
    ("2022", "2022", 2022),
    ("10,000", "10,000", 10000),
    ("December 18", "December 18", "--12-18"),
    ("6,000", "6,000", 6000),
]


def test_seeds_have_no_figure_changes() -> None:
    assert compare_figures(_seed(SEED_000), _seed(SEED_001)) == []


def test_seed_figure_table_matches_pairwise() -> None:
    rows = figure_table(_seed(SEED_000), _seed(SEED_001))
    same = [(r.a.text, r.b.text, r.a.value) for r in rows if r.status == "same" and r.a and r.b]
    assert same == SEED_TABLE
    nouns = {r.a.describe() for r in rows if r.status == "same" and r.a}
    assert {"two of the top sources", "one-day meeting", "double the number"} <= nouns
    qualifiers = {r.a.qualifier for r in rows if r.a and r.status == "same"}
    assert {"as many as", "about", "more than"} <= qualifiers


def test_seed_one_sided_figures_are_the_header_and_reworded_counts() -> None:
    rows = figure_table(_seed(SEED_000), _seed(SEED_001))
    only = [(r.status, (r.a or r.b).describe()) for r in rows if r.status.startswith("only")]  # type: ignore[union-attr]
    assert only == [
        ("only_a", "2023-12-28"),  # the glued " date 2023-12-28 " header
        ("only_a", "two countries'"),  # "the two countries'" vs "the countries'"
        ("only_b", "two sides"),  # 001 rewrote the sentence
        ("only_b", "two countries"),  # a sentence only 001 has
    ]


def test_seed_check_passes_and_a_planted_change_is_found() -> None:
    a, b = _seed(SEED_000), _seed(SEED_001)
    assert check_consistent_figures([(SEED_000, a), (SEED_001, b)]) == []
    changed = b.replace("as many as 10,000 illegal", "as many as 1,000 illegal")
    hits = check_consistent_figures([(SEED_000, a), (SEED_001, changed)])
    start_a = a.index("10,000 illegal")
    start_b = changed.index("1,000 illegal")
    assert hits == [
        Hit(
            "figure_changed",
            'figure changed between versions: "10,000 illegal crossings" here vs '
            f'"1,000 illegal crossings" in {SEED_001} — check which is right',
            (start_a, start_a + 6),
            related=Related(SEED_001, (start_b, start_b + 5)),
            document=SEED_000,
        ),
        Hit(
            "figure_changed",
            'figure changed between versions: "1,000 illegal crossings" here vs '
            f'"10,000 illegal crossings" in {SEED_000} — check which is right',
            (start_b, start_b + 5),
            related=Related(SEED_000, (start_a, start_a + 6)),
            document=SEED_001,
        ),
    ]


def test_story_check_names_every_disagreeing_version_once() -> None:
    base = "Officials met. About 6,000 migrants marched north. They were tired."
    odd = base.replace("6,000", "9,000")
    hits = check_consistent_figures([("a", base), ("b", base), ("c", odd)])
    assert [(h.document, h.related.document if h.related else None) for h in hits] == [
        ("a", "c"),
        ("b", "c"),
        ("c", "a"),
    ]
    assert hits[2].message.endswith(
        '"6,000 migrants" in a, "6,000 migrants" in b — check which is right'
    )


def test_story_check_on_one_version_or_none() -> None:
    assert check_consistent_figures([]) == []
    assert check_consistent_figures([("only", "10 people")]) == []


def test_equal_values_pair_by_position_so_the_changed_one_is_reported() -> None:
    """'In 2016 … than in 2017' -> 'In 2017 … than in 2017': the first year changed."""
    a = "In 2016, exports rose by 12 percent, more than in 2017."
    b = "In 2017, exports rose by 12 percent, more than in 2017."
    hits = check_consistent_figures([("a", a), ("b", b)])
    assert [(h.document, a[slice(*h.span)] if h.document == "a" else b[slice(*h.span)])
            for h in hits] == [("a", "2016"), ("b", "2017")]
    assert [h.span for h in hits] == [(3, 7), (3, 7)]
