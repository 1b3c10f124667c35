"""What a check reports: a :class:`Hit` is one problem at one span of one document.

Checks are pure functions that return hits; the runner places each hit in its
context (expectation, severity, document path, line/column, excerpt) to make a
:class:`corpus_qa.results.Finding`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol


@dataclass(frozen=True, slots=True)
class Related:
    """The other end of a cross-document finding (e.g. the same figure in another version)."""

    document: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Hit:
    """One problem found by a check.

    ``span`` is in characters of the decoded document text (end exclusive).
    ``reason`` is a short snake_case code (``mojibake``, ``missing_field`` …).
    ``document`` is set by checks that look at several documents at once (story-level
    checks) to say which document the hit is in; per-document checks leave it ``None``.
    ``key`` names what the hit is about when a reason can concern several things (the
    metadata field of a ``missing_field``, the pattern id of a boilerplate hit).
    """

    reason: str
    message: str
    span: tuple[int, int]
    suggestion: str | None = None
    related: Related | None = None
    document: str | None = None
    key: str | None = None


class HitLike(Protocol):
    """What a check's :class:`Hit` and the runner's ``Finding`` share: code that only
    reads these (the repairs, the mutations' "was it found") takes either."""

    @property
    def reason(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def span(self) -> tuple[int, int]: ...
    @property
    def suggestion(self) -> str | None: ...
    @property
    def key(self) -> str | None: ...


class Checked(NamedTuple):
    """What one check found in one row: its hits, and what it computed on the way.

    ``detail`` is the check's own working that an output shows (the figure check's
    aligned sentences and figure tables for the story view), or ``None``.
    """

    hits: list[Hit]
    detail: Any = None

    @classmethod
    def of(cls, found: Checked | list[Hit]) -> Checked:
        """A check's return value as :class:`Checked` (a plain list of hits has no detail)."""
        return found if isinstance(found, Checked) else cls(list(found))
