"""Corpus-wide repeated lines on Spark: the local engine's count, as an aggregation.

The local engine counts, for each corpus-scope pass (``expect_corpus_to_have_no_repeated_lines``,
:class:`~corpus_qa.expectations.boilerplate.RepeatedLinesPass`), the distinct stories
each normalised line hash occurs in, feeding every document's pre-pass value to a
:class:`~corpus_qa.checks.boilerplate.RepeatedLineCounter` on the driver. With
``--engine spark`` the same (line hash, story hash) pairs are made in Spark tasks, which
read the pre-pass values pass 1 stored, and counted there:

1. the driver sends one small row per document and pass — where its pre-pass value is
   stored and its story hash (:meth:`RepeatedLinesPass.story_key`, the hash ``add``
   uses), both as signed 64-bit integers (Spark has no unsigned longs);
2. ``mapInPandas`` reads each value from the run's row store and gives one row per
   distinct line hash of the document (:meth:`RepeatedLinesPass.line_keys`);
3. ``distinct`` keeps one row per (pass, line, story) — versions of one story count
   once — and ``groupBy(pass, line)`` counts the stories of each line;
4. only the lines in at least the pass's threshold of stories (its ``min_documents``,
   or ``min_fraction`` of the corpus's stories, counted on the driver from the records)
   come back to the driver, with their stories, and go into the pass's counter.

The counter then answers each document's cell exactly as if it had counted every pair
itself: the lines left in Spark are in fewer stories than the threshold and are never
repeated. pyspark is imported inside the functions, as in :mod:`corpus_qa.engine.spark`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from typing import Any

import numpy as np


def _signed(value: int) -> int:
    """An unsigned 64-bit hash as the signed integer with the same bits.

    >>> _signed(2**64 - 1), _signed(5)
    (-1, 5)
    """
    return value - (1 << 64) if value >= 1 << 63 else value


def _pairs(store_dir: str, passes: Mapping[int, Any], frames: Iterator[Any]) -> Iterator[Any]:
    """``mapInPandas``: (pos, chunk, offset, length, story) → (pos, line, story) per
    distinct line hash of the stored pre-pass value."""
    import pandas as pd

    from corpus_qa.engine.rowstore import RowStore

    store = RowStore(store_dir)
    try:
        for frame in frames:
            pos_out: list[int] = []
            lines: list[int] = []
            stories: list[int] = []
            for pos, chunk, offset, length, story in zip(
                    frame["pos"], frame["chunk"], frame["offset"], frame["length"],
                    frame["story"], strict=True):
                keys = passes[int(pos)].line_keys(store.get((int(chunk), int(offset),
                                                             int(length))))
                lines.extend(keys)
                pos_out.extend([int(pos)] * len(keys))
                stories.extend([int(story)] * len(keys))
            yield pd.DataFrame({
                "pos": np.asarray(pos_out, dtype=np.int32),
                "line": np.asarray(lines, dtype=np.uint64).view(np.int64),
                "story": np.asarray(stories, dtype=np.int64)})
    finally:
        store.close()


def count_lines(session: Any, passes: dict[int, Any], documents: Iterable[dict[str, Any]],
                stored: Mapping[str, Any], store_dir: str) -> dict[str, int]:
    """Fill each pass's counter with the Spark aggregation of its (line, story) pairs.

    ``passes`` are the corpus passes by expectation position, ``documents`` the run's
    records (``id``, ``story``), ``stored`` where pass 1 stored each document's pre-pass
    values. Returns what ``-v`` prints: the stories, and the lines counted as repeated.
    """
    import pandas as pd
    from pyspark.sql import functions as F

    story_hashes: set[int] = set()
    rows: dict[str, list[int]] = {"pos": [], "chunk": [], "offset": [], "length": [],
                                  "story": []}
    first = next(iter(passes.values()))
    for record in documents:
        story = first.story_key(record["id"], record["story"])
        story_hashes.add(story)
        for position in passes:
            chunk, offset, length = stored[record["id"]].prepared[position]
            rows["pos"].append(position)
            rows["chunk"].append(chunk)
            rows["offset"].append(offset)
            rows["length"].append(length)
            rows["story"].append(_signed(story))
    frame = pd.DataFrame({"pos": np.asarray(rows["pos"], dtype=np.int32),
                          **{k: np.asarray(rows[k], dtype=np.int64)
                             for k in ("chunk", "offset", "length", "story")}})
    del rows
    thresholds = {position: p.threshold_for(len(story_hashes)) for position, p in passes.items()}
    parallelism = max(1, int(session.sparkContext.defaultParallelism))
    docs = session.createDataFrame(frame).repartition(2 * parallelism)
    del frame
    pairs = docs.mapInPandas(partial(_pairs, store_dir, passes),
                             "pos int, line long, story long").distinct()
    enough = None
    for position, threshold in thresholds.items():
        here = (F.col("pos") == position) & (F.col("n") >= threshold)
        enough = here if enough is None else enough | here
    repeated = (pairs.groupBy("pos", "line")
                .agg(F.count("*").alias("n"), F.collect_list("story").alias("stories"))
                .where(enough)
                .select("pos", "line", F.explode("stories").alias("story"))
                .toPandas())
    lines = 0
    for position, corpus_pass in passes.items():
        mine = repeated[repeated["pos"] == position]
        line = mine["line"].to_numpy(dtype=np.int64).view(np.uint64)
        corpus_pass.counted(story_hashes, line, mine["story"].to_numpy(dtype=np.int64)
                            .view(np.uint64))
        lines += len(np.unique(line))
    return {"stories": len(story_hashes), "repeated_lines": lines}
