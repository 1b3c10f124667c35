"""Resolve a document's metadata (date, source, attribution, …) and check it.

Values come from four origins, in this order of precedence: ``field`` (JSONL),
``front_matter``, ``header`` (all three read by the loader into ``Document.fields``)
and ``text`` (signals found here in the prose: "Originally posted by X", "is in the
public domain", a byline, a credit line, "Published: …"). The wording of text
signals lives in a steward-editable YAML phrase list (``builtin:metadata.yml``, packaged
as ``corpus_qa/data/metadata.yml``; a suite may name its own).
Every value keeps its origin and span; values that disagree are reported as
conflicts, never silently dropped. See ``docs/metadata.md``.

>>> from corpus_qa.documents import Document
>>> meta = resolve(Document(id="d", path="d.txt",
...     text="Originally posted by the Voice of America. Talks began. Reporting by Jane Doe."))
>>> meta["source"].value, meta["source"].origin, meta["source"].span
('Voice of America', 'text', (0, 41))
>>> meta["attribution"].values
('Jane Doe',)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

import yaml

from corpus_qa.data import DataRefError, resolve_data_path
from corpus_qa.documents import Document
from corpus_qa.findings import Hit
from corpus_qa.text.calendar import month_number, weekday_number
from corpus_qa.text.fold import name_key
from corpus_qa.text.headline import byline_at
from corpus_qa.vetcache import prove, proven, save, vet_regex
from corpus_qa.yamlfile import YamlError, compose, did_you_mean

FIELDS = ("date", "source", "attribution", "author", "licence", "title", "url", "story", "version")
"""The metadata fields corpus-qa knows; other keys of ``Document.fields`` pass through as is."""

ORIGINS = ("field", "front_matter", "header", "text")
"""Where a value came from, highest precedence first."""

_RANK = {origin: rank for rank, origin in enumerate(ORIGINS)}
_TEXT_SIGNAL_FIELDS = ("date", "source", "attribution", "author", "licence", "title", "url")
_SPELLINGS = {"license": "licence"}
_WINDOW_MARGIN = 200  # a signal that starts inside a window may run this far past its end

Span = tuple[int, int]


class PhraseListError(YamlError):
    """A metadata phrase list that cannot be used; the message names file, line and key."""


# --- the phrase list --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signal:
    """One compiled entry of the phrase list: a pattern that yields values for ``field``."""

    id: str
    field: str
    pattern: re.Pattern[str]
    where: str  # start | end | both
    value: str | None = None  # fixed value recorded instead of the captured text
    kind: str | None = None  # "byline" or None
    triggers: tuple[str, ...] = ()  # lower-case words: run the pattern only where one occurs

    def fires(self, lowered_window: str, tested: dict[str, bool] | None = None) -> bool:
        """Whether the pattern is worth running on a window (already lower-cased).

        ``tested`` holds the window's answers for the triggers tested there so far (by
        any signal): each is read from it, or found and added to it."""
        if not self.triggers:
            return True
        for trigger in self.triggers:  # a loop: ~2x faster than any() here
            if tested is None:
                found = trigger in lowered_window
            else:
                found = tested.get(trigger)
                if found is None:
                    found = tested[trigger] = trigger in lowered_window
            if found:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Phrases:
    """A loaded, validated phrase list (see ``corpus_qa/data/metadata.yml``)."""

    path: str
    signals: tuple[Signal, ...]
    start_window: int = 1000
    end_window: int = 1000
    aliases: Mapping[str, str] = dc_field(default_factory=dict)
    multi_valued: frozenset[str] = frozenset()
    list_separator: re.Pattern[str] = re.compile(r"\s*,\s*")
    organisation_words: frozenset[str] = frozenset()
    title_small_words: frozenset[str] = frozenset()

    def canonical(self, key: str) -> str:
        """The field name a metadata key stands for (``license`` → ``licence``)."""
        key = key.strip().lower()
        return self.aliases.get(key, _SPELLINGS.get(key, key))


_TOP_KEYS = (
    "schema",
    "windows",
    "aliases",
    "multi_valued",
    "list_separator",
    "organisation_words",
    "title_small_words",
    "fragments",
    "signals",
)
_ENTRY_KEYS = (
    "id",
    "phrase",
    "regex",
    "value",
    "where",
    "kind",
    "trigger",
    "example",
    "description",
)
_WHERE = ("start", "end", "both")
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_ID_RE = re.compile(r"[a-z0-9][a-z0-9_.-]*\Z")
DEFAULT_PHRASES = "builtin:metadata.yml"


def load_phrases(path: str | Path | None = None) -> Phrases:
    """Load and validate a phrase list; ``None`` loads the packaged default.

    ``path`` may name a packaged list (``builtin:metadata.yml``). Raises
    :class:`PhraseListError` naming file, line and key for invalid YAML, unknown keys,
    bad regexes, unknown fragments or an ``example`` that does not match.
    """
    if path is None or str(path) == DEFAULT_PHRASES:
        return _default_phrases()
    shown = str(path)
    try:
        text = resolve_data_path(path).read_text(encoding="utf-8")
    except DataRefError as exc:
        raise PhraseListError(shown, 1, None, exc.problem) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PhraseListError(shown, 1, None, f"cannot read the phrase list: {exc}",
                              "check the path") from None
    return parse_phrases(text, shown)


@functools.lru_cache(maxsize=1)
def _default_phrases() -> Phrases:
    text = resolve_data_path(DEFAULT_PHRASES).read_text(encoding="utf-8")
    return parse_phrases(text, DEFAULT_PHRASES)


def parse_phrases(text: str, path: str = "<phrases>") -> Phrases:
    """Validate and compile the YAML text of a phrase list (``path`` is used in errors)."""
    try:
        root = compose(text, shown=path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise PhraseListError(
            path, mark.line + 1 if mark else 1, None, f"invalid YAML: {problem}"
        ) from exc
    if root is None:
        raise PhraseListError(path, 1, None, "the phrase list is empty")
    top = _Mapping(path, root, "", _TOP_KEYS)
    if top.scalar("schema", required=True) != "1":
        raise top.error("schema", "only schema 1 is known — write 'schema: 1'")
    organisation_words = top.words("organisation_words")
    fragments = _fragments(top, organisation_words)
    multi = top.words("multi_valued")
    for word in multi:
        if word not in FIELDS:
            raise top.error(
                "multi_valued", f"unknown field {word!r}; fields are {', '.join(FIELDS)}"
            )
    phrases = Phrases(
        path=path,
        signals=(),
        start_window=_window(top, "start"),
        end_window=_window(top, "end"),
        aliases=_aliases(top),
        multi_valued=frozenset(multi),
        list_separator=top.regex("list_separator", default=r"\s*;\s*|\s*,\s*(?:and\s+)?|\s+and\s+"),
        organisation_words=frozenset(w.casefold() for w in organisation_words),
        title_small_words=frozenset(w.casefold() for w in top.words("title_small_words")),
    )
    # Examples are checked as each entry is read, with the settings read above.
    signals = tuple(_signals(top, fragments, phrases))
    save()  # what the checks proved, for the next run (corpus_qa.vetcache)
    return dataclasses.replace(phrases, signals=signals)


class _Mapping:
    """A YAML mapping node with the line of every key, for errors that point at it."""

    def __init__(
        self, path: str, node: yaml.Node, prefix: str, allowed: Sequence[str] | None
    ) -> None:
        self.path, self.node, self.prefix = path, node, prefix
        if not isinstance(node, yaml.MappingNode):
            raise PhraseListError(
                path,
                node.start_mark.line + 1,
                prefix or None,
                "expected a mapping of key: value",
            )
        self.items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in self.items:
                raise self._at(key_node, key, "duplicate key")
            if allowed is not None and key not in allowed:
                raise self._at(key_node, key, f"unknown key {key!r}{did_you_mean(key, allowed)}")
            self.items[key] = (key_node, value_node)

    def _at(self, node: yaml.Node, key: str, problem: str) -> PhraseListError:
        return PhraseListError(self.path, node.start_mark.line + 1, self.prefix + key, problem)

    def error(self, key: str, problem: str) -> PhraseListError:
        """An error pointing at ``key`` (or at the mapping when the key is absent)."""
        node = self.items[key][0] if key in self.items else self.node
        return self._at(node, key, problem)

    def value_node(self, key: str) -> yaml.Node | None:
        """The value node of ``key``, or None."""
        return self.items[key][1] if key in self.items else None

    def scalar(self, key: str, *, required: bool = False) -> str | None:
        """The text of a scalar value (YAML 1.1 booleans such as ``on`` stay text)."""
        node = self.value_node(key)
        if node is None:
            if required:
                raise self.error(key, "required key is missing")
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
            raise self.error(key, "expected a single value (text or number)")
        return str(node.value)

    def words(self, key: str) -> list[str]:
        """A list of scalars (``[a, b]``), empty when absent."""
        node = self.value_node(key)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode) or not all(
            isinstance(item, yaml.ScalarNode) for item in node.value
        ):
            raise self.error(key, "expected a list of words, e.g. [News, Staff]")
        return [str(item.value) for item in node.value]

    def words_or_word(self, key: str) -> list[str]:
        """A list of scalars, or one scalar as a list of one."""
        node = self.value_node(key)
        return [self.scalar(key) or ""] if isinstance(node, yaml.ScalarNode) else self.words(key)

    def regex(self, key: str, default: str) -> re.Pattern[str]:
        """A compiled regex value."""
        source = self.scalar(key) or default
        try:
            compiled = re.compile(source)
        except re.error as exc:
            raise self.error(key, f"bad regex: {exc}") from exc
        unsafe = vet_regex(source)
        if unsafe is not None:
            raise self.error(key, f"'{source}': {unsafe}")
        return compiled

    def child(self, key: str, allowed: Sequence[str] | None) -> _Mapping | None:
        """The mapping under ``key``, or None when absent."""
        node = self.value_node(key)
        return None if node is None else _Mapping(self.path, node, f"{self.prefix}{key}.", allowed)

    def child_or_empty(self, key: str) -> _Mapping:
        """The mapping under ``key`` (any keys allowed), or an empty one when absent."""
        node = self.value_node(key) or yaml.MappingNode(
            "tag:yaml.org,2002:map", [], self.node.start_mark, self.node.end_mark
        )
        return _Mapping(self.path, node, f"{self.prefix}{key}.", None)


def _window(top: _Mapping, which: str) -> int:
    windows = top.child("windows", ("start", "end"))
    raw = windows.scalar(which) if windows is not None else None
    if windows is None or raw is None:
        return 1000
    if not raw.isdigit() or int(raw) < 1:
        raise windows.error(which, f"expected a positive number of characters, got {raw!r}")
    return int(raw)


def _aliases(top: _Mapping) -> dict[str, str]:
    aliases = top.child("aliases", None)
    if aliases is None:
        return {}
    result = {}
    for key in aliases.items:
        target = aliases.scalar(key, required=True) or ""
        if target not in FIELDS:
            raise aliases.error(
                key, f"alias target {target!r} is not a field; fields are {', '.join(FIELDS)}"
            )
        result[key.strip().lower()] = target
    return result


def _fragments(top: _Mapping, organisation_words: list[str]) -> dict[str, str]:
    node = top.child_or_empty("fragments")
    raw = {key: node.scalar(key, required=True) or "" for key in node.items}
    if "ORG_WORD" in raw:
        raise node.error("ORG_WORD", "ORG_WORD is built from organisation_words; edit that list")
    words = sorted(organisation_words, key=len, reverse=True)
    raw["ORG_WORD"] = "(?:" + "|".join(re.escape(w) for w in words) + ")" if words else "(?!)"
    expanded: dict[str, str] = {}
    for name in raw:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            raise node.error(name, "fragment names are UPPER_CASE, e.g. NAMES")
        try:
            expanded[name] = _expand(raw[name], raw, (name,))
            if not proven("compiles", expanded[name]):
                re.compile(expanded[name])
                prove("compiles", expanded[name])
        except (KeyError, RecursionError, re.error) as exc:
            raise node.error(name, _expansion_problem(exc)) from exc
    return expanded


def _expand(source: str, fragments: Mapping[str, str], stack: tuple[str, ...]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in stack:
            raise RecursionError(" → ".join((*stack, name)))
        if name not in fragments:
            raise KeyError(name)
        return _expand(fragments[name], fragments, (*stack, name))

    return _PLACEHOLDER.sub(substitute, source)


def _expansion_problem(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"unknown fragment {{{exc.args[0]}}}; define it under 'fragments'"
    if isinstance(exc, RecursionError):
        return f"fragments refer to each other in a cycle: {exc}"
    return f"bad regex: {exc}"


def _signals(top: _Mapping, fragments: dict[str, str], phrases: Phrases) -> Iterator[Signal]:
    sections = top.child("signals", _TEXT_SIGNAL_FIELDS)
    if sections is None:
        return
    seen: set[str] = set()
    for field_name, (_, seq) in sections.items.items():
        if not isinstance(seq, yaml.SequenceNode):
            raise sections.error(field_name, "expected a list of entries (- id: …)")
        for index, item in enumerate(seq.value):
            entry = _Mapping(top.path, item, f"signals.{field_name}[{index}].", _ENTRY_KEYS)
            signal = _signal(entry, field_name, fragments)
            if signal.id in seen:
                raise entry.error("id", f"duplicate id {signal.id!r}")
            seen.add(signal.id)
            _check_example(entry, signal, phrases)
            yield signal


def _signal(entry: _Mapping, field_name: str, fragments: dict[str, str]) -> Signal:
    signal_id = entry.scalar("id", required=True) or ""
    if not _ID_RE.match(signal_id):
        raise entry.error("id", f"ids are lower-case words joined by - _ or . (got {signal_id!r})")
    where = entry.scalar("where") or "both"
    if where not in _WHERE:
        raise entry.error("where", f"expected one of {', '.join(_WHERE)}, got {where!r}")
    kind = entry.scalar("kind")
    if kind is not None and (kind != "byline" or field_name != "attribution"):
        raise entry.error("kind", "the only kind is 'byline', for attribution entries")
    fixed = entry.scalar("value")
    phrase, regex = entry.scalar("phrase"), entry.scalar("regex")
    if (phrase is None) == (regex is None):
        raise entry.error("regex" if regex else "phrase", "give exactly one of 'phrase' or 'regex'")
    key = "phrase" if phrase is not None else "regex"
    try:
        source = (
            _phrase_regex(phrase, fragments)
            if phrase is not None
            else _expand(regex or "", fragments, ())
        )
        pattern = re.compile(source)
    except (KeyError, RecursionError, re.error, ValueError) as exc:
        raise entry.error(
            key, str(exc) if isinstance(exc, ValueError) else _expansion_problem(exc)
        ) from exc
    unsafe = vet_regex(source)
    if unsafe is not None:
        raise entry.error(key, f"'{source}': {unsafe}")
    if fixed is None and "value" not in pattern.groupindex:
        raise entry.error(
            key,
            "no value to record: add a (?P<value>…) group, a {PLACEHOLDER}, or a fixed 'value:'",
        )
    triggers = tuple(t.casefold() for t in entry.words_or_word("trigger"))
    if not all(t.strip() for t in triggers):
        raise entry.error("trigger", "a trigger is a non-empty word, e.g. contributed")
    if not triggers and phrase is not None:
        literal = _PLACEHOLDER.sub(" ", phrase).split()
        triggers = (max(literal, key=len).casefold(),) if literal else ()
    return Signal(signal_id, field_name, pattern, where, fixed, kind, triggers)


def _phrase_regex(phrase: str, fragments: Mapping[str, str]) -> str:
    """Literal words (any case, any whitespace between them) around at most one placeholder."""
    parts = _PLACEHOLDER.split(phrase)  # [literal, NAME, literal] or [literal]
    if len(parts) > 3:
        raise ValueError("a phrase holds at most one {PLACEHOLDER} (the value)")
    gap = fragments.get("WS", r"\s+")
    pieces = []
    for index, part in enumerate(parts):
        if index == 1:
            if part not in fragments:
                raise KeyError(part)
            pieces.append(f"(?P<value>{fragments[part]})")
        elif part:
            pieces.append(_literal_regex(part, gap, first=index == 0, last=index == len(parts) - 1))
    return "".join(pieces)


def _literal_regex(part: str, gap: str, *, first: bool, last: bool) -> str:
    """A literal stretch of a phrase; spaces next to the placeholder become ``gap``."""
    lead = gap if part[0].isspace() and not first else ""
    words = part.split()
    body = "(?i:" + gap.join(re.escape(w) for w in words) + ")" if words else ""
    if first and part[0].isalpha():
        # "[Ss](?<!\w.)(?i:ome …)" is "\b(?i:some …)" but lets re scan for the first letter
        # (about 3x faster than a pattern that starts with \b or a (?i:) group).
        head = part[0]
        body = f"[{re.escape(head.upper())}{re.escape(head.lower())}](?<!\\w.)" + body.replace(
            "(?i:" + re.escape(head), "(?i:", 1
        )
    if not words and lead == gap:
        return gap
    tail = gap if part[-1].isspace() and not last else r"\b" if last and part[-1].isalnum() else ""
    return lead + body + tail


def _check_example(entry: _Mapping, signal: Signal, phrases: Phrases) -> None:
    """An entry's ``example`` must yield a value, so that a broken edit fails at load time."""
    example = entry.scalar("example")
    if example is None:
        return
    if not (signal.fires(example.casefold()) and _signal_evidence(example, 0, signal, phrases)):
        what = "phrase" if entry.value_node("phrase") is not None else "regex"
        raise entry.error(
            "example", f"the {what} finds no value in its own example — fix one of them"
        )


