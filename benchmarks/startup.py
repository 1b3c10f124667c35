"""Start-up of ``corpus-qa validate`` before the first document, phase by phase.

Each phase runs in a fresh interpreter (imports are cached per process), so the
figures add up to what a pre-commit hook pays before the first document is checked:

    python benchmarks/startup.py [--repeat 3] [--suite expectations/news.yml] [PATH]

Phases: the interpreter alone; ``corpus_qa.cli`` (what ``--help`` costs); pandas;
great_expectations; loading the suite (imports GX: the expectations are GX classes);
a whole run on PATH (default: the seeds). For each: wall seconds and CPU seconds (the
process and its children), medians of ``--repeat`` runs.

Then, inside one run of ``corpus-qa validate PATH``: the time from the start of the
process (as the kernel recorded it) to the moment the first corpus file is opened, and
the CPU seconds spent by then, next to the whole run's wall and CPU time — what the user
waits for in total. Timings on a shared machine are noisy: compare the phases of one run,
as ratios.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
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

FIRST_DOCUMENT = """\
import json, os, sys, time

def since_start():
    # Seconds since the kernel started this process (clock ticks since boot).
    with open(f"/proc/{os.getpid()}/stat") as handle:
        started = int(handle.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
    with open("/proc/uptime") as handle:
        return float(handle.read().split()[0]) - started

from corpus_qa.sources import corpus as _corpus

first = {}
_read_file = _corpus.read_file

def read_file(*args, **kwargs):
    if not first:
        first.update(wall=since_start(), cpu=time.process_time())
    return _read_file(*args, **kwargs)

_corpus.read_file = read_file
from corpus_qa.cli import main
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[2:])
    except SystemExit:
        pass
with open(sys.argv[1], "w") as handle:
    json.dump(first, handle)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (the child and its children) of one command."""
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True)
    return time.perf_counter() - started, _children_cpu() - cpu


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
        runs = [_time([sys.executable, "-c", code]) for _ in range(args.repeat)]
        medians[name] = (statistics.median(w for w, _ in runs),
                         statistics.median(c for _, c in runs))
    whole = medians[f"validate {Path(args.path).name}"][0]
    print(f"{'phase (fresh process)':24} {'wall s':>7} {'CPU s':>7}")
    for name, (wall, cpu) in medians.items():
        print(f"{name:24} {wall:7.2f} {cpu:7.2f}  {wall / whole:5.0%} of the run's wall time")

    if not Path("/proc/uptime").exists():
        print("time to the first document: needs Linux /proc")
        return 0
    firsts, totals = [], []
    with tempfile.TemporaryDirectory(prefix="corpus-qa-startup-") as tmp:
        out = Path(tmp) / "first.json"
        for _ in range(args.repeat):
            totals.append(_time([sys.executable, "-c", FIRST_DOCUMENT, str(out), "validate",
                                 args.path, "--suite", args.suite, "-q"]))
            firsts.append(json.loads(out.read_text(encoding="utf-8")))
    if not all(firsts):
        print("time to the first document: no corpus file was read")
        return 0
    wall = statistics.median(f["wall"] for f in firsts)
    cpu = statistics.median(f["cpu"] for f in firsts)
    total_wall = statistics.median(w for w, _ in totals)
    total_cpu = statistics.median(c for _, c in totals)
    print(f"\nvalidate {Path(args.path).name}: first document read {wall:.2f} s after the "
          f"process started ({cpu:.2f} CPU s by then; the imports of the 'load suite' phase "
          f"alone: {medians['load suite'][1]:.2f} CPU s); the whole run: {total_wall:.2f} s "
          f"wall, {total_cpu:.2f} CPU s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
