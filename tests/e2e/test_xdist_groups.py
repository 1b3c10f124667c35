"""``make test`` runs ``pytest -n 2 --dist loadgroup``: the tests marked
``xdist_group(NAME)`` (the Spark tests, which share one session per worker) must run on
one worker whatever the pytest and xdist versions (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("xdist")

TESTS = """
import os
import pytest

group = pytest.mark.xdist_group("shared")


@group
@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    print("WORKER", os.environ["PYTEST_XDIST_WORKER"])


@pytest.mark.parametrize("n", range(6))
def test_free(n):
    pass
"""


def test_the_tests_of_a_group_run_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.conftest import pytest_collection_modifyitems  # noqa: F401\n",
        encoding="utf-8")
    (tmp_path / "test_groups.py").write_text(textwrap.dedent(TESTS), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-s",
         "-p", "no:cacheprovider", "-p", "no:randomly", "test_groups.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    grouped = [line.split()[0] for line in proc.stdout.splitlines()
               if "::test_grouped[" in line and "PASSED" in line]
    assert len(grouped) == 6, proc.stdout[-3000:]
    assert len(set(grouped)) == 1, grouped  # e.g. ['[gw0]', '[gw0]', ...]
    assert sum("::test_free[" in line and "PASSED" in line
               for line in proc.stdout.splitlines()) == 6
