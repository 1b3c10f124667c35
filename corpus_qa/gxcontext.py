"""The one place that starts Great Expectations: how GX is imported, and an ephemeral
context, quiet and offline.

Importing GX costs more than anything else before the first document (see "Start-up
before the first document" in docs/report.md). Part of that is GX importing, at its own
import, libraries that only GX features corpus-qa never runs use: scipy.stats and
altair (the KL-divergence and KS-test expectations: an entropy and a chart), and pyspark
(GX's Spark execution engine). :func:`defer_unused_imports` makes the first two load on
first use instead (:class:`importlib.util.LazyLoader`); :func:`as_command` keeps pyspark
out of the ``corpus-qa`` command when it validates with the local engine.

GX's import also builds a few hundred pydantic (v1) model classes, and pydantic copies
every base class's fields into each subclass with :func:`copy.deepcopy` — a third of the
import. :func:`exact_field_copy` does that copy while GX is imported, with the same
result and a fifth of the work.
"""

from __future__ import annotations

import copy
import copyreg
import gc
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Any

DEFERRED = ("scipy", "scipy.stats", "altair")
"""Modules GX imports at its own import for features corpus-qa does not use, loaded on
first attribute use instead (parents before their submodules). Once used — by GX's
KL-divergence or KS-test expectations, or by a user's own code — each is the real module."""

_SPARK = "pyspark"
_command = False
_without_spark = False


def defer_unused_imports() -> None:
    """Put a lazy module in ``sys.modules`` for each of :data:`DEFERRED` not imported yet.

    Called right before GX's own import runs (``corpus_qa/__init__.py``): ``import
    altair as alt`` and ``from scipy import stats`` then bind modules whose code runs on
    their first attribute access, e.g. ``stats.entropy``. A module that is not installed
    is left to GX (which handles its absence).
    """
    specs: dict[str, importlib.machinery.ModuleSpec] = {}
    for name in DEFERRED:
        if name in sys.modules:
            continue
        parent, _, child = name.rpartition(".")
        if parent and parent not in specs:
            continue  # the parent is a real module already (or absent): import normally
        locations = specs[parent].submodule_search_locations if parent else None
        spec = importlib.machinery.PathFinder.find_spec(name, locations)
        if spec is None or spec.loader is None:
            continue
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)  # lazy: records the loader, runs nothing
        module.__class__ = _bindable(type(module))
        if parent:
            setattr(sys.modules[parent], child, module)  # as an import would
        specs[name] = spec


@lru_cache(maxsize=1)
def _bindable(lazy: type) -> type:
    """The LazyLoader's module class, except that what the import system reads to bind
    the module (``import m``, ``from m import sub``) does not load it: ``__spec__`` (is
    it still initialising?), ``__path__`` (is it a package?) and its deferred
    submodules. Every other attribute loads it, after which it is a plain module."""

    class Bindable(lazy):  # type: ignore[misc, valid-type]
        def __getattribute__(self, attr: str) -> Any:
            if attr in ("__spec__", "__path__", "__class__", "__dict__"):
                return types.ModuleType.__getattribute__(self, attr)
            value = types.ModuleType.__getattribute__(self, "__dict__").get(attr)
            if isinstance(value, Bindable):
                return value
            return super().__getattribute__(attr)

    return Bindable


_NIL = object()
_ATOMIC = frozenset({type(None), int, float, bool, complex, bytes, str, types.CodeType, type,
                     range, types.BuiltinFunctionType, types.FunctionType, type(Ellipsis),
                     type(NotImplemented), weakref.ref, property})
"""What :func:`copy.deepcopy` returns as it is (its ``_deepcopy_atomic`` types)."""


