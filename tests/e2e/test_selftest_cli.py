"""``corpus-qa selftest`` end to end, through a subprocess: table, JSON, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from corpus_qa.mutations import FAMILIES
from tests.conftest import SEEDS, run_cli

ENCODING_ONLY = """\
name: encoding-only
expectations:
  - type: expect_document_to_be_valid_utf8
  - type: expect_document_to_have_no_mojibake
"""


def test_selftest_on_the_seeds_finds_every_family_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "selftest.json"
    proc = run_cli("selftest", "seeds", "--json", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["expectation", "family", "injected", "found", "false", "alarms"]
    for family in FAMILIES.values():
        (row,) = [line for line in lines if f" {family.name} " in line]
        assert row.startswith(family.expectation), row
        assert " 100% " in row and row.endswith(" 0%"), row
    assert "not found:" not in proc.stdout and "false alarms:" not in proc.stdout
    assert lines[-1].startswith("corpus-qa selftest: passed — ")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["success"] is True and data["seed"] == 0 and data["copies"] == 3
    assert {r["family"] for r in data["rows"] if r["family"]} == set(FAMILIES)
    assert all(r["found_fraction"] == 1.0 and r["false_alarms"] == 0
               for r in data["rows"] if r["family"])
    assert all(i["found"] for i in data["injections"])


def test_selftest_leaves_the_corpus_untouched_and_fails_a_weak_suite(tmp_path: Path) -> None:
    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS, corpus)
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    suite = tmp_path / "weak.yml"
    suite.write_text(ENCODING_ONLY, encoding="utf-8")
    proc = run_cli("selftest", str(corpus), "--suite", str(suite), "--copies", "1", "--seed", "3")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "expect_versions_to_have_consistent_figures (not in suite)" in proc.stdout
    assert "not found:" in proc.stdout
    assert "corpus-qa selftest: FAILED" in proc.stdout
    assert {p.name: p.read_bytes() for p in corpus.iterdir()} == before


def test_selftest_usage_errors_exit_2(tmp_path: Path) -> None:
    proc = run_cli("selftest", str(tmp_path / "missing"))
    assert proc.returncode == 2
    assert "no such file or directory" in proc.stderr
    proc = run_cli("selftest", "seeds", "--copies", "0")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "corpus-qa: error: --copies and --max-stories must be at least 1"
