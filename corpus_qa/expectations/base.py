"""GX plumbing shared by every corpus-qa expectation.

Each corpus-qa expectation is a GX ``ColumnMapExpectation``: GX asks a yes/no question
of every row (a document, or a story for cross-version expectations) through a
metric provider that calls a fast predicate from :mod:`corpus_qa.checks`; the runner
then asks the expectation to :meth:`CorpusExpectation.explain` only the rows that
failed, which gives spans, reasons and messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, ClassVar, TypeVar

from great_expectations.execution_engine import PandasExecutionEngine, SparkDFExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.render import (
    CollapseContent,
    LegacyDiagnosticRendererType,
    LegacyRendererType,
    RenderedStringTemplateContent,
    RenderedTableContent,
)
from great_expectations.render.renderer.renderer import renderer
from great_expectations.render.renderer_configuration import RendererValueType

from corpus_qa.findings import Checked, Hit
from corpus_qa.results import excerpt

METRIC_PREFIX = "column_values.corpus_qa."
UNEXPECTED_ROWS = 20
"""At most this many document id + excerpt rows in a Data Docs unexpected table."""
_SCOPE_NOUNS = {"document": ("every document", "documents"),
                "story": ("every story with two or more versions", "stories"),
                "corpus": ("every document", "documents")}
_SEVERITY_NAMES = {"critical": "error", "warning": "warning", "info": "info"}

# Fields every GX ColumnMapExpectation has; the rest of a class's fields are its parameters.
_GX_FIELDS = frozenset(
    {
        "id", "meta", "notes", "result_format", "description", "catch_exceptions",
        "rendered_content", "batch_id", "row_condition", "condition_parser", "windows",
        "severity", "mostly", "column",
    }
)


class CheckRecorder:
    """What each check found in each row while the runner validates one batch.

    GX asks every row a yes/no question; a check that has no cheaper test than
    finding its hits answers it by finding them. While a recorder is active those
    hits are kept (by metric, parameters and row index), so the runner reads them
    back for the failing rows instead of running the check a second time.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], dict[Any, Checked]] = {}
        self.runs = 0
        """How many times a check ran on a row under this recorder (for tests)."""
        self.memo: dict[Hashable, Any] = {}
        """What two checks of one row both need, computed once (see :func:`memoized`)."""
        self.configurations: dict[int, tuple[Any, Any]] = {}
        """id(expectation) -> (expectation, its GX configuration), built once per batch
        (see :attr:`CorpusExpectation.configuration`)."""

    def slot(self, metric: str, column: str, params: Mapping[str, Any]) -> dict[Any, Checked]:
        return self._found.setdefault((metric, column, _params_key(params)), {})

    def found(self, metric: str, column: str,
              params: Mapping[str, Any]) -> Mapping[Any, Checked]:
        """Every row's hits one metric kept (empty for a family with a cheaper predicate)."""
        return self._found.get((metric, column, _params_key(params)), {})


_RECORDER: CheckRecorder | None = None
T = TypeVar("T")


