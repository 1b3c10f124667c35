"""How the whole default suite grows with the corpus: CPU, memory and results.json at
several sizes, on distinct stories and on versioned stories.

    python benchmarks/suite_scale.py [--sizes 10000 50000 100000]
        [--corpus distinct|versioned|both] [--seed 7]

For each corpus kind and size (smallest first), writes the corpus with
``benchmarks/news_corpus.py`` and runs ``corpus-qa validate CORPUS --json OUT -q`` with
this checkout's default suite in a subprocess (its worker pool included), measured by
``benchmarks/measure.py``: CPU seconds of the process tree, wall seconds, the peak
resident memory of the main process alone (the one that groups stories and writes the
outputs), the peak of the whole tree as the sum of RSS and as the sum of PSS, and the
size of results.json with its shards (a run of more than 100,000 documents plus
findings writes those as JSON Lines files beside it). Each row is printed as soon as it
is measured (a long run can be watched), with the growth of CPU and of the main
process's peak against the previous size of the same kind. One corpus exists on disk at a time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import Run, results_size, validate  # noqa: E402
from benchmarks.news_corpus import write_corpus, write_versioned_corpus  # noqa: E402

KINDS = {"distinct": write_corpus, "versioned": write_versioned_corpus}

HEADER = ("| corpus | documents | MB | CPU s | wall s | µs CPU/doc | CPU growth | main peak MB "
          "| main growth | tree RSS MB | tree PSS MB | results MB | KB/doc | findings |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def _findings(out: Path) -> int:
    """How many findings results.json holds, inline or in its shards (a run of more than
    ``--shard-results-above`` documents plus findings writes them next to it)."""
    from corpus_qa.resultsfile import ResultsFile

    return ResultsFile(out).count("findings")


def row(kind: str, documents: int, mb: float, run: Run, out: Path,
        previous: tuple[int, Run] | None) -> str:
    """One table row; growth columns against ``previous`` (size, run) of the same kind."""
    size = results_size(out)
    growth = main_growth = ""
    if previous is not None:
        count, before = previous
        growth = f"×{run.cpu / before.cpu:.2f} for ×{documents / count:g}"
        if before.peak_main:
            main_growth = f"×{run.peak_main / before.peak_main:.2f}"
    return (f"| {kind} | {documents:,} | {mb:.0f} | {run.cpu:.1f} | {run.wall:.1f} "
            f"| {run.cpu / documents * 1e6:.0f} | {growth} | {run.peak_main / 2**20:.0f} "
            f"| {main_growth} | {run.peak_rss / 2**20:.0f} | {run.peak_pss / 2**20:.0f} "
            f"| {size / 2**20:.1f} | {size / documents / 1024:.2f} | {_findings(out):,} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--corpus", choices=[*KINDS, "both"], default="both")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    kinds = list(KINDS) if args.corpus == "both" else [args.corpus]
    print(HEADER, flush=True)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="corpus-qa-scale-") as tmp_name:
        tmp = Path(tmp_name)
        for kind in kinds:
            previous: tuple[int, Run] | None = None
            for documents in sorted(args.sizes):
                corpus = tmp / kind / "corpus"
                mb = KINDS[kind](corpus, documents, args.seed) / 1e6
                out = tmp / kind / "results.json"
                run = validate(ROOT, corpus, out)
                if run.returncode not in (0, 1):
                    print(f"| {kind} | {documents:,} | exit {run.returncode}: "
                          f"{run.stderr.strip()[-300:]} |", flush=True)
                    failed = 1
                    break
                print(row(kind, documents, mb, run, out, previous), flush=True)
                previous = (documents, run)
                shutil.rmtree(tmp / kind)
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
