"""Where the main process's memory goes, stage by stage, as the corpus grows.

    python benchmarks/memory_stages.py [--documents 20000 50000] [--top 8]

For each size, writes memory_scale's corpus (small news-like documents, one JSON Lines
file) and validates it in this process (one worker, so tracemalloc sees everything),
after a small warm-up run (imports, caches),
taking a tracemalloc snapshot at the end of each stage of the run (documents, grouping,
stories, records, corpus) and after writing results.json. Printed: memory held at the
end of each stage and the peak within it, per size; then, between the smallest and the
largest size, the bytes per extra document of each stage and the source lines that grew
most.

    python benchmarks/memory_stages.py --rss CORPUS [--before REV|DIR]

Instead: ``corpus-qa validate CORPUS --json OUT -q`` in a subprocess with its worker pool
(this checkout, and the one at ``--before``), printing the main process's peak resident
memory within each stage (Linux: the high-water mark read from /proc and reset at the end
of each stage; "outputs" is the gate, results.json and the terminal summary) and its CPU
seconds in each (the start-up after importing the runner — the CLI, the suite, GX — is
counted in "documents", with pass 1; the workers' CPU is printed apart), the whole
tree's peaks (sum of RSS, sum of PSS) and CPU, and by phase (pass 1; grouping and the
story pass; the rest) the moment of the tree's largest PSS sum with each process's RSS,
PSS, private and shared memory then.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.memory_scale import write_small  # noqa: E402


def measure(corpus: Path) -> dict[str, tuple[int, int, Any]]:
    """{stage: (bytes held at its end, peak within it, snapshot)} of one in-process run."""
    import corpus_qa.runner as runner
    from corpus_qa.gate import gate
    from corpus_qa.results import stream_json
    from corpus_qa.suite import load_suite

    taken: dict[str, tuple[int, int, Any]] = {}
    plain = runner._Stages.__call__

    def snap(name: str) -> None:
        current, peak = tracemalloc.get_traced_memory()
        taken[name] = (current, peak, tracemalloc.take_snapshot())
        tracemalloc.reset_peak()

    def stage(self: Any, name: str) -> None:
        plain(self, name)
        snap(name)

    runner._Stages.__call__ = stage  # type: ignore[method-assign]
    try:
        tracemalloc.start(1)
        result = runner.Runner(load_suite("builtin:news.yml"), workers=1).run([str(corpus)])
        with (corpus.parent / "results.json").open("w", encoding="utf-8") as out:
            stream_json(result.to_json(gate(result)), out.write)
        snap("results.json")
    finally:
        tracemalloc.stop()
        runner._Stages.__call__ = plain  # type: ignore[method-assign]
    return taken


PROBE = """
import atexit, os, resource, sys, time
import corpus_qa.runner as runner
def mark(name):
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.environ["MEMORY_STAGES_LOG"], "a") as log:
        log.write(f"{name} {peak * 1024} {time.process_time()} "
                  f"{children.ru_utime + children.ru_stime} {time.time()}\\n")
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets the high-water mark
plain = runner._Stages.__call__
def stage(self, name):
    plain(self, name)
    mark(name)
runner._Stages.__call__ = stage
atexit.register(mark, "outputs")
from corpus_qa.cli import main
mark("start")
sys.argv = ["corpus-qa", *sys.argv[1:]]
sys.exit(main())
"""


def rss_by_stage(corpus: Path, before: str | None) -> int:
    """``--rss``: the main process's peak per stage in a real run, and the tree's."""
    import os

    from benchmarks.measure import before_and_after, run_measured

    with tempfile.TemporaryDirectory(prefix="corpus-qa-stages-") as tmp:
        for label, checkout in before_and_after(before, Path(tmp) / "before").items():
            log = Path(tmp) / f"{label}.log"
            env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONUTF8": "1",
                   "MEMORY_STAGES_LOG": str(log)}
            samplers: list[Any] = []
            run = run_measured([sys.executable, "-c", PROBE, "validate", str(corpus.resolve()),
                                "--json", str(Path(tmp) / f"{label}.json"), "-q"],
                               cwd=Path(tmp), env=env, sampler_out=samplers)
            if run.returncode not in (0, 1):
                print(run.stderr, file=sys.stderr)
                return 1
            stages = [line.split() for line in log.read_text().splitlines()]
            print(f"{label:<6} main process peak by stage (MiB): " + "  ".join(
                f"{name} {int(peak) / 2**20:.0f}" for name, peak, *_ in stages))
            cpu = [float(c) for _, _, c, *_ in stages]
            print(f"{label:<6} main process CPU s by stage: " + "  ".join(
                f"{name} {now - before:.2f}" for (name, *_), before, now
                in zip(stages[1:], cpu, cpu[1:], strict=False))
                + f"  (importing the runner {cpu[0]:.2f}; workers {float(stages[-1][3]):.2f})")
            for line in _by_phase(stages, samplers[0]):
                print(f"{label:<6} {line}")
            print(f"{label:<6} tree: CPU {run.cpu:.1f} s  RSS {run.peak_rss / 2**20:.0f} MiB  "
                  f"PSS {run.peak_pss / 2**20:.0f} MiB  main {run.peak_main / 2**20:.0f} MiB  "
                  f"wall {run.wall:.0f} s")
    return 0


PHASES = (("pass 1", "start", "documents"), ("grouping + story pass", "documents", "stories"),
          ("records, corpus, findings, outputs", "stories", "outputs"))
"""The phases of ``--rss``'s breakdown: (label, the stage it starts at, the one it ends at)."""


