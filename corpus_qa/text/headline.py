"""A title and a byline at the top of a body: the one detector metadata and boilerplate share.

The wording of a byline ("by" and the names that may follow it) is a regex with a
``value`` group for the names; the resolver takes it from the steward-editable phrase
list (``expectations/metadata.yml``, the ``kind: byline`` entries). This module
decides *where* such a match is a byline:

- it begins a line, or it follows a title: the Title-Case run of words from the start
  of its sentence ("… in the public domain. US, Mexico Discuss … at Border by VOA News");
- the body follows the names: the end of the text, or anything but a lower-case word.
  A name that swallowed the body's first capitalised word gives it back. After a
  title of three words or more the names stand whole even before a lower-case word
  ("… City by Jane Doe officials met", "… by VOA News officials met");
- a byline on a line of its own keeps the rest of that line (a role: ", Staff Writer").

Line breaks inside a title or between title and byline do not matter: rewrapping the
text must not change the answer. See ``docs/text.md``.

>>> rule = re.compile(r"\\b[Bb]y (?P<value>[A-Z]\\w+ [A-Z]\\w+)")  # a person: two names
>>> t = "Talks Resume in Mexico City by Jane Doe officials met on Monday."
>>> h = find_headline(t, [rule], small_words={"in", "of"})
>>> t[h.title[0]:h.title[1]], t[h.byline[0]:h.byline[1]], t[h.names[0]:h.names[1]]
('Talks Resume in Mexico City', 'by Jane Doe', 'Jane Doe')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from corpus_qa.text.segment import sentence_start

Span = tuple[int, int]

MIN_TITLE_WORDS = 2
MAX_TITLE_WORDS = 30
MIN_GLUED_TITLE_WORDS = 3
"""A title this long lets a byline stand before a lower-case word ("… by Jane Doe officials")."""
MAX_ROLE_WORDS = 6
"""A byline line may end in a role of at most this many words ("By Jane Doe, Staff Writer")."""

_EDGE = "\"'“”‘’,;: \t\r\n"  # trimmed off a title's ends
_WORD_EDGE = "\"'“”‘’([{*_"  # ignored around a word when judging its case


@dataclass(frozen=True, slots=True)
class Headline:
    """A byline and the title before it, as spans into the text.

    ``byline`` covers "by" and the names (the whole line for a byline on a line of its
    own); ``names`` only the names ("VOA News", "Jane Doe, Staff Writer"); ``title``
    is ``None`` when the byline begins a line with no title before it. ``match`` is
    the byline rule's match, shortened when the names gave back the body's first word.
    """

    byline: Span
    names: Span
    title: Span | None
    match: re.Match[str]


def is_title_case(words: Sequence[str], small_words: Iterable[str]) -> bool:
    """Whether ``words`` read as a headline: each capitalised (or a digit), except the
    ``small_words`` (lower case, e.g. "of", "to") after the first.

    >>> is_title_case("US, Mexico Discuss Options to Slow Surge".split(), {"to"})
    True
    >>> is_title_case("The crossings were closed".split(), {"to"})
    False
    """
    small = small_words if isinstance(small_words, frozenset) else frozenset(small_words)
    for index, word in enumerate(words):
        core = word.strip(_WORD_EDGE)
        if not core or core[0].isupper() or core[0].isdigit():
            continue
        if index == 0 or core.casefold().rstrip(",:;") not in small:
            return False
    return bool(words)


def title_before(
    text: str, pos: int, *, small_words: Iterable[str], floor: int = 0
) -> Span | None:
    """The span of a Title-Case run of 2–30 words from the start of its sentence to ``pos``.

    >>> t = "It is in the public domain. US, Mexico Discuss Migration by VOA News"
    >>> s = title_before(t, t.index(" by"), small_words=()); t[s[0]:s[1]]
    'US, Mexico Discuss Migration'
    """
    start = sentence_start(text, pos, floor)
    if start is None:
        return None
    segment = text[start:pos]
    words = segment.split()
    if not MIN_TITLE_WORDS <= len(words) <= MAX_TITLE_WORDS:
        return None
    if not is_title_case(words, small_words):
        return None
    leading = len(segment) - len(segment.lstrip(_EDGE))
    trailing = len(segment) - len(segment.rstrip(_EDGE))
    if leading + trailing >= len(segment):
        return None
    return (start + leading, pos - trailing)


def body_follows(text: str, pos: int) -> bool:
    """After a byline's names comes the body: nothing, or anything but a lower-case word.

    Line breaks are not looked at: rewrapping the text must not change the byline.

    >>> body_follows("by VOA News U.S. officials", 11), body_follows("by U.S. authorities", 7)
    (True, False)
    """
    for char in text[pos : pos + 200]:
        if not char.isspace():
            return not char.islower()
    return True


def _line_start(text: str, floor: int, pos: int) -> int:
    return max(floor, text.rfind("\n", 0, pos) + 1)


def _ending_at_body(match: re.Match[str]) -> re.Match[str] | None:
    """The byline match, or a shorter one, right after which the body starts."""
    text = match.string
    if body_follows(text, match.end("value")):
        return match
    start, end = match.span("value")
    for gap in reversed(list(re.finditer(r"\s+", text[start:end]))):
        shorter = match.re.match(text, match.start(), start + gap.start())
        if shorter and shorter.end() == start + gap.start() and body_follows(text, shorter.end()):
            return shorter
    return None


def _role_end(text: str, pos: int) -> int | None:
    """The end of a line whose rest after ``pos`` is a short role (", Staff Writer"), or None."""
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[pos:line_end].strip()
    if not rest:
        return pos
    words = rest.lstrip(",|—–- ").split()
    if len(words) > MAX_ROLE_WORDS or rest[-1] in ".!?…" or not words:
        return None
    if not (rest[0] in ",|—–-" or words[0][0].isupper()):
        return None
    return len(text[:line_end].rstrip())


def byline_at(
    match: re.Match[str], *, small_words: Iterable[str], floor: int = 0
) -> Headline | None:
    """The headline when ``match`` (a byline rule's match) is a byline, else ``None``.

    ``floor`` is where the body starts: nothing before it is a title or a line start.
    """
    text = match.string
    at_line_start = not text[_line_start(text, floor, match.start()) : match.start()].strip()
    title = title_before(text, match.start(), floor=floor, small_words=small_words)
    if not (at_line_start or title):
        return None
    long_title = title is not None and len(text[title[0] : title[1]].split()) >= (
        MIN_GLUED_TITLE_WORDS
    )
    if long_title and not body_follows(text, match.end("value")):
        found: re.Match[str] | None = match  # "… City by VOA News officials met": all stand
    else:
        found = _ending_at_body(match)
    if found is None:
        return None
    names = found.span("value")
    byline = found.span()
    if at_line_start:
        end = _role_end(text, names[1])
        if end is not None:
            names, byline = (names[0], end), (byline[0], end)
    return Headline(byline, names, title, found)


def find_headline(
    text: str,
    rules: Sequence[re.Pattern[str]],
    *,
    small_words: Iterable[str],
    start: int = 0,
    end: int | None = None,
    starts: Sequence[re.Pattern[str] | None] = (),
) -> Headline | None:
    """The first byline (and its title) whose "by" lies in ``text[start:end]``.

    ``rules`` are tried in order; each is a regex whose ``value`` group holds the names.
    ``starts``: for each rule, a regex of the single characters every match of the rule
    starts with (None: any, or the rule may match the empty string); the rule is then
    tried only where one of them lies in ``text[start:end]``, instead of searching the
    text past ``end`` for a match that would start too late. The matches are the same.
    """
    end = len(text) if end is None else min(end, len(text))
    small = frozenset(small_words)
    for index, rule in enumerate(rules):
        first = starts[index] if index < len(starts) else None
        for match in _matches_from(text, rule, start, end, first):
            if match.end() == match.start():
                continue
            found = byline_at(match, floor=start, small_words=small)
            if found is not None:
                return found
    return None


def _matches_from(text: str, rule: re.Pattern[str], start: int, end: int,
                  first: re.Pattern[str] | None) -> Iterator[re.Match[str]]:
    """``rule.finditer(text, start)``'s matches that start before ``end``.

    Given ``first`` (the characters a match can start with, as a one-character class; the
    rule never matches the empty string): each place of one of them in
    ``text[start:end]`` is tried in turn with ``rule.match`` on the whole text (which sees
    the same text before and after as a search does), going on after each match's end as
    ``finditer`` does; a place where no match starts is one ``finditer`` passes over.
    """
    if first is None:
        for match in rule.finditer(text, start):
            if match.start() >= end:
                return
            yield match
        return
    pos = start
    while (candidate := first.search(text, pos, end)) is not None:
        at = candidate.start()
        match = rule.match(text, at)
        if match is None:
            pos = at + 1
            continue
        yield match
        pos = max(match.end(), at + 1)
