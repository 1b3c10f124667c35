"""Cross-version expectations: one GX row per story, holding all its versions.

The runner groups documents into stories (:class:`corpus_qa.checks.versions.StoryGrouper`)
and gives GX a DataFrame with a ``versions`` column: for each story with at least two
versions, a list of plain dicts (id, text, body_start, metadata in row form, credits),
read back from pass 1's rows. A GX user's own DataFrame may hold lists of
``{"id", "text", "metadata"}`` dicts there instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from great_expectations.compatibility.pydantic import validator

from corpus_qa.checks import versions as vc
from corpus_qa.checks.figures import PerVersion, compare_versions, packed_tables
from corpus_qa.expectations.base import CorpusExpectation, memoized, register_condition
from corpus_qa.expectations.metadata import as_metadata
from corpus_qa.findings import Checked, Hit
from corpus_qa.metadata import Metadata
from corpus_qa.sources.text import body_start_of


@dataclass(frozen=True, eq=False)  # hashed by identity: GX counts unexpected values
class Version:
    """One version of a story: its document id, text and resolved metadata."""

    id: str
    text: str
    metadata: Metadata
    credits: tuple[str, ...] = ()
    """The names in its credit lines (attribution from credit lines, not bylines)."""
    body_start: int = 0
    """Where the body starts, past front matter or a header (e.g. ` date 2023-12-28 `)."""

    @property
    def body(self) -> str:
        """The text with front matter/header blanked out: same offsets, no header values.

        Header values are metadata, compared by the metadata expectation; left in, a
        header date glued to the first sentence would be paired with that sentence's
        dates as if it were one of the story's figures.
        """
        return " " * self.body_start + self.text[self.body_start:]


def as_versions(value: Any) -> list[Version]:
    """Versions from the runner's ``versions`` cell — a list of plain dicts ``{"id", "text",
    "body_start", "metadata" (row form), "credits"}`` — or from a GX user's list of
    ``{"id", "text", "metadata"}`` (the header is then read here, credits are the
    attribution)."""
    return list(iter_versions(value))


def iter_versions(value: Any) -> Iterator[Version]:
    """:func:`as_versions` one version at a time, as the cell yields them (the runner's cell
    for a long story reads each version from pass 1's rows when asked: see
    :class:`corpus_qa.engine.passes.StoredVersions`)."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        return
    kept = isinstance(value, list)  # a long story's cell reads its versions anew each time
    for item in value:
        if isinstance(item, Version):
            yield item
        elif isinstance(item, Mapping):
            meta = _metadata_of(item) if kept else as_metadata(item.get("metadata") or {})
            text = str(item.get("text") or "")
            if "credits" in item:
                credits = tuple(str(c) for c in item["credits"] or ())
            else:
                credits = tuple(meta["attribution"].values) if "attribution" in meta else ()
            start = item.get("body_start")
            yield Version(str(item.get("id")), text, meta, credits,
                          start if isinstance(start, int) else body_start_of(text))


def _metadata_of(item: Mapping[str, Any]) -> Metadata:
    """:func:`as_metadata` of a version's metadata, made once per version while the story
    pass validates a batch: each of the story expectations reads every version."""
    def made() -> tuple[Mapping[str, Any], Metadata]:
        return item, as_metadata(item.get("metadata") or {})

    # keyed by the item's identity; the item is kept with it, so the key cannot be reused
    kept, metadata = memoized(("version metadata", id(item)), made)
    return metadata if kept is item else as_metadata(item.get("metadata") or {})


def _size(value: Any) -> int:
    return len(value) if isinstance(value, Sequence) and not isinstance(value, str) else 0


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

MAX_ALL_PAIRS = 8
"""Stories with more versions are compared along their order (each version with the next),
so a story that grew huge (a grouping that chained many documents) costs linear time."""

MAX_SHOWN_PAIRS = 20
"""Side-by-side views a story keeps for the report (the first version with each of the
next ones; along the order for long stories)."""