def _plain_slots(cls: type) -> tuple[str, ...] | None:
    """The slot names :func:`copy.deepcopy` copies for an instance of ``cls``, if it copies
    one the plain way (``__reduce_ex__`` of ``object``: a new object, each set slot deep
    copied); ``None`` for a class that copies itself otherwise, or has a ``__dict__``."""
    plain = (
        all("__slots__" in vars(c) for c in cls.__mro__[:-1])
        and cls not in copyreg.dispatch_table
        and getattr(cls, "__deepcopy__", None) is None
        and getattr(cls, "__setstate__", None) is None
        and getattr(cls, "__getnewargs_ex__", None) is None
        and getattr(cls, "__getnewargs__", None) is None
        and cls.__reduce_ex__ is object.__reduce_ex__
        and cls.__reduce__ is object.__reduce__
        and getattr(cls, "__getstate__", object.__getstate__) is object.__getstate__
        and "__dict__" not in copyreg._slotnames(cls)  # type: ignore[attr-defined]
    )
    return tuple(copyreg._slotnames(cls)) if plain else None  # type: ignore[attr-defined]


def exact_field_copy(slotted: tuple[type, ...]) -> Callable[[Any], Any]:
    """A deep copy that returns what :func:`copy.deepcopy` returns, faster on the objects
    pydantic's model fields are made of.

    Dicts, lists and tuples are copied as ``copy.deepcopy`` copies them (a tuple whose
    items all copy to themselves is returned as it is), and so is an instance of a class
    of ``slotted`` that ``deepcopy`` copies the plain way (:func:`_plain_slots`): without
    the reduce protocol's state tuple and dict made, copied and thrown away for each one
    (pydantic's ``ModelField``, ``FieldInfo`` and ``Validator``: thousands of them during
    GX's import). Anything else goes to ``copy.deepcopy`` with the same memo, so shared
    and cyclic references come out as they would.
    """
    names = {cls: found for cls in slotted if (found := _plain_slots(cls)) is not None}
    atomic = set(_ATOMIC)  # and the metaclasses met (a class is copied as itself)
    deepcopy = copy.deepcopy

    def copied(x: Any, memo: dict[int, Any]) -> Any:
        cls = type(x)
        if cls in atomic:
            return x
        if issubclass(cls, type):
            atomic.add(cls)
            return x
        key = id(x)
        y = memo.get(key, _NIL)
        if y is not _NIL:
            return y
        # Values that copy to themselves are tested inline: most are, and a call costs more.
        if cls is dict:
            y = memo[key] = {}
            for k, v in x.items():
                y[k if type(k) in atomic else copied(k, memo)] = (
                    v if type(v) in atomic else copied(v, memo))
        elif cls is list:
            y = memo[key] = []  # in the memo before its items: a list may hold itself
            y.extend([v if type(v) in atomic else copied(v, memo) for v in x])
        elif cls is tuple:
            items = [v if type(v) in atomic else copied(v, memo) for v in x]
            if key in memo:  # the tuple is in a cycle: deepcopy returns the copy made inside
                return memo[key]
            if any(a is not b for a, b in zip(x, items, strict=True)):
                y = memo[key] = tuple(items)
            else:
                y = x
        elif cls in names:
            y = memo[key] = cls.__new__(cls)
            for name in names[cls]:
                v = getattr(x, name, _NIL)
                if v is not _NIL:  # a slot never set is not copied either
                    setattr(y, name, v if type(v) in atomic else copied(v, memo))
        else:
            y = deepcopy(x, memo)
        return y

    return lambda x: copied(x, {})


def _faster_field_copies() -> Callable[[], None]:
    """While GX is imported, pydantic v1's model classes copy their bases' fields with
    :func:`exact_field_copy`; returns what puts pydantic's own copy back. Nothing is
    changed when pydantic's v1 API is not there or its classes copy themselves otherwise."""
    try:
        from pydantic.v1 import class_validators, fields, main, utils
    except ImportError:
        return lambda: None
    original = main.smart_deepcopy
    if original is not utils.smart_deepcopy:  # already replaced (by us, or someone else)
        return lambda: None
    fast = exact_field_copy((fields.ModelField, fields.FieldInfo, class_validators.Validator))

    def smart_deepcopy(obj: Any) -> Any:  # pydantic's, with the deep copy above
        if type(obj) in utils.IMMUTABLE_NON_COLLECTIONS_TYPES:
            return obj
        if not obj and type(obj) in utils.BUILTIN_COLLECTIONS:
            return obj if type(obj) is tuple else obj.copy()
        return fast(obj)

    main.smart_deepcopy = smart_deepcopy

    def restore() -> None:
        if main.smart_deepcopy is smart_deepcopy:
            main.smart_deepcopy = original

    return restore


