"""English month and weekday names: the one table every date reader and generator uses.

>>> month_number("Sept."), month_number("december"), month_number("Smarch")
(9, 12, None)
>>> re.findall(rf"\\b{MONTH_PATTERN}(?!\\w)", "On Dec. 18 and in May, not in Mayhem")
['Dec.', 'May']
"""

from __future__ import annotations

import re  # noqa: F401  (the module doctest uses it)

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
"""Month names, January first (``MONTHS[n - 1]`` is month ``n``)."""

MONTH_ABBREVIATIONS: dict[str, int] = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8,
    "Sep": 9, "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
"""Abbreviations news text writes, with or without a dot ("Dec. 18", "Sept 5"); May has none."""

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""Weekday names, Monday first (``WEEKDAYS[d.weekday()]``)."""

WEEKDAY_ABBREVIATIONS: dict[str, int] = {
    "Mon": 0, "Tue": 1, "Tues": 1, "Wed": 2, "Thu": 3, "Thurs": 3, "Fri": 4, "Sat": 5, "Sun": 6,
}  # fmt: skip
"""Weekday abbreviations (RFC 2822 dates, datelines), numbered like ``date.weekday()``."""

_MONTH_NUMBERS = {name.casefold(): n for n, name in enumerate(MONTHS, 1)} | {
    abbr.casefold(): n for abbr, n in MONTH_ABBREVIATIONS.items()
}
_WEEKDAY_NUMBERS = {name.casefold(): n for n, name in enumerate(WEEKDAYS)} | {
    abbr.casefold(): n for abbr, n in WEEKDAY_ABBREVIATIONS.items()
}

MONTH_PATTERN = (
    "(?:" + "|".join(MONTHS) + "|(?:"
    + "|".join(sorted(MONTH_ABBREVIATIONS, key=len, reverse=True)) + r")\b\.?)"
)  # fmt: skip
"""A regex (no groups) for a capitalised month name, or an abbreviation with an optional dot.

Full names are not followed by ``\\b`` here: callers put their own boundary after
the pattern when they need one.
"""


def month_number(name: str) -> int | None:
    """The number (1–12) of a month name or abbreviation, any case, with or without a dot.

    >>> [month_number(m) for m in ("Jan", "jan.", "MAY", "Sep")]
    [1, 1, 5, 9]
    """
    return _MONTH_NUMBERS.get(name.strip().rstrip(".").casefold())


def weekday_number(name: str) -> int | None:
    """The ``date.weekday()`` number of a weekday name or abbreviation, any case.

    >>> weekday_number("Thursday"), weekday_number("thu."), weekday_number("Thor")
    (3, 3, None)
    """
    return _WEEKDAY_NUMBERS.get(name.strip().rstrip(".").casefold())


def month_abbreviations() -> frozenset[str]:
    """The month abbreviations in lower case, for sentence splitters ("Dec." before "18").

    >>> sorted(month_abbreviations())[:3]
    ['apr', 'aug', 'dec']
    """
    return frozenset(abbr.casefold() for abbr in MONTH_ABBREVIATIONS)
