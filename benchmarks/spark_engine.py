"""The local engine against ``--engine spark`` on the planted corpus, measured in one run.

    python benchmarks/spark_engine.py [--documents 20000,100000] [--master local[2]]
        [--workers 2] [--chunk-size 2000]

For each size, the planted corpus (``benchmarks/planted_corpus.py``: stories of several
versions, every defect family) is validated with the default suite by ``corpus-qa
validate`` in a subprocess, once on the local engine (``--workers``) and once on Spark
(``--spark-master``), and the two results.json are compared with the run-time fields
blanked. First, both engines validate a two-document corpus in two chunks: the
difference is Spark's fixed start-up cost (JVM, session, the first Python worker
importing GX). Then the grouping stage alone, on the same corpus's signatures (computed
before the clock starts; on Spark, after the session and its Python workers are up):
``StoryGrouper.groups()`` against :func:`corpus_qa.engine.sparkstories.spark_groups`,
each in its own process, with the label-propagation rounds. Last, the wall seconds of
each stage of the full runs (``-v``: pass 1 over the documents, grouping, story checks,
finishing the records, the corpus pass; "rest" is start-up, the walk of the paths before
the documents come back and writing results.json) and how each grew from the smallest
size to the largest. Figures are CPU seconds of
the process tree (the JVM and its Python workers included: each process of the tree is
sampled) and wall seconds; they vary with the machine's load, so compare the ratios,
which come from one run. Needs the Spark extra
and Java (``docs/engines.md``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import Run, _cpu_of, run_measured, tree_pids, validate  # noqa: E402
from benchmarks.planted_corpus import write  # noqa: E402

RUN_TIME = ("started", "duration_s")
STAGES = ("documents", "grouping", "stories", "records", "corpus")
"""The stages ``corpus-qa validate -v`` times (``Runner.stats["stages"]``)."""


def _stages(run: Run) -> dict[str, float]:
    """Each stage's wall seconds from the ``-v`` line, and "rest": the run's wall time
    outside them (start-up, the walk, results.json)."""
    found = re.search(r"^stages \(wall s\): (.*)$", run.stderr, re.MULTILINE)
    stages = {name: float(seconds) for name, seconds in
              (part.rsplit(" ", 1) for part in found.group(1).split(", "))} if found else {}
    stages["rest"] = run.wall - sum(stages.values())
    return stages


def _comparable(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in RUN_TIME:
        data["run"][key] = None
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _cpu(run: Run) -> float:
    """CPU seconds of the tree: the sampled figure counts Spark's JVM, which is not a
    child the measured process waits for (so ``run.cpu`` misses it)."""
    return max(run.cpu, run.sampled_cpu)


def _pair(corpus: Path, work: Path, label: str, args: argparse.Namespace,
          *extra: str) -> tuple[Run, Run, bool]:
    local_json, spark_json = work / f"{label}-local.json", work / f"{label}-spark.json"
    local = validate(ROOT, corpus, local_json, "--workers", str(args.workers), "-v", *extra)
    spark = validate(ROOT, corpus, spark_json, "--engine", "spark", "--spark-master",
                     args.master, "-v", *extra)
    for run, name in ((local, "local"), (spark, "spark")):
        if run.returncode not in (0, 1):
            raise SystemExit(f"{label} {name}: corpus-qa exited {run.returncode}\n"
                             f"{run.stderr[-3000:]}")
    identical = _comparable(local_json) == _comparable(spark_json) and \
        local.returncode == spark.returncode
    return local, spark, identical


def _tree_cpu() -> float:
    """CPU seconds so far of this process and its descendants (Spark's JVM included)."""
    return sum(c for c in map(_cpu_of, tree_pids(os.getpid())) if c is not None)


def _stage(corpus: Path, master: str | None) -> dict[str, object]:
    """The grouping stage on ``corpus``'s signatures, in this process: wall, tree CPU."""
    from corpus_qa.checks.versions import StoryGrouper

    grouper = StoryGrouper()
    # The text files (undecodable bytes replaced: a timing, not a validation).
    texts = sorted((p.relative_to(corpus).as_posix(),
                    p.read_bytes().decode("utf-8", "replace")) for p in corpus.rglob("*.txt"))
    for (doc_id, _), signature in zip(texts, grouper.signatures([t for _, t in texts]),
                                      strict=True):
        grouper.add_signature(doc_id, signature)
    rounds = None
    if master is None:
        cpu, wall = _tree_cpu(), time.perf_counter()
        stories = grouper.groups()
    else:
        from corpus_qa.engine.spark import start_session
        from corpus_qa.engine.sparkstories import spark_groups

        session = start_session(master, {})
        session.range(4).mapInPandas(lambda frames: frames, "id long").collect()  # workers up
        cpu, wall = _tree_cpu(), time.perf_counter()
        stories, stats = spark_groups(session, grouper)
        rounds = stats["rounds"]
    wall, cpu = time.perf_counter() - wall, _tree_cpu() - cpu
    digest = hashlib.sha1(json.dumps([(s.id, s.documents) for s in stories]).encode())
    return {"wall": wall, "cpu": cpu, "rounds": rounds, "stories": digest.hexdigest(),
            "documents": len(texts)}


def _grouping(corpus: Path, master: str) -> tuple[dict, dict]:
    """The grouping stage locally and on ``master``, each in a fresh process."""
    out = []
    for n, engine in enumerate((None, master)):
        result = corpus.parent / f"{corpus.name}-stage-{n}.json"
        code = ("import json, sys\nfrom pathlib import Path\n"
                "from benchmarks.spark_engine import _stage\n"
                f"found = _stage(Path({str(corpus)!r}), {engine!r})\n"
                f"Path({str(result)!r}).write_text(json.dumps(found))\n")
        run = run_measured([sys.executable, "-c", code], cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
        if run.returncode:
            raise SystemExit(f"grouping stage ({engine or 'local'}) failed:\n"
                             f"{run.stderr[-3000:]}")
        out.append(json.loads(result.read_text(encoding="utf-8")))
    return out[0], out[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", default="20000,100000",
                        help="corpus sizes, comma-separated (default 20000,100000)")
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.add_argument("--workers", type=int, default=2,
                        help="local engine worker processes (default 2)")
    parser.add_argument("--chunk-size", type=int, default=2000)
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.documents.split(",") if n.strip()]
    with tempfile.TemporaryDirectory(prefix="corpus-qa-spark-bench-") as tmp:
        work = Path(tmp)
        tiny = work / "tiny"
        write(tiny, documents=2)
        local, spark, same = _pair(tiny, work, "tiny", args, "--chunk-size", "1")
        print(f"Spark's fixed start-up cost ({args.master}, a two-document corpus in two "
              f"chunks): +{spark.wall - local.wall:.1f} s wall, "
              f"+{_cpu(spark) - _cpu(local):.1f} CPU-s (local {local.wall:.1f} s / "
              f"{_cpu(local):.1f} CPU-s, spark {spark.wall:.1f} s / {_cpu(spark):.1f} CPU-s); "
              f"identical JSON: {same}")
        print()
        print("| documents | local wall s | local CPU-s | spark wall s | spark CPU-s | "
              "CPU spark/local | identical JSON |")
        print("|---:|---:|---:|---:|---:|---:|:---|")
        stages, timed = [], []
        for size in sizes:
            corpus = work / f"planted-{size}"
            files = write(corpus, documents=size)
            local, spark, same = _pair(corpus, work, str(size), args, "--chunk-size",
                                       str(args.chunk_size))
            print(f"| {size:,} ({files:,} files) | {local.wall:.1f} | {_cpu(local):.1f} | "
                  f"{spark.wall:.1f} | {_cpu(spark):.1f} | {_cpu(spark) / _cpu(local):.2f} | "
                  f"{same} |", flush=True)
            timed.append((size, _stages(local), _stages(spark)))
            print(f"stages at {size:,}: local {timed[-1][1]}, spark {timed[-1][2]}",
                  file=sys.stderr, flush=True)  # kept should a later size not finish
            stages.append((size, *_grouping(corpus, args.master)))
        print()
        print("Grouping stage alone (signatures computed beforehand; Spark session up):")
        print()
        print("| documents | local wall s | local CPU-s | spark wall s | spark CPU-s | "
              "rounds | same stories |")
        print("|---:|---:|---:|---:|---:|---:|:---|")
        for size, here, there in stages:
            print(f"| {size:,} | {here['wall']:.2f} | {here['cpu']:.2f} | {there['wall']:.2f} | "
                  f"{there['cpu']:.2f} | {there['rounds']} | "
                  f"{here['stories'] == there['stories']} |", flush=True)
        _print_stages(timed)
    return 0


def _print_stages(timed: list[tuple[int, dict[str, float], dict[str, float]]]) -> None:
    """Each stage's wall seconds per size and engine, and its growth smallest → largest."""
    names = [*STAGES, "rest"]
    print()
    print("Wall seconds of each stage (`-v`):")
    print()
    print("| documents | engine | " + " | ".join(names) + " |")
    print("|---:|:---|" + "---:|" * len(names))
    for size, local, spark in timed:
        for engine, stages in (("local", local), ("spark", spark)):
            print(f"| {size:,} | {engine} | " + " | ".join(
                f"{stages.get(name, 0.0):.1f}" for name in names) + " |")
    if len(timed) < 2:
        return
    (small, *first), (large, *last) = timed[0], timed[-1]
    print()
    print(f"Growth of each stage, {small:,} → {large:,} documents "
          f"({large / small:.0f}× the documents):")
    print()
    print("| engine | " + " | ".join(names) + " |")
    print("|:---|" + "---:|" * len(names))
    for engine, before, after in (("local", first[0], last[0]), ("spark", first[1], last[1])):
        print(f"| {engine} | " + " | ".join(
            f"{after.get(n, 0.0) / before[n]:.1f}×" if before.get(n, 0.0) > 0.05 else "–"
            for n in names) + " |")


if __name__ == "__main__":
    sys.exit(main())
