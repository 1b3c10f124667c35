"""Start-up of ``corpus-qa validate`` before the first document, phase by phase.

Each phase runs in a fresh interpreter (imports are cached per process), so the
figures add up to what a pre-commit hook pays before the first document is checked:

    python benchmarks/startup.py [--repeat 3] [--suite expectations/news.yml]
                                 [--before REV|DIR] [PATH]

Phases: the interpreter alone; ``corpus_qa.cli`` (what ``--help`` costs); pandas;
great_expectations; loading the suite (imports GX: the expectations are GX classes);
a whole run on PATH (default: the seeds). For each: wall seconds and CPU seconds (the
process and its children), medians of ``--repeat`` runs.

Then, inside one run of ``corpus-qa validate PATH``: the time from the start of the
process (as the kernel recorded it) to the moment the first corpus file is opened, and
the CPU seconds spent by then, next to the whole run's wall and CPU time — what the user
waits for in total, and which of GX, pandas, scipy.stats, altair and pyspark the run
ended up loading; and that run's CPU seconds step by step: before GX's import, GX's
import (with pandas and corpus-qa's expectations), the rest of loading the suite, from
there to the first document, and the rest of the run. That run is the command as a
user starts it (``main()`` reading ``sys.argv``).

Each checkout runs with a cache directory of its own (``CORPUS_QA_CACHE_DIR``, never the
user's): the medians are of runs that find what the first run left there (a list's regexes
already vetted, :mod:`corpus_qa.vetcache`), as every run but the first after an install
or an edit of a list does; one more run with an empty cache shows that first run.

With ``--before`` (a git revision of this repository, or a directory holding an earlier
checkout) every measurement is also made with that code, runs alternating, and the
ratios before/after are printed. Each checkout's ``corpus_qa`` is compiled to bytecode
first, as an installed package is. Timings on a shared machine are noisy: compare the
phases of one run, as ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import before_and_after  # noqa: E402

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
import corpus_qa.gxcontext as _gxcontext
import corpus_qa.suite as _suite

first = {}
marks = {}  # CPU seconds at each step of the command
_read_file = _corpus.read_file

def read_file(*args, **kwargs):
    if not first:
        first.update(wall=since_start(), cpu=time.process_time())
    return _read_file(*args, **kwargs)

_corpus.read_file = read_file
_before_gx = _gxcontext.before_gx_import

def before_gx_import():  # GX's import starts; what it returns runs once it is done
    marks.setdefault("gx_start", time.process_time())
    after = _before_gx()

    def done():
        after()
        marks.setdefault("gx_end", time.process_time())
    return done

_gxcontext.before_gx_import = before_gx_import
_load_suite = _suite.load_suite

def load_suite(*args, **kwargs):
    marks.setdefault("suite_start", time.process_time())
    try:
        return _load_suite(*args, **kwargs)
    finally:
        marks.setdefault("suite_end", time.process_time())

_suite.load_suite = load_suite
from corpus_qa.cli import main
import contextlib, io
out = sys.argv[1]
sys.argv = ["corpus-qa", *sys.argv[2:]]  # main() as the command runs it: from sys.argv
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
first["end"] = time.process_time()
if {"gx_start", "gx_end", "suite_start", "suite_end"} <= set(marks) and "cpu" in first:
    gx = marks["gx_end"] - marks["gx_start"]
    first["steps"] = {
        "before GX": marks["gx_start"],
        "GX, pandas, expectations": gx,
        "the suite": marks["suite_end"] - marks["suite_start"] - gx,
        "to the first document": first["cpu"] - marks["suite_end"],
        "the rest of the run": first["end"] - first["cpu"],
    }
first["modules"] = sorted(m for m in ("great_expectations", "pandas", "scipy.stats", "altair",
                                      "pyspark") if m in sys.modules
                          and type(sys.modules[m]).__name__ == "module")
with open(out, "w") as handle:
    json.dump(first, handle)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(command: list[str], checkout: Path, cwd: Path, cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the child and its children) of one command run with the
    code of ``checkout`` (``cwd`` outside every checkout: ``python -c`` puts the working
    directory first on the path) and the cache directory ``cache``."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "CORPUS_QA_CACHE_DIR": str(cache)}
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode not in (0, 1):  # 1: the seeds have findings, the run failed them
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return time.perf_counter() - started, _children_cpu() - cpu


def _measure(checkouts: dict[str, Path], args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """label -> the phases' medians, and the first-document figures of the whole run."""
    for checkout in checkouts.values():
        # As an installed package is: compiled to bytecode. Otherwise a checkout without
        # __pycache__ (an exported revision, or PYTHONDONTWRITEBYTECODE) compiles each of
        # its modules again in every run, and the two checkouts are not compared alike.
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "corpus_qa")],
                       check=True, stdout=subprocess.DEVNULL)
    run = [sys.executable, "-m", "corpus_qa.cli", "validate", args.path, "--suite", args.suite,
           "-q", "--json", str(tmp / "results.json")]
    phases = {name: [sys.executable, "-c", code.format(suite=args.suite)]
              for name, code in PHASES.items()}
    phases[f"validate {Path(args.path).name}"] = run
    timed: dict[str, dict[str, list[tuple[float, float]]]] = {k: {} for k in checkouts}
    firsts: dict[str, list[dict[str, Any]]] = {k: [] for k in checkouts}
    totals: dict[str, list[tuple[float, float]]] = {k: [] for k in checkouts}
    out = tmp / "first.json"
    first_document = [sys.executable, "-c", FIRST_DOCUMENT, str(out), "validate", args.path,
                      "--suite", args.suite, "-q"]
    cold: dict[str, dict[str, Any]] = {}
    for index, (label, checkout) in enumerate(checkouts.items()):
        if Path("/proc/uptime").exists():  # one run with an empty cache
            _time(first_document, checkout, tmp, tmp / f"cache-empty-{index}")
            cold[label] = json.loads(out.read_text(encoding="utf-8"))
    for _ in range(args.repeat):  # alternating, so both see the same load
        for index, (label, checkout) in enumerate(checkouts.items()):
            cache = tmp / f"cache-{index}"
            for name, command in phases.items():
                timed[label].setdefault(name, []).append(_time(command, checkout, tmp, cache))
            if Path("/proc/uptime").exists():
                totals[label].append(_time(first_document, checkout, tmp, cache))
                firsts[label].append(json.loads(out.read_text(encoding="utf-8")))
    measured: dict[str, Any] = {}
    for label in checkouts:
        medians = {name: (statistics.median(w for w, _ in runs),
                          statistics.median(c for _, c in runs))
                   for name, runs in timed[label].items()}
        read = [f for f in firsts[label] if "wall" in f]
        first = None
        if read:
            first = {"wall": statistics.median(f["wall"] for f in read),
                     "cpu": statistics.median(f["cpu"] for f in read),
                     "total_wall": statistics.median(w for w, _ in totals[label]),
                     "total_cpu": statistics.median(c for _, c in totals[label]),
                     "modules": read[-1]["modules"]}
            stepped = [f["steps"] for f in read if "steps" in f]
            if stepped:
                first["steps"] = {name: statistics.median(f[name] for f in stepped)
                                  for name in stepped[0]}
            if "cpu" in cold.get(label, {}):
                first["cold"] = cold[label]
        measured[label] = {"phases": medians, "first": first}
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "seeds"))
    parser.add_argument("--suite", default=str(ROOT / "expectations/news.yml"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default=None,
                        help="also measure this git revision or earlier checkout (directory)")
    args = parser.parse_args(argv)
    args.path, args.suite = str(Path(args.path).resolve()), str(Path(args.suite).resolve())
    with tempfile.TemporaryDirectory(prefix="corpus-qa-startup-") as tmp:
        checkouts = before_and_after(args.before, Path(tmp) / "before")
        measured = _measure(checkouts, args, Path(tmp))
    whole_name = f"validate {Path(args.path).name}"
    for label, figures in measured.items():
        medians = figures["phases"]
        whole = medians[whole_name][0]
        print(f"\n[{label}: {checkouts[label]}]")
        print(f"{'phase (fresh process)':24} {'wall s':>7} {'CPU s':>7}")
        for name, (wall, cpu) in medians.items():
            print(f"{name:24} {wall:7.2f} {cpu:7.2f}  {wall / whole:5.0%} of the run's wall time")
        first = figures["first"]
        if first is None:
            print("time to the first document: needs Linux /proc, and a corpus file read")
            continue
        print(f"{whole_name}: first document read {first['wall']:.2f} s after the process "
              f"started ({first['cpu']:.2f} CPU s by then; the imports of the 'load suite' "
              f"phase alone: {medians['load suite'][1]:.2f} CPU s); the whole run: "
              f"{first['total_wall']:.2f} s wall, {first['total_cpu']:.2f} CPU s; loaded by "
              f"the end: {', '.join(first['modules']) or 'none of the watched modules'}")
        if "steps" in first:  # GX imported inside loading the suite, as the command does
            print("CPU s in that run, step by step: " + ", ".join(
                f"{name} {cpu:.2f}" for name, cpu in first["steps"].items()))
        if "cold" in first:
            cold_run = first["cold"]
            print(f"the same with an empty cache (one run): {cold_run['cpu']:.2f} CPU s by the "
                  "first document" + ("; step by step: " + ", ".join(
                      f"{name} {cpu:.2f}" for name, cpu in cold_run["steps"].items())
                      if "steps" in cold_run else ""))
    if "before" in measured and measured["before"]["first"] and measured["after"]["first"]:
        before, after = measured["before"]["first"], measured["after"]["first"]
        if "steps" in before and "steps" in after:
            print("\nCPU s step by step, before -> after: " + ", ".join(
                f"{name} {before['steps'][name]:.2f} -> {cpu:.2f}"
                for name, cpu in after["steps"].items()))
        print("\nbefore/after: " + ", ".join(
            f"{name} {before[key] / after[key]:.2f}x" for name, key in (
                ("wall to the first document", "wall"), ("CPU by then", "cpu"),
                ("whole run wall", "total_wall"), ("whole run CPU", "total_cpu"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