WINDOW = 32
"""A story compared along its order is read a window of this many pairs at a time: what
is computed once per version and shared by its two pairs (figures, sentences, word
tables) is kept for the window's versions only, so the memory of a story's check does
not grow with the story (each window's first version is the previous one's last, prepared
again: one version in ``WINDOW``)."""


def _texts(value: Any) -> list[tuple[str, str]]:
    return [(v.id, v.body) for v in iter_versions(value)]


def _windows(versions: Iterable[Version]) -> Iterator[list[Version]]:
    """Consecutive versions ``WINDOW + 1`` at a time, each window starting with the last
    version of the one before (so every pair of neighbours is in exactly one window)."""
    window: list[Version] = []
    for version in versions:
        window.append(version)
        if len(window) == WINDOW + 1:
            yield window
            window = [version]
    if len(window) > 1:
        yield window


class _Unique:
    """Hits not seen before, by (document, span, reason): a version is in two pairs."""

    def __init__(self) -> None:
        self.seen: set[tuple[str | None, tuple[int, int], str]] = set()
        self.hits: list[Hit] = []

    def extend(self, hits: Iterable[Hit]) -> None:
        for hit in hits:
            key = (hit.document, hit.span, hit.reason)
            if key not in self.seen:
                self.seen.add(key)
                self.hits.append(hit)


def _compared(check: Any, value: Any) -> list[Hit]:
    """``check`` over all versions, or over each consecutive pair when there are many
    (a window at a time, ``check`` made anew for each: :func:`_windows`)."""
    if _size(value) <= MAX_ALL_PAIRS:
        return check()(_texts(value))
    unique = _Unique()
    for window in _windows(iter_versions(value)):
        pairwise = check()
        texts = [(v.id, v.body) for v in window]
        for pair in zip(texts, texts[1:], strict=False):
            unique.extend(pairwise(list(pair)))
    return unique.hits


