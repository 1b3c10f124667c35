"""Boilerplate checks: what should have been stripped before a document is published.

Four pure checks, all returning :class:`~corpus_qa.findings.Hit` lists:

- :func:`find_boilerplate` — declarative pattern lists (YAML, see ``docs/boilerplate.md``):
  syndication and licence notices, calls to action, cookie/legal lines, page furniture;
- :func:`find_glued_header` — a title and byline run into the body (seed 001);
- :func:`find_flattened_paragraphs` — thousands of characters without a paragraph break;
- :class:`RepeatedLineCounter` — lines repeated across documents of *different* stories,
  counted as 64-bit hashes in a first streaming pass, reported in a second.

Granularity is what keeps false alarms down: a pattern counts only when it *is* the
unit — a whole line, or a whole sentence of a one-line document (or of the opening /
closing run of sentences of the first / last line, where glued notices sit). A
sentence that merely quotes "subscribe" or "all rights reserved" is never a unit.
"""

from __future__ import annotations

import functools
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus_qa.checks.prefilter import can_start, first_characters, needed_characters, relaxed
from corpus_qa.data import DataRefError, EmbeddedList, ListRef, builtin_names, resolve_data_path
from corpus_qa.findings import Hit
from corpus_qa.metadata import byline_rules
from corpus_qa.text.headline import Headline, find_headline
from corpus_qa.text.segment import (
    boundary_candidates,
    line_sentence_ends,
    line_spans,
    sentence_spans,
    strip_span,
)
from corpus_qa.vetcache import prove, proven, safe_screen, save, vet_regex
from corpus_qa.yamlfile import Located, YamlError, did_you_mean, load_located, parse_located

if TYPE_CHECKING:
    from corpus_qa.checks.furniture import CueSet

# --- the pattern format --------------------------------------------------------------

WHERE = ("anywhere", "leading", "trailing", "edges")
"""Where a pattern counts: anywhere, the leading block, the trailing block, or either edge."""

REASONS: dict[str, tuple[str, ...]] = {
    # reason code -> metadata fields its text belongs in by default (empty: remove it)
    "syndication_notice": ("source",),
    "licence_notice": ("licence",),
    "call_to_action": (),
    "cookie_notice": (),
    "legal_notice": (),
    "page_furniture": (),
    "title_in_body": ("title",),
    "byline_in_body": ("attribution",),
}
"""Reason codes a pattern may yield, with the metadata fields each moves to by default."""

METADATA_FIELDS = (
    "date",
    "source",
    "attribution",
    "author",
    "title",
    "url",
    "licence",
    "story",
    "version",
)
"""Fields a pattern's ``move_to`` may name (the loader's known metadata keys)."""

PATTERN_KEYS = ("id", "phrase", "regex", "reason", "where", "note", "example", "move_to", "lang")
FILE_KEYS = ("description", "patterns")

DEFAULT_LEADING_CHARS = 600
"""The leading block: units starting within this many characters of the body start."""
DEFAULT_TRAILING_CHARS = 600
"""The trailing block: units ending within this many characters of the text's end."""

class PatternError(YamlError):
    """A pattern file is wrong; the message starts ``file:line: key: …`` (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One validated boilerplate pattern, as declared in a pattern file."""

    id: str
    reason: str
    where: str
    source: str  # the regular expression (a phrase is compiled to one)
    example: str
    move_to: tuple[str, ...] = ()
    phrase: str | None = None
    note: str | None = None
    path: str = "<memory>"
    line: int = 1
    lang: tuple[str, ...] = ()

    def action(self) -> str:
        """What the steward should do: ``move into metadata: source, licence`` or ``remove``."""
        if self.move_to:
            return "move into metadata: " + ", ".join(self.move_to)
        return "remove"

    def allowed(self, leading: bool, trailing: bool) -> bool:
        """True when the pattern counts for a unit in this position."""
        if self.where == "anywhere":
            return True
        if self.where == "edges":
            return leading or trailing
        return leading if self.where == "leading" else trailing


# Units are matched without their decoration: bullets before, and punctuation or arrows
# after ("Read more »", "Share this:"), so patterns need not spell those out.
_LEAD_DECORATION = re.compile(r"[•·*▪►‣◦>»›–—\-\s]*")
_TRAIL_DECORATION = r"[\s.!?:;…»›→•·*]*"
_GLOBAL_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


def scoped_flags(source: str) -> str:
    """Turn a leading global inline flag group ``(?i)x`` into a scoped one ``(?i:x)``.

    A verbose pattern (``(?x)``) may end in a ``# comment``, which runs to the end of the
    line: the group is closed on a line of its own, or the comment would swallow it.
    """
    m = _GLOBAL_FLAGS.match(source)
    if m:
        end = "\n)" if "x" in m.group(1) else ")"
        return f"(?{m.group(1)}:{source[m.end() :]}{end}"
    return f"(?:{source})"


class _Alternation:
    """The alternation of the patterns a unit may be (its text, ``None`` when none may)
    and its screen (:meth:`PatternSet._compile`). The alternation is compiled when a unit
    first needs it — a line its screen lets through, or a unit without a screen: most
    lines are settled by the screen alone (on distinct news stories half the
    alternations a process picks are never needed)."""

    __slots__ = ("_regex", "screen", "source")

    def __init__(self, source: str | None, screen: re.Pattern[str] | None) -> None:
        self.source, self.screen = source, screen
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str] | None:
        """The alternation compiled (None: no pattern may be the unit)."""
        if self._regex is None and self.source is not None:
            self._regex = re.compile(self.source)
        return self._regex


