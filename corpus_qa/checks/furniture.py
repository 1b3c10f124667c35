"""Page furniture: a line classifier that does not depend on one exact wording.

The pattern lists (:mod:`corpus_qa.checks.boilerplate`) name boilerplate line by line;
real pages word their cookie banners, share rows and footers a thousand ways in many
languages. This module scores each line of the body by **cues** and says which fired:

- vocabulary cues from a steward-editable list (``corpus_qa/data/furniture_cues.yml``,
  loaded by the pattern lists' loader): © and rights-reserved formulas, cookie/privacy/
  consent words, imperative UI verbs (share, teilen, partager, compartir …), newsletter
  and form words, social network rows, counters, ad markers, "powered by" …;
- shape cues computed here: ``short`` (few words), ``fragment`` (no sentence end),
  ``edge`` (in the leading or trailing block of the body), ``glued`` (UI words run
  together: "AkzeptierenMehr Informationen", "zu.Akzeptieren", "0Teilen"),
  ``separators`` (a row of ``|`` / ``•`` items), ``headline`` (a Title-Case line
  without a sentence end in the trailing block: a related-story link), ``block`` (one
  of a run of headline-like lines at an edge — three or more, mostly Title Case, or any
  run under a "related"/"more on" navigation line: a block of links to other stories);
- and what speaks against furniture: a line that **is a sentence** (``min_sentence_words``
  words or more, ending in . ! ? …) loses ``sentence_penalty``; one opening with a
  quotation mark is speech and is never flagged.

A line scoring ``sure`` or more is ``page_furniture``; one scoring ``possible`` (but less
than ``sure``) is ``possible_furniture``, which the default suite reports at warning
level through its own expectation. Every finding names its cues::

    page furniture "Teilen auf Facebook: 0Teilen auf Twitter: 0 WhatsApp Teilen…"
    (cues: ui_verb, social, glued, fragment, edge; score 9) — remove

Pure: text in, :class:`~corpus_qa.findings.Hit` list out; no GX, pandas or I/O at import
(the cue list is read by :func:`load_default_cues`, once per process).
"""

from __future__ import annotations

import functools
import re
import re._constants as sre_constants  # the parser's opcodes (stable since Python 3.11)
import re._parser as sre_parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_qa.checks.boilerplate import (
    DEFAULT_LEADING_CHARS,
    DEFAULT_TRAILING_CHARS,
    METADATA_FIELDS,
    PatternError,
    check_regex,
    did_you_mean,
    load_entry_list,
    scoped_flags,
)
from corpus_qa.data import ListRef, resolve_data_path
from corpus_qa.findings import Hit
from corpus_qa.metadata import byline_rules
from corpus_qa.text.headline import is_title_case
from corpus_qa.text.segment import line_spans
from corpus_qa.text.substrings import Substrings
from corpus_qa.vetcache import save
from corpus_qa.yamlfile import Located

CUE_KEYS = ("id", "cue", "weight", "phrase", "regex", "at", "lang", "trigger", "example", "note")
AT = ("anywhere", "start", "end")
"""Where in a line a cue entry must match: anywhere, at its start, or at its end."""

SHAPE_CUES = (
    "short", "fragment", "edge", "lowercase_start", "glued", "separators", "headline", "block",
)
"""The cues computed from a line's shape and position (not from the list)."""

_WEAK_SHAPES = frozenset({"short", "fragment", "edge", "lowercase_start", "headline"})
DEFAULT_CUES_FILE = "furniture_cues.yml"

