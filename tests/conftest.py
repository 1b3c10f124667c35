"""Shared fixtures: paths of the repository, the seeds and the default suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# `make test` and CI run the same examples every time (a property that fails there fails
# the same way on every machine); `make explore` (HYPOTHESIS_EXPLORE=1) lets hypothesis
# search with fresh random examples — run it when changing a check, and turn what it
# finds into a case or a fix. No deadline, and no "too slow" health check (the wall time
# of generating the first examples): on a shared, loaded machine an example's time says
# nothing about its correctness (a property's cost is measured in benchmarks/).
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
if not os.environ.get("HYPOTHESIS_EXPLORE"):
    settings.load_profile("ci")

# --changed-since caches story signatures in the user's cache directory: never the
# developer's own during tests (subprocesses inherit the variable). The first pytest
# process makes the directory (xdist's workers inherit it) and removes it when it exits.
if "CORPUS_QA_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["CORPUS_QA_CACHE_DIR"] = tempfile.mkdtemp(prefix="corpus-qa-test-cache-")
    atexit.register(shutil.rmtree, os.environ["CORPUS_QA_CACHE_DIR"], ignore_errors=True)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
NEWS = ROOT / "expectations" / "news.yml"
SEED_000 = "000_c3359af66ac874be"
SEED_001 = "001_a1d7f1edd2253686"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--dist loadgroup`` (``make test``): the tests marked ``xdist_group(NAME)`` run on
    one worker, as pytest-xdist promises.

    xdist 3.8 groups them by appending ``@NAME`` to ``item._nodeid``, which pytest 9.2 no
    longer reads (a node's id is now ``item._id``): each grouped test went to any worker,
    and both workers started a Spark session of their own (``tests/e2e/conftest.py``).
    Here, after xdist's own hook, a grouped item whose id lacks the suffix gets it, named
    as xdist names it; nothing is done where xdist's suffix took effect."""
    if not getattr(config.option, "loadgroup", False):
        return
    try:  # (pytest's own node ids, since 9.2; before it xdist's suffix works as it is)
        from _pytest.nodeid import NodeId
    except ImportError:
        return
    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
            item._id = NodeId.parse(item.nodeid + suffix)


GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "corpus-qa tests", "GIT_AUTHOR_EMAIL": "tests@example.org",
    "GIT_COMMITTER_NAME": "corpus-qa tests", "GIT_COMMITTER_EMAIL": "tests@example.org",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}
"""git as the tests run it: a fixed author, no user or system configuration (a user's
``init.defaultBranch``, hooks or signing settings cannot change what a test sees)."""


def git(repo: Path, *args: str) -> str:
    """``git ARGS`` in ``repo`` with :data:`GIT_ENV`; its standard output."""
    return subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True,
                          text=True).stdout


def run_cli(*args: str, cwd: Path | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``corpus-qa`` as a user would, in a subprocess."""
    env = {**os.environ, "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-m", "corpus_qa.cli", *args],
        cwd=cwd or ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli
