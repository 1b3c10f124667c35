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

``--imports`` adds what that run imports before its first document, from one run under
``python -X importtime`` cut at the moment the first corpus file is opened: each family
of modules (a top-level package; ``great_expectations`` and ``corpus_qa`` by subpackage)
with its own import time and the chain of imports that first brought it in (why it is
loaded at all). ``-X importtime`` adds its own overhead: read the shares. And, from one
more run without the log: how many pydantic (v1) model classes were built by then and
their CPU seconds, those of GX's fluent data sources apart.

``--fork`` measures the orders GX's import and the workers' fork could come in: the
process tree's CPU seconds and its memory (sum of PSS) once GX is loaded in a main
process and two workers — the workers forked after the main process imported GX (what
the command does); GX imported by the main process and again by each worker after the
fork (what importing GX later, once the pool started, would cost); GX imported by a
fork server that then forks the workers, and by the main process.
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

from benchmarks.measure import before_and_after, compile_checkout  # noqa: E402

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


IMPORTS_TO_FIRST = """\
import sys
from corpus_qa.sources import corpus as _corpus
_read_file = _corpus.read_file

def read_file(*args, **kwargs):  # the first document: mark the import log, stop the run
    sys.stderr.write("corpus-qa-startup: first document\\n")
    sys.stderr.flush()
    import os
    os._exit(0)

_corpus.read_file = read_file
from corpus_qa.cli import main
sys.argv = ["corpus-qa", *sys.argv[1:]]
main()
"""


