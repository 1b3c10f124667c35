"""The tree stays clean under ruff, as configured in pyproject.toml (``make lint``)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from tests.conftest import ROOT


def test_ruff_finds_nothing() -> None:
    assert importlib.util.find_spec("ruff") is not None, (
        "ruff is missing: install the test extra (pip install -e '.[test]')")
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                           "--output-format", "concise", str(ROOT)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
