"""corpus_qa/gxcontext.py: the deep copy pydantic's model classes use while GX is imported
returns exactly what :func:`copy.deepcopy` returns (start-up, issue 13 item 5)."""

from __future__ import annotations

import copy
import copyreg
from typing import Any, Optional, Union

import great_expectations  # noqa: F401  (every GX model class exists)
from hypothesis import given
from hypothesis import strategies as st
from pydantic.v1 import BaseModel, class_validators, fields

from corpus_qa.gxcontext import _plain_slots, exact_field_copy

PYDANTIC = (fields.ModelField, fields.FieldInfo, class_validators.Validator)


def _assert_same(ref: Any, ours: Any, original: Any) -> None:
    """``ours`` is ``copy.deepcopy``'s result ``ref`` again: the same types and values, the
    same objects kept (atomic values, unchanged tuples) or copied, and the same sharing."""
    _same(ref, ours, original, {}, [])


def _same(ref: Any, ours: Any, original: Any, seen: dict[int, int], keep: list[Any]) -> None:
    assert type(ref) is type(ours), (ref, ours)
    assert (ref is original) == (ours is original), (ref, ours)
    if id(ref) in seen:  # shared (or cyclic): shared the same way in both copies
        assert seen[id(ref)] == id(ours), (ref, ours)
        return
    seen[id(ref)] = id(ours)
    if ref is original:
        return
    if isinstance(ref, dict):
        assert len(ref) == len(ours) == len(original)
        items = zip(ref.items(), ours.items(), original.items(), strict=True)
        for (rk, rv), (ok, ov), (k, v) in items:
            _same(rk, ok, k, seen, keep)
            _same(rv, ov, v, seen, keep)
    elif isinstance(ref, (list, tuple)):
        assert len(ref) == len(ours) == len(original)
        for r, o, x in zip(ref, ours, original, strict=True):
            _same(r, o, x, seen, keep)
    elif _plain_slots(type(ref)) is not None:
        for name in copyreg._slotnames(type(ref)):  # type: ignore[attr-defined]
            marker = object()
            r, o, x = (getattr(v, name, marker) for v in (ref, ours, original))
            assert (r is marker) == (o is marker) == (x is marker), name
            if r is not marker:
                _same(r, o, x, seen, keep)
    elif ref != ours:  # left to copy.deepcopy (typing aliases, ...): equal, or made alike
        reduced = [v.__reduce_ex__(4) for v in (ref, ours, original)]
        keep.append(reduced)  # alive until the end: their ids are not reused meanwhile
        assert reduced[0][0] is reduced[1][0], reduced
        _same(reduced[0][1:], reduced[1][1:], reduced[2][1:], seen, keep)


def _models() -> list[type[BaseModel]]:
    found, stack = [], list(BaseModel.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def test_the_pydantic_classes_are_copied_the_fast_way() -> None:
    assert all(_plain_slots(cls) is not None for cls in PYDANTIC)
    assert _plain_slots(dict) is None  # has no __slots__


def test_every_gx_model_s_fields_copy_as_deepcopy_copies_them() -> None:
    fast = exact_field_copy(PYDANTIC)
    models = _models()
    assert len(models) > 300, len(models)  # GX's models and corpus-qa's expectations
    for cls in models:
        original = cls.__fields__
        _assert_same(copy.deepcopy(original), fast(original), original)


class _Slotted:
    __slots__ = ("a", "b")


class _Own:
    """Copies itself: left to copy.deepcopy, with the same memo."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict[int, Any]) -> _Own:
        return _Own(copy.deepcopy(self.value, memo))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Own) and other.value == self.value


def _build(draw: st.DrawFn) -> Any:
    """A structure of dicts, lists, tuples, slotted objects and leaves in which objects
    are shared, and lists and slotted objects can hold their own containers (cycles)."""
    pool: list[Any] = []
    leaves = st.one_of(st.integers(-3, 3), st.text(max_size=2), st.none(), st.just(int),
                       # typing's aliases, which deepcopy rebuilds (not X | Y: types.UnionType)
                       st.just(Optional[int]), st.just(Union[int, str]))  # noqa: UP007, UP045

    def node(depth: int) -> Any:
        kind = draw(st.sampled_from(["leaf", "shared", "dict", "list", "tuple", "slots", "own"]
                                    if depth < 4 else ["leaf", "shared"]))
        if kind == "leaf" or (kind == "shared" and not pool):
            return draw(leaves)
        if kind == "shared":
            return draw(st.sampled_from(pool))
        if kind == "own":
            return _Own(draw(leaves))
        if kind == "tuple":
            value: Any = tuple(node(depth + 1) for _ in range(draw(st.integers(0, 3))))
        elif kind == "dict":
            value = {}
            pool.append(value)
            for _ in range(draw(st.integers(0, 3))):
                value[draw(st.text(max_size=2))] = node(depth + 1)
        elif kind == "list":
            value = []
            pool.append(value)
            value.extend(node(depth + 1) for _ in range(draw(st.integers(0, 3))))
        else:
            value = _Slotted()
            pool.append(value)
            for name in draw(st.lists(st.sampled_from(["a", "b"]), unique=True)):
                setattr(value, name, node(depth + 1))
        pool.append(value)
        return value

    return node(0)


@given(st.composite(_build)())
def test_any_structure_copies_as_deepcopy_copies_it(original: Any) -> None:
    fast = exact_field_copy((_Slotted,))
    _assert_same(copy.deepcopy(original), fast(original), original)
