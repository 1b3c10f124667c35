"""Start-up of ``corpus-qa validate`` before the first document, phase by phase.

Each phase runs in a fresh interpreter (imports are cached per process), so the
figures add up to what a pre-commit hook pays before the first document is checked:

    python benchmarks/startup.py [--repeat 3] [--suite expectations/news.yml] [PATH]

Phases: the interpreter alone; ``corpus_qa.cli`` (what ``--help`` costs); pandas;
great_expectations; loading the suite (imports GX: the expectations are GX classes);
a whole run on PATH (default: the seeds). Timings on a shared machine are noisy:
compare the phases of one run, as ratios.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PHASES = {
    "python": "pass",
    "corpus_qa.cli": "import corpus_qa.cli",
    "pandas": "import pandas",
    "great_expectations": "import great_expectations",
    "load suite": "from corpus_qa.suite import load_suite; load_suite({suite!r})",
}


def _time(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "seeds"))
    parser.add_argument("--suite", default=str(ROOT / "expectations/news.yml"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    run = ("from corpus_qa.cli import main; import contextlib, io\n"
           "with contextlib.redirect_stdout(io.StringIO()), "
           "contextlib.redirect_stderr(io.StringIO()):\n"
           f"    main(['validate', {args.path!r}, '--suite', {args.suite!r}, '-q'])")
    phases = {name: code.format(suite=args.suite) for name, code in PHASES.items()}
    phases[f"validate {Path(args.path).name}"] = run
    medians = {}
    for name, code in phases.items():
        medians[name] = statistics.median(_time(code) for _ in range(args.repeat))
    whole = medians[f"validate {Path(args.path).name}"]
    for name, seconds in medians.items():
        print(f"{name:24} {seconds:6.2f} s  {seconds / whole:5.0%} of the run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