class _NoSpark(importlib.abc.MetaPathFinder):
    """While GX is imported: ``import pyspark`` fails as if pyspark were not installed."""

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name == _SPARK or name.startswith(_SPARK + "."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def as_command(*, spark: bool) -> None:
    """This process is the ``corpus-qa`` command, not a Python program using corpus-qa.

    When it imports GX: without ``spark``, as if pyspark were not installed (GX then
    skips its Spark support, about a quarter of a second of imports, which the local
    engine never uses); and the objects the import leaves are moved out of the cyclic
    collector's reach (:func:`gc.freeze`): modules and classes that live as long as the
    process, which every later full collection would otherwise traverse again, and whose
    pages a collection in a forked worker then does not write to (and so copy). Not for a
    program calling ``corpus_qa.cli.main([...])``, which may use GX with Spark later and
    whose objects are its own.
    """
    global _command, _without_spark
    _command, _without_spark = True, not spark


def before_gx_import() -> Callable[[], None]:
    """What ``corpus_qa/__init__.py`` runs right before GX's import: defers the unused
    imports (and, in the command, hides pyspark: :func:`as_command`); returns what to run
    once GX and corpus-qa's expectations are imported."""
    defer_unused_imports()
    restore = _faster_field_copies()
    hide = _NoSpark() if _without_spark and _SPARK not in sys.modules else None
    if hide is not None:
        sys.meta_path.insert(0, hide)

    def after() -> None:
        restore()
        if hide is not None:
            sys.meta_path.remove(hide)
        if _command:
            freeze_heap()

    return after


_frozen_here = False
"""Whether this process's frozen heap is the one :func:`freeze_heap` froze when nothing
was frozen, not thawed by :func:`unfreeze_heap` since."""


def freeze_heap(*, frozen: bool | None = None) -> None:
    """:func:`gc.freeze`, remembered when it freezes a heap nothing froze before (see
    :func:`heap_is_frozen`); ``frozen``: :func:`heap_is_frozen` just before, when the
    caller asked already."""
    global _frozen_here
    if frozen is None:
        frozen = heap_is_frozen()
    gc.freeze()
    if not frozen:
        _frozen_here = True


def unfreeze_heap() -> None:
    """:func:`gc.unfreeze`, remembered (see :func:`heap_is_frozen`)."""
    global _frozen_here
    gc.unfreeze()
    _frozen_here = False


def heap_is_frozen() -> bool:
    """Whether the collector's permanent generation holds anything:
    ``gc.get_freeze_count() > 0``, without counting it when :func:`freeze_heap` froze it.

    ``gc.get_freeze_count`` walks every frozen object: once the command has frozen what
    importing GX left (some 215,000 objects), 25 ms a call, paid at each freeze and thaw
    of a run (the worker pool, :func:`corpus_qa.engine.pool.heap_frozen`). The flag
    answers only while the freeze :func:`freeze_heap` started stands (a frozen heap is
    never empty: it holds the modules). A ``gc.unfreeze()`` called elsewhere after it,
    not through :func:`unfreeze_heap`, would leave the flag behind and a later thaw of
    ours skipped: the collector's schedule would differ, never a result."""
    return _frozen_here or gc.get_freeze_count() > 0


@lru_cache(maxsize=1)
def context() -> Any:
    """An ephemeral GX context with progress bars and usage statistics off.

    GX's own progress bars are turned off (they print per batch and per metric; the
    runner shows one bar for the whole corpus instead) and analytics are disabled
    (this tool runs in CI and offline).
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    import corpus_qa.expectations  # noqa: F401  (registers our expectation classes)

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx


@lru_cache(maxsize=4)
def batch_definition(asset: str) -> Any:
    """A whole-dataframe batch definition on a pandas data source (one per row kind)."""
    sources = context().data_sources
    try:
        source = sources.get("corpus_qa")
    except (KeyError, ValueError, LookupError):
        source = sources.add_pandas("corpus_qa")
    data_asset = source.add_dataframe_asset(asset)
    return data_asset.add_batch_definition_whole_dataframe(f"{asset}_all")