_LEAD = re.compile(r"[\s•·*▪►‣◦>»›–—\-]*")
_TRAIL = re.compile(r"[\s.!?:;…»›→•·*|–—-]*$")
_SENTENCE_END = re.compile(r"(?:[.!?…]|\.\.\.)[\"'”’»)\]]*$")
_QUOTE_OPENERS = "\"“„«‘'"
_WORDS = re.compile(r"[^\W_][\w'’.-]*")
_SEPARATOR = re.compile(r"\s[|•·]\s|\s[|•·]$")
# "Cookies zu.Akzeptieren", "Facebook: 0Teilen", "JaNeinErfahren": UI labels whose spaces
# the scraper lost. A lower-case letter then a capitalised word of 3+ letters inside one
# token counts only for tokens of 12+ letters or with two such joints, so brand names
# ("WordPress", "YouTube", "McKelvey") are not glue.
# Each is asked from its rarest character (the punctuation, the digit, the capital): a
# pattern that opens with a character class is searched by skipping to that class, where
# one that opens with a repeat or a look-behind is tried at every position of the line.
_PUNCT_GLUE = re.compile(r"[.!?:](?<=[a-zäöüßéèàç]{2}[.!?:])(?=[A-ZÄÖÜÉ]{1,3}[a-zäöüéèà]{2})")
_DIGIT_GLUE = re.compile(r"\d(?<![\w.,]\d)\d*[A-ZÄÖÜÉ][a-zäöüéèà]{3,}")
_CAMEL_JOINT = re.compile(r"[a-zäöüßéèà][A-ZÄÖÜÉ][a-zäöüéèà]{2}")
_CAMEL_JOINT_IN = re.compile(r"[A-ZÄÖÜÉ](?<=[a-zäöüßéèà][A-ZÄÖÜÉ])[a-zäöüéèà]{2}")
"""Whether a line holds a _CAMEL_JOINT (the joints of a token are counted with that one)."""
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Cue:
    """One validated entry of a cue list."""

    id: str
    cue: str
    weight: int
    source: str  # the regular expression (a phrase is compiled to one)
    at: str
    example: str
    lang: tuple[str, ...] = ()
    note: str | None = None
    path: str = "<memory>"
    line: int = 1
    trigger: tuple[str, ...] = ()
    """Lower-case strings one of which every line the entry fires on contains."""