class PatternSet:
    """Validated patterns, compiled into one alternation per position class and first
    character of a unit, each when a unit first needs it."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self.patterns: tuple[Pattern, ...] = tuple(patterns)
        self._by_group = {f"_p{i}": p for i, p in enumerate(self.patterns)}
        # The characters each pattern's match can start with (None: any): a unit is
        # matched against the patterns that can start with its first character only
        # (one alternation per position class and first character, in file order; the
        # first character None, for a unit that is all decoration: every pattern).
        self._first = [first_characters(scoped_flags(p.source)) for p in self.patterns]
        # A pattern that can start with any character is tried on every unit, and may
        # scan all of it (a caption's credit in brackets at the end of a long line): it
        # joins a unit's alternation only when the unit holds the punctuation and symbols
        # its match needs (rare in prose, unlike letters). Those characters are the
        # gates; which of them a unit holds is part of its alternation's key.
        self._needs = [frozenset(c for c in needed_characters(scoped_flags(p.source))
                                 if not (c.isalnum() or c.isspace()))
                       if first is None else frozenset()
                       for p, first in zip(self.patterns, self._first, strict=True)]
        self._gates = tuple(sorted(frozenset().union(*self._needs)))
        # Each pattern relaxed to what the start of a match says (see _loose): the screen
        # of a line's pieces (match_line). Made (and vetted) here, where the set is
        # loaded, rather than when an alternation first needs it: the command loads the
        # set before its workers fork, which then share them instead of each making them.
        self._relaxed: dict[int, str | None] = {}
        for index in range(len(self.patterns)):
            self._loose(index)
        self._by_first: dict[tuple[bool, bool, str | None, tuple[bool, ...]],
                             _Alternation] = {}

    def _compile(self, leading: bool, trailing: bool, first: str | None = None,
                 held: tuple[bool, ...] | None = None,
                 ) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """The alternation of the patterns of a position class (that can start with
        ``first``, and whose needed characters are among the gates ``held``; None: any),
        and the alternation of the same patterns relaxed (None: no such pattern, or one
        that cannot be relaxed)."""
        alternation = self._alternation(leading, trailing, first, held)
        return alternation.regex, alternation.screen

    def _alternation(self, leading: bool, trailing: bool, first: str | None = None,
                     held: tuple[bool, ...] | None = None) -> _Alternation:
        """:meth:`_compile`'s two alternations, the first compiled when first used."""
        present = (frozenset(c for c, h in zip(self._gates, held, strict=True) if h)
                   if held is not None else None)
        chosen = [
            i for i, p in enumerate(self.patterns)
            if p.allowed(leading, trailing)
            and (first is None or can_start(self._first[i], first))
            and (present is None or self._needs[i] <= present)
        ]
        if not chosen:
            return _Alternation(None, None)
        parts = [f"(?P<_p{i}>{scoped_flags(self.patterns[i].source)})" for i in chosen]
        loose = [self._loose(i) for i in chosen]
        screen = None
        if all(r is not None for r in loose):
            try:
                screen = re.compile("|".join(f"(?:{r})" for r in loose))
            except (re.error, RecursionError, OverflowError):
                screen = None  # no screen: the line is matched as it always was
        return _Alternation(f"(?:{'|'.join(parts)}){_TRAIL_DECORATION}", screen)

    def _loose(self, index: int) -> str | None:
        """Pattern ``index`` relaxed (:func:`~corpus_qa.checks.prefilter.relaxed`: no
        look-ahead, no end anchor, possessive repeats made plain), or None when it cannot
        be, or when the relaxed form could backtrack catastrophically (a possessive
        repeat is how a pattern avoids that: ``(?:[^(]++|…)*+`` made plain is not safe)."""
        if index not in self._relaxed:
            loose = relaxed(scoped_flags(self.patterns[index].source))
            if loose is not None and not safe_screen(loose):
                loose = None
            self._relaxed[index] = loose
        return self._relaxed[index]

    def __len__(self) -> int:
        return len(self.patterns)

    def __iter__(self) -> Iterator[Pattern]:
        return iter(self.patterns)

    def __reduce__(self) -> tuple[Any, ...]:  # pickle the patterns, recompile on load
        return (PatternSet, (self.patterns,))

    def _alternations(
        self, text: str, start: int, end: int, leading: bool, trailing: bool
    ) -> tuple[int, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
        """Where the unit ``text[start:end]`` starts without its decoration, and the
        alternation (and its screen) of the patterns that may be it (:meth:`_compile`)."""
        first = text[start] if start < end else None
        if first is None or not first.isalnum():  # no letter or digit is decoration
            start = _LEAD_DECORATION.match(text, start, end).end()  # type: ignore[union-attr]
            first = text[start] if start < end else None
        key = (leading, trailing, first,
               tuple([text.find(c, start, end) >= 0 for c in self._gates]))
        found = self._by_first.get(key)
        if found is None:
            found = self._by_first[key] = self._alternation(*key)
        return start, found

    def match(
        self, text: str, start: int, end: int, *, leading: bool, trailing: bool
    ) -> Pattern | None:
        """The first pattern (in file order) that is the whole unit ``text[start:end]``."""
        start, alternation = self._alternations(text, start, end, leading, trailing)
        if alternation.source is None:
            return None
        m = alternation.regex.fullmatch(text, start, end)  # type: ignore[union-attr]
        if m is None or m.lastgroup is None:
            return None
        return self._by_group[m.lastgroup]

    def match_line(
        self, text: str, start: int, end: int, *, leading: bool, trailing: bool
    ) -> tuple[Pattern | None, bool]:
        """:meth:`match` of the unit ``text[start:end]`` (a line), and whether a pattern
        may be the whole of a piece of it that starts where it does (its first
        sentence): False only when none can, for any piece ``text[start:h]``, ``h <=
        end``, that holds a character other than decoration, in the line's position or
        out of the trailing block.

        Such a piece starts with the line's first character, holds no gate the line
        does not, and is in no wider position class, so its patterns are among the
        line's; the line's relaxed alternation (:func:`~corpus_qa.checks.prefilter.relaxed`)
        matches from its start wherever one of them is a piece's whole text. Text that
        no pattern's start fits is settled by that one search, without the line's own
        match or the search for its first sentence.
        """
        start, alternation = self._alternations(text, start, end, leading, trailing)
        if alternation.source is None:
            return None, False
        screen = alternation.screen
        if screen is not None and screen.match(text, start, end) is None:
            return None, False
        m = alternation.regex.fullmatch(text, start, end)  # type: ignore[union-attr]
        if m is None or m.lastgroup is None:
            return None, True
        return self._by_group[m.lastgroup], True


# --- loading and validating pattern files --------------------------------------------


DEFAULT_ORDER = ("syndication.yml", "legal.yml", "calls_to_action.yml", "furniture.yml")
"""Load order of the default lists: the first matching pattern wins, so generic page
furniture (a menu row of short items) comes after the specific legal and cookie rows."""


def default_pattern_paths() -> list[str]:
    """The packaged pattern lists, as ``builtin:boilerplate/NAME.yml`` references in load order."""
    names = [n for n in builtin_names() if n.startswith("boilerplate/")]
    rank = {f"boilerplate/{name}": i for i, name in enumerate(DEFAULT_ORDER)}
    return [f"builtin:{n}" for n in sorted(names, key=lambda n: (rank.get(n, len(rank)), n))]


def load_default_patterns() -> PatternSet:
    """The packaged default pattern lists, loaded and validated."""
    return load_patterns(default_pattern_paths())


def load_patterns(paths: Sequence[ListRef | Path]) -> PatternSet:
    """Load and validate pattern files in order; a mistake raises :class:`PatternError`.

    A path may be a packaged list, ``builtin:boilerplate/NAME.yml``, or a list embedded
    in an exported suite.
    """
    patterns: list[Pattern] = []
    seen: dict[str, Pattern] = {}
    for path in paths:
        for pattern in _load_file(path):
            if pattern.id in seen:
                first = seen[pattern.id]
                raise PatternError(
                    pattern.path,
                    pattern.line,
                    "id",
                    f"duplicate pattern id '{pattern.id}' "
                    f"(first defined at {first.path}:{first.line})",
                )
            seen[pattern.id] = pattern
            patterns.append(pattern)
    loaded = PatternSet(patterns)  # (which vets each pattern's relaxed form)
    save()  # what the checks proved, for the next run (corpus_qa.vetcache)
    return loaded


def _load_file(path: ListRef | Path) -> list[Pattern]:
    doc, entries = load_entry_list(path, "patterns")
    return [_parse_entry(doc, i, entry) for i, entry in enumerate(entries)]


def load_entry_list(path: ListRef | Path, list_key: str) -> tuple[Located, list[Any]]:
    """Read a steward-editable list file: an optional ``description`` and a non-empty list
    under ``list_key``. The loader of the pattern lists and of the furniture cue list
    (:mod:`corpus_qa.checks.furniture`); a mistake raises :class:`PatternError`.

    ``path`` may also be a list embedded in an exported suite (:class:`EmbeddedList`).
    """
    file_keys = ("description", list_key)
    if isinstance(path, EmbeddedList):
        doc = parse_located(path.text, shown=path.shown, kind=PatternError)
    else:
        try:
            source = resolve_data_path(path)
        except DataRefError as exc:
            raise PatternError(str(path), 1, None, exc.problem) from None
        doc = load_located(source, shown=str(path), kind=PatternError)
    if not isinstance(doc.data, dict):
        raise PatternError(doc.path, 1, "file", f"expected a mapping with a '{list_key}' list")
    for key in doc.data:
        if key not in file_keys:
            raise PatternError(
                doc.path,
                doc.line(key),
                str(key),
                "unknown key" + did_you_mean(str(key), file_keys),
            )
    entries = doc.data.get(list_key)
    if not isinstance(entries, list) or not entries:
        raise PatternError(
            doc.path, doc.line(list_key), list_key, f"expected a non-empty list of {list_key}"
        )
    return doc, entries


def _parse_entry(doc: Located, index: int, entry: Any) -> Pattern:
    def fail(key: str, problem: str) -> PatternError:
        return PatternError(doc.path, doc.line("patterns", index, key), key, problem)

    if not isinstance(entry, dict):
        raise fail(
            "patterns",
            "each pattern must be a mapping with id, phrase or regex, reason, where, example",
        )
    for key in entry:
        if key not in PATTERN_KEYS:
            raise fail(str(key), "unknown key" + did_you_mean(str(key), PATTERN_KEYS))
    for key in ("id", "reason", "where", "example"):
        if key not in entry:
            raise fail(key, "missing (every pattern needs id, reason, where and example)")
    values = {
        k: entry[k]
        for k in ("id", "reason", "where", "example", "phrase", "regex", "note")
        if k in entry
    }
    for key, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise fail(key, f"must be a non-empty string (got {value!r}; quote it in YAML)")
    pattern_id = values["id"]
    if not re.fullmatch(r"[a-z][a-z0-9_]*", pattern_id):
        raise fail("id", f"'{pattern_id}' must be snake_case (a-z, 0-9, _)")
    if values["reason"] not in REASONS:
        raise fail(
            "reason",
            f"unknown reason '{values['reason']}'" + did_you_mean(values["reason"], list(REASONS)),
        )
    if values["where"] not in WHERE:
        raise fail(
            "where", f"unknown position '{values['where']}'" + did_you_mean(values["where"], WHERE)
        )
    if ("phrase" in values) == ("regex" in values):
        raise fail(
            "regex" if "regex" in values else "phrase", "give exactly one of 'phrase' or 'regex'"
        )
    if "\n" in values["example"].strip():
        raise fail("example", "must be a single line (a pattern matches one line or sentence)")
    move_to = _parse_move_to(entry, values["reason"], fail)
    lang = entry.get("lang", [])
    if not isinstance(lang, list) or not all(isinstance(x, str) for x in lang):
        raise fail("lang", f"must be a list of language codes (got {lang!r})")
    source = (
        phrase_regex(values["phrase"])
        if "phrase" in values
        else check_regex(values["regex"], fail)
    )
    pattern = Pattern(
        id=pattern_id,
        reason=values["reason"],
        where=values["where"],
        source=source,
        example=values["example"].strip(),
        move_to=move_to,
        phrase=values.get("phrase"),
        note=values.get("note"),
        path=doc.path,
        line=doc.line("patterns", index),
        lang=tuple(lang),
    )
    _check_example(pattern, fail)
    return pattern


def _parse_move_to(entry: dict[str, Any], reason: str, fail: Any) -> tuple[str, ...]:
    if "move_to" not in entry:
        return REASONS[reason]
    value = entry["move_to"]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail("move_to", f"must be a list of metadata fields (got {value!r})")
    for name in value:
        if name not in METADATA_FIELDS:
            raise fail(
                "move_to", f"unknown metadata field '{name}'" + did_you_mean(name, METADATA_FIELDS)
            )
    return tuple(value)


def phrase_regex(phrase: str) -> str:
    """A phrase matches case-insensitively, with any whitespace and either apostrophe."""
    words = [re.sub(r"['’]", "['’]", re.escape(w)) for w in phrase.split()]
    return "(?i:" + r"\s+".join(words) + ")"


def check_regex(source: str, fail: Any) -> str:
    """``source`` if it compiles, is not empty-matching and cannot backtrack catastrophically
    (:func:`corpus_qa.backtracking.vet_regex`); else raises ``fail("regex", problem)``.
    A regex that passed before is not checked again (:mod:`corpus_qa.vetcache`)."""
    if proven("boilerplate_regex", source):
        return source
    if re.search(r"\(\?P[<=]|\\[1-9]|\\g<", source):
        raise fail("regex", "named groups and backreferences are not supported; use (?:…) groups")
    try:
        # As it is matched (scoped): the same strings as ``source`` alone, one compile.
        compiled = re.compile(scoped_flags(source))
    except re.error as scoped_error:
        try:  # the problem as the steward wrote it, when ``source`` alone has it too
            re.compile(source)
        except re.error as exc:
            raise fail("regex", f"invalid regular expression: {exc}") from None
        raise fail("regex", f"invalid regular expression: {scoped_error}") from None
    if compiled.fullmatch(""):
        raise fail("regex", "matches the empty string, which would flag every blank line")
    unsafe = vet_regex(source)
    if unsafe is not None:
        raise fail("regex", f"'{source}': {unsafe}")
    prove("boilerplate_regex", source)
    return source


def _check_example(pattern: Pattern, fail: Any) -> None:
    example = pattern.example
    if proven("boilerplate_example", pattern.source, example):
        return
    start = _LEAD_DECORATION.match(example).end()  # type: ignore[union-attr]
    if not re.fullmatch(f"{scoped_flags(pattern.source)}{_TRAIL_DECORATION}", example[start:]):
        raise fail("example", f"the pattern does not match its own example {example!r}")
    prove("boilerplate_example", pattern.source, example)


# --- units: lines and sentences ------------------------------------------------------


def units(text: str, body_start: int = 0) -> list[tuple[int, int]]:
    """The units boilerplate is judged on: lines, or sentences when the body is one line."""
    lines = line_spans(text, body_start)
    if len(lines) == 1:
        return sentence_spans(text, *lines[0])
    return lines


# --- find_boilerplate ----------------------------------------------------------------


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pattern_hit(text: str, span: tuple[int, int], pattern: Pattern) -> Hit:
    what = pattern.reason.replace("_", " ")
    message = (
        f'{what} "{_excerpt(text[span[0] : span[1]])}" (pattern {pattern.id}) — {pattern.action()}'
    )
    return Hit(pattern.reason, message, span)


class _Positions:
    """Decides whether a span lies in the leading and/or trailing block of a text."""

    def __init__(self, text: str, body_start: int, leading_chars: int, trailing_chars: int) -> None:
        self.lead_end = body_start + leading_chars
        self.trail_start = len(text.rstrip()) - trailing_chars

    def of(self, span: tuple[int, int]) -> tuple[bool, bool]:
        return span[0] < self.lead_end, span[1] > self.trail_start


def find_boilerplate(
    text: str,
    patterns: PatternSet,
    *,
    leading_chars: int = DEFAULT_LEADING_CHARS,
    trailing_chars: int = DEFAULT_TRAILING_CHARS,
    body_start: int = 0,
    lines: Sequence[tuple[int, int]] | None = None,
) -> list[Hit]:
    """One hit per line or sentence of ``text`` that a pattern says is boilerplate.

    Lines are the units; in a one-line body every sentence is a unit; a line that is
    made only of boilerplate sentences is flagged sentence by sentence; the opening
    sentences of the first line and the closing ones of the last line count too.
    Text before ``body_start`` (front matter, a metadata header) is not looked at.

    ``lines``: ``line_spans(text, body_start)`` when the caller has them already (the
    checks of one document share them); the result is the same.

    >>> pats = load_default_patterns()
    >>> [h.reason for h in find_boilerplate("News.\\nAdvertisement\\nMore news.", pats)]
    ['page_furniture']
    """
    lines = line_spans(text, body_start) if lines is None else lines
    if not lines:
        return []
    where = _Positions(text, body_start, leading_chars, trailing_chars)

    def match(span: tuple[int, int]) -> Pattern | None:
        lead, trail = where.of(span)
        return patterns.match(text, span[0], span[1], leading=lead, trailing=trail)

    if len(lines) == 1:
        return [
            _pattern_hit(text, s, p) for s in sentence_spans(text, *lines[0]) if (p := match(s))
        ]
    hits: list[Hit] = []
    for index, line in enumerate(lines):
        lead, trail = where.of(line)
        pattern, begins = patterns.match_line(text, line[0], line[1], leading=lead,
                                              trailing=trail)
        if pattern is not None:
            hits.append(_pattern_hit(text, line, pattern))
            continue
        if index < len(lines) - 1:
            # Of a line before the last, only a matching run at its start counts (the
            # first line), or every sentence matching: both need its first sentence to
            # (which holds its sentence mark, never decoration: ``begins`` covers it).
            if not begins:
                continue
            head = _first_sentence(text, *line)
            if head == line or match(head) is None:
                continue  # one sentence (already tried), or no sentence rule can apply
        else:
            # Of the last line, every sentence matching or a matching run at its end:
            # both need its last sentence to match (it is not the first line: a one-line
            # body was split above). It starts at one of the splitter's candidate
            # boundaries: when no pattern is the rest of the line from any of them, its
            # last boundary is not decided.
            if all(match((s, line[1])) is None for s in _tail_starts(text, *line)):
                continue
            tail = _last_sentence(text, *line)
            if tail == line or match(tail) is None:
                continue
        found = [(s, match(s)) for s in sentence_spans(text, *line)]
        chosen = _matched_sentences(found, first=index == 0, last=index == len(lines) - 1)
        hits.extend(_pattern_hit(text, s, p) for s, p in chosen)
    return hits


_SENTENCE_MARK = re.compile(r"[.!?…]")


def _first_sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the first sentence of a line (the whole line when it has one).

    ``start, end`` is a span of :func:`line_spans` (no line break, no white space at
    either edge): the splitter cuts such a piece only after ".", "!", "?" or "…", so a
    line without one is a single sentence; else the line's first boundary alone is
    decided (:func:`line_sentence_ends`), as splitting the line would decide it.
    """
    if _SENTENCE_MARK.search(text, start, end) is None:
        return start, end
    cut = next(line_sentence_ends(text, start, end), None)
    return (start, end) if cut is None else strip_span(text, start, cut)


def _last_sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the last sentence of a line (the whole line when it has one): its last
    boundary alone, read from the end (see :func:`_first_sentence`)."""
    if _SENTENCE_MARK.search(text, start, end) is None:
        return start, end
    cut = next(line_sentence_ends(text, start, end, reverse=True), None)
    return (start, end) if cut is None else strip_span(text, cut, end)


def _tail_starts(text: str, start: int, end: int) -> Iterator[int]:
    """Where the last sentence of the line ``text[start:end]`` may start, if it has more
    than one: after each of the splitter's candidate boundaries in the line (a sentence
    mark, closing quotes or brackets, then white space: what :func:`line_sentence_ends`
    picks its cuts from), the white space skipped as :func:`_last_sentence` skips it."""
    for candidate in boundary_candidates(text, start, end):
        yield strip_span(text, candidate.end(), end)[0]


def _matched_sentences(
    found: list[tuple[tuple[int, int], Pattern | None]], *, first: bool, last: bool
) -> list[tuple[tuple[int, int], Pattern]]:
    """All sentences if all match; else the matching run at the start (first line) / end (last)."""
    if all(p is not None for _, p in found):
        return [(s, p) for s, p in found if p is not None]
    chosen: list[tuple[tuple[int, int], Pattern]] = []
    if first:
        for s, p in found:
            if p is None:
                break
            chosen.append((s, p))
    if last:
        tail: list[tuple[tuple[int, int], Pattern]] = []
        for s, p in reversed(found):
            if p is None:
                break
            tail.append((s, p))
        chosen.extend(reversed(tail))
    return chosen


# --- find_glued_header ---------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _byline_rules() -> tuple[tuple[re.Pattern[str], ...], frozenset[str]]:
    # The resolver's own byline wording (the packaged phrase list), so that what is
    # flagged here is what ``resolve`` records as attribution and title.
    return byline_rules()


@functools.lru_cache(maxsize=1)
def _byline_starts() -> tuple[re.Pattern[str] | None, ...]:
    """For each byline rule, a class of the characters its matches can start with (None:
    any), so that :func:`find_headline` looks for bylines in the leading block only
    instead of searching the whole text (a character class search, 5x cheaper)."""
    starts = []
    for rule in _byline_rules()[0]:
        first = first_characters(rule.pattern, rule.flags)
        starts.append(None if first is None or any(len(c) > 1 for c in first) else
                      re.compile("[" + "".join(re.escape(c) for c in sorted(first)) + "]"))
    return tuple(starts)


def _header_hits(text: str, headline: Headline) -> list[Hit]:
    hits = []
    title, byline = headline.title, headline.byline
    if title is not None:
        shown = text[title[0] : title[1]]
        hits.append(
            Hit(
                "title_in_body",
                f'title "{_excerpt(shown, 80)}" is part of the body text '
                "— move into metadata: title",
                title,
                suggestion=shown,
            )
        )
    name = text[headline.names[0] : headline.names[1]].strip()
    hits.append(
        Hit(
            "byline_in_body",
            f'byline "{_excerpt(text[byline[0] : byline[1]], 80)}" is part of the body text '
            "— move into metadata: attribution",
            byline,
            suggestion=name,
        )
    )
    return hits


def find_glued_header(
    text: str, *, body_start: int = 0, leading_chars: int = DEFAULT_LEADING_CHARS
) -> list[Hit]:
    """A title and byline at the start of the body: on lines of their own or glued to the text.

    The byline's "by" must lie within ``leading_chars`` of ``body_start``. What a byline
    and a title are is decided by :func:`corpus_qa.text.headline.find_headline` with the
    resolver's byline wording, so the hits agree with the metadata ``resolve`` finds.

    >>> t = "US, Mexico Discuss Migration by VOA News U.S. and Mexican officials met."
    >>> [(h.reason, t[h.span[0]:h.span[1]]) for h in find_glued_header(t)]
    [('title_in_body', 'US, Mexico Discuss Migration'), ('byline_in_body', 'by VOA News')]
    """
    rules, small_words = _byline_rules()
    headline = find_headline(
        text, rules, start=body_start, end=body_start + leading_chars, small_words=small_words,
        starts=_byline_starts(),
    )
    return [] if headline is None else _header_hits(text, headline)


def find_document_boilerplate(
    text: str,
    patterns: PatternSet,
    *,
    body_start: int = 0,
    leading_chars: int = DEFAULT_LEADING_CHARS,
    trailing_chars: int = DEFAULT_TRAILING_CHARS,
    furniture: CueSet | None = None,
    classified: Sequence[Hit] | None = None,
    lines: Sequence[tuple[int, int]] | None = None,
    found: tuple[Sequence[Hit], Sequence[Hit]] | None = None,
) -> list[Hit]:
    """Pattern hits, the glued title/byline and (given ``furniture``, a cue set of
    :mod:`corpus_qa.checks.furniture`) the classifier's ``page_furniture`` lines of one
    document, in text order.

    What ``expect_document_to_have_no_boilerplate`` reports; a header hit that overlaps
    a pattern hit is left out (the pattern already covers that text), and the classifier
    judges only lines no pattern or header hit touches. ``possible_furniture`` is not
    reported here (its own expectation reports it, at warning level).

    ``classified``: the classifier's hits on this document when already found
    (``furniture.find(text, body_start=body_start)``, sure and possible), instead of
    classifying its lines again; the result is the same. ``lines``: the body's
    ``line_spans`` when already split (see :func:`find_boilerplate`). ``found``: the
    hits of :func:`find_boilerplate` and :func:`find_glued_header` on this document with
    these settings when already found (neither sequence is changed).
    """
    if found is None:
        hits = find_boilerplate(
            text,
            patterns,
            leading_chars=leading_chars,
            trailing_chars=trailing_chars,
            body_start=body_start,
            lines=lines,
        )
        header = find_glued_header(text, body_start=body_start, leading_chars=leading_chars)
    else:
        hits, header = list(found[0]), found[1]
    taken = [h.span for h in hits]
    for hit in header:
        if all(hit.span[1] <= s or hit.span[0] >= e for s, e in taken):
            hits.append(hit)
    if classified is not None:
        # the lines ``find`` would judge with ``skip=taken``: each line's verdict does
        # not depend on the others being skipped
        taken = [h.span for h in hits]
        hits.extend(h for h in classified if h.reason == "page_furniture"
                     and not any(h.span[0] < e and s < h.span[1] for s, e in taken))
    elif furniture is not None:
        taken = [h.span for h in hits]
        hits.extend(furniture.find(text, body_start=body_start, skip=taken, possible=False,
                                   lines=lines))
    return sorted(hits, key=lambda h: h.span)


# --- find_flattened_paragraphs -------------------------------------------------------


def find_flattened_paragraphs(
    text: str, max_chars_without_break: int = 2000, *, body_start: int = 0,
    lines: Sequence[tuple[int, int]] | None = None,
) -> list[Hit]:
    """One hit per run of more than ``max_chars_without_break`` characters without a line break.

    >>> [h.message for h in find_flattened_paragraphs("word " * 500, 2000)]
    ['2,499 characters without a paragraph break (limit 2,000) — restore the paragraph breaks']
    """
    if max_chars_without_break < 1:
        raise ValueError(
            f"max_chars_without_break must be at least 1, got {max_chars_without_break}"
        )
    hits = []
    for s, e in line_spans(text, body_start) if lines is None else lines:
        if e - s > max_chars_without_break:
            message = (
                f"{e - s:,} characters without a paragraph break "
                f"(limit {max_chars_without_break:,}) — restore the paragraph breaks"
            )
            hits.append(Hit("paragraphs_flattened", message, (s, e)))
    return hits


# --- repeated lines across the corpus ------------------------------------------------

_EDGE_NOISE = " \t•·*▪►‣◦>»›–—-.,;:!?…\"“”‘’'()[]|"
_COMPACT_EVERY = 1 << 20
"""Pending (line, story) pairs are sorted into the table every this many (16 MiB)."""


_BLAKE2B_8 = blake2b(digest_size=8)
"""An empty 8-byte BLAKE2b state: a copy of it hashes a value like a new one, cheaper."""


def _hash(value: str) -> int:
    state = _BLAKE2B_8.copy()
    state.update(value.encode("utf-8", "surrogatepass"))
    return int.from_bytes(state.digest(), "big")


def story_hash(doc_id: str, story_id: str | None) -> int:
    """The hash a document's lines are counted under: its story's, or (``story_id=None``)
    its own, as a story of one."""
    return _hash(story_id if story_id is not None else "\0doc\0" + doc_id)


def normalise_line(line: str) -> str:
    """The form repeated lines are compared in: case-folded, whitespace collapsed, edges trimmed.

    >>> normalise_line("  • Follow us   on TWITTER! ")
    'follow us on twitter'
    """
    folded = line.casefold()
    # Already collapsed when its only white space is single spaces (a printable string
    # has no white space but " "; one at an edge goes with the edge noise): the usual
    # line, which is then not cut into words and joined again.
    if not (folded.isprintable() and "  " not in folded):
        folded = " ".join(folded.split())
    return folded.strip(_EDGE_NOISE)


class RepeatedLineCounter:
    """Counts, per normalised line, the distinct stories it occurs in — as 64-bit hashes.

    Feed every document with :meth:`add` (pass 1), then ask :meth:`repeated_spans` for
    each document (pass 2). A line counts once per story however many versions carry
    it. No strings are kept: the table is two sorted ``uint64`` arrays of distinct
    (line hash, story hash) pairs, 16 bytes per pair, so memory depends on the number
    of distinct lines, never on their length. Counts are exact, the result does not
    depend on the order documents are fed in, and counters filled on different workers
    combine with :meth:`merge`.
    """

    def __init__(
        self, *, min_documents: int = 3, min_fraction: float = 0.0, min_chars: int = 20
    ) -> None:
        if min_documents < 2:
            raise ValueError(
                "min_documents must be at least 2 (a line in one story is not repeated), "
                f"got {min_documents}"
            )
        if not 0.0 <= min_fraction <= 1.0:
            raise ValueError(f"min_fraction must be between 0 and 1, got {min_fraction}")
        if min_chars < 1:
            raise ValueError(f"min_chars must be at least 1, got {min_chars}")
        self.min_documents = min_documents
        self.min_fraction = min_fraction
        self.min_chars = min_chars
        self._stories: set[int] = set()
        self._new_lines = array("Q")  # pairs added since the last compaction
        self._new_stories = array("Q")
        self._lines = np.empty(0, dtype=np.uint64)  # sorted by (line, story), no duplicates
        self._line_stories = np.empty(0, dtype=np.uint64)
        self._repeated: dict[int, int] | None = None  # line hash -> stories, for >= 2 stories

    def line_hashes(self, text: str, body_start: int = 0) -> list[tuple[int, tuple[int, int]]]:
        """(hash, span) of each line of ``text`` long enough to count (what :meth:`add_hashes`
        and :meth:`repeated_hits` take, so a document's lines are hashed once)."""
        out = []
        for span in units(text, body_start):
            key = normalise_line(text[span[0] : span[1]])
            if len(key) >= self.min_chars:
                out.append((_hash(key), span))
        return out

    def add(self, doc_id: str, story_id: str | None, text: str, *, body_start: int = 0) -> None:
        """Count the lines of one document (pass 1); ``story_id=None`` makes it its own story."""
        self.add_hashes(doc_id, story_id, self.line_hashes(text, body_start))

    def add_hashes(self, doc_id: str, story_id: str | None,
                   hashes: Iterable[tuple[int, tuple[int, int]]]) -> None:
        """Count one document's lines given as :meth:`line_hashes` computed them."""
        story = story_hash(doc_id, story_id)
        self._stories.add(story)
        lines = {h for h, _ in hashes}
        self._new_lines.extend(lines)
        self._new_stories.extend([story] * len(lines))
        self._repeated = None
        if len(self._new_lines) >= _COMPACT_EVERY:
            self._compact()

    def add_counted(self, stories: Iterable[int], lines: np.ndarray,
                    line_stories: np.ndarray) -> None:
        """Take counts made elsewhere (the Spark engine's aggregation of the same pairs):
        every story hash fed there, and the distinct (line hash, story hash) pairs of the
        lines found in at least :meth:`threshold` of those stories. Lines in fewer
        stories may be left out — they are never repeated; :attr:`distinct_lines` then
        counts only the lines given."""
        self._stories.update(stories)
        self._absorb(np.asarray(lines, dtype=np.uint64), np.asarray(line_stories, dtype=np.uint64))

    def merge(self, other: RepeatedLineCounter) -> None:
        """Add the counts of a counter filled elsewhere (same settings) to this one."""
        other._compact()
        self._compact()
        self._stories |= other._stories
        self._absorb(other._lines, other._line_stories)

    def _compact(self) -> None:
        """Sort the pending pairs into the table."""
        if self._new_lines:
            lines = np.frombuffer(self._new_lines, dtype=np.uint64)
            stories = np.frombuffer(self._new_stories, dtype=np.uint64)
            self._new_lines, self._new_stories = array("Q"), array("Q")
            self._absorb(lines, stories)

    def _absorb(self, lines: np.ndarray, stories: np.ndarray) -> None:
        """Merge (line, story) pairs into the sorted table, dropping duplicates."""
        lines = np.concatenate([self._lines, lines])
        stories = np.concatenate([self._line_stories, stories])
        self._lines = self._line_stories = np.empty(0, dtype=np.uint64)  # free before sorting
        order = np.lexsort((stories, lines))
        lines, stories = lines[order], stories[order]
        del order
        keep = np.ones(len(lines), dtype=bool)
        keep[1:] = (lines[1:] != lines[:-1]) | (stories[1:] != stories[:-1])
        self._lines, self._line_stories = lines[keep], stories[keep]
        self._repeated = None

    def _runs(self) -> tuple[np.ndarray, np.ndarray]:
        """Each distinct line hash of the sorted table and its number of stories."""
        self._compact()
        if not len(self._lines):
            return self._lines, np.empty(0, dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, self._lines[1:] != self._lines[:-1]])
        return self._lines[starts], np.diff(np.r_[starts, len(self._lines)])

    def _counts(self) -> dict[int, int]:
        """Distinct stories per line hash, for the lines seen in two stories or more."""
        if self._repeated is None:
            hashes, counts = self._runs()
            several = counts >= 2
            self._repeated = dict(
                zip(hashes[several].tolist(), counts[several].tolist(), strict=True)
            )
        return self._repeated

    @property
    def stories(self) -> int:
        """How many distinct stories were fed."""
        return len(self._stories)

    @property
    def distinct_lines(self) -> int:
        """How many distinct normalised lines (hashes) are held."""
        return len(self._runs()[0])

    def threshold(self) -> int:
        """Distinct stories that make a line repeated: min_documents, or the fraction if larger."""
        return self.threshold_for(len(self._stories))

    def threshold_for(self, stories: int) -> int:
        """:meth:`threshold` in a corpus of ``stories`` distinct stories."""
        return max(self.min_documents, math.ceil(self.min_fraction * stories))

    def story_count(self, line: str) -> int:
        """How many distinct stories a line occurs in (0 for lines under ``min_chars``)."""
        key = normalise_line(line)
        if len(key) < self.min_chars:
            return 0
        self._compact()
        return len(self._stories_of(_hash(key)))

    def _stories_of(self, line: int) -> np.ndarray:
        """The story hashes of one line hash (a slice of the sorted table)."""
        value = np.uint64(line)
        lo = np.searchsorted(self._lines, value, side="left")
        hi = np.searchsorted(self._lines, value, side="right")
        return self._line_stories[lo:hi]

    def repeated_spans(
        self, text: str, story_id: str | None = None, *, body_start: int = 0
    ) -> list[Hit]:
        """One hit per line of ``text`` that occurs in at least :meth:`threshold` stories (pass 2).

        ``story_id`` is the key the document was added with; it lets the message count
        the *other* stories that carry the line.
        """
        return self.repeated_hits(self.line_hashes(text, body_start), story_id, lambda: text)

    def repeats_any(self) -> bool:
        """Whether some line occurs in at least :meth:`threshold` stories: when none does,
        :meth:`repeated_hits` finds nothing in any document."""
        threshold = self.threshold()
        return any(count >= threshold for count in self._counts().values())

    def repeated_hits(
        self,
        hashes: Iterable[tuple[int, tuple[int, int]]],
        story_id: str | None,
        text_of: Callable[[], str],
    ) -> list[Hit]:
        """:meth:`repeated_spans` from a document's :meth:`line_hashes`; ``text_of`` is
        called (once) only when a line is repeated, for the messages' excerpts."""
        counts, threshold = self._counts(), self.threshold()
        own = _hash(story_id) if story_id is not None else None
        hits = []
        text: str | None = None
        for line, span in hashes:
            count = counts.get(line, 0)
            if count >= threshold:
                if text is None:
                    text = text_of()
                if own is not None and np.uint64(own) in self._stories_of(line):
                    where = f"also occurs in {count - 1} other stories"
                else:
                    where = f"occurs in {count} stories"
                message = (
                    f'"{_excerpt(text[span[0] : span[1]])}" {where} of the corpus '
                    "— remove it if it is site template (header, footer, promotion)"
                )
                hits.append(Hit("repeated_line", message, span))
        return hits
