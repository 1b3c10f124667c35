"""Boilerplate expectations: syndication and licence notices, calls to action, cookie and
legal lines, page furniture, a title and byline glued into the body, flattened
paragraphs, and lines repeated across the stories of a corpus.

Pattern lists are YAML files; a suite names the lists it uses — packaged ones as
``builtin:boilerplate/NAME.yml``, its own relative to the suite file (``docs/suites.md``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from great_expectations.compatibility.pydantic import validator

from corpus_qa.checks import boilerplate as bp
from corpus_qa.data import is_builtin, resolve_data_path
from corpus_qa.expectations.base import CorpusExpectation, register_condition
from corpus_qa.findings import Hit
from corpus_qa.loaders import body_start_of


@lru_cache(maxsize=16)
def _patterns(paths: tuple[str, ...]) -> bp.PatternSet:
    return bp.load_patterns(list(paths)) if paths else bp.load_default_patterns()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _boilerplate(value: Any, patterns: list[str] | None) -> list[Hit]:
    text = _text(value)
    return bp.find_document_boilerplate(text, _patterns(tuple(patterns or ())),
                                        body_start=body_start_of(text))


def _flattened(value: Any, max_chars_without_break: int) -> list[Hit]:
    text = _text(value)
    return bp.find_flattened_paragraphs(text, max_chars_without_break,
                                        body_start=body_start_of(text))


class ExpectDocumentToHaveNoBoilerplate(CorpusExpectation):
    """The text carries the article only: no syndication/licence notice, call to action,
    cookie or legal line, page furniture, or title and byline glued into the body."""

    column: str = "text"
    patterns: list[str] | None = None
    """Pattern list files (relative to the suite file, or ``builtin:boilerplate/NAME.yml``);
    default: the packaged lists."""
    map_metric = register_condition("no_boilerplate",
                                    lambda v, patterns: not _boilerplate(v, patterns),
                                    ("patterns",))
    success_keys = ("patterns", "mostly")
    reasons: ClassVar[tuple[str, ...]] = (
        "syndication_notice", "licence_notice", "call_to_action", "cookie_notice",
        "legal_notice", "page_furniture", "title_in_body", "byline_in_body")

    @classmethod
    def resolve_paths(cls, kwargs: dict[str, Any], base: Path) -> dict[str, Any]:
        """Relative list paths start at the suite's folder; ``builtin:`` names are checked
        (a wrong one raises :class:`~corpus_qa.data.DataRefError`) and kept as written."""
        patterns = kwargs.get("patterns")
        if isinstance(patterns, list) and all(isinstance(p, str) for p in patterns):
            resolved = [resolve_data_path(p, base) for p in patterns]
            kwargs = {**kwargs, "patterns": [
                p if is_builtin(p) else str(r) for p, r in zip(patterns, resolved, strict=True)]}
        return kwargs

    @validator("patterns")
    def _patterns_load(cls, patterns: list[str] | None) -> list[str] | None:  # noqa: N805
        if patterns is not None:
            if not patterns:
                raise ValueError("give at least one pattern list file, or leave it out")
            _patterns(tuple(patterns))  # a bad file raises PatternError (file:line)
        return patterns

    def explain(self, value: Any) -> list[Hit]:
        return _boilerplate(value, self.patterns)


class ExpectDocumentToHaveParagraphs(CorpusExpectation):
    """A long document has paragraph breaks (not everything flattened onto one line)."""

    column: str = "text"
    max_chars_without_break: int = 2000
    map_metric = register_condition(
        "has_paragraphs", lambda v, max_chars_without_break: not _flattened(
            v, max_chars_without_break), ("max_chars_without_break",))
    success_keys = ("max_chars_without_break", "mostly")
    reasons: ClassVar[tuple[str, ...]] = ("paragraphs_flattened",)

    @validator("max_chars_without_break")
    def _positive(cls, value: int) -> int:  # noqa: N805
        if value < 1:
            raise ValueError("must be a positive number of characters")
        return value

    def explain(self, value: Any) -> list[Hit]:
        return _flattened(value, self.max_chars_without_break)


def _repeated(value: Any) -> tuple[Hit, ...]:
    return tuple(value) if isinstance(value, list | tuple) else ()


class ExpectCorpusToHaveNoRepeatedLines(CorpusExpectation):
    """No line recurs across the stories of the corpus (site footers, share rows, bylines).

    Counting is corpus-wide: the runner counts normalised line hashes per story
    (versions of one story count once) and fills the ``repeated_lines`` column with
    each document's lines that reach ``min_documents`` stories (or ``min_fraction`` of
    them). A GX user computes that column with
    :class:`corpus_qa.checks.boilerplate.RepeatedLineCounter`.
    """

    column: str = "repeated_lines"
    scope: ClassVar[str] = "corpus"
    min_documents: int = 3
    min_fraction: float = 0.0
    min_chars: int = 20
    map_metric = register_condition("no_repeated_lines", lambda v: not _repeated(v))
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

    def explain(self, value: Any) -> list[Hit]:
        return list(_repeated(value))
