"""The one place that starts Great Expectations: an ephemeral context, quiet and offline."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any


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
