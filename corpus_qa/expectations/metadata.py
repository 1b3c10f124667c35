"""Metadata expectations: required fields, valid dates, values from an allowed set or regex.

They read the ``metadata`` column: the runner fills it with each document's resolved
metadata in row form (:meth:`corpus_qa.metadata.Metadata.to_row`, plain values with
origins and evidence). A GX user's own DataFrame may hold plain ``{field: value}``
dicts there instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from great_expectations.compatibility.pydantic import root_validator, validator

from corpus_qa import metadata as md
from corpus_qa.expectations.base import CorpusExpectation, memoized, register_condition
from corpus_qa.findings import Checked, Hit
from corpus_qa.vetcache import vet_regex

DEFAULT_FIELDS = ["date", "source", "attribution"]


def as_metadata(value: Any) -> md.Metadata:
    """Resolved metadata (an object, or its row form from the runner) as is; a plain
    mapping of field -> value as ``field``-origin values."""
    if isinstance(value, md.Metadata):
        return value
    if md.is_metadata_row(value):
        return md.Metadata.from_row(value)
    if not isinstance(value, Mapping):
        return md.Metadata({})
    fields = {}
    for name, raw in value.items():
        if raw is None or raw == "":
            continue
        values = tuple(str(v) for v in raw) if isinstance(raw, list | tuple) else (str(raw),)
        fields[str(name)] = md.ResolvedField(str(name), values, "; ".join(values), "field",
                                             None, None, "field", ())
    return md.Metadata(fields)


def _row_metadata(value: Any) -> md.Metadata:
    """:func:`as_metadata` of a cell, made once per row while the runner validates a
    batch: every expectation that reads the ``metadata`` column reads the same one."""
    if not isinstance(value, Mapping) or isinstance(value, md.Metadata):
        return as_metadata(value)
    # keyed by the cell's identity; the cell is kept with it, so the key cannot be reused
    cell, metadata = memoized(("metadata", id(value)), lambda: (value, as_metadata(value)))
    return metadata if cell is value else as_metadata(value)


def _missing(value: Any, fields: list[str]) -> list[Hit]:
    return md.check_has_metadata(_row_metadata(value), fields)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _invalid_date(value: Any, min_date: str | None, max_date: str | None) -> list[Hit]:
    return md.check_date_valid(_row_metadata(value), min_date, max_date, today=_today())


def _mismatches(value: Any, field: str, allowed: list[str] | None,
                pattern: str | None) -> list[Hit]:
    return md.check_metadata_matches(_row_metadata(value), field, allowed, pattern)


class ExpectDocumentToHaveMetadata(CorpusExpectation):
    """The document states each required metadata field (in fields, front matter, header or
    text)."""

    column: str = "metadata"
    fields: list[str] = DEFAULT_FIELDS
    map_metric = register_condition("has_metadata", value_keys=("fields",), check=_missing)
    success_keys = ("fields", "mostly")
    reasons: ClassVar[tuple[str, ...]] = ("missing_field",)

    @validator("fields")
    def _fields_not_empty(cls, fields: list[str]) -> list[str]:  # noqa: N805
        if not fields or not all(isinstance(f, str) and f.strip() for f in fields):
            raise ValueError("must be a non-empty list of field names, e.g. [date, source]")
        return fields

    def checked(self, value: Any) -> Checked:
        return Checked(_missing(value, self.fields))

    def required_fields(self) -> list[str]:
        return list(self.fields)


class ExpectDocumentDateToBeValid(CorpusExpectation):
    """The document's date is a real calendar date, not in the future, within min/max if given."""

    column: str = "metadata"
    min_date: str | None = None
    max_date: str | None = None
    map_metric = register_condition("date_valid", value_keys=("min_date", "max_date"),
                                    check=_invalid_date)
    success_keys = ("min_date", "max_date", "mostly")
    reasons: ClassVar[tuple[str, ...]] = ("invalid_date", "future_date", "date_out_of_range")

    @root_validator(skip_on_failure=True)
    def _bounds_are_dates(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        md.date_bounds(values.get("min_date"), values.get("max_date"))
        return values

    def checked(self, value: Any) -> Checked:
        return Checked(_invalid_date(value, self.min_date, self.max_date))


class ExpectDocumentMetadataToMatch(CorpusExpectation):
    """A metadata field's values are in an allowed set and/or match a regex (missing: skipped)."""

    column: str = "metadata"
    field: str
    allowed: list[str] | None = None
    pattern: str | None = None
    map_metric = register_condition("metadata_matches",
                                    value_keys=("field", "allowed", "pattern"),
                                    check=_mismatches)
    success_keys = ("field", "allowed", "pattern", "mostly")
    reasons: ClassVar[tuple[str, ...]] = ("metadata_mismatch",)

    @validator("pattern")
    def _pattern_compiles(cls, pattern: str | None) -> str | None:  # noqa: N805
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regex: {exc}") from None
            unsafe = vet_regex(pattern)
            if unsafe is not None:
                raise ValueError(unsafe)
        return pattern

    @root_validator(skip_on_failure=True)
    def _allowed_or_pattern(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if values.get("allowed") is None and values.get("pattern") is None:
            raise ValueError("give 'allowed' (a list of values) or 'pattern' (a regex), or both")
        return values

    def checked(self, value: Any) -> Checked:
        return Checked(_mismatches(value, self.field, self.allowed, self.pattern))
