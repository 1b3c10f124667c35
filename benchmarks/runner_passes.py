"""The default suite on a planted corpus: this checkout against an earlier one, in one run.

Writes ``benchmarks/planted_corpus.py``'s corpus (versioned stories, every defect
family) and validates it with the default suite, first with the checkout at
``--before`` (a ``git worktree`` of an earlier commit), then with this one, each as
``python -m corpus_qa.cli validate`` in a subprocess with this interpreter. Prints wall
and CPU seconds of each process tree, their ratios, and whether the findings agree.

    git worktree add --detach /tmp/before <commit>
    python benchmarks/runner_passes.py --before /tmp/before [--documents 10000] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import validate as measured  # noqa: E402
from benchmarks.planted_corpus import write  # noqa: E402


def validate(checkout: Path, corpus: Path, out: Path) -> tuple[float, float, int]:
    """(wall s, CPU s of the process tree, exit code) of one run with ``checkout``'s code."""
    run = measured(checkout, corpus, out, "--suite",
                   str(checkout / "expectations" / "news.yml"))
    if run.returncode not in (0, 1):
        raise SystemExit(f"{checkout}: exit {run.returncode}\n{run.stderr[-2000:]}")
    return run.wall, run.cpu, run.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True,
                        help="a checkout of the earlier commit (git worktree)")
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="corpus-qa-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        files = write(corpus, args.documents)
        size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
        print(f"corpus: {files:,} files, {size / 1e6:.1f} MB")
        timings: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        findings = {}
        for _ in range(args.runs):
            for name, checkout in (("before", args.before.resolve()), ("after", ROOT)):
                out = Path(tmp) / f"{name}.json"
                wall, cpu, code = validate(checkout, corpus, out)
                timings[name].append((wall, cpu))
                findings[name] = json.loads(out.read_text(encoding="utf-8"))["findings"]
                print(f"{name:6} wall {wall:7.2f} s   CPU {cpu:7.2f} s   exit {code}")
    best = {name: (min(w for w, _ in t), min(c for _, c in t)) for name, t in timings.items()}
    print(f"ratio before/after (best of {args.runs}): wall "
          f"{best['before'][0] / best['after'][0]:.2f}x, CPU "
          f"{best['before'][1] / best['after'][1]:.2f}x")
    same = findings["before"] == findings["after"]
    print(f"findings identical: {same} ({len(findings['after']):,} findings)")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