# --- dates --------------------------------------------------------------------------

_TZ = r"(?:\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2}|[a-z]{2,5}(?:[+-]\d{1,2})?))?"
_CLOCK = r"(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?"
_ISO_RE = re.compile(
    rf"(?P<y>\d{{4}})([-/])(?P<m>\d{{1,2}})\2(?P<d>\d{{1,2}})(?:[t ]\s*{_CLOCK}{_TZ})?"
)
_EN_TIME = rf"(?:,?\s*(?:at\s+)?{_CLOCK}(?:\s*[ap]\.?m\.?)?{_TZ})?"
_WD = r"(?:(?P<wd>[a-z]+)\.?,?\s+)?"
_EN_MDY_RE = re.compile(
    rf"{_WD}(?P<mon>[a-z]+)\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){_EN_TIME}"
)
_EN_DMY_RE = re.compile(
    rf"{_WD}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]+)\.?,?\s+(?P<y>\d{{4}}){_EN_TIME}"
)
_SLASH_RE = re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})")
_RELATIVE_RE = re.compile(
    r"yesterday|today|tomorrow|tonight|last (?:night|week|month|year)"
    r"|(?:\d+|a|an) (?:minutes?|hours?|days?|weeks?) ago|now"
)


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date read from text: ``date`` when it is a calendar date, else the ``problem``."""

    date: dt.date | None
    problem: str | None = None


@functools.lru_cache(maxsize=4096)
def parse_date(raw: str) -> ParsedDate:
    """Read ISO 8601 (date, optional time) or an English date ("December 28, 2023").

    The calendar date is taken as written (a time zone does not move it). Each text is
    read once per process (the result is immutable, and a corpus repeats its dates: a
    document's date is read when it is resolved, checked and grouped, 4 µs each time).

    >>> parse_date("Thursday, Dec. 28, 2023 10:00 AM EST").date
    datetime.date(2023, 12, 28)
    >>> parse_date("2023-13-45").problem
    'month 13 does not exist'
    """
    text = " ".join(raw.split()).lower().strip(" .")
    if not text:
        return ParsedDate(None, "the date is empty")
    for parse in (_parse_iso, _parse_english, _parse_slash):
        parsed = parse(text)
        if parsed is not None:
            return parsed
    if _RELATIVE_RE.fullmatch(text):
        return ParsedDate(None, f"{raw.strip()!r} is relative, not a calendar date")
    return ParsedDate(None, "not a date corpus-qa can read (ISO 8601 or e.g. 'December 28, 2023')")


def _parse_iso(text: str) -> ParsedDate | None:
    match = _ISO_RE.fullmatch(text)
    if not match:
        return None
    return _checked_time(match) or _calendar(int(match["y"]), int(match["m"]), int(match["d"]))


def _parse_english(text: str) -> ParsedDate | None:
    match = _EN_MDY_RE.fullmatch(text) or _EN_DMY_RE.fullmatch(text)
    month = month_number(match["mon"]) if match else None
    if not match or month is None:
        return None
    weekday = weekday_number(match["wd"]) if match["wd"] else None
    if match["wd"] and weekday is None:
        return None
    parsed = _checked_time(match) or _calendar(int(match["y"]), month, int(match["d"]))
    if parsed.date and weekday is not None and parsed.date.weekday() != weekday:
        actual = parsed.date.strftime("%A")
        return ParsedDate(
            None, f"{match['wd'].capitalize()} does not match {parsed.date}, a {actual}"
        )
    return parsed


def _parse_slash(text: str) -> ParsedDate | None:
    match = _SLASH_RE.fullmatch(text)
    if not match:
        return None
    first, second, year = int(match["a"]), int(match["b"]), int(match["y"])
    if first <= 12 and second <= 12 and first != second:
        return ParsedDate(None, "day and month order is ambiguous")
    month, day = (second, first) if first > 12 else (first, second)
    return _calendar(year, month, day)


def _checked_time(match: re.Match[str]) -> ParsedDate | None:
    if match["hh"] is None:
        return None
    if int(match["hh"]) > 23 or int(match["mi"]) > 59 or int(match["ss"] or 0) > 60:
        return ParsedDate(None, f"time {match['hh']}:{match['mi']} does not exist")
    return None


def _calendar(year: int, month: int, day: int) -> ParsedDate:
    if not 1 <= month <= 12:
        return ParsedDate(None, f"month {month} does not exist")
    try:
        return ParsedDate(dt.date(year, month, day))
    except ValueError:
        if year < 1:
            return ParsedDate(None, f"year {year} does not exist")
        name = dt.date(2000, month, 1).strftime("%B")
        return ParsedDate(None, f"{name} {year} has no day {day}")


# --- resolution ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """One value found for a field, where it was found and by which signal.

    ``span`` covers the whole signal ("Originally posted by the Voice of America");
    ``value_span`` only the value ("Voice of America"); ``value_spans`` each of
    ``values`` ("Reuters" in a credit list). Spans are ``None`` for values that do not
    come from the text (JSONL fields).
    """

    field: str
    values: tuple[str, ...]
    raw: str
    origin: str
    span: Span | None
    value_span: Span | None
    signal: str
    value_spans: tuple[Span | None, ...] = ()

    def span_of(self, value: str) -> Span | None:
        """Where ``value`` (one of ``values``) is in the text, as closely as known."""
        wanted = name_key(value)
        for candidate, span in zip(self.values, self.value_spans or (), strict=False):
            if name_key(candidate) == wanted and span is not None:
                return span
        return self.value_span or self.span

    @property
    def value(self) -> str:
        """The values as one string (``"; "``-joined when there are several)."""
        return "; ".join(self.values)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return _found_json(self)


@dataclass(frozen=True, slots=True)
class ResolvedField:
    """A field's resolved value with its origin and all the evidence behind it.

    ``values`` holds several entries for multi-valued fields (attribution) or when one
    signal names several people. ``raw`` is the text as found (dates: before being
    normalised to ``YYYY-MM-DD``; an unparseable date keeps its raw text as value).
    ``conflicts`` are the evidence whose values disagree with the chosen ones.
    """

    name: str
    values: tuple[str, ...]
    raw: str
    origin: str
    span: Span | None
    value_span: Span | None
    signal: str
    evidence: tuple[Evidence, ...]
    conflicts: tuple[Evidence, ...] = ()

    @property
    def value(self) -> str:
        """The values as one string (``"; "``-joined when there are several)."""
        return "; ".join(self.values)

    def location(self, value: str | None = None) -> Span:
        """The span that best shows ``value`` (default: the chosen value); (0, 0) if none."""
        value = self.values[0] if value is None else value
        wanted = name_key(value)
        for item in self.evidence:
            span = item.span_of(value) if wanted in {name_key(v) for v in item.values} else None
            if span is not None:
                return span
        return (0, 0)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict: value, origin, span, and the details behind them."""
        return {**_found_json(self), "conflicts": [c.to_json() for c in self.conflicts]}


def _found_json(found: Evidence | ResolvedField) -> dict[str, object]:
    """What evidence and resolved fields share in JSON: the values and where they were read."""
    return {
        "value": found.value,
        "values": list(found.values),
        "raw": found.raw,
        "origin": found.origin,
        "span": _json_span(found.span),
        "value_span": _json_span(found.value_span),
        "signal": found.signal,
    }


def _json_span(span: Span | None) -> list[int] | None:
    return None if span is None else [span[0], span[1]]


class Metadata(Mapping[str, ResolvedField]):
    """A document's resolved metadata: field name → :class:`ResolvedField` (present fields only)."""

    def __init__(self, fields: Mapping[str, ResolvedField]) -> None:
        self._fields = dict(sorted(fields.items()))

    def __getitem__(self, name: str) -> ResolvedField:
        return self._fields[_SPELLINGS.get(name, name)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _SPELLINGS.get(name, name) in self._fields

    def __repr__(self) -> str:
        return "Metadata(" + repr({k: f.value for k, f in self._fields.items()}) + ")"

    def to_json(self) -> dict[str, dict[str, object]]:
        """``{field: {"value", "origin", "span", …}}`` for the JSON results (docs/results.md)."""
        return {name: resolved.to_json() for name, resolved in self._fields.items()}

    def to_row(self) -> dict[str, dict[str, object]]:
        """Everything resolved, evidence included, as plain values (an engine row's cell).

        :meth:`from_row` gives back an equal :class:`Metadata`, so passes after the
        first and other processes read metadata without resolving it again.

        >>> from corpus_qa.documents import Document
        >>> meta = resolve(Document(id="d", path="d.txt", text="Reporting by Jane Doe."))
        >>> Metadata.from_row(meta.to_row()) == meta
        True
        """
        return {name: _resolved_row(resolved) for name, resolved in self._fields.items()}

    @classmethod
    def from_row(cls, row: Mapping[str, Mapping[str, object]]) -> Metadata:
        """The :class:`Metadata` whose :meth:`to_row` is ``row``.

        A field whose item is null is absent: a struct column (Spark, Arrow, Parquet)
        has every field of every row, null where a row has none.
        """
        return cls({str(name): _resolved_from_row(str(name), item)
                    for name, item in row.items() if item is not None})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Metadata) and self._fields == other._fields

    __hash__ = None  # type: ignore[assignment]  (mutable-looking mapping: compared by value)


def is_metadata_row(value: object) -> bool:
    """Whether ``value`` looks like :meth:`Metadata.to_row` output (not plain field -> value);
    a null item is a field the row does not have (:meth:`Metadata.from_row`)."""
    return isinstance(value, Mapping) and any(v is not None for v in value.values()) and all(
        item is None or (isinstance(item, Mapping) and "values" in item and "evidence" in item)
        for item in value.values())


def _evidence_row(item: Evidence) -> dict[str, object]:
    return {"field": item.field, "values": list(item.values), "raw": item.raw,
            "origin": item.origin, "span": _json_span(item.span),
            "value_span": _json_span(item.value_span), "signal": item.signal,
            "value_spans": [_json_span(s) for s in item.value_spans]}


def _resolved_row(item: ResolvedField) -> dict[str, object]:
    return {"values": list(item.values), "raw": item.raw, "origin": item.origin,
            "span": _json_span(item.span), "value_span": _json_span(item.value_span),
            "signal": item.signal, "evidence": [_evidence_row(e) for e in item.evidence],
            "conflicts": [_evidence_row(e) for e in item.conflicts]}


def _row_span(value: object) -> Span | None:
    if value is None:
        return None
    start, end = value  # type: ignore[misc]
    return (int(start), int(end))


def _evidence_from_row(row: Mapping[str, object]) -> Evidence:
    return Evidence(
        str(row["field"]), tuple(str(v) for v in row["values"]),  # type: ignore[attr-defined]
        str(row["raw"]), str(row["origin"]), _row_span(row["span"]),
        _row_span(row["value_span"]), str(row["signal"]),
        tuple(_row_span(s) for s in row.get("value_spans") or ()),  # type: ignore[attr-defined]
    )


def _resolved_from_row(name: str, row: Mapping[str, object]) -> ResolvedField:
    return ResolvedField(
        name, tuple(str(v) for v in row["values"]),  # type: ignore[attr-defined]
        str(row["raw"]), str(row["origin"]), _row_span(row["span"]),
        _row_span(row["value_span"]), str(row["signal"]),
        tuple(_evidence_from_row(e) for e in row["evidence"]),  # type: ignore[attr-defined]
        tuple(_evidence_from_row(e) for e in row.get("conflicts") or ()),  # type: ignore[attr-defined]
    )


def resolve(doc: Document, phrases: Phrases | None = None) -> Metadata:
    """Resolve every metadata field of ``doc`` from its fields and the signals in its text."""
    phrases = phrases if phrases is not None else _default_phrases()
    evidence: dict[str, list[Evidence]] = {}
    for item in (
        *_field_evidence(doc, phrases),
        *_text_evidence(doc.text, doc.body_start, phrases),
    ):
        evidence.setdefault(item.field, []).append(item)
    return Metadata(
        {
            name: _merge(name, items, name in phrases.multi_valued)
            for name, items in evidence.items()
        }
    )


def _field_evidence(doc: Document, phrases: Phrases) -> Iterator[Evidence]:
    for key, found in doc.fields.items():
        name = phrases.canonical(str(key))
        raw = _clean(str(found.value))
        if not name or not raw:
            continue
        values = _split(raw, phrases) if name in phrases.multi_valued else (raw,)
        if name == "date":
            values = (_date_value(raw),)
        span = _loader_span(found.span)
        signal = f"{found.origin}:{key}"
        yield Evidence(
            name, values, raw, str(found.origin), span, span, signal, (span,) * len(values)
        )


def _loader_span(span: object) -> Span | None:
    """A loader's span as a ``(start, end)`` tuple, or None."""
    if isinstance(span, tuple | list) and len(span) == 2:
        return (int(span[0]), int(span[1]))
    return None


def _text_evidence(text: str, body_start: int, phrases: Phrases) -> Iterator[Evidence]:
    start = min(max(body_start, 0), len(text))
    seen: set[tuple[str, Span | None, str]] = set()
    bylines = 0
    lowered: dict[Span, str] = {}
    # each window's answer for each trigger tested there: several signals share a
    # trigger ("cc", "creative", "public"), and a short one costs a scan of the window
    tested: dict[Span, dict[str, bool]] = {}
    windows = {where: _windows(text, start, where, phrases) for where in _WHERE}
    for signal in phrases.signals:
        if signal.kind == "byline" and bylines:
            continue
        for window in windows[signal.where]:
            if window not in lowered:
                lowered[window] = text[window[0] : window[1] + _WINDOW_MARGIN].casefold()
                tested[window] = {}
            if not signal.fires(lowered[window], tested[window]):
                continue
            for item in _signal_evidence(text, start, signal, phrases, window):
                if (item.signal, item.span, item.field) not in seen:
                    seen.add((item.signal, item.span, item.field))
                    bylines += signal.kind == "byline"
                    yield item


def _windows(text: str, start: int, where: str, phrases: Phrases) -> list[Span]:
    """The (from, to) ranges searched: a signal must start inside one; it may run past ``to``."""
    head = (start, min(len(text), start + phrases.start_window))
    tail = (max(start, len(text) - phrases.end_window), len(text))
    if where == "start":
        return [head]
    if where == "end":
        return [tail]
    return [(start, len(text))] if tail[0] <= head[1] else [head, tail]


def _signal_evidence(
    text: str, floor: int, signal: Signal, phrases: Phrases, window: Span | None = None
) -> list[Evidence]:
    lo, hi = window or (floor, len(text))
    found: list[Evidence] = []
    for match in signal.pattern.finditer(text, lo, min(len(text), hi + _WINDOW_MARGIN)):
        if match.start() >= hi:
            break
        if match.end() == match.start():
            continue
        if signal.kind == "byline":
            found += _byline(text, floor, match, signal, phrases)
            if found:
                break
            continue
        item = _evidence(match, signal, phrases)
        if item is not None:
            found.append(item)
    return found


def _evidence(match: re.Match[str], signal: Signal, phrases: Phrases) -> Evidence | None:
    has_group = "value" in match.re.groupindex and match.group("value") is not None
    value_span = match.span("value") if has_group else match.span()
    return _evidence_at(match.string, match.span(), value_span, signal, phrases)


def _evidence_at(
    text: str, span: Span, value_span: Span, signal: Signal, phrases: Phrases
) -> Evidence | None:
    """Evidence for ``signal`` whose whole text is at ``span`` and its value at ``value_span``."""
    raw = _clean(text[value_span[0] : value_span[1]])
    if signal.value is not None:
        parts = [(signal.value, value_span)]
    elif signal.field == "date":
        parts = [(_date_value(raw), value_span)]
    elif signal.field in phrases.multi_valued:
        parts = _parts(text, value_span, phrases.list_separator)
    else:
        parts = [(raw, _trimmed(text, value_span))]
    parts = [(value, where) for value, where in parts if value]
    if not parts:
        return None
    return Evidence(
        signal.field,
        tuple(v for v, _ in parts),
        raw,
        "text",
        span,
        value_span,
        signal.id,
        tuple(part_span for _, part_span in parts),
    )


def _parts(text: str, span: Span, separator: re.Pattern[str]) -> list[tuple[str, Span]]:
    """A list of names in the text ("A, B and C"), each with its own span."""
    pieces, pos = [], span[0]
    for sep in separator.finditer(text, span[0], span[1]):
        if sep.end() > sep.start():
            pieces.append((pos, sep.start()))
            pos = sep.end()
    pieces.append((pos, span[1]))
    trimmed = [_trimmed(text, piece) for piece in pieces]
    return [(_clean(text[a:b]), (a, b)) for a, b in trimmed if b > a]


_STRIP = "\"'“”‘’,;:"


def _trimmed(text: str, span: Span) -> Span:
    """``span`` without the quotes, spaces and leading lower-case "the" that ``_clean`` drops."""
    start, end = span
    while start < end and (text[start] in _STRIP or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in _STRIP or text[end - 1].isspace()):
        end -= 1
    if text.startswith("the", start) and start + 3 < end and text[start + 3].isspace():
        return _trimmed(text, (start + 4, end))
    return (start, end)


def _byline(
    text: str, floor: int, match: re.Match[str], signal: Signal, phrases: Phrases
) -> list[Evidence]:
    """Evidence from a "by X" match when it is a byline: attribution, author, title.

    Whether it is one, and where its title and names are, is decided by the shared
    detector (:func:`corpus_qa.text.headline.byline_at`), as for the boilerplate check.
    """
    headline = byline_at(match, floor=floor, small_words=phrases.title_small_words)
    if headline is None:
        return []
    item = _evidence_at(text, headline.byline, headline.names, signal, phrases)
    if item is None:
        return []
    found = [item]
    people = [
        (v, span)
        for v, span in zip(item.values, item.value_spans, strict=True)
        if _is_person(v, phrases)
    ]
    if people:
        found.append(
            Evidence(
                "author",
                tuple(v for v, _ in people),
                item.raw,
                "text",
                item.span,
                item.value_span,
                signal.id,
                tuple(span for _, span in people),
            )
        )
    title = headline.title
    if title:
        raw = _clean(text[title[0] : title[1]])
        found.append(Evidence("title", (raw,), raw, "text", title, title, signal.id, (title,)))
    return found


def byline_rules(
    phrases: Phrases | None = None,
) -> tuple[tuple[re.Pattern[str], ...], frozenset[str]]:
    """The byline regexes of a phrase list (``kind: byline``) and its title small words.

    What the boilerplate check feeds the shared detector, so that it flags as
    ``byline_in_body`` exactly the byline the resolver records as attribution.
    """
    phrases = phrases if phrases is not None else _default_phrases()
    rules = tuple(s.pattern for s in phrases.signals if s.kind == "byline")
    return rules, phrases.title_small_words


def _is_person(name: str, phrases: Phrases) -> bool:
    words = re.split(r"[\s-]+", name)
    if len(words) < 2 or any(w.casefold().strip(".,") in phrases.organisation_words for w in words):
        return False
    return not any(w.isupper() and len(w) > 1 and not w.endswith(".") for w in words)


def _precedence(item: Evidence) -> tuple[int, int]:
    """Sort key: origin first (field > front matter > header > text), then place in the text."""
    return (_RANK.get(item.origin, len(_RANK)), item.span[0] if item.span is not None else -1)


def _merge(name: str, items: list[Evidence], multi: bool) -> ResolvedField:
    ordered = tuple(sorted(items, key=_precedence))  # stable: ties keep the order found
    chosen = ordered[0]
    if multi:
        values = _unique(v for item in ordered for v in item.values)
        conflicts: tuple[Evidence, ...] = ()
    else:
        values = chosen.values
        wanted = {name_key(v) for v in values}
        conflicts = tuple(e for e in ordered[1:] if {name_key(v) for v in e.values} != wanted)
    return ResolvedField(
        name,
        values,
        chosen.raw,
        chosen.origin,
        chosen.span,
        chosen.value_span,
        chosen.signal,
        ordered,
        conflicts,
    )


def _unique(values: Iterator[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(name_key(value), value)
    return tuple(seen.values())


def _clean(value: str) -> str:
    """Whitespace collapsed, quotes and a leading lower-case "the" removed."""
    value = " ".join(value.split()).strip(_STRIP + " ")
    return _clean(value[4:]) if value.startswith("the ") else value


def _split(raw: str, phrases: Phrases) -> tuple[str, ...]:
    return tuple(v for v in (_clean(part) for part in phrases.list_separator.split(raw)) if v)


def _date_value(raw: str) -> str:
    parsed = parse_date(raw)
    return parsed.date.isoformat() if parsed.date else raw


# --- checks -------------------------------------------------------------------------


def check_has_metadata(meta: Metadata, fields: Sequence[str]) -> list[Hit]:
    """One ``missing_field`` hit per required field the document lacks."""
    if (
        isinstance(fields, str)
        or not fields
        or not all(isinstance(f, str) and f.strip() for f in fields)
    ):
        raise ValueError("fields must be a non-empty list of field names, e.g. [date, source]")
    return [
        Hit(
            "missing_field",
            f"missing required metadata field '{name}' — add it as front matter, "
            "a header line or a field",
            (0, 0),
            key=name,
        )
        for name in fields
        if name not in meta
    ]


def check_date_valid(
    meta: Metadata,
    min_date: str | dt.date | None = None,
    max_date: str | dt.date | None = None,
    today: dt.date | None = None,
) -> list[Hit]:
    """``invalid_date``, ``future_date`` or ``date_out_of_range`` for the date; none if absent."""
    low, high = date_bounds(min_date, max_date)
    if "date" not in meta:
        return []
    resolved = meta["date"]
    parsed = parse_date(resolved.raw)
    if parsed.date is None:
        return [
            Hit(
                "invalid_date",
                f"date '{resolved.raw}' is not a valid date ({parsed.problem}) "
                "— write it as YYYY-MM-DD",
                resolved.location(),  # looked for only when there is a hit
            )
        ]
    today = today or dt.date.today()
    if parsed.date > today:
        return [
            Hit(
                "future_date",
                f"date {parsed.date} is in the future (today is {today}) — check the year",
                resolved.location(),
            )
        ]
    if low and parsed.date < low:
        return [
            Hit(
                "date_out_of_range",
                f"date {parsed.date} is before min_date {low} "
                "— check the date or the suite's min_date",
                resolved.location(),
            )
        ]
    if high and parsed.date > high:
        return [
            Hit(
                "date_out_of_range",
                f"date {parsed.date} is after max_date {high} "
                "— check the date or the suite's max_date",
                resolved.location(),
            )
        ]
    return []


def date_bounds(min_date: str | dt.date | None,
                max_date: str | dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """``min_date`` and ``max_date`` as dates; ``ValueError`` naming the bad one.

    >>> date_bounds("2020-01-01", None)
    (datetime.date(2020, 1, 1), None)
    """
    low, high = _bound("min_date", min_date), _bound("max_date", max_date)
    if low and high and low > high:
        raise ValueError(f"min_date {low} is after max_date {high}")
    return low, high


def _bound(name: str, value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    parsed = parse_date(str(value)) if isinstance(value, str) else ParsedDate(None)
    if parsed.date is None:
        raise ValueError(f"{name} {value!r} is not a date; write it as YYYY-MM-DD")
    return parsed.date


def check_metadata_matches(
    meta: Metadata, field: str, allowed: Sequence[str] | None = None, pattern: str | None = None
) -> list[Hit]:
    """``metadata_mismatch`` per value of ``field`` outside ``allowed`` or not matching ``pattern``.

    ``allowed`` compares ignoring case, spacing, dots and a leading "The"; ``pattern`` is
    searched anywhere in the value (as in GX's regex expectations; anchor it with ^…$).
    With both, a value must satisfy both. A document without the field is skipped.
    """
    if allowed is None and pattern is None:
        raise ValueError("give 'allowed' (a list of values) or 'pattern' (a regex), or both")
    if isinstance(allowed, str):
        raise ValueError("allowed must be a list of values, not one string")
    try:
        regex = re.compile(pattern) if pattern is not None else None
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} is not a valid regex: {exc}") from exc
    if field not in meta:
        return []
    resolved = meta[field]
    keys = {name_key(a) for a in allowed} if allowed is not None else None
    hits = []
    for value in resolved.values:
        if keys is not None and name_key(value) not in keys:
            shown = ", ".join(repr(a) for a in allowed or ())
            hits.append(
                Hit(
                    "metadata_mismatch",
                    f"{resolved.name} {value!r} is not one of the "
                    f"allowed values ({shown}) — correct it or allow it in the suite",
                    resolved.location(value),
                )
            )
        elif regex is not None and not regex.search(value):
            hits.append(
                Hit(
                    "metadata_mismatch",
                    f"{resolved.name} {value!r} does not match "
                    f"/{pattern}/ — correct it or widen the pattern in the suite",
                    resolved.location(value),
                )
            )
    return hits
