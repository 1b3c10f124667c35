"""GX validates the rows of one scope; each failing row's hits come back, found once.

GX answers pass/fail per row with ``result_format=SUMMARY`` and the failing rows' places
in the chunk (the DataFrame's default index: GX lists them as they are, where an index
*column* would cost it a cell look-up per failing row and expectation).
Checks that have no cheaper test than finding their hits keep those hits while GX asks
(:func:`corpus_qa.expectations.base.recording`), and they are read back here; checks
with a cheap predicate find their hits here, for the failing rows only. Spans and
messages are therefore computed for failing rows and never twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from corpus_qa.findings import Hit
from corpus_qa.results import Finding, group
from corpus_qa.suite import FROM_GX_SEVERITY

_SUITE_NUMBERS = itertools.count(1)

PlaceHit = Callable[[Hit, str, str, str], Finding]
"""``place(hit, row_id, expectation_type, severity) -> Finding``."""


@dataclass
class ScopeResult:
    """What validating rows produced, by expectation position in the suite."""

    counts: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # checked, unexp, missing
    errors: list[tuple[int, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    """Row id -> what a check computed for the report (the figure tables of a story)."""


class ScopeValidator:
    """Runs the expectations of one scope (``document``, ``story``, ``corpus``) on rows."""

    def __init__(self, name: str, instances: Sequence[Any], scope: str) -> None:
        """``instances`` are the suite's expectation objects; GX lets each belong to one
        validator, so a caller that validates several scopes builds one validator per
        scope from the same list (they take disjoint parts of it)."""
        import great_expectations as gx

        from corpus_qa.gxcontext import batch_definition, context

        ctx = context()
        self.positions = [i for i, e in enumerate(instances) if e.scope == scope]
        self.expectations = [instances[i] for i in self.positions]
        self.gx_suite = None
        if self.expectations:
            gx_suite = gx.ExpectationSuite(name=f"{name}-{scope}-{next(_SUITE_NUMBERS)}")
            for expectation in self.expectations:
                gx_suite.add_expectation(expectation)
            self.gx_suite = ctx.suites.add(gx_suite)
            # GX assigned ids when the suite was added; results are matched back by id.
            self.index = {e.id: i for i, e in enumerate(self.gx_suite.expectations)}
        self.batches = batch_definition(scope)
        self.check_runs = 0
        """Rows a check ran on while validating (GX's condition, or an explanation)."""

    def validate(self, rows: list[dict[str, Any]], place_hit: PlaceHit) -> ScopeResult:
        """Validate ``rows`` (dicts of plain values with an ``id``)."""
        out = ScopeResult()
        if self.gx_suite is None or not rows:
            return out
        import pandas as pd
        from great_expectations.validator.v1_validator import Validator

        from corpus_qa.expectations.base import recording

        # Cells stay the Python objects the rows hold (``dtype=object``): pandas 3 would copy
        # each text column into an Arrow string array, and every metric's ``map`` would
        # copy it back into Python strings.
        frame = pd.DataFrame(rows, dtype=object)
        # GX's own validator on the batch definition: ``get_batch(...).validate(...)`` would
        # build the batch twice (once for the Batch, once inside its validator).
        validator = Validator(
            batch_definition=self.batches,
            batch_parameters={"dataframe": frame},
            result_format={
                "result_format": "SUMMARY",
                # Every failing row of the chunk, by its place in ``rows`` (the frame's
                # default index). Not by an index column (``unexpected_index_column_names``):
                # GX would look its cell up per failing row, ``DataFrame.at`` — 3 % of
                # pass 1 on news where every document misses a required field.
                "partial_unexpected_count": len(rows),
            },
        )
        with recording() as recorder, _unfingerprinted(), _quick_metric_ids():
            result = validator.validate_expectation_suite(self.gx_suite)
            self.check_runs += recorder.runs
            for item in result.results:
                local = self.index[item.expectation_config.id]
                self._collect(item, self.positions[local], self.expectations[local], rows,
                              recorder, place_hit, out)
        _release_batch(validator)
        return out

    def _collect(self, item: Any, position: int, expectation: Any, rows: list[dict[str, Any]],
                 recorder: Any, place_hit: PlaceHit, out: ScopeResult) -> None:
        info = item.exception_info or {}
        if info.get("raised_exception"):
            out.errors.append((position, (info.get("exception_message") or "raised") + "\n"
                               + (info.get("exception_traceback") or "")))
            return
        stats = item.result
        out.counts[position] = (int(stats.get("element_count", 0)),
                                int(stats.get("unexpected_count", 0)),
                                int(stats.get("missing_count", 0)))
        severity = FROM_GX_SEVERITY[str(getattr(expectation.severity, "value",
                                                expectation.severity))]
        kept_by_row = expectation.recorded(recorder)  # one look-up per batch, not per row
        for failing in stats.get("partial_unexpected_index_list") or []:
            index = int(failing)
            row_id = rows[index]["id"]
            found = kept_by_row.get(index)
            if found is None:
                found = expectation.checked(rows[index][expectation.column])
                self.check_runs += 1
            # One finding per root cause: the hits of one reason in a document are its spans.
            out.findings.extend(group(
                place_hit(hit, row_id, expectation.expectation_type, severity)
                for hit in found.hits))
        for index, kept in sorted(kept_by_row.items()):
            if kept.detail is not None:
                out.details.setdefault(rows[index]["id"], kept.detail)


def _release_batch(validator: Any) -> None:
    """GX lets go of the batch just validated.

    The data source's execution engine outlives the validator and caches the last batch
    it loaded (the ``Batch`` and its data: the chunk's DataFrame, whose cells are the
    rows — each text, its bytes, its metadata), until the next batch of the same asset
    replaces it. A worker would hold one chunk's rows between chunks and two while it
    validates the next (and the last chunk of pass 1 through the whole story pass).
    Only this batch's entries are dropped: nothing reads them again. (Through GX 1.x's
    own validator, which GX keeps private: a GX without it keeps its cache, as before.)
    """
    wrapped = getattr(validator, "_wrapped_validator", None)
    manager = getattr(getattr(wrapped, "execution_engine", None), "batch_manager", None)
    if manager is None:
        return
    batch_id = wrapped.active_batch_id  # type: ignore[union-attr]
    manager.batch_cache.pop(batch_id, None)
    manager.batch_data_cache.pop(batch_id, None)


@contextmanager
def _unfingerprinted() -> Iterator[None]:
    """GX's pandas engine does not fingerprint the batches built meanwhile.

    GX labels each pandas batch smaller than its ``HASH_THRESHOLD`` with a fingerprint:
    ``hash_pandas_object`` of the whole DataFrame, or, when a cell holds a dict (the
    ``body`` and ``metadata`` columns always do), a pickle of it, then an md5 — about a
    third of GX's time on a chunk, for a label in the batch markers that nothing here
    reads. GX already skips it above the threshold (large frames); the threshold is set to
    0 only while our own batches are built and restored afterwards, so a user's GX
    validation in the same process keeps its fingerprints.
    """
    from great_expectations.execution_engine import pandas_execution_engine as engine

    previous, engine.HASH_THRESHOLD = engine.HASH_THRESHOLD, 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = previous


@contextmanager
def _quick_metric_ids() -> Iterator[None]:
    """GX names each metric it computes with the same values, made faster meanwhile.

    GX builds a fresh metric graph for every chunk it validates: a few hundred metric
    configurations, each named by an md5 of its keyword arguments made JSON-ready by
    ``convert_to_json_serializable`` — about 11 ms of a chunk's fixed cost of 48 ms,
    mostly spent testing ``None`` against NumPy's scalar types, a test that function
    makes before ``data is None`` (a chunk of one document: 44 → 37 ms with
    :func:`json_ready`). While our own chunks are validated, the
    metric ids are made JSON-ready by :func:`json_ready` (the same values; anything but
    plain built-in values goes to GX's function), and GX's own is put back afterwards.
    """
    from great_expectations.core import id_dict

    previous = id_dict.convert_to_json_serializable
    id_dict.convert_to_json_serializable = partial(json_ready, slow=previous)
    try:
        yield
    finally:
        id_dict.convert_to_json_serializable = previous


def json_ready(data: Any, slow: Callable[[Any], Any]) -> Any:
    """``slow(data)`` (GX's ``convert_to_json_serializable``) for values built of the
    exact built-in types ``None``, ``bool``, ``int``, ``float``, ``str``, ``dict``,
    ``list``, ``tuple`` and ``set``, without its tests for other types; ``slow`` is
    asked for any other value (a subclass included), wherever it is nested.

    >>> json_ready({1: [None, float("nan"), ("a", True)]}, slow=str)
    {'1': [None, None, ['a', True]]}
    """
    kind = type(data)
    if data is None or kind is str or kind is int or kind is bool:
        return data
    if kind is float:
        return None if data != data else data  # NaN is null
    if kind is dict:
        return {str(key): json_ready(value, slow) for key, value in data.items()}
    if kind is list or kind is tuple or kind is set:
        return [json_ready(value, slow) for value in data]
    return slow(data)