@contextmanager
def recording() -> Iterator[CheckRecorder]:
    """Keep the checks' findings while validating (one batch, in this process)."""
    global _RECORDER
    previous, _RECORDER = _RECORDER, CheckRecorder()
    try:
        yield _RECORDER
    finally:
        _RECORDER = previous


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, computed once per ``key`` while a recorder is active (one batch),
    and every time otherwise.

    For work two checks of the same row share (the furniture classifier's verdicts on a
    document's lines: one expectation reports its sure lines, another its possible ones);
    ``key`` names the work, its parameters and the row's value. What is kept lives as long
    as the batch's recorder.
    """
    recorder = _RECORDER
    if recorder is None:
        return compute()
    try:
        return recorder.memo[key]  # type: ignore[no-any-return]
    except KeyError:
        value = recorder.memo[key] = compute()
        return value


def _params_key(params: Mapping[str, Any]) -> str:
    return repr(sorted(params.items()))


_VALUE_KEYS: dict[str, tuple[str, ...]] = {}


def register_condition(
    name: str,
    predicate: Callable[..., bool] | None = None,
    value_keys: tuple[str, ...] = (),
    *,
    check: Callable[..., Checked | list[Hit]] | None = None,
) -> str:
    """Register a GX map metric that is True for the rows that pass.

    Give ``predicate(value, **params) -> bool`` when the family has a test cheaper than
    finding its hits (the hits of failing rows are then found by ``explain``), or
    ``check(value, **params) -> hits`` when it has not: a row passes when the check finds
    nothing, and the hits are kept for the runner (see :class:`CheckRecorder`).
    Returns the metric name, for a ``ColumnMapExpectation.map_metric``. Missing values
    (``None``/NaN) never reach either: GX counts them as missing, not unexpected.

    The metric gets two providers from this one registration: pandas (what the runner
    validates) and Spark (a pandas UDF, for GX users' Spark DataFrames: see
    :func:`corpus_qa.engine.spark.condition_column`); both answer with :func:`row_passes`.
    """
    if (predicate is None) == (check is None):
        raise TypeError("register_condition needs exactly one of predicate= or check=")
    metric_name = METRIC_PREFIX + name
    _VALUE_KEYS[metric_name] = value_keys

    def _pandas(cls: type, column: Any, **kwargs: Any) -> Any:
        params = {key: kwargs[key] for key in value_keys}
        recorder = _RECORDER
        if check is None or recorder is None:
            return column.map(partial(row_passes, predicate, check, params))
        slot = recorder.slot(metric_name, str(column.name), params)
        passed = []
        for index, value in column.items():
            found = Checked.of(check(plain(value), **params))
            recorder.runs += 1
            slot[index] = found
            passed.append(not found.hits)
        return column.__class__(passed, index=column.index, dtype=bool)

    def _spark(cls: type, column: Any, **kwargs: Any) -> Any:
        # GX's Spark data sources: a pandas UDF asking the same question of each row.
        # pyspark is imported here, when GX validates a Spark DataFrame, never before.
        from corpus_qa.engine.spark import condition_column

        params = {key: kwargs[key] for key in value_keys}
        name = kwargs["_accessor_domain_kwargs"]["column"]
        return condition_column(kwargs["_table"], name, column,
                                partial(row_passes, predicate, check, params))

    attrs = {
        "condition_metric_name": metric_name,
        "condition_value_keys": value_keys,
        "_pandas": column_condition_partial(engine=PandasExecutionEngine)(_pandas),
        "_spark": column_condition_partial(engine=SparkDFExecutionEngine)(_spark),
        "__module__": __name__,
    }
    class_name = "".join(part.title() for part in name.split("_")) + "Condition"
    type(class_name, (ColumnMapMetricProvider,), attrs)  # GX registers it on creation
    return metric_name


def row_passes(predicate: Callable[..., bool] | None,
               check: Callable[..., Checked | list[Hit]] | None,
               params: Mapping[str, Any], value: Any) -> bool:
    """Whether one row passes: ``predicate`` is true, or ``check`` finds nothing.

    The one answer both metric providers give (pandas, and the pandas UDF GX runs on
    Spark), so an expectation is the same question on either engine.
    """
    value = plain(value)
    if predicate is not None:
        return bool(predicate(value, **params))
    assert check is not None
    return not Checked.of(check(value, **params)).hits


def plain(value: Any) -> Any:
    """A cell as the checks read it: an array (numpy's, as pandas and Arrow give list
    columns) as a list, so a check that reads a sequence never sees a non-sequence and
    silently passes it."""
    if isinstance(value, str | bytes | Mapping | list):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    tolist = getattr(value, "tolist", None)
    return tolist() if callable(tolist) else value


class CorpusExpectation(ColumnMapExpectation):
    """Base class: a per-row corpus-qa expectation (abstract until ``map_metric`` is set)."""

    scope: ClassVar[str] = "document"
    """``document`` (one row per document), ``story`` (one row per story's versions) or
    ``corpus`` (one row per document, from corpus-wide counts)."""

    reasons: ClassVar[tuple[str, ...]] = ()
    """The reason codes this expectation's findings carry (for docs and ``corpus-qa list``)."""

    default_severity: ClassVar[str] = "error"
    """The severity of a suite entry that names none."""

    @property
    def configuration(self) -> Any:
        """GX's configuration of this expectation (an ``ExpectationConfiguration``).

        GX builds it anew from the fields on every access, and asks for it over a hundred
        times per expectation while validating one batch (about a third of GX's own work
        on a chunk); while a batch is validated (a :class:`CheckRecorder` is active, in
        which GX changes no expectation's fields) it is built once per expectation."""
        recorder = _RECORDER
        if recorder is None:
            return super().configuration
        kept = recorder.configurations.get(id(self))
        if kept is None or kept[0] is not self:
            kept = recorder.configurations[id(self)] = (self, super().configuration)
        return kept[1]

    @classmethod
    def parameters(cls) -> dict[str, Any]:
        """The expectation's own parameters: name -> pydantic field."""
        return {k: f for k, f in cls.__fields__.items() if k not in _GX_FIELDS}

    @classmethod
    def resolve_paths(cls, kwargs: dict[str, Any], base: Any) -> dict[str, Any]:
        """Parameters with file paths made relative to ``base`` (the suite's folder)."""
        return kwargs

    @classmethod
    def portable_kwargs(cls, kwargs: dict[str, Any], base: Any) -> dict[str, Any]:
        """Parameters as an exported suite carries them, usable from any folder and
        machine (a user's list files embedded; ``base`` is the suite's folder)."""
        return kwargs

    @classmethod
    def summary(cls) -> str:
        """The description: the first paragraph of the class docstring, on one line."""
        return " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())

    def params(self) -> dict[str, Any]:
        """This instance's parameter values."""
        return {k: getattr(self, k) for k in self.parameters()}

    def explain(self, value: Any) -> list[Hit]:
        """Why ``value`` (a row that failed) failed: hits with spans and messages."""
        return self.checked(value).hits

    def checked(self, value: Any) -> Checked:
        """The hits of ``value`` and what the check computed on the way."""
        raise NotImplementedError(f"{type(self).__name__} must implement checked()")

    def recorded(self, recorder: CheckRecorder) -> Mapping[Any, Checked]:
        """What this expectation's check found while GX validated under ``recorder``, by
        row index; empty when the check did not run (a family with a cheaper predicate:
        its hits are found by :meth:`checked`, for failing rows only)."""
        params = {key: getattr(self, key) for key in _VALUE_KEYS.get(self.map_metric, ())}
        return recorder.found(self.map_metric, self.column, params)

    # --- a DataFrame without the column this expectation reads ---

    def get_validation_dependencies(self, execution_engine: Any = None,
                                    runtime_configuration: dict[str, Any] | None = None,
                                    **kwargs: Any) -> Any:
        """GX's dependencies; on a batch without :attr:`column`, only its column list, so
        that :meth:`_validate` can say which column is missing and how to build it (GX
        would otherwise fail inside a metric with a traceback)."""
        columns = _batch_columns(execution_engine)
        if columns is None or self.column in columns:
            return super().get_validation_dependencies(
                execution_engine=execution_engine, runtime_configuration=runtime_configuration)
        from great_expectations.expectations.expectation import Expectation
        from great_expectations.validator.metric_configuration import MetricConfiguration

        dependencies = Expectation.get_validation_dependencies(
            self, execution_engine=execution_engine, runtime_configuration=runtime_configuration)
        dependencies.set_metric_configuration(
            "table.columns", MetricConfiguration("table.columns", metric_domain_kwargs={}))
        return dependencies

    def _validate(self, metrics: dict[str, Any],
                  runtime_configuration: dict[str, Any] | None = None,
                  execution_engine: Any = None) -> Any:
        columns = metrics.get("table.columns")
        if columns is not None and self.column not in columns:
            raise MissingColumnError(missing_column_message(type(self), self.column, columns))
        return super()._validate(metrics, runtime_configuration=runtime_configuration,
                                 execution_engine=execution_engine)

    # --- what the runner asks an expectation (it never looks one up by type name) ---

    def required_fields(self) -> list[str]:
        """Metadata fields this expectation requires (the runner lists them as missing,
        with suggestions from other versions of the story)."""
        return []

    def needs_metadata(self) -> bool:
        """Whether the rows this expectation reads carry resolved metadata: it reads the
        ``metadata`` cell, a story's ``versions``, a corpus-wide pre-pass, or it requires
        fields. The runner resolves a document's metadata only when some expectation of
        the suite (or the story grouping) needs it."""
        return (self.column in ("metadata", "versions") or self.scope != "document"
                or bool(self.required_fields()))

    def corpus_pass(self) -> Any:
        """For ``corpus`` scope: a fresh accumulator that counts over every document
        (``prepare(text, body_start, metadata, reported=spans)`` per document in pass 1 —
        ``reported``: the spans of that document's findings whose reason is in the
        accumulator's ``yields_to``, which own those lines —, ``add(prepared, doc, story)``,
        then ``cell(prepared, story, text_of)`` builds each document's cell; optionally
        ``cells_empty()``, once everything was counted: True when every document's cell is
        an empty list, which the runner then gives each without reading what ``prepare``
        stored)."""
        raise NotImplementedError(f"{type(self).__name__} has no corpus pass")

    # --- Data Docs: each expectation reads as a sentence, its failures as id + excerpt ---

    @classmethod
    def sentence(cls, configuration: Any = None) -> tuple[str, dict[str, str]]:
        """This expectation as a GX string template (``$name`` placeholders) and its params.

        The summary, each parameter that has a value (defaults filled in: GX's suite JSON
        leaves them out), the share of rows that must pass and the severity, e.g. "The
        document states each required metadata field (…). Fields: date, source,
        attribution. Must hold for every document; severity error."
        """
        kwargs = dict(getattr(configuration, "kwargs", None) or {})
        first_paragraph = (cls.__doc__ or "").strip().split("\n\n")[0]  # summary(), unwrapped
        params = {"summary": _sentence_case(" ".join(first_paragraph.split()))}
        parts = ["$summary"]
        for name, field in cls.parameters().items():
            value = kwargs.get(name, None if field.required else field.default)
            if value is None:
                continue
            params[f"param_{name}"] = _shown(value)
            parts.append(f"{name.replace('_', ' ').capitalize()}: $param_{name}.")
        every, rows = _SCOPE_NOUNS.get(cls.scope, _SCOPE_NOUNS["document"])
        mostly = kwargs.get("mostly")
        mostly = 1.0 if mostly is None else float(mostly)
        params["coverage"] = every if mostly >= 1 else f"at least {mostly * 100:g}% of {rows}"
        params["severity"] = _severity_of(configuration)
        parts.append("Must hold for $coverage; severity $severity.")
        return " ".join(parts), params

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls, configuration: Any = None, result: Any = None, runtime_configuration: Any = None,
        **kwargs: Any,
    ) -> list[RenderedStringTemplateContent]:
        """Data Docs: the expectation as a sentence (suite pages and validation results)."""
        if configuration is None and result is not None:
            configuration = result.expectation_config
        template, params = cls.sentence(configuration)
        badge = {"classes": ["badge", "badge-secondary"],
                 "styles": {"white-space": "normal", "text-align": "left"}}  # long lists wrap
        styling = {"params": {name: dict(badge) for name in params if name != "summary"}}
        return [RenderedStringTemplateContent(
            content_block_type="string_template",
            string_template={"template": template, "params": params, "styling": styling},
        )]

    @classmethod
    def _prescriptive_template(cls, renderer_configuration: Any) -> Any:
        """The atomic ``atomic.prescriptive.summary`` renderer's template: the same sentence."""
        template, params = cls.sentence(renderer_configuration.configuration)
        for name, value in params.items():
            renderer_configuration.add_param(name=name, param_type=RendererValueType.STRING,
                                             value=value)
        renderer_configuration.template_str = template
        return renderer_configuration

    @classmethod
    def unexpected_rows(cls, result: Any, limit: int = UNEXPECTED_ROWS) -> list[dict[str, str]]:
        """Up to ``limit`` failing rows of a GX result as short strings: their ids and an excerpt.

        Ids come from ``partial_unexpected_index_list`` (without the checked column, which
        GX copies there); the excerpt from ``partial_unexpected_list``, cut to one short
        line, so a whole document never reaches Data Docs.
        """
        stats = getattr(result, "result", None) or {}
        values = list(stats.get("partial_unexpected_list") or [])[:limit]
        index = list(stats.get("partial_unexpected_index_list") or [])
        config = getattr(result, "expectation_config", None)
        column = (getattr(config, "kwargs", None) or {}).get("column") or cls.__fields__[
            "column"].default
        rows = []
        for i, value in enumerate(values):
            ids = index[i] if i < len(index) and isinstance(index[i], Mapping) else {}
            ids = {str(k): v for k, v in ids.items() if k != column}
            first = str(next(iter(ids.values()), ""))
            if first and isinstance(value, str) and value.startswith(f"{first}: "):
                value = value[len(first) + 2:]  # corpus-qa's own "document id: excerpt"
            rows.append({**{k: _short(v) for k, v in ids.items()}, "excerpt": _short(value)})
        return rows

    @classmethod
    @renderer(renderer_type=LegacyDiagnosticRendererType.UNEXPECTED_TABLE)
    def _diagnostic_unexpected_table_renderer(
        cls, configuration: Any = None, result: Any = None, runtime_configuration: Any = None,
        **kwargs: Any,
    ) -> list[RenderedTableContent | CollapseContent] | None:
        """Data Docs: the failing rows as a table of document id (and reason) + excerpt."""
        rows = cls.unexpected_rows(result) if result is not None else []
        if not rows:
            return None
        header = list(dict.fromkeys(k for row in rows for k in row))
        header.remove("excerpt")
        header.append("excerpt")
        table = [[_cell(row.get(key, "")) for key in header] for row in rows]
        return [RenderedTableContent(
            content_block_type="table",
            header_row=[key.replace("_", " ").capitalize() for key in header],
            table=table,
            styling={"body": {"classes": ["table-bordered", "table-sm", "mt-3"]}},
        )]


COLUMN_CONTENT = {
    "text": "each document's decoded text",
    "raw": "each document's bytes (or its text, for a JSON string)",
    "body": "each document's text and where its body starts ({text, body_start})",
    "metadata": "each document's metadata, resolved once (a dict per row)",
    "versions": "the versions of each story of two or more documents (a list per row)",
    "repeated_lines": "each document's lines repeated across stories (a corpus-wide count)",
}
"""What each column an expectation reads holds (``corpus-qa list``, the missing-column error)."""


class MissingColumnError(KeyError):
    """The batch has no column the expectation reads (the message says how to build it)."""

    def __str__(self) -> str:
        return str(self.args[0])


def missing_column_message(cls: type, column: str, columns: Sequence[str]) -> str:
    """Which column is missing, what it holds, and the helper that builds it."""
    rows = "rows='stories'" if column == "versions" else "rows='documents'"
    build = (f"build the DataFrame with corpus_qa.gx_dataframe(paths, {rows})"
             if column != "repeated_lines" else
             "this corpus-wide count is made by `corpus-qa validate` (it counts over every "
             "document first)")
    return (f'The column "{column}" in BatchData does not exist (columns: '
            f"{', '.join(map(str, columns)) or 'none'}): {cls.__name__} reads "
            f"{COLUMN_CONTENT.get(column, column)} — {build}")


def _batch_columns(execution_engine: Any) -> list[str] | None:
    """The columns of the engine's active batch (a pandas or Spark data frame), else
    ``None`` (let GX decide)."""
    manager = getattr(execution_engine, "batch_manager", None)
    frame = getattr(getattr(manager, "active_batch_data", None), "dataframe", None)
    columns = getattr(frame, "columns", None)
    # ``plain``: a pandas index as a list in one call (iterating an Arrow-backed index,
    # pandas 3's string columns, makes a scalar per step, for each expectation of each
    # chunk); a Spark data frame's columns are a list already
    return None if columns is None else [str(c) for c in plain(columns)]


def _sentence_case(text: str) -> str:
    """A docstring line as prose: ``code`` marks dropped, ending with a full stop."""
    text = re.sub(r"``(.+?)``", r"\1", text).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _shown(value: Any) -> str:
    """A parameter value as a steward reads it: lists comma-separated, booleans yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_shown(v) for v in value)
    return str(getattr(value, "value", value))


def _severity_of(configuration: Any) -> str:
    """corpus-qa's severity: from the suite's meta, else from GX's severity."""
    meta = getattr(configuration, "meta", None) or {}
    ours = (meta.get("corpus_qa") or {}).get("severity") if isinstance(meta, Mapping) else None
    if ours:
        return str(ours)
    gx = getattr(configuration, "severity", None)
    return _SEVERITY_NAMES.get(str(getattr(gx, "value", gx)), "error")


def _short(value: Any) -> str:
    """Any cell value on one short line (never a whole document)."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value[: 4 * UNEXPECTED_ROWS * 10]).decode("utf-8", errors="replace")
    elif isinstance(value, Sequence) and not isinstance(value, str) and value and all(
        getattr(v, "id", None) or (isinstance(v, Mapping) and "id" in v) for v in value
    ):
        value = "versions " + ", ".join(
            str(v["id"] if isinstance(v, Mapping) else v.id) for v in value)
    text = str(value)[:1000]
    return excerpt(text, (0, len(text)))


def _cell(text: str) -> RenderedStringTemplateContent:
    """A table cell whose text GX escapes (plain string cells reach the page as raw HTML)."""
    return RenderedStringTemplateContent(
        content_block_type="string_template",
        string_template={"template": "$value", "params": {"value": text}},
    )

