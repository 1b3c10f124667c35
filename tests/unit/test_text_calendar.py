"""corpus_qa.text.calendar: the one month and weekday table."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from corpus_qa.text.calendar import (
    MONTH_ABBREVIATIONS,
    MONTH_PATTERN,
    MONTHS,
    WEEKDAYS,
    month_abbreviations,
    month_number,
    weekday_number,
)


def test_months_are_the_calendar_s() -> None:
    assert tuple(dt.date(2023, n, 1).strftime("%B") for n in range(1, 13)) == MONTHS
    assert tuple(dt.date(2024, 1, n).strftime("%A") for n in range(1, 8)) == WEEKDAYS


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("January", 1), ("january", 1), ("JANUARY", 1), ("Jan", 1), ("Jan.", 1), ("jan.", 1),
        ("May", 5), ("Sept.", 9), ("Sep", 9), ("September", 9), ("Dec.", 12), ("december", 12),
        (" Dec. ", 12), ("Smarch", None), ("Ma", None), ("", None), ("Decem", None),
    ],
    ids=[
        "full", "lower", "upper", "abbr", "abbr-dot", "lower-abbr-dot", "may-has-no-abbr",
        "sept-dot", "sep", "september", "dec-dot", "december-lower", "padded", "unknown",
        "too-short", "empty", "truncated",
    ],
)  # fmt: skip
def test_month_number(name: str, number: int | None) -> None:
    assert month_number(name) == number


@pytest.mark.parametrize(
    ("name", "number"),
    [("Thursday", 3), ("thu", 3), ("Thurs.", 3), ("Tues", 1), ("sunday", 6), ("Thor", None)],
    ids=["full", "abbr", "thurs-dot", "tues", "lower", "unknown"],
)
def test_weekday_number(name: str, number: int | None) -> None:
    assert weekday_number(name) == number


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("On Dec. 18, 2023", ["Dec."]),
        ("in December and in Sept", ["December", "Sept"]),
        ("Mayhem, Marching, Junebug", []),
        ("in May.", ["May"]),
        ("Decade", []),
    ],
    ids=["abbr-with-dot", "full-and-abbr", "not-inside-words", "full-name-no-dot", "dec-prefix"],
)
def test_month_pattern(text: str, found: list[str]) -> None:
    assert re.findall(rf"\b{MONTH_PATTERN}(?!\w)", text) == found


def test_abbreviations_for_splitters_cover_the_table() -> None:
    assert month_abbreviations() == {a.lower() for a in MONTH_ABBREVIATIONS}
    assert all(month_number(a) for a in month_abbreviations())