def _family(module: str) -> str:
    """The family a module's import time is counted in."""
    parts = module.split(".")
    if parts[0] in ("great_expectations", "corpus_qa") and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def import_families(log: str) -> tuple[list[tuple[str, int, int, str]], int]:
    """What ``python -X importtime`` logged before the first document, by family: (family,
    its modules' own microseconds, how many modules, the chain of imports through which
    the first of them was loaded), largest first; and the total microseconds."""
    entries: list[tuple[int, str, int]] = []  # (depth, module, own µs), as imports finish
    for line in log.split("corpus-qa-startup: first document")[0].splitlines():
        fields = line.split("|")
        if not line.startswith("import time:") or len(fields) != 3:
            continue
        own = fields[0].split(":", 1)[1].strip()
        if own.isdigit():  # not the header line
            name = fields[2][1:]
            entries.append(((len(name) - len(name.lstrip(" "))) // 2, name.strip(), int(own)))
    # importtime prints an import once it is done, after everything it imported: an
    # entry's parent is the next one printed at a smaller depth.
    children: dict[int | None, list[int]] = {}
    waiting: list[int] = []
    for index, (depth, _, _) in enumerate(entries):
        while waiting and entries[waiting[-1]][0] > depth:
            children.setdefault(index, []).append(waiting.pop())
        waiting.append(index)
    children[None] = waiting  # the top-level imports, still waiting at the end
    own_by: dict[str, int] = {}
    count: dict[str, int] = {}
    why: dict[str, str] = {}
    stack: list[tuple[int, tuple[str, ...]]] = [(i, ()) for i in reversed(children[None])]
    while stack:  # in the order the imports started, so the first of a family is first
        index, above = stack.pop()
        module, own = entries[index][1], entries[index][2]
        family = _family(module)
        own_by[family] = own_by.get(family, 0) + own
        count[family] = count.get(family, 0) + 1
        if family not in why:
            chain = (*above, module)
            why[family] = " > ".join(chain if len(chain) <= 4 else (chain[0], "…", *chain[-3:]))
        # The children were gathered as they finished, last first: reversed twice.
        stack.extend((child, (*above, module)) for child in children.get(index, []))
    families = sorted(((f, own_by[f], count[f], why[f]) for f in own_by), key=lambda r: -r[1])
    return families, sum(own_by.values())


def _imports(checkout: Path, args: argparse.Namespace, tmp: Path) -> str:
    """The import log of one ``corpus-qa validate`` run up to its first document."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "CORPUS_QA_CACHE_DIR": str(tmp / "cache-0")}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", IMPORTS_TO_FIRST,
                           "validate", args.path, "--suite", args.suite, "-q"],
                          cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, timeout=600)
    if "corpus-qa-startup: first document" not in done.stderr:
        raise SystemExit(f"the run read no document (exit {done.returncode}):\n"
                         f"{done.stderr[-2000:]}")
    return done.stderr


MODELS_TO_FIRST = """\
import json, os, sys, time
from corpus_qa.sources import corpus as _corpus
from pydantic.v1 import main as _pydantic
out = sys.argv[1]
built = {"classes": 0, "cpu": 0.0, "fluent classes": 0, "fluent cpu": 0.0}
_new = _pydantic.ModelMetaclass.__new__
depth = [0]

def new(mcs, *args, **kwargs):  # every pydantic (v1) model class: how long it took to build
    depth[0] += 1
    started = time.process_time()
    try:
        return _new(mcs, *args, **kwargs)
    finally:
        depth[0] -= 1
        if not depth[0]:
            spent = time.process_time() - started
            built["classes"] += 1
            built["cpu"] += spent
            frame = sys._getframe(1)
            while frame is not None:  # defined or generated by GX's fluent data sources
                if "great_expectations/datasource/fluent/" in frame.f_code.co_filename:
                    built["fluent classes"] += 1
                    built["fluent cpu"] += spent
                    break
                frame = frame.f_back

_pydantic.ModelMetaclass.__new__ = new

def read_file(*args, **kwargs):  # the first document: stop the run
    with open(out, "w") as handle:
        json.dump(built, handle)
    os._exit(0)

_corpus.read_file = read_file
from corpus_qa.cli import main
sys.argv = ["corpus-qa", *sys.argv[2:]]
main()
"""


def _models(checkout: Path, args: argparse.Namespace, tmp: Path) -> dict[str, float]:
    """The pydantic model classes built before the first document of one run (how many,
    and their CPU seconds; those of GX's fluent data sources apart)."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "CORPUS_QA_CACHE_DIR": str(tmp / "cache-0")}
    out = tmp / "models.json"
    out.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", MODELS_TO_FIRST, str(out), "validate",
                           args.path, "--suite", args.suite, "-q"], cwd=tmp, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=600)
    if not out.exists():
        raise SystemExit(f"the run read no document (exit {done.returncode}):\n"
                         f"{done.stderr[-2000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


FORKED = """\
import json, os, resource, struct, sys, time
import corpus_qa.gxcontext as gxcontext
gxcontext.as_command(spark=False)
workers, order = int(sys.argv[1]), sys.argv[2]
ready_read, ready_write = os.pipe()  # each process, once GX is loaded in it: its pid
go_read, go_write = os.pipe()  # then it waits here until the tree's memory is measured

def load_gx():
    import corpus_qa.expectations  # imports GX, as loading a suite does
    gxcontext.batch_definition("document")

def pss(pid):
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        return next(int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:"))

def measured_then_exit(load):
    if load:
        load_gx()
    os.write(ready_write, struct.pack("q", os.getpid()))
    os.read(go_read, 1)

def fork_workers(load):  # the workers of a pool, forked from this process
    pids = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            measured_then_exit(load)
            os._exit(0)
        pids.append(pid)
    return pids

waited = []
if order == "before the fork":  # the command: the workers inherit GX from the main process
    load_gx()
    waited = fork_workers(False)
elif order == "after the fork":  # the workers start first: each imports GX itself
    waited = fork_workers(True)
    load_gx()  # the main process needs GX too (the suite, a chunk of its own)
else:  # a fork server imports GX once and forks the workers; the main process imports it too
    server = os.fork()
    if server == 0:
        load_gx()
        pids = fork_workers(False)
        measured_then_exit(False)
        for pid in pids:  # its workers' CPU is counted in its own children's, then the main's
            os.waitpid(pid, 0)
        os._exit(0)
    waited = [server]
    load_gx()
processes = [os.getpid()]
while len(processes) < 1 + workers + (order == "in a fork server"):
    processes.append(struct.unpack("q", os.read(ready_read, 8))[0])
memory = sum(pss(pid) for pid in processes)
os.write(go_write, b"1" * (len(processes) - 1))
for pid in waited:
    os.waitpid(pid, 0)
own = time.process_time()
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"cpu": own + children.ru_utime + children.ru_stime, "pss": memory}))
"""

ORDERS = ("before the fork", "after the fork", "in a fork server")


def fork_orders(checkout: Path, repeat: int, tmp: Path, workers: int = 2) -> dict[str, Any]:
    """Tree CPU seconds and PSS bytes (medians) of a main process and ``workers`` forked
    workers, each with GX loaded: imported before the fork (the workers inherit it), after
    it (by the main process and by each worker), or by a fork server that forks the
    workers, and by the main process."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "CORPUS_QA_CACHE_DIR": str(tmp / "cache-0")}
    runs: dict[str, list[dict[str, float]]] = {}
    for _ in range(repeat):
        for order in ORDERS:
            done = subprocess.run([sys.executable, "-c", FORKED, str(workers), order], cwd=tmp,
                                  env=env, capture_output=True, text=True, check=True,
                                  timeout=600)
            runs.setdefault(order, []).append(json.loads(done.stdout.splitlines()[-1]))
    return {order: {key: statistics.median(r[key] for r in found) for key in ("cpu", "pss")}
            for order, found in runs.items()}


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
        compile_checkout(checkout)  # as an installed package is (see compile_checkout)
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
    parser.add_argument("--imports", action="store_true",
                        help="also list what the run imports before its first document, by "
                             "family, and why (one run under python -X importtime)")
    parser.add_argument("--fork", action="store_true",
                        help="also measure the tree's CPU and memory with GX imported before "
                             "two workers are forked, after (in each of them), or in a fork "
                             "server")
    args = parser.parse_args(argv)
    args.path, args.suite = str(Path(args.path).resolve()), str(Path(args.suite).resolve())
    with tempfile.TemporaryDirectory(prefix="corpus-qa-startup-") as tmp:
        checkouts = before_and_after(args.before, Path(tmp) / "before")
        measured = _measure(checkouts, args, Path(tmp))
        if args.imports:
            for label, checkout in checkouts.items():
                families, total = import_families(_imports(checkout, args, Path(tmp)))
                measured[label]["imports"] = (families, total)
                measured[label]["models"] = _models(checkout, args, Path(tmp))
        if args.fork:
            measured["after"]["fork"] = fork_orders(checkouts["after"], args.repeat, Path(tmp))
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
    for label, figures in measured.items():
        if "imports" not in figures:
            continue
        families, total = figures["imports"]
        print(f"\n[{label}] imported before the first document (python -X importtime, own "
              f"time of each family's modules; {total / 1e6:.2f} s in all, inflated by the "
              "measuring: read the shares)")
        print(f"{'family':40} {'ms':>7} {'share':>6} {'modules':>7}  first loaded by")
        shown = [f for f in families if f[1] >= total / 200][:30]
        for family, own, count, why in shown:
            print(f"{family:40} {own / 1e3:7.1f} {own / total:6.1%} {count:7d}  {why}")
        rest = families[len(shown):]
        if rest:
            print(f"{f'({len(rest)} smaller families)':40} "
                  f"{sum(f[1] for f in rest) / 1e3:7.1f} {sum(f[1] for f in rest) / total:6.1%} "
                  f"{sum(f[2] for f in rest):7d}")
        gx = sum(own for family, own, _, _ in families if family.startswith("great_expectations"))
        print(f"of which great_expectations itself: {gx / total:.0%}")
        models = figures["models"]
        print(f"pydantic (v1) model classes built by then (one run, no import log): "
              f"{models['classes']}, {models['cpu']:.2f} CPU s; of which GX's fluent data "
              f"sources (defined or generated there): {models['fluent classes']}, "
              f"{models['fluent cpu']:.2f} CPU s")
    if "fork" in measured["after"]:
        orders = measured["after"]["fork"]
        print("\nGX and two forked workers (process tree; medians): " + "; ".join(
            f"GX imported {order}: {figures['cpu']:.2f} CPU s, PSS {figures['pss'] / 2**20:.0f} MiB"
            for order, figures in orders.items()))
        before = orders["before the fork"]
        for order in ORDERS[1:]:
            cpu, pss = orders[order]["cpu"] / before["cpu"], orders[order]["pss"] / before["pss"]
            print(f"GX imported {order} instead: tree CPU {cpu:.2f}x, tree PSS {pss:.2f}x")
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
