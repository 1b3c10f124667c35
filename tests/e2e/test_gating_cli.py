"""--changed-since, --baseline and --waivers through the CLI, in a real git repository."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import ROOT, SEED_000, SEED_001, git, run_cli

OTHER = "The harbour authority opened a new ferry terminal on Friday, with {n} berths.\n"


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "corpus").mkdir(parents=True)
    for seed in (ROOT / "seeds").glob("*.txt"):
        shutil.copy(seed, root / "corpus" / seed.name)
    for n in range(3):
        (root / "corpus" / f"other{n}.txt").write_text(
            f" date 2024-01-0{n + 1} " + OTHER.format(n=n) * (n + 1), encoding="utf-8")
    shutil.copytree(ROOT / "expectations", root / "expectations")
    (root / "pyproject.toml").write_text(
        '[tool.corpus_qa]\npaths = ["corpus"]\nsuite = "expectations/news.yml"\n')
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "corpus")
    return root


def test_changed_since_validates_the_change_and_its_other_version(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    seed = root / "corpus" / f"{SEED_001}.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + " Updated.", encoding="utf-8")
    proc = run_cli("validate", "--changed-since", "HEAD", "--json", "r.json", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert ("--changed-since HEAD: 1 changed document and 1 other version of its stories; "
            "validating 2 of 5 documents, skipped 3") in proc.stderr
    data = json.loads((root / "r.json").read_text(encoding="utf-8"))
    assert sorted(d["id"] for d in data["documents"]) == [SEED_000, SEED_001]
    assert data["statistics"]["skipped_documents"] == 3


def test_baseline_then_only_new_findings_fail(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert run_cli("validate", "--write-baseline", "base.json", cwd=root).returncode == 1
    again = run_cli("validate", "--baseline", "base.json", cwd=root)
    assert again.returncode == 0, again.stdout
    assert "baseline: 0 new" in again.stdout
    (root / "corpus" / "other0.txt").write_text(" date 2024-01-01 The cafÃ© reopened.\n",
                                                 encoding="utf-8")
    worse = run_cli("validate", "--baseline", "base.json", cwd=root)
    assert worse.returncode == 1
    assert "expect_document_to_have_no_mojibake [mojibake]" in worse.stdout
    assert "missing required metadata field 'source'" not in worse.stdout.split("\n\n")[0]


def test_waivers_apply_until_they_expire(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    suite = root / "mini.yml"
    suite.write_text("name: mini\nexpectations:\n  - type: expect_document_to_have_metadata\n"
                     "    fields: [source]\n")
    for expires, code in (("2999-01-01", 0), ("2000-01-01", 1)):
        (root / "waivers.yml").write_text(
            "waivers:\n"
            f"  - document: '{SEED_000}'\n    expectation: expect_document_to_have_metadata\n"
            "    reason: missing_field\n    why: the source is added by the export job\n"
            f"    expires: {expires}\n"
            "  - document: 'other*'\n    expectation: expect_document_to_have_metadata\n"
            "    why: wire copy, source is the corpus itself\n")
        proc = run_cli("validate", "--suite", "mini.yml", "--waivers", "waivers.yml", cwd=root)
        assert proc.returncode == code, (expires, proc.stdout, proc.stderr)
        if code == 1:
            assert "expired" in proc.stdout + proc.stderr
