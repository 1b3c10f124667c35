"""Run ``corpus-qa`` from a given checkout in a subprocess and measure its process tree.

Shared by the benchmarks that compare this checkout with an earlier one: the earlier one
is a directory holding its ``corpus_qa`` package (a ``git worktree``, or the tree of a
commit exported by :func:`export_commit`), run with this interpreter and its installed
dependencies.
"""

from __future__ import annotations

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
    seen (sampled every 50 ms; on a system without /proc, the largest single process)."""
    returncode: int
    stderr: str
    sampled_cpu: float = 0.0
    """User + system seconds of every process seen in the tree (sampled every 50 ms, the
    last sample of each process; 0 without /proc): counts processes the measured one
    does not wait for, such as Spark's JVM, which ``cpu`` misses."""


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


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc), 0 if unreadable."""
    total = 0
    for current in tree_pids(pid):
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            pass
    return total


def _cpu_of(pid: int) -> float | None:
    """User + system seconds of one process so far (not its children), None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return None


def run_measured(command: list[str], *, cwd: Path, env: dict[str, str]) -> Run:
    """Run ``command``; its wall time, tree CPU, tree peak RSS, exit code and stderr."""
    cpu, wall = _children_cpu(), time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    seen: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, tree_rss(proc.pid))
            for pid in tree_pids(proc.pid):
                used = _cpu_of(pid)
                if used is not None:
                    seen[pid] = max(seen.get(pid, 0.0), used)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    done.set()
    sampler.join()
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    if peak == 0:  # no /proc: the largest child process the OS reports
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return Run(wall, cpu, peak, proc.returncode, stderr, sum(seen.values()))


def validate(checkout: Path, corpus: Path, out: Path, *extra: str) -> Run:
    """``corpus-qa validate CORPUS --json OUT -q`` with ``checkout``'s code (its default
    suite unless ``extra`` names one)."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONUTF8": "1"}
    return run_measured([sys.executable, "-m", "corpus_qa.cli", "validate", str(corpus),
                         "--json", str(out), "-q", *extra], cwd=corpus.parent, env=env)


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