def _values(versions: list[Version], fields: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for v in versions:
        meta = {f: list(v.metadata[f].values) for f in fields if f in v.metadata}
        rows.append((v.id, {k: (x[0] if len(x) == 1 else x) for k, x in meta.items()}))
    return rows


def _spans(versions: list[Version], fields: Sequence[str]) -> dict[str, dict[str, tuple[int, int]]]:
    return {
        v.id: {f: v.metadata[f].location() for f in fields if f in v.metadata}
        for v in versions
    }


def _diacritics(value: Any) -> list[Hit]:
    # One table of words per version, read by both pairs it is in (long stories).
    return _compared(lambda: functools.partial(vc.check_preserved_diacritics, known={}), value)


def _metadata_hits(value: Any, fields: list[str]) -> list[Hit]:
    # The whole story's values (its majority), a version read at a time: texts not kept.
    rows, spans = [], {}
    for v in iter_versions(value):
        rows.extend(_values([v], fields))
        spans.update(_spans([v], fields))
    return vc.check_consistent_metadata(rows, fields=fields, credit_fields=(), spans=spans)


def _credit_hits(value: Any) -> list[Hit]:
    rows, spans = [], {}
    for v in iter_versions(value):
        rows.append((v.id, {"credit line": list(v.credits)}))
        if v.credits and "attribution" in v.metadata:
            spans[v.id] = {"credit line": v.metadata["attribution"].location(v.credits[0])}
    return vc.check_consistent_metadata(rows, fields=(), credit_fields=("credit line",),
                                        spans=spans)


def _dates(value: Any) -> list[str | None]:
    """Each version's date (ISO), or ``None``: which version of a pair is the later one."""
    return _version_dates(iter_versions(value))


def _version_dates(versions: Iterable[Version]) -> list[str | None]:
    dates: list[str | None] = []
    for v in versions:
        date = v.metadata["date"].values[0] if "date" in v.metadata else ""
        dates.append(date if _ISO_DATE.fullmatch(date) else None)  # unparsed dates stay raw
    return dates


def _figures(value: Any, tolerance: float) -> Checked:
    """Hits, and the pairs' tables the story view shows, as plain tuples
    (:func:`~corpus_qa.checks.figures.packed_tables`; their JSON is
    :func:`~corpus_qa.checks.figures.tables_json`'s).

    A changed figure is one hit per pair of versions, on the later one (its date, else
    its id: :func:`corpus_qa.checks.figures.later_version`)."""
    if _size(value) <= MAX_ALL_PAIRS:
        versions = as_versions(value)
        texts = [(v.id, v.body) for v in versions]
        first = texts[0][0] if texts else None
        hits, shown = compare_versions(texts, tolerance, dates=_version_dates(versions),
                                       shown=lambda i, _: texts[i][0] == first)
        return Checked(hits, {"pairs": packed_tables(shown[:MAX_SHOWN_PAIRS]),
                              "pairs_omitted": max(0, len(shown) - MAX_SHOWN_PAIRS)})
    # Each version with the next, a window at a time; each version's figures and
    # sentences found once per window, the tables kept for the first pairs only.
    unique, pairs, compared = _Unique(), [], 0
    for window in _windows(iter_versions(value)):
        texts = [(v.id, v.body) for v in window]
        dates = _version_dates(window)
        per_version = PerVersion(texts)
        for k in range(len(texts) - 1):
            pair_hits, pair_tables = compare_versions(texts, tolerance, dates=dates,
                                                      pairs=[(k, k + 1)],
                                                      per_version=per_version)
            unique.extend(pair_hits)
            for table in pair_tables:
                compared += 1
                if len(pairs) < MAX_SHOWN_PAIRS:
                    pairs.append(table)
    return Checked(unique.hits, {"pairs": packed_tables(pairs),
                                 "pairs_omitted": compared - len(pairs)})


class ExpectVersionsToHaveConsistentFigures(CorpusExpectation):
    """Aligned sentences of a story's versions report the same numbers, dates and quantities."""

    column: str = "versions"
    scope: ClassVar[str] = "story"
    tolerance: float = 0.0
    """Relative tolerance for rounding ("about 6,000" vs "6,100" passes at 0.02)."""
    map_metric = register_condition("versions_consistent_figures", value_keys=("tolerance",),
                                    check=_figures)
    success_keys = ("tolerance", "mostly")
    reasons: ClassVar[tuple[str, ...]] = ("figure_changed",)

    @validator("tolerance")
    def _tolerance_in_range(cls, tolerance: float) -> float:  # noqa: N805
        if not 0 <= tolerance < 1:
            raise ValueError("must be a relative tolerance in [0, 1), e.g. 0.02 for 2%")
        return tolerance

    def checked(self, value: Any) -> Checked:
        return _figures(value, self.tolerance)


class ExpectVersionsToPreserveDiacritics(CorpusExpectation):
    """No version of a story writes without accents a word another version accents (Lopez/López)."""

    column: str = "versions"
    scope: ClassVar[str] = "story"
    map_metric = register_condition("versions_preserve_diacritics", check=_diacritics)
    reasons: ClassVar[tuple[str, ...]] = ("diacritics_stripped",)

    def checked(self, value: Any) -> Checked:
        return Checked(_diacritics(value))


class ExpectVersionsToHaveConsistentMetadata(CorpusExpectation):
    """Versions of a story that state a field (date, source) state the same value."""

    column: str = "versions"
    scope: ClassVar[str] = "story"
    fields: list[str] = list(vc.CONFLICT_FIELDS)
    map_metric = register_condition("versions_consistent_metadata", value_keys=("fields",),
                                    check=_metadata_hits)
    success_keys = ("fields", "mostly")
    reasons: ClassVar[tuple[str, ...]] = ("metadata_conflict",)

    def checked(self, value: Any) -> Checked:
        return Checked(_metadata_hits(value, self.fields))


class ExpectVersionsToHaveConsistentCreditLines(CorpusExpectation):
    """Versions of a story credit the same agencies in their credit lines (info by default)."""

    column: str = "versions"
    scope: ClassVar[str] = "story"
    default_severity: ClassVar[str] = "info"
    map_metric = register_condition("versions_consistent_credit_lines", check=_credit_hits)
    reasons: ClassVar[tuple[str, ...]] = ("credit_lines_differ",)

    def checked(self, value: Any) -> Checked:
        return Checked(_credit_hits(value))