@dataclass(frozen=True, slots=True)
class FurnitureSettings:
    """The classifier's thresholds; the defaults are the ones measured in docs/boilerplate.md."""

    sure: int = 4
    """Score from which a line is ``page_furniture``."""
    possible: int = 3
    """Score from which a line is ``possible_furniture`` (below ``sure``)."""
    short_words: int = 8
    """A line of at most this many words is ``short`` (+1)."""
    min_sentence_words: int = 10
    """A line of at least this many words that ends like a sentence loses ``sentence_penalty``."""
    sentence_penalty: int = 2
    long_sentence_words: int = 20
    """… and one of at least this many words loses ``long_sentence_penalty``."""
    long_sentence_penalty: int = 3
    max_chars: int = 300
    """Longer lines are not judged: furniture lines are short (the longest of the 113 in the
    development set has 247 characters), and skipping paragraphs keeps the check cheap."""
    leading_chars: int = DEFAULT_LEADING_CHARS
    trailing_chars: int = DEFAULT_TRAILING_CHARS

    def __post_init__(self) -> None:
        if not 1 <= self.possible <= self.sure:
            raise ValueError(
                f"need 1 <= possible <= sure, got possible={self.possible}, sure={self.sure}"
            )


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the classifier says about one line: its score and the cues that fired."""

    score: int
    cues: tuple[str, ...]
    reason: str | None  # page_furniture, possible_furniture, or None


class CueSet:
    """Validated cues, compiled once: one alternation per position (anywhere/start/end)."""

    def __init__(self, cues: Iterable[Cue], settings: FurnitureSettings | None = None) -> None:
        self.cues: tuple[Cue, ...] = tuple(cues)
        self.settings = settings or FurnitureSettings()
        self._by_group = {f"_c{i}": c for i, c in enumerate(self.cues)}
        self._triggers: dict[re.Pattern[str], tuple[str, ...]] = {}
        self._anywhere = self._compile("anywhere")
        self._start = self._compile("start")
        self._end = self._compile("end")
        # Each "end" alternation matches only at the end of the line: searching it from
        # its longest match (and a line break) before the end finds the same match
        # without trying every position of a long line.
        self._end_reach = [(r, _longest(r.pattern)) for r in self._end]
        first = {r: self._by_group[next(iter(r.groupindex))] for r in self._anywhere}
        self._cue_of = {r: c.cue for r, c in first.items()}
        self._weight_of = {r: c.weight for r, c in first.items()}
        rules, small = byline_rules()
        self._small_words = small
        # The "anywhere" regexes with what :meth:`fired` needs of each (cue, weight,
        # triggers), in one tuple: no dict look-ups per regex and line.
        self._plan = tuple(
            (r, self._cue_of[r], self._weight_of[r], frozenset(self._triggers[r]))
            for r in self._anywhere
        )
        # Which triggers a line holds, all found in one search of their trie instead of a
        # substring test each (~300 of them: most of the classifier's time on a line).
        self._trigger_set = Substrings(t for ts in self._triggers.values() for t in ts)

    def _compile(self, at: str) -> list[re.Pattern[str]]:
        # "start" and "end" entries are one alternation each (one match attempt); the
        # "anywhere" entries are one regex each, since every entry that fires counts (one
        # alternation of them all, as a prefilter, measured no faster: ~0.5 ms a line).
        entries = [(i, c) for i, c in enumerate(self.cues) if c.at == at]
        if not entries:
            return []
        if at == "start":
            return [re.compile("|".join(f"(?P<_c{i}>{scoped_flags(c.source)})"
                                        for i, c in entries))]
        if at == "end":
            return [
                re.compile("|".join(f"(?P<_c{i}>{scoped_flags(c.source)})$" for i, c in entries))
            ]
        # Entries without a trigger, of one cue and weight, are merged into one regex (a
        # cue scores its highest weight once, so which of them fired does not matter);
        # an entry with a trigger is its own regex, run only when a trigger is present
        # (an alternation of case-insensitive words costs ~20–100 µs a line; ``in`` ~0.1).
        merged: dict[tuple[str, int, tuple[str, ...], int], list[int]] = {}
        for i, c in entries:
            merged.setdefault((c.cue, c.weight, c.trigger, i if c.trigger else -1), []).append(i)
        order = sorted(merged, key=lambda k: -k[1])
        compiled = []
        for key in order:
            regex = re.compile("|".join(f"(?P<_c{i}>{scoped_flags(self.cues[i].source)})"
                                        for i in merged[key]))
            self._triggers[regex] = key[2]
            compiled.append(regex)
        return compiled

    def __len__(self) -> int:
        return len(self.cues)

    def __iter__(self) -> Iterator[Cue]:
        return iter(self.cues)

    def __reduce__(self) -> tuple[Any, ...]:  # pickle the cues, recompile on load
        return (CueSet, (self.cues, self.settings))

    def fired(self, line: str, *, strong_first: bool = False) -> dict[str, int]:
        """The list's cues that fire on ``line``: cue name -> its highest weight.

        ``strong_first``: look for the weak cues (weight 1–2) only if a strong one
        (3–4) fired — for long sentences, which weak cues alone cannot make furniture.
        """
        found: dict[str, int] = {}

        def add(cue: Cue) -> None:
            if found.get(cue.cue, 0) < cue.weight:
                found[cue.cue] = cue.weight

        core_start = _LEAD.match(line).end()  # type: ignore[union-attr]
        core_end = _trail_start(line, core_start)
        core = line[core_start:core_end]
        for regex in self._start:
            # at the start of the line, and of each later sentence of it ("… Spam zu
            # reduzieren. Erfahre mehr …"): UI lines are runs of short imperatives
            for pos in _sentence_starts(core):
                if core[pos : pos + 1].islower():
                    continue  # a UI label starts with a capital; "more about …" is prose
                m = regex.match(core, pos)
                if m and m.lastgroup:
                    add(self._by_group[m.lastgroup])
        for regex, longest in self._end_reach:
            m = regex.search(core, 0 if longest is None else max(0, len(core) - longest - 1))
            if m and m.lastgroup:
                add(self._by_group[m.lastgroup])
        held: set[str] | None = None  # the triggers the lower-cased line holds
        for regex, cue, weight, trigger in self._plan:  # highest weights first
            if strong_first and not found and weight < 3:
                break
            if cue in found:
                continue
            if trigger:
                if held is None:
                    held = self._trigger_set.present(line.lower())
                if held.isdisjoint(trigger):
                    continue  # no trigger in the line: the regex cannot fire
            m = regex.search(line)
            if m and m.lastgroup:
                add(self._by_group[m.lastgroup])
        return found

    def classify(
        self, line: str, *, edge: bool = False, trailing: bool = False, block: bool = False
    ) -> Verdict:
        """Score one line (without its line break); ``edge``: it lies in the leading or
        trailing block of the body, ``trailing``: in the trailing block, ``block``: it is
        one of a block of links to other stories (:func:`link_blocks`).

        >>> cues = load_default_cues()
        >>> cues.classify("Teilen auf Facebook: 0Teilen auf Twitter: 0", edge=True).reason
        'page_furniture'
        >>> cues.classify("Maybe this shared state wasn't in my code.", edge=True).reason
        """
        s = self.settings
        stripped = line.strip()
        if not stripped or len(stripped) > s.max_chars or stripped[0] in _QUOTE_OPENERS:
            return Verdict(0, (), None)
        words = _WORDS.findall(stripped)
        ends_sentence = _ends_like_sentence(stripped)
        long_sentence = ends_sentence and len(words) >= s.long_sentence_words
        scores = self.fired(stripped, strong_first=long_sentence)
        if len(words) <= s.short_words:
            scores["short"] = 1
        if not ends_sentence:
            scores["fragment"] = 1
        if edge:
            scores["edge"] = 1
        vocabulary_cues = [n for n in scores if n not in SHAPE_CUES]
        if scores.get("ui_verb") == 2 and stripped.endswith(".") and len(vocabulary_cues) == 1:
            # "Like other officials, he declined." / "Share prices fell.": a sentence that
            # starts with a UI verb and has no other cue is weak evidence.
            scores["ui_verb"] = 1
        if stripped[0].islower():
            scores["lowercase_start"] = 1
        if _glued(stripped):
            scores["glued"] = 2
        if len(_SEPARATOR.findall(stripped)) >= 2:
            scores["separators"] = 2
        if (
            trailing
            and not ends_sentence
            and len(words) >= 3
            and is_title_case(stripped.split(), self._small_words)
        ):
            scores["headline"] = 1
        if block and not ends_sentence:
            scores["block"] = 2
        # Glue and separator rows are evidence of a page's UI, not just of a short line.
        vocabulary = any(name not in _WEAK_SHAPES for name in scores)
        score = sum(scores.values())
        if long_sentence:
            score -= s.long_sentence_penalty
        elif ends_sentence and len(words) >= s.min_sentence_words:
            score -= s.sentence_penalty
        # A cue of weight 4 (©, "All rights reserved", a link-liability formula) is sure
        # on its own, whatever the shape of the line.
        if max(scores.values(), default=0) >= 4 and any(
            scores[n] >= 4 for n in scores if n not in SHAPE_CUES
        ):
            score = max(score, s.sure)
        # Shape alone (a short subhead, a headline link) is never sure: at most possible.
        if not vocabulary:
            score = min(score, s.possible)
        reason = None
        if score >= s.sure:
            reason = "page_furniture"
        elif score >= s.possible:
            reason = "possible_furniture"
        order = sorted(scores, key=lambda n: (-scores[n], n))
        return Verdict(score, tuple(order), reason)

    def find(
        self,
        text: str,
        *,
        body_start: int = 0,
        skip: Sequence[tuple[int, int]] = (),
        possible: bool = True,
        lines: Sequence[tuple[int, int]] | None = None,
    ) -> list[Hit]:
        """One hit per line of the body the classifier calls furniture.

        ``skip``: spans already reported (by the pattern lists), whose lines are not judged
        again. ``possible=False`` leaves out ``possible_furniture``. A one-line body is
        not judged (its units are sentences of prose; see docs/boilerplate.md).
        ``lines``: ``line_spans(text, body_start)`` when the caller has them already.
        """
        if lines is None:
            lines = line_spans(text, body_start)
        if len(lines) < 2:
            return []
        lines = units_of(text, list(lines))
        s = self.settings
        lead_end = body_start + s.leading_chars
        trail_start = len(text.rstrip()) - s.trailing_chars
        hits = []
        blocks = self.link_blocks(text, lines, lead_end, trail_start)
        for start, end in lines:
            if end - start > s.max_chars:
                continue
            if any(start < e and b < end for b, e in skip):
                continue
            if _METADATA_LINE.match(text, start, end):
                continue
            trailing = end > trail_start
            edge = start < lead_end or trailing
            if not edge and _long_sentence(text, start, end, s.long_sentence_words):
                # In the middle of the article a long sentence cannot reach the threshold
                # unless a weight-4 cue fires; not judging it keeps the check cheap.
                continue
            verdict = self.classify(
                text[start:end], edge=edge, trailing=trailing, block=(start, end) in blocks
            )
            if verdict.reason is None or (not possible and verdict.reason != "page_furniture"):
                continue
            hits.append(Hit(verdict.reason, _message(text[start:end], verdict), (start, end)))
        return hits

    def link_blocks(
        self, text: str, lines: list[tuple[int, int]], lead_end: int, trail_start: int
    ) -> set[tuple[int, int]]:
        """The lines at the edges of the body that form a block of links to other stories.

        A run of adjacent headline-like lines (no sentence end, 3 to 20 words, not starting
        in lower case) in the leading or trailing block is a block when it has three or more
        lines, most of them Title Case, or when the line just before it is a navigation
        label ("Related stories", "Mehr zum Thema", "À lire aussi" …). One headline alone is
        only ``headline``; a list of items in the article's prose (ending in full stops) is
        not headline-like.
        """
        block: set[tuple[int, int]] = set()
        run: list[tuple[int, int]] = []
        titled = 0
        after_label = False
        for start, end in lines:
            edge = start < lead_end or end > trail_start
            line = text[start:end].strip() if edge else ""
            if not line or end - start > self.settings.max_chars:
                headline_like = label = False
            else:
                words = line.split()
                # a navigation label is short; the cue list says which ones (stewards)
                label = len(words) <= 6 and "navigation" in self.fired(line)
                headline_like = (
                    not label
                    and 3 <= len(words) <= 20
                    and not line[0].islower()
                    and line[0] not in _QUOTE_OPENERS
                    and not _ends_like_sentence(line)
                    and _METADATA_LINE.match(text, start, end) is None
                )
            if headline_like:
                run.append((start, end))
                titled += is_title_case(line.split(), self._small_words)
                continue
            if run and (after_label or (len(run) >= 3 and 2 * titled > len(run))):
                block.update(run)
            run, titled, after_label = [], 0, label
        if run and (after_label or (len(run) >= 3 and 2 * titled > len(run))):
            block.update(run)
        return block


def _longest(pattern: str) -> int | None:
    """The longest text ``pattern`` can match, in characters (None: unbounded)."""
    high = sre_parse.parse(pattern).getwidth()[1]
    return None if high >= sre_constants.MAXREPEAT else int(high)


WRAP_WIDTH = 120
"""Hard-wrapped text has lines of at most this many characters (and most near the max)."""


def units_of(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    r"""The units the classifier judges: the lines, or the paragraphs of hard-wrapped text.

    A text is hard-wrapped when most lines that run straight on into the next (no blank
    line between) end within 25 characters of its longest line, itself at most
    ``WRAP_WIDTH``: a wrapped line is a piece of a paragraph, not a line of the page.

    >>> t = "Intro.\n\n" + "word " * 14 + "\n" + "word " * 14 + "\n" + "word " * 14 + "\nend."
    >>> len(units_of(t, line_spans(t)))
    2
    """
    if len(lines) < 4:
        return lines
    width = max(e - s for s, e in lines)
    if width > WRAP_WIDTH:
        return lines
    runs_on = [
        (s, e) for (s, e), (nxt, _) in zip(lines, lines[1:], strict=False)
        if text.count("\n", e, nxt) == 1
    ]
    wrapped = [span for span in runs_on if span[1] - span[0] >= width - 25]
    if len(wrapped) < 3 or 2 * len(wrapped) < len(runs_on):
        return lines
    units = [lines[0]]
    for s, e in lines[1:]:
        if text.count("\n", units[-1][1], s) == 1:
            units[-1] = (units[-1][0], e)
        else:
            units.append((s, e))
    return units


_TRAIL_CHARS = frozenset(".!?:;…»›→•·*|–—-")  # _TRAIL's class without \s
_CLOSERS = "\"'”’»)]"  # what _SENTENCE_END allows after the mark


def _trail_start(line: str, start: int) -> int:
    """Where ``_TRAIL`` matches in ``line`` from ``start`` (the trailing run of white space
    and marks), found from the end instead of trying every position."""
    end = len(line)
    while end > start and (line[end - 1] in _TRAIL_CHARS or line[end - 1].isspace()):
        end -= 1
    return end


def _ends_like_sentence(line: str) -> bool:
    """Whether ``_SENTENCE_END`` matches in ``line`` (a mark, then closing quotes or
    brackets, at the end or before a final line break), read from the end."""
    bodies = (line, line[:-1]) if line.endswith("\n") else (line,)
    return any(body.rstrip(_CLOSERS)[-1:] in (".", "!", "?", "…") for body in bodies)


def _long_sentence(text: str, start: int, end: int, min_words: int) -> bool:
    """Whether ``text[start:end]`` ends like a sentence and has at least ``min_words`` words
    (counted by spaces: cheap, and exact enough for a gate)."""
    if _SENTENCE_END.search(text, max(start, end - 8), end) is None:
        return False
    return text.count(" ", start, end) + 1 >= min_words


def _message(line: str, verdict: Verdict) -> str:
    shown = " ".join(line.split())
    shown = shown if len(shown) <= 60 else shown[:59].rstrip() + "…"
    cues = ", ".join(verdict.cues)
    if verdict.reason == "page_furniture":
        return f'page furniture "{shown}" (cues: {cues}; score {verdict.score}) — remove'
    return (
        f'possible page furniture "{shown}" (cues: {cues}; score {verdict.score}) '
        "— remove it if it is not article text"
    )


# "date: 2021-03-26", "source Voice of America": a metadata field written into the text,
# which the metadata resolver reads; not furniture (it would be reported twice).
_METADATA_LINE = re.compile(
    r"(?i)(?:(?:" + "|".join(METADATA_FIELDS) + r"|license)\s*[:=]|date\s+(?=\d))\s*\S[^\n]{0,100}$"
)
_NEXT_SENTENCE = re.compile(r"[.!?…][\"'”’»)]*\s+(?=\S)")


def _sentence_starts(line: str) -> Iterator[int]:
    yield 0
    for m in _NEXT_SENTENCE.finditer(line):
        yield m.end()


def _glued(line: str) -> bool:
    if _PUNCT_GLUE.search(line) or _DIGIT_GLUE.search(line):
        return True
    if _CAMEL_JOINT_IN.search(line) is None:
        return False  # a joint has no white space, so it lies in one token: none has one
    for token in _TOKEN.findall(line):
        joints = len(_CAMEL_JOINT.findall(token))
        if joints >= 2 or (joints == 1 and len(token.strip(".,:;!?()[]")) >= 12):
            return True
    return False




# --- loading ------------------------------------------------------------------------


def default_cue_path() -> Path:
    """The cue list shipped with the package (``builtin:furniture_cues.yml``)."""
    return resolve_data_path(f"builtin:{DEFAULT_CUES_FILE}")


@functools.lru_cache(maxsize=1)
def load_default_cues() -> CueSet:
    """The packaged cue list, loaded and validated (once per process)."""
    return load_cues([default_cue_path()])


def load_cues(
    paths: Sequence[ListRef | Path], settings: FurnitureSettings | None = None
) -> CueSet:
    """Load and validate cue files in order; a mistake raises :class:`PatternError`."""
    cues: list[Cue] = []
    seen: dict[str, Cue] = {}
    for path in paths:
        doc, entries = load_entry_list(path, "cues")
        for index, entry in enumerate(entries):
            cue = _parse_cue(doc, index, entry)
            if cue.id in seen:
                first = seen[cue.id]
                raise PatternError(
                    cue.path, cue.line, "id",
                    f"duplicate cue id '{cue.id}' (first defined at {first.path}:{first.line})",
                )
            seen[cue.id] = cue
            cues.append(cue)
    save()  # what checking the regexes proved, for the next run (corpus_qa.vetcache)
    return CueSet(cues, settings)


def _parse_cue(doc: Located, index: int, entry: Any) -> Cue:
    def fail(key: str, problem: str) -> PatternError:
        return PatternError(doc.path, doc.line("cues", index, key), key, problem)

    if not isinstance(entry, dict):
        raise fail("cues", "each cue must be a mapping with id, cue, weight, phrase or regex, "
                           "example")
    for key in entry:
        if key not in CUE_KEYS:
            raise fail(str(key), "unknown key" + did_you_mean(str(key), CUE_KEYS))
    for key in ("id", "cue", "weight", "example"):
        if key not in entry:
            raise fail(key, "missing (every cue needs id, cue, weight and example)")
    for key in ("id", "cue", "example", "phrase", "regex", "note", "at"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise fail(key, f"must be a non-empty string (got {entry[key]!r}; quote it in YAML)")
    for key in ("id", "cue"):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", entry[key]):
            raise fail(key, f"'{entry[key]}' must be snake_case (a-z, 0-9, _)")
    if entry["cue"] in SHAPE_CUES:
        raise fail("cue", f"'{entry['cue']}' is a shape cue computed by the classifier; "
                          "name the vocabulary cue differently")
    weight = entry["weight"]
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 4:
        raise fail("weight", f"must be a whole number from 1 to 4 (got {weight!r})")
    at = entry.get("at", "anywhere")
    if at not in AT:
        raise fail("at", f"unknown position '{at}'" + did_you_mean(str(at), AT))
    if ("phrase" in entry) == ("regex" in entry):
        raise fail("regex" if "regex" in entry else "phrase",
                   "give exactly one of 'phrase' or 'regex'")
    lang = entry.get("lang", [])
    if not isinstance(lang, list) or not all(isinstance(x, str) for x in lang):
        raise fail("lang", f"must be a list of language codes (got {lang!r})")
    trigger = entry.get("trigger", [])
    trigger = [trigger] if isinstance(trigger, str) else trigger
    if not isinstance(trigger, list) or not all(isinstance(t, str) and t for t in trigger):
        raise fail("trigger", f"must be a string or a list of non-empty strings (got {trigger!r})")
    if "phrase" in entry:
        words = [re.sub(r"['’]", "['’]", re.escape(w)) for w in entry["phrase"].split()]
        source = r"(?i:\b" + r"\s+".join(words) + r"\b)"
    else:
        source = check_regex(entry["regex"], fail)
    cue = Cue(
        id=entry["id"], cue=entry["cue"], weight=weight, source=source, at=at,
        example=entry["example"].strip(), lang=tuple(lang), note=entry.get("note"),
        path=doc.path, line=doc.line("cues", index),
        trigger=tuple(t.lower() for t in trigger),
    )
    if not CueSet([cue]).fired(cue.example):
        raise fail("example", f"the cue does not fire on its own example {cue.example!r}"
                              + (" (is a trigger missing?)" if cue.trigger else ""))
    return cue
