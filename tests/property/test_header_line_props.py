"""The header-line pattern finds exactly the fields of its plain definition.

The definition: after a known key, the value is the shortest run of the line such that
only spaces and tabs follow it before the line ends (a lazy ``[^\\r\\n]*?``). The pattern
in corpus_qa/sources/text.py spells it greedily (one scan of the line, not one attempt
per character); on every text both give the same match, key and value span.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.sources import text as loader

DEFINITION = re.compile(
    rf"[ \t]*(?:(?P<key>{loader._KEY_ALT})[ \t]*:?|(?P<ckey>(?i:{loader._KEY_ALT}))[ \t]*:)[ \t]+"
    r"(?P<value>[^\r\n]*?)[ \t]*(?:\r?\n|\Z)"
)

PIECES = st.sampled_from(["date", "Date", "SOURCE", "title", "url", " ", "\t", ":", "\r", "\n",
                          "\r\n", "2024-03-02", "x", "é", "Kraków", "\u00a0", "-", "\x0b"])


@settings(max_examples=2000, deadline=None)
@given(pieces=st.lists(PIECES, max_size=16), start=st.integers(0, 4))
def test_header_line_matches_its_definition(pieces: list[str], start: int) -> None:
    text = "".join(pieces)
    pos = min(start, len(text))
    expected, found = DEFINITION.match(text, pos), loader._HEADER_LINE_RE.match(text, pos)
    assert (expected is None) == (found is None)
    if expected and found:
        assert found.span() == expected.span()
        for group in ("key", "ckey", "value"):
            assert found.span(group) == expected.span(group), group


def test_header_fields_of_a_news_header_are_kept() -> None:
    found = loader._HEADER_LINE_RE.match("date: 2024-03-02  \t\r\nThe council met.")
    assert found is not None
    assert found.group("key") == "date" and found.group("value") == "2024-03-02"
