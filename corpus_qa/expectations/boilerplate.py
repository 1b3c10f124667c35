"""Boilerplate expectations: syndication and licence notices, calls to action, cookie and
legal lines, page furniture, a title and byline glued into the body, flattened
paragraphs, and lines repeated across the stories of a corpus.

Pattern lists are YAML files; a suite names the lists it uses — packaged ones as
``builtin:boilerplate/NAME.yml``, its own relative to the suite file (``docs/suites.md``).
So is the furniture classifier's cue list (``builtin:furniture_cues.yml``, parameter
``cues``): its sure lines (``page_furniture``) are boilerplate; its ambiguous ones
(``possible_furniture``) have their own expectation, which the default suite runs at
warning level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from great_expectations.compatibility.pydantic import validator

from corpus_qa.checks import boilerplate as bp
from corpus_qa.checks import furniture as fu
from corpus_qa.data import ListRef, embedded, is_builtin, list_ref, resolve_data_path
from corpus_qa.expectations.base import CorpusExpectation, memoized, register_condition
from corpus_qa.findings import Checked, Hit
from corpus_qa.sources.text import body_start_of
from corpus_qa.text.segment import line_spans

Lists = list[str | dict[str, str]] | None
"""A ``patterns``/``cues`` parameter: list files (paths or ``builtin:`` names), or lists
embedded by ``corpus-qa export-gx`` (``{"file", "text"}``)."""


def _refs(given: Lists) -> tuple[ListRef, ...]:
    """The parameter as hashable references (the loaded lists are cached by them)."""
    return tuple(list_ref(item) for item in given or ())


@lru_cache(maxsize=16)
def _loaded_patterns(refs: tuple[ListRef, ...]) -> bp.PatternSet:
    return bp.load_patterns(list(refs)) if refs else bp.load_default_patterns()


def _patterns(given: Lists) -> bp.PatternSet:
    return _loaded_patterns(_refs(given))


def _document(value: Any) -> tuple[str, int]:
    """The text and where its body starts: from the runner's ``body`` cell
    (``{"text", "body_start"}``: the header was read once, by the loader), or from a
    plain text (a GX user's column), whose front matter or header is read here."""
    if isinstance(value, Mapping):
        text = value.get("text")
        text = text if isinstance(text, str) else ""
        start = value.get("body_start")
        return text, start if isinstance(start, int) else body_start_of(text)
    text = value if isinstance(value, str) else ""
    return text, body_start_of(text)


@lru_cache(maxsize=16)
def _loaded_cues(refs: tuple[ListRef, ...]) -> fu.CueSet:
    return fu.load_cues(list(refs)) if refs else fu.load_default_cues()


def _cues(given: Lists) -> fu.CueSet:
    return _loaded_cues(_refs(given))


def _lines(text: str, body_start: int) -> list[tuple[int, int]]:
    """The body's lines (``line_spans``), split once per document while GX validates a
    batch: the pattern lists, the furniture classifier and the paragraph check read them."""
    return memoized(("lines", body_start, text), lambda: line_spans(text, body_start))


def _classified(text: str, body_start: int, cues: Lists) -> list[Hit]:
    """The furniture classifier's lines of one document, sure and possible.

    Both furniture expectations read them (the sure lines are boilerplate, the possible
    ones have their own expectation): while GX validates a batch they are found once per
    document (:func:`~corpus_qa.expectations.base.memoized`).
    """
    refs = _refs(cues)
    found = _loaded_cues(refs)
    return memoized(("furniture", refs, body_start, text),
                    lambda: found.find(text, body_start=body_start,
                                       lines=_lines(text, body_start)))


def _pattern_hits(text: str, body_start: int, patterns: Lists) -> list[Hit]:
    """The pattern lists' hits on one document (``find_boilerplate``), found once per
    document while GX validates a batch: both boilerplate expectations read them."""
    refs = _refs(patterns)
    return memoized(("patterns", refs, body_start, text),
                    lambda: bp.find_boilerplate(text, _loaded_patterns(refs),
                                                body_start=body_start,
                                                lines=_lines(text, body_start)))


def _header_hits(text: str, body_start: int) -> list[Hit]:
    """The glued title and byline of one document (``find_glued_header``), found once per
    document while GX validates a batch: both boilerplate expectations read them."""
    return memoized(("header", body_start, text),
                    lambda: bp.find_glued_header(text, body_start=body_start))


def boilerplate_hits(value: Any, patterns: Lists, cues: Lists) -> list[Hit]:
    """What the expectation reports for one row's ``text`` cell (text and body start),
    with the suite's pattern and cue lists (``None``: the default lists)."""
    text, body_start = _document(value)
    return bp.find_document_boilerplate(text, _patterns(patterns),
                                        body_start=body_start,
                                        furniture=_cues(cues),
                                        classified=_classified(text, body_start, cues),
                                        lines=_lines(text, body_start),
                                        found=(_pattern_hits(text, body_start, patterns),
                                               _header_hits(text, body_start)))


def _possible_furniture(
    value: Any, patterns: Lists, cues: Lists
) -> list[Hit]:
    """The classifier's ambiguous lines, leaving out every line the boilerplate
    expectation reports (one defect, one finding).

    The classifier's sure lines are never ``possible``; the pattern and header hits
    are looked for only when there is a candidate (rare), and are the ones the
    boilerplate expectation found on the same row (shared while GX validates a batch).
    """
    text, body_start = _document(value)
    candidates = [h for h in _classified(text, body_start, cues)
                  if h.reason == "possible_furniture"]
    if not candidates:
        return []
    taken = [h.span for h in _pattern_hits(text, body_start, patterns)]
    taken += [h.span for h in _header_hits(text, body_start)]
    return [h for h in candidates
            if all(h.span[1] <= s or h.span[0] >= e for s, e in taken)]


def _check_cues(cues: Lists) -> Lists:
    if cues is not None and not cues:
        raise ValueError("give at least one cue list file, or leave it out")
    # A bad file raises PatternError (file:line). The packaged list is loaded here too, as
    # the suite is read: the workers forked after it share it, instead of each loading it
    # (~60 ms of CPU) at its first document.
    _cues(cues)
    return cues


def _embed(kwargs: dict[str, Any], base: Path) -> dict[str, Any]:
    """The parameters with every user list file embedded (see :func:`embedded`)."""
    return {**kwargs, **{key: [embedded(list_ref(item), base) for item in kwargs[key]]
                         for key in ("patterns", "cues") if kwargs.get(key)}}


def _resolve(kwargs: dict[str, Any], base: Path) -> dict[str, Any]:
    """Relative list paths start at the suite's folder; ``builtin:`` names are checked
    (a wrong one raises :class:`~corpus_qa.data.DataRefError`) and kept as written."""
    for key in ("patterns", "cues"):
        given = kwargs.get(key)
        if isinstance(given, list) and all(isinstance(p, str) for p in given):
            resolved = [resolve_data_path(p, base) for p in given]
            kwargs = {**kwargs, key: [
                p if is_builtin(p) else str(r) for p, r in zip(given, resolved, strict=True)]}
    return kwargs


def _flattened(value: Any, max_chars_without_break: int) -> list[Hit]:
    text, body_start = _document(value)
    return bp.find_flattened_paragraphs(text, max_chars_without_break, body_start=body_start,
                                        lines=_lines(text, body_start))


class ExpectDocumentToHaveNoBoilerplate(CorpusExpectation):
    """The text carries the article only: no syndication/licence notice, call to action,
    cookie or legal line, page furniture, or title and byline glued into the body."""

    column: str = "body"
    """A column of ``{"text", "body_start"}`` cells (the runner's), or of plain texts."""
    patterns: Lists = None
    """Pattern list files (relative to the suite file, or ``builtin:boilerplate/NAME.yml``);
    default: the packaged lists."""
    cues: Lists = None
    """Furniture cue list files (relative to the suite file, or ``builtin:NAME.yml``);
    default: the packaged list."""
    map_metric = register_condition("no_boilerplate", value_keys=("patterns", "cues"),
                                    check=boilerplate_hits)
    success_keys = ("patterns", "cues", "mostly")
    reasons: ClassVar[tuple[str, ...]] = (
        "syndication_notice", "licence_notice", "call_to_action", "cookie_notice",
        "legal_notice", "page_furniture", "title_in_body", "byline_in_body")

    @classmethod
    def resolve_paths(cls, kwargs: dict[str, Any], base: Path) -> dict[str, Any]:
        return _resolve(kwargs, base)

    @classmethod
    def portable_kwargs(cls, kwargs: dict[str, Any], base: Path) -> dict[str, Any]:
        return _embed(kwargs, base)

    @validator("cues", always=True)
    def _cues_load(cls, cues: Lists) -> Lists:  # noqa: N805
        return _check_cues(cues)

    @validator("patterns")
    def _patterns_load(cls, patterns: Lists) -> Lists:  # noqa: N805
        if patterns is not None:
            if not patterns:
                raise ValueError("give at least one pattern list file, or leave it out")
            _patterns(patterns)  # a bad file raises PatternError (file:line)
        return patterns

    def checked(self, value: Any) -> Checked:
        return Checked(boilerplate_hits(value, self.patterns, self.cues))


class ExpectDocumentToHaveNoPossibleFurniture(CorpusExpectation):
    """No line that looks like page furniture without being sure of it (a short fragment
    at the edge of the article, a Title-Case link line, a UI verb and one weak cue).

    The furniture classifier's ``possible_furniture`` lines, each naming the cues that
    fired; lines ``expect_document_to_have_no_boilerplate`` reports are left out. Meant
    to run at warning level: the line may be article text.
    """

    column: str = "body"
    """A column of ``{"text", "body_start"}`` cells (the runner's), or of plain texts."""
    patterns: Lists = None
    """Pattern list files whose lines are boilerplate already; default: the packaged lists."""
    cues: Lists = None
    """Furniture cue list files (relative to the suite file); default: the packaged list."""
    map_metric = register_condition("no_possible_furniture", value_keys=("patterns", "cues"),
                                    check=_possible_furniture)
    success_keys = ("patterns", "cues", "mostly")
    reasons: ClassVar[tuple[str, ...]] = ("possible_furniture",)

    @classmethod
    def resolve_paths(cls, kwargs: dict[str, Any], base: Path) -> dict[str, Any]:
        return _resolve(kwargs, base)

    @classmethod
    def portable_kwargs(cls, kwargs: dict[str, Any], base: Path) -> dict[str, Any]:
        return _embed(kwargs, base)

    @validator("patterns")
    def _patterns_load(cls, patterns: Lists) -> Lists:  # noqa: N805
        if patterns is not None:
            if not patterns:
                raise ValueError("give at least one pattern list file, or leave it out")
            _patterns(patterns)
        return patterns

    @validator("cues", always=True)
    def _cues_load(cls, cues: Lists) -> Lists:  # noqa: N805
        return _check_cues(cues)

    def checked(self, value: Any) -> Checked:
        return Checked(_possible_furniture(value, self.patterns, self.cues))


class ExpectDocumentToHaveParagraphs(CorpusExpectation):
    """A long document has paragraph breaks (not everything flattened onto one line)."""

    column: str = "body"
    """A column of ``{"text", "body_start"}`` cells (the runner's), or of plain texts."""
    max_chars_without_break: int = 2000
    map_metric = register_condition("has_paragraphs", value_keys=("max_chars_without_break",),
                                    check=_flattened)
    success_keys = ("max_chars_without_break", "mostly")
    reasons: ClassVar[tuple[str, ...]] = ("paragraphs_flattened",)

    @validator("max_chars_without_break")
    def _positive(cls, value: int) -> int:  # noqa: N805
        if value < 1:
            raise ValueError("must be a positive number of characters")
        return value

    def checked(self, value: Any) -> Checked:
        return Checked(_flattened(value, self.max_chars_without_break))


def _repeated(value: Any) -> list[Hit]:
    """The hits of a ``repeated_lines`` cell: ``{"span", "message"}`` dicts (or hits)."""
    if not isinstance(value, list | tuple):
        return []
    hits = []
    for item in value:
        if isinstance(item, Hit):
            hits.append(item)
        elif isinstance(item, Mapping):
            start, end = item["span"]
            hits.append(Hit("repeated_line", str(item["message"]), (int(start), int(end))))
    return hits


class RepeatedLinesPass:
    """The corpus-wide count behind :class:`ExpectCorpusToHaveNoRepeatedLines`.

    ``prepare`` runs in pass 1 on each document (its line hashes, and the spans of its
    credit lines: a credit line repeats across an agency's stories by design, it is
    attribution, not furniture); ``add`` counts a prepared document in its story;
    ``cell`` gives a document's ``repeated_lines`` cell once everything was counted.
    All three take and return plain values.

    One defect, one finding: a line the document's boilerplate expectation already
    reported (any reason in :attr:`yields_to`, passed to ``prepare`` as ``reported``
    spans) still counts across the corpus but is not also a ``repeated_line``.
    """

    yields_to: tuple[str, ...] = ExpectDocumentToHaveNoBoilerplate.reasons
    """Reasons of pass 1 findings that own a line: the runner passes their spans."""

    def __init__(self, counter: bp.RepeatedLineCounter) -> None:
        self.counter = counter

    def prepare(self, text: str, body_start: int, metadata: Any,
                reported: Sequence[tuple[int, int]] = ()) -> dict[str, Any]:
        credits = [list(span) for span in reported]
        attribution = metadata.get("attribution") if isinstance(metadata, Mapping) else None
        for evidence in (attribution or {}).get("evidence", ()):
            if evidence.get("span") is not None:
                credits.append(list(evidence["span"]))
        return {"lines": [[h, s, e] for h, (s, e) in self.counter.line_hashes(text, body_start)],
                "credits": credits}

    def add(self, prepared: Mapping[str, Any], doc_id: str, story: str | None) -> None:
        self.counter.add_hashes(doc_id, story, _hashes(prepared))

    # The same count made elsewhere (``--engine spark``: corpus_qa/engine/sparklines.py):
    # the (line, story) pairs ``add`` counts, aggregated there and handed back.

    @staticmethod
    def story_key(doc_id: str, story: str | None) -> int:
        """The story hash ``add`` counts a document's lines under."""
        return bp.story_hash(doc_id, story)

    @staticmethod
    def line_keys(prepared: Mapping[str, Any]) -> set[int]:
        """The distinct line hashes ``add`` counts for a document."""
        return {h for h, _ in _hashes(prepared)}

    def threshold_for(self, stories: int) -> int:
        """Distinct stories that make a line repeated in a corpus of ``stories`` stories."""
        return self.counter.threshold_for(stories)

    def counted(self, stories: set[int], lines: Any, line_stories: Any) -> None:
        """Take the aggregated count (see :meth:`RepeatedLineCounter.add_counted`)."""
        self.counter.add_counted(stories, lines, line_stories)

    def cells_empty(self) -> bool:
        """Whether every document's :meth:`cell` is empty: no line reached the threshold
        (a corpus without template lines: every clean one), so no document has a hit."""
        return not self.counter.repeats_any()

    def cell(self, prepared: Mapping[str, Any], story: str | None,
             text_of: Callable[[], str]) -> list[dict[str, Any]]:
        hits = self.counter.repeated_hits(_hashes(prepared), story, text_of)
        credits = [tuple(c) for c in prepared["credits"]]
        return [{"span": list(h.span), "message": h.message} for h in hits
                if not any(h.span[0] < c[1] and c[0] < h.span[1] for c in credits)]


def _hashes(prepared: Mapping[str, Any]) -> list[tuple[int, tuple[int, int]]]:
    return [(h, (s, e)) for h, s, e in prepared["lines"]]


class ExpectCorpusToHaveNoRepeatedLines(CorpusExpectation):
    """No line recurs across the stories of the corpus (site footers, share rows, bylines).

    Counting is corpus-wide: the runner counts normalised line hashes per story
    (versions of one story count once, see :class:`RepeatedLinesPass`) and fills the
    ``repeated_lines`` column with each document's lines that reach ``min_documents``
    stories (or ``min_fraction`` of them). A GX user computes that column with
    :class:`corpus_qa.checks.boilerplate.RepeatedLineCounter`.
    """

    column: str = "repeated_lines"
    scope: ClassVar[str] = "corpus"
    min_documents: int = 3
    min_fraction: float = 0.0
    min_chars: int = 20
    map_metric = register_condition("no_repeated_lines", check=_repeated)
    reasons: ClassVar[tuple[str, ...]] = ("repeated_line",)

    @validator("min_documents")
    def _at_least_two(cls, value: int) -> int:  # noqa: N805
        if value < 2:
            raise ValueError("must be at least 2 (a line in one story is not repeated)")
        return value

    @validator("min_chars")
    def _at_least_one(cls, value: int) -> int:  # noqa: N805
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @validator("min_fraction")
    def _fraction(cls, value: float) -> float:  # noqa: N805
        if not 0 <= value <= 1:
            raise ValueError("must be a fraction between 0 and 1")
        return value

    def counter(self) -> bp.RepeatedLineCounter:
        """A fresh counter with this expectation's settings."""
        return bp.RepeatedLineCounter(min_documents=self.min_documents,
                                      min_fraction=self.min_fraction, min_chars=self.min_chars)

    def corpus_pass(self) -> RepeatedLinesPass:
        return RepeatedLinesPass(self.counter())

    def checked(self, value: Any) -> Checked:
        return Checked(_repeated(value))