def _by_phase(stages: list[list[str]], sampler: Any) -> list[str]:
    """Per phase: the moment of the tree's largest PSS sum, and each process's RSS, PSS,
    private and shared bytes then (MiB)."""
    run_pid = sampler.pid
    at = {name: float(fields[3]) for name, *fields in stages if len(fields) >= 4}
    out = []
    for label, start, end in PHASES:
        if start not in at or end not in at:
            continue
        inside = [(t, procs) for t, procs in sampler.kept if at[start] <= t <= at[end]]
        if not inside:
            continue
        t, procs = max(inside, key=lambda s: sum(p.get("Pss", 0) for p in s[1].values()))
        mib = 2**20
        out.append(f"{label}: tree PSS {sum(p.get('Pss', 0) for p in procs.values()) / mib:.0f}"
                   f" MiB (RSS sum {sum(p.get('Rss', 0) for p in procs.values()) / mib:.0f})"
                   f" at +{t - at['start']:.1f} s")
        for pid, sizes in sorted(procs.items(), key=lambda item: item[0] != run_pid):
            private = sizes.get("Private_Dirty", 0) + sizes.get("Private_Clean", 0)
            shared = sizes.get("Shared_Dirty", 0) + sizes.get("Shared_Clean", 0)
            out.append(f"    {'main' if pid == run_pid else 'worker':<6} RSS "
                       f"{sizes.get('Rss', 0) / mib:4.0f}  PSS {sizes.get('Pss', 0) / mib:4.0f}"
                       f"  private {private / mib:4.0f}  shared {shared / mib:4.0f}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[20_000, 50_000])
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--rss", type=Path, metavar="CORPUS",
                        help="the main process's peak per stage in a real run of CORPUS")
    parser.add_argument("--before", help="with --rss: a git revision or checkout to compare")
    args = parser.parse_args(argv)
    if args.rss:
        return rss_by_stage(args.rss, args.before)
    runs: dict[int, dict[str, tuple[int, int, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="corpus-qa-stages-") as tmp:
        warm = Path(tmp) / "warm" / "docs.jsonl"
        write_small(warm, 300)
        measure(warm)  # imports and caches, once
        for count in args.documents:
            corpus = Path(tmp) / f"c{count}" / "docs.jsonl"
            write_small(corpus, count)
            runs[count] = measure(corpus)
            print(f"{count:,} documents: " + "  ".join(
                f"{name} {held / 2**20:.1f}/{peak / 2**20:.1f} MiB"
                for name, (held, peak, _) in runs[count].items()) + "  (held/peak)")
            corpus.unlink()
    if len(args.documents) < 2:
        return 0
    small, large = args.documents[0], args.documents[-1]
    extra = large - small
    for name, (held, peak, snapshot) in runs[large].items():
        before = runs[small][name]
        print(f"{name}: held {(held - before[0]) / extra:7.0f} B/doc, "
              f"peak {(peak - before[1]) / extra:7.0f} B/doc")
        for stat in snapshot.compare_to(before[2], "lineno")[: args.top]:
            frame = stat.traceback[0]
            print(f"    {stat.size_diff / extra:7.0f} B/doc  {frame.filename.split('/')[-1]}:"
                  f"{frame.lineno}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
