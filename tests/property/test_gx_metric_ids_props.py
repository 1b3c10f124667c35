"""The metric ids GX computes while corpus-qa validates a chunk are those GX computes alone.

:func:`corpus_qa.engine.scope.json_ready` stands in for GX's
``convert_to_json_serializable`` while a chunk is validated (for speed): on any value it
must give what GX's function gives, and GX's own must be back afterwards.
"""

from __future__ import annotations

import enum
import math

import numpy as np
from great_expectations.core.id_dict import IDDict
from great_expectations.util import convert_to_json_serializable
from hypothesis import given
from hypothesis import strategies as st

from corpus_qa.engine.scope import _quick_metric_ids, json_ready


class Colour(enum.Enum):
    RED = "red"


class Text(str):
    """A str subclass: not a plain value, GX's function decides."""


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
    st.sampled_from([Colour.RED, np.int64(3), np.float64(0.5), np.bool_(True), b"xy",
                     range(3), Text("t"), np.array([1, 2])]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), inner, max_size=4),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(IDDict),
        st.frozensets(st.one_of(st.integers(), st.text(max_size=3)), max_size=3).map(set),
    ),
    max_leaves=12,
)


def _same(a: object, b: object) -> bool:
    """Equal, NaN equal to NaN, and of the same types throughout."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)  # type: ignore[arg-type]
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=False))  # type: ignore[arg-type]
    return a == b


@given(values)
def test_json_ready_is_gx_convert_to_json_serializable(value: object) -> None:
    expected = convert_to_json_serializable(value)
    assert _same(json_ready(value, slow=convert_to_json_serializable), expected)


@given(st.dictionaries(st.text(max_size=4), values, min_size=2, max_size=4))
def test_metric_ids_are_gx_metric_ids(kwargs: dict) -> None:
    expected = IDDict(kwargs).to_id()
    with _quick_metric_ids():
        assert IDDict(kwargs).to_id() == expected


def test_gx_function_is_put_back() -> None:
    from great_expectations.core import id_dict

    with _quick_metric_ids():
        assert id_dict.convert_to_json_serializable is not convert_to_json_serializable
    assert id_dict.convert_to_json_serializable is convert_to_json_serializable
