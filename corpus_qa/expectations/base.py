"""GX plumbing shared by every corpus-qa expectation.

Each corpus-qa expectation is a GX ``ColumnMapExpectation``: GX asks a yes/no question
of every row (a document, or a story for cross-version expectations) through a
metric provider that calls a fast predicate from :mod:`corpus_qa.checks`; the runner
then asks the expectation to :meth:`CorpusExpectation.explain` only the rows that
failed, which gives spans, reasons and messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from corpus_qa.findings import Hit

METRIC_PREFIX = "column_values.corpus_qa."

# Fields every GX ColumnMapExpectation has; the rest of a class's fields are its parameters.
_GX_FIELDS = frozenset(
    {
        "id", "meta", "notes", "result_format", "description", "catch_exceptions",
        "rendered_content", "batch_id", "row_condition", "condition_parser", "windows",
        "severity", "mostly", "column",
    }
)


def register_condition(
    name: str, predicate: Callable[..., bool], value_keys: tuple[str, ...] = ()
) -> str:
    """Register a GX map metric that is True for rows where ``predicate(value, **params)`` holds.

    Returns the metric name, for a ``ColumnMapExpectation.map_metric``. Missing values
    (``None``/NaN) never reach the predicate: GX counts them as missing, not unexpected.
    """
    metric_name = METRIC_PREFIX + name

    def _pandas(cls: type, column: Any, **kwargs: Any) -> Any:
        params = {key: kwargs[key] for key in value_keys}
        return column.map(lambda value: bool(predicate(value, **params)))

    attrs = {
        "condition_metric_name": metric_name,
        "condition_value_keys": value_keys,
        "_pandas": column_condition_partial(engine=PandasExecutionEngine)(_pandas),
        "__module__": __name__,
    }
    class_name = "".join(part.title() for part in name.split("_")) + "Condition"
    type(class_name, (ColumnMapMetricProvider,), attrs)  # GX registers it on creation
    return metric_name


class CorpusExpectation(ColumnMapExpectation):
    """Base class: a per-row corpus-qa expectation (abstract until ``map_metric`` is set)."""

    scope: ClassVar[str] = "document"
    """``document`` (one row per document) or ``story`` (one row per story's versions)."""

    reasons: ClassVar[tuple[str, ...]] = ()
    """The reason codes this expectation's findings carry (for docs and ``corpus-qa list``)."""

    @classmethod
    def parameters(cls) -> dict[str, Any]:
        """The expectation's own parameters: name -> pydantic field."""
        return {k: f for k, f in cls.__fields__.items() if k not in _GX_FIELDS}

    @classmethod
    def summary(cls) -> str:
        """The one-line description (the first line of the class docstring)."""
        return (cls.__doc__ or "").strip().splitlines()[0]

    def params(self) -> dict[str, Any]:
        """This instance's parameter values."""
        return {k: getattr(self, k) for k in self.parameters()}

    def explain(self, value: Any) -> list[Hit]:
        """Why ``value`` (a row that failed) failed: hits with spans and messages."""
        raise NotImplementedError(f"{type(self).__name__} must implement explain()")
