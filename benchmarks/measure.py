"""Run ``corpus-qa`` from a given checkout in a subprocess and measure its process tree
(CPU, wall time, peak memory as the sum of RSS and as the sum of PSS: :class:`TreeSampler`).

Shared by the benchmarks that compare this checkout with an earlier one: the earlier one
is a directory holding its ``corpus_qa`` package (a ``git worktree``, or the tree of a
commit exported by :func:`export_commit`), run with this interpreter and its installed
dependencies.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tarfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Run:
    """What one measured subprocess did."""

    wall: float
    cpu: float
    """User + system seconds of the whole process tree (workers included)."""
    peak_rss: int
    """Bytes: the largest sum of the resident memory of the process and its descendants
    seen (sampled every 50 ms; on a system without /proc, the largest single process).
    An upper bound of the memory used: a page the forked workers share with the parent
    (the imported modules) counts once in each process."""
    returncode: int
    stderr: str
    sampled_cpu: float = 0.0
    """User + system seconds of every process seen in the tree (sampled every 50 ms, the
    last sample of each process; 0 without /proc): counts processes the measured one
    does not wait for, such as Spark's JVM, which ``cpu`` misses."""
    peak_pss: int = 0
    """Bytes: the largest sum of the proportional set size of the tree seen (each shared
    page divided among the processes sharing it, from ``/proc/PID/smaps_rollup``): the
    memory the tree really holds. 0 where the kernel does not report it."""
    peak_processes: int = 0
    """The most processes seen in the tree at once."""
    peak_main: int = 0
    """Bytes: the largest resident memory of the measured process alone (sampled), without
    its workers: what grows with the corpus when per-document state stays in it."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_pids(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc); just ``pid`` if unreadable."""
    children: dict[int, list[int]] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return [pid]
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, ()))
    return found


def _statm_rss(pid: int) -> int:
    """Resident bytes of one process, 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _pss(pid: int) -> int:
    """Proportional set size of one process in bytes (``smaps_rollup``), 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rollup(pid: int) -> dict[str, int]:
    """Every size of one process's ``smaps_rollup`` in bytes (empty if unreadable)."""
    sizes = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                name, _, rest = line.partition(b":")
                fields = rest.split()
                if len(fields) == 2 and fields[1] == b"kB":
                    sizes[name.decode()] = int(fields[0]) * 1024
    except (OSError, ValueError):
        pass
    return sizes


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc), 0 if unreadable."""
    return sum(_statm_rss(current) for current in tree_pids(pid))


class TreeSampler(threading.Thread):
    """Samples a process tree until stopped: the peaks of the RSS sum and of the PSS sum
    (each taken over the same processes at the same moment), the most processes at once,
    and the CPU seconds of every process seen. The one sampler of the benchmarks."""

    def __init__(self, pid: int, every: float = 0.05, *, keep: bool = False) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.stop = pid, every, threading.Event()
        self.peak_rss = self.peak_pss = self.peak_processes = self.peak_main = 0
        self.cpu_seen: dict[int, float] = {}
        self.kept: list[tuple[float, dict[int, dict[str, int]]]] | None = [] if keep else None
        """With ``keep``: every sample, (wall time, {pid: its ``smaps_rollup`` sizes in
        bytes: Rss, Pss, Private_*, Shared_*}), for a breakdown by process and phase."""

    def sample(self) -> None:
        """One sample of the tree."""
        pids = tree_pids(self.pid)
        resident = {p: _statm_rss(p) for p in pids}
        self.peak_rss = max(self.peak_rss, sum(resident.values()))
        self.peak_main = max(self.peak_main, resident.get(self.pid, 0))
        self.peak_pss = max(self.peak_pss, sum(_pss(p) for p in pids))
        self.peak_processes = max(self.peak_processes, len(pids))
        if self.kept is not None:
            self.kept.append((time.time(), {p: rollup(p) for p in pids}))
        for pid in pids:
            used = _cpu_of(pid)
            if used is not None:
                self.cpu_seen[pid] = max(self.cpu_seen.get(pid, 0.0), used)

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.sample()

    def finish(self) -> None:
        """Stop sampling (call once the process has exited)."""
        self.stop.set()
        self.join()


def _cpu_of(pid: int) -> float | None:
    """User + system seconds of one process so far (not its children), None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return None


def run_measured(command: list[str], *, cwd: Path, env: dict[str, str],
                 sampler_out: list[TreeSampler] | None = None) -> Run:
    """Run ``command``; its wall time, tree CPU, tree peak RSS and PSS, exit code, stderr.
    With ``sampler_out``, its sampler keeps every sample and is appended there."""
    cpu, wall = _children_cpu(), time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid, keep=sampler_out is not None)
    if sampler_out is not None:
        sampler_out.append(sampler)
    sampler.start()
    _, stderr = proc.communicate()
    sampler.finish()
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    peak = sampler.peak_rss
    if peak == 0:  # no /proc: the largest child process the OS reports
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return Run(wall, cpu, peak, proc.returncode, stderr, sum(sampler.cpu_seen.values()),
               sampler.peak_pss, sampler.peak_processes, sampler.peak_main)


def validate(checkout: Path, corpus: Path, out: Path, *extra: str) -> Run:
    """``corpus-qa validate CORPUS --json OUT -q`` with ``checkout``'s code (its default
    suite unless ``extra`` names one)."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONUTF8": "1"}
    return run_measured([sys.executable, "-m", "corpus_qa.cli", "validate", str(corpus),
                         "--json", str(out), "-q", *extra], cwd=corpus.parent, env=env)


def compile_checkout(checkout: Path) -> None:
    """``checkout``'s ``corpus_qa`` compiled to bytecode, as an installed package is.

    A checkout without ``__pycache__`` (an exported revision, or any checkout run under
    ``PYTHONDONTWRITEBYTECODE``) compiles each of its modules from source again in every
    run, and in every worker that imports one after the fork: 0.1-0.2 CPU-s a run that
    no installed copy pays, and not alike in the two checkouts compared."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "corpus_qa")],
                   check=True, stdout=subprocess.DEVNULL)


def export_commit(revision: str, into: Path) -> Path:
    """The tree of ``revision`` of this repository, written under ``into`` (``git
    archive``: the repository itself is not touched)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "tree.tar"
    with archive.open("wb") as handle:
        subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision],
                       stdout=handle, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    return into


BEFORE_HELP = ("an earlier version: a git revision of this repository, or a directory "
               "holding its checkout")
"""The help of a benchmark's ``--before`` (what :func:`before_and_after` takes)."""


def before_and_after(before: str | None, into: Path) -> dict[str, Path]:
    """The checkouts a benchmark compares: ``{"after": this one}``, and first
    ``"before"`` when given — a directory holding an earlier checkout, or a git revision
    of this repository exported under ``into``."""
    if not before:
        return {"after": ROOT}
    given = Path(before)
    earlier = given.resolve() if given.is_dir() else export_commit(before, into)
    return {"before": earlier, "after": ROOT}


def results_size(out: Path) -> int:
    """Bytes of a results file with its shards (a run above the sharding threshold keeps
    its documents and findings in JSON Lines files next to results.json)."""
    if not out.exists():
        return 0
    size = out.stat().st_size
    with out.open(encoding="utf-8") as head:
        shards = json.load(head).get("shards", {})
    for listed in shards.values():
        size += sum((out.parent / shard["path"]).stat().st_size for shard in listed)
    return size
