"""The one place that starts Great Expectations: how GX is imported, and an ephemeral
context, quiet and offline.

Importing GX costs more than anything else before the first document (see "Start-up
before the first document" in docs/report.md). Part of that is GX importing, at its own
import, libraries that only GX features corpus-qa never runs use: scipy.stats and
altair (the KL-divergence and KS-test expectations: an entropy and a chart), and pyspark
(GX's Spark execution engine). :func:`defer_unused_imports` makes the first two load on
first use instead (:class:`importlib.util.LazyLoader`); :func:`as_command` keeps pyspark
out of the ``corpus-qa`` command when it validates with the local engine.
"""

from __future__ import annotations

import gc
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
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
    hide = _NoSpark() if _without_spark and _SPARK not in sys.modules else None
    if hide is not None:
        sys.meta_path.insert(0, hide)

    def after() -> None:
        if hide is not None:
            sys.meta_path.remove(hide)
        if _command:
            gc.freeze()

    return after


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
