"""Story grouping on Spark: LSH banding as a self-join, components by label propagation.

``--engine spark`` groups with the signatures pass 1 computed (corpus-qa's own MinHash,
:class:`~corpus_qa.checks.versions.StoryGrouper`) and gives exactly the local grouper's
stories. What decides a story is not copied here but imported from
:mod:`corpus_qa.checks.versions`: the band keys (:func:`~corpus_qa.checks.versions.band_keys`,
signed 64-bit so that Spark's LongType holds them), which members of a bucket are compared
(:func:`~corpus_qa.checks.versions.in_reach`, the ``MAX_BUCKET`` rule, in signature order),
the verification (:func:`~corpus_qa.checks.versions.equal_positions`), and the stories made
from links (:meth:`~corpus_qa.checks.versions.StoryGrouper.stories_from`: keys, story ids,
chronological order).

The steps, each a Spark DataFrame:

1. documents with identical signatures are linked to the one whose id sorts first (as
   locally), and only those representatives are banded;
2. ``mapInPandas`` turns each signature into (band, key) rows; buckets of one member are
   dropped, and in the others each member gets its position in signature order;
3. candidates are a self-join on (band, key, block of ``MAX_BUCKET`` positions) — a
   member meets at most two blocks, never the whole of a huge bucket — kept when in
   reach, then verified in ``mapInPandas`` by their equal positions;
4. connected components of the links (and of the documents sharing a story key) by
   min-label propagation with pointer jumping, the lineage cut each round by
   ``localCheckpoint``, at most :func:`max_rounds` rounds (past that, which has not
   happened on any corpus tried, the driver finishes with union-find);
5. on the driver, each component becomes a story; a component holding two different
   story keys (which the local grouper splits by the order of its links) replays its
   own links in the local order.

pyspark is imported inside the functions, as in :mod:`corpus_qa.engine.spark`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus_qa.checks.versions import (
    MAX_BUCKET,
    Story,
    StoryGrouper,
    band_keys,
    equal_positions,
    in_reach,
)


def max_rounds(nodes: int) -> int:
    """Label-propagation rounds allowed for a graph of ``nodes`` nodes.

    Pointer jumping at least halves the longest chain of labels each round, so
    ``2·log2(nodes)`` rounds are plenty; a few more cover a last round that only
    confirms nothing changed.

    >>> max_rounds(1), max_rounds(1000), max_rounds(1_000_000)
    (5, 23, 43)
    """
    return 2 * math.ceil(math.log2(max(nodes, 2))) + 3


def _to_bytes(signatures: npt.NDArray[np.uint32]) -> list[bytes]:
    """Each signature as big-endian bytes: Spark orders binary values as unsigned bytes,
    so their order is the signatures' lexicographic order (the local grouper's)."""
    big = np.ascontiguousarray(signatures.astype(">u4"))
    return [row.tobytes() for row in big]


def _from_bytes(values: Any, width: int) -> npt.NDArray[np.uint32]:
    if not len(values):
        return np.empty((0, width), dtype=np.uint32)
    joined = b"".join(bytes(v) for v in values)
    return np.frombuffer(joined, dtype=">u4").reshape(len(values), width).astype(np.uint32)


def _band_rows(bands: int, rows: int, width: int, frames: Iterator[Any]) -> Iterator[Any]:
    """``mapInPandas``: (rep, sig) → (band, key, rep) for every band."""
    import pandas as pd

    for frame in frames:
        keys = band_keys(_from_bytes(frame["sig"], width), bands, rows)
        yield pd.DataFrame({
            "band": np.tile(np.arange(bands, dtype=np.int32), len(frame)),
            "key": keys.reshape(-1),
            "rep": np.repeat(frame["rep"].to_numpy(dtype=np.int64), bands),
        })


def _verify(width: int, min_equal: int, frames: Iterator[Any]) -> Iterator[Any]:
    """``mapInPandas``: candidate pairs (a, b, sig_a, sig_b) → verified (equal, a, b)."""
    import pandas as pd

    for frame in frames:
        equal = equal_positions(_from_bytes(frame["sig_a"], width),
                                _from_bytes(frame["sig_b"], width))
        keep = equal >= min_equal
        yield pd.DataFrame({"equal": equal[keep].astype(np.int64),
                            "a": frame["a"].to_numpy(dtype=np.int64)[keep],
                            "b": frame["b"].to_numpy(dtype=np.int64)[keep]})


def propagate_labels(session: Any, edges: Any, *, limit: int | None = None,
                     ) -> tuple[Any, int, bool]:
    """Connected components of ``edges`` (columns ``a``, ``b``: long node ids).

    Returns a DataFrame of (node, label) — label the smallest node of its component —
    the rounds run, and whether the labels converged within ``limit`` rounds (default
    :func:`max_rounds` of the node count). Each round every node takes the smallest
    label among its own and its neighbours' and hands it to the node of its old label
    as well (hooking), then takes the label of its label (pointer jumping); the new
    labels are ``localCheckpoint``-ed, so the plan of round *k* does not hold the *k*
    rounds before it.
    """
    from pyspark.sql import functions as F

    both = (edges.select(F.col("a").alias("src"), F.col("b").alias("dst"))
            .union(edges.select(F.col("b").alias("src"), F.col("a").alias("dst")))
            .distinct().localCheckpoint())
    labels = both.select(F.col("src").alias("node")).distinct() \
        .withColumn("label", F.col("node")).localCheckpoint()
    nodes, total = labels.agg(F.count("*"), F.sum("label")).first()
    limit = max_rounds(nodes) if limit is None else limit
    rounds = 0
    while rounds < limit:
        rounds += 1
        offered = (both.join(labels, both.src == labels.node)
                   .groupBy(F.col("dst").alias("node")).agg(F.min("label").alias("offer")))
        seen = (labels.join(offered, "node", "left")
                .select("node", "label", F.least("label", F.coalesce("offer", "label"))
                        .alias("offer")))
        # Hooking: a node offered a smaller label passes it to its own label's node too,
        # so a whole labelled tree moves at once, not one hop per round.
        hooked = (seen.select("node", "offer")
                  .union(seen.where(F.col("offer") < F.col("label"))
                         .select(F.col("label").alias("node"), "offer"))
                  .groupBy("node").agg(F.min("offer").alias("label")))
        taken = hooked
        target = taken.select(F.col("node").alias("via"), F.col("label").alias("far"))
        labels = (taken.join(target, taken.label == target.via, "left")
                  .select("node", F.least("label", F.coalesce("far", "label")).alias("label"))
                  .localCheckpoint())
        # Labels only ever decrease, so they changed exactly when their sum did.
        now = labels.agg(F.sum("label")).first()[0]
        if now == total:
            return labels, rounds, True
        total = now
    return labels, rounds, False


def _union_find(pairs: list[tuple[int, int]]) -> dict[int, int]:
    """node → smallest node of its component (the driver's fallback)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in list(parent)}


def spark_groups(session: Any, grouper: StoryGrouper, *, several: bool = False,
                 ) -> tuple[list[Story], dict[str, Any]]:
    """The grouper's stories (exactly :meth:`StoryGrouper.groups`, or with ``several``
    :meth:`StoryGrouper.several`), computed on Spark, and the statistics of the run
    (verified links, label-propagation rounds)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import BinaryType, LongType, StructField, StructType

    ids, keys = grouper.ids, grouper.keys
    bands, rows, min_equal = grouper.lsh
    indices, signatures = grouper.signed()
    width = signatures.shape[1]
    # Nodes are ranks (position of the id in sorted order): the smallest label of a
    # component, and the representative of identical signatures, is the smallest id.
    order = sorted(range(len(ids)), key=ids.__getitem__)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids), dtype=np.int64)
    stats: dict[str, Any] = {"engine": "spark", "documents": len(ids),
                             "signed": len(indices), "links": 0,
                             "rounds": 0, "converged": True, "keyed_conflicts": 0}

    pair = StructType([StructField("a", LongType(), False), StructField("b", LongType(), False)])
    links = session.createDataFrame([], "equal long, a long, b long")
    if len(indices) >= 2:
        sigs = session.createDataFrame(
            list(zip(rank[indices].tolist(), _to_bytes(signatures), strict=True)),
            StructType([StructField("node", LongType(), False),
                        StructField("sig", BinaryType(), False)]))
        reps = sigs.groupBy("sig").agg(F.min("node").alias("rep")).localCheckpoint()
        copies = (sigs.join(reps, "sig").where(F.col("node") != F.col("rep"))
                  .select(F.lit(width).cast("long").alias("equal"),
                          F.col("node").alias("a"), F.col("rep").alias("b")))
        banded = reps.mapInPandas(partial(_band_rows, bands, rows, width),
                                  schema="band int, key long, rep long")
        bucket = Window.partitionBy("band", "key")
        shared = (banded.withColumn("size", F.count("*").over(bucket))
                  .where(F.col("size") > 1).drop("size")
                  .join(reps, "rep")
                  .withColumn("pos", F.row_number().over(bucket.orderBy("sig")) - 1)
                  .withColumn("block", F.floor(F.col("pos") / MAX_BUCKET))
                  .select("band", "key", "block", "pos", "rep").localCheckpoint())
        first = shared.select("band", "key", "block", F.col("pos").alias("pos_a"),
                              F.col("rep").alias("rep_a"))
        second = shared.select("band", "key", "pos", "rep", F.explode(F.array(
            F.col("block"), F.col("block") - 1)).alias("block"))
        candidates = (first.join(second, ["band", "key", "block"])
                      .where(in_reach(F.col("pos") - F.col("pos_a")))
                      .select(F.least("rep_a", "rep").alias("a"),
                              F.greatest("rep_a", "rep").alias("b"))
                      .distinct())
        with_sigs = (candidates
                     .join(reps.select(F.col("rep").alias("a"), F.col("sig").alias("sig_a")), "a")
                     .join(reps.select(F.col("rep").alias("b"), F.col("sig").alias("sig_b")),
                           "b"))
        verified = with_sigs.mapInPandas(partial(_verify, width, min_equal),
                                         schema="equal long, a long, b long")
        links = verified.union(copies).localCheckpoint()
        stats["links"] = links.count()

    first_of_key: dict[str, int] = {}
    key_pairs = []
    for index in order:  # any star joins a key's documents; the forest replays keys itself
        key = keys[index]
        if key is not None:
            head = first_of_key.setdefault(key, int(rank[index]))
            if head != rank[index]:
                key_pairs.append((head, int(rank[index])))
    edges = links.select("a", "b").union(session.createDataFrame(key_pairs, pair))

    label_of: dict[int, int] = {}
    if stats["links"] or key_pairs:
        labels, stats["rounds"], stats["converged"] = propagate_labels(session, edges)
        if stats["converged"]:
            label_of = {int(r["node"]): int(r["label"]) for r in labels.collect()}
        else:
            label_of = _union_find([(int(r["a"]), int(r["b"])) for r in edges.collect()])

    members: dict[int, list[int]] = {}
    for node, label in label_of.items():
        members.setdefault(label, []).append(node)
    index_of = np.asarray(order, dtype=np.int64)  # rank → index
    conflicting = {label for label, nodes in members.items()
                   if len({keys[index_of[n]] for n in nodes} - {None}) > 1}
    stats["keyed_conflicts"] = len(conflicting)
    pairs: list[tuple[int, int]] = []
    for label, nodes in members.items():
        if label not in conflicting:
            pairs.extend((int(index_of[label]), int(index_of[n])) for n in nodes if n != label)
    if conflicting:
        # The local grouper refuses a link between two keys, so where a component holds
        # two keys the order of its links decides: replay them in the local order.
        chosen = session.createDataFrame([(label,) for label in sorted(conflicting)],
                                         "label long")
        node_labels = session.createDataFrame(list(label_of.items()), "node long, label long")
        replay = (links.join(node_labels, links.a == node_labels.node)
                  .join(chosen, "label").select("equal", "a", "b").collect())
        pairs.extend(grouper.ordered_links(
            (int(r["equal"]), int(index_of[r["a"]]), int(index_of[r["b"]])) for r in replay))
    return grouper.stories_from(pairs, several=several), stats
