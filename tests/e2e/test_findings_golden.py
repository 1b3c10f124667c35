"""The default suite's findings, pinned byte for byte on the seeds and on a planted corpus.

The golden files were written by the release before the one-pass runner (rows of plain
values, each check once per document); the redesign must not change a single finding.
A deliberate change of a check updates them with ``CORPUS_QA_UPDATE_GOLDEN=1 pytest
tests/e2e/test_findings_golden.py`` and says why in its commit.

The planted corpus (``benchmarks/planted_corpus.py``, 2,002 files) has defects of every
family: invalid bytes, mojibake, control characters, NFD, dropped metadata, impossible
dates, boilerplate lines, changed figures, stripped diacritics, a repeated footer,
JSONL records without text or invalid, and a binary file.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.planted_corpus import build, write
from corpus_qa.cli import main
from corpus_qa.results import dump_json
from corpus_qa.runner import Runner

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
ROOT = Path(__file__).resolve().parents[2]
UPDATE = os.environ.get("CORPUS_QA_UPDATE_GOLDEN") == "1"


def _corpus_digest(files: dict[str, str | bytes]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(files):
        content = files[rel]
        digest.update(rel.encode() + b"\0")
        digest.update(content if isinstance(content, bytes) else content.encode())
    return digest.hexdigest()


def _findings(corpus: str, cwd: Path, out: Path, monkeypatch: pytest.MonkeyPatch,
              runs: list | None = None) -> list:
    monkeypatch.chdir(cwd)
    if runs is not None:  # keep the run's result (its story pairs are read back from disk)
        run = Runner.run
        monkeypatch.setattr(Runner, "run", lambda self, *a, **k: runs.append(
            run(self, *a, **k)) or runs[-1])
    code = main(["validate", corpus, "--suite", str(ROOT / "expectations/news.yml"),
                 "--json", str(out), "-q"])
    assert code == 1, "the default suite must fail these corpora"
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    # What the checks found is pinned here; whether the gate counts a finding ("gate":
    # counted / waived / baseline, a key added with the one verdict) is the gate's tests'.
    for finding in findings:
        assert finding.pop("gate") == "counted"
    return findings


def _compare(name: str, findings: list, extra: dict) -> None:
    path = GOLDEN / f"{name}.json.gz"
    text = dump_json({"findings": findings, **extra})
    if UPDATE:
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    golden = json.loads(gzip.decompress(path.read_bytes()))
    for key, value in extra.items():
        assert golden[key] == value, f"{key} changed: regenerate {path.name} only on purpose"
    if findings != golden["findings"]:
        def count(items: list) -> Counter:
            return Counter((f["expectation"], f["reason"]) for f in items)
        before, after = count(golden["findings"]), count(findings)
        diff = {k: (before[k], after[k]) for k in before | after if before[k] != after[k]}
        first = next(((a, b) for a, b in zip(golden["findings"], findings, strict=False)
                      if a != b), None)
        pytest.fail(f"findings differ from {path.name}: counts (before, after) {diff}; "
                    f"first difference {first}")
    assert text == dump_json(golden)  # byte-identical


def test_seed_findings_are_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    findings = _findings("seeds", ROOT, tmp_path / "r.json", monkeypatch)
    _compare("seeds", findings, {})


@pytest.mark.slow
def test_planted_corpus_findings_are_unchanged(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    files = build()
    write(tmp_path / "corpus")
    runs: list = []
    findings = _findings("corpus", tmp_path, tmp_path / "r.json", monkeypatch, runs)
    assert len(findings) > 5000
    reasons = {f["reason"] for f in findings}
    for reason in ("invalid_utf8", "mojibake", "control_character", "not_normalized",
                   "missing_field", "invalid_date", "figure_changed", "diacritics_stripped",
                   "repeated_line", "missing_text", "invalid_json", "binary_file"):
        assert reason in reasons, reason
    _compare("planted", findings, {"corpus_sha256": _corpus_digest(files)})
    results = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert not any("pairs" in story for story in results["stories"])
    _story_view_agrees_with_the_figure_check(results, runs[0].pairs_of)


def _story_view_agrees_with_the_figure_check(results: dict, pairs_of: Callable) -> None:
    """Every pair the report shows marks as changed exactly the figures the check flagged
    between those two versions (the view shows the check's own tables)."""
    flagged: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for f in results["findings"]:
        if f["reason"] == "figure_changed":
            flagged.setdefault((f["document"], f["related"]["document"]), set()).add(
                tuple(f["span"]))
    pairs = 0
    for story in results["stories"]:
        for pair in pairs_of(story["id"]):
            a, b = pair["documents"]
            changed_a = {tuple(r["a"]["span"]) for r in pair["figures"] if r["status"] == "changed"}
            changed_b = {tuple(r["b"]["span"]) for r in pair["figures"] if r["status"] == "changed"}
            # A finding's related document is the first version that disagrees, so each
            # flagged span of a (document, related) pair must be a changed row of their table.
            assert flagged.get((a, b), set()) <= changed_a, (story["id"], a, b)
            assert flagged.get((b, a), set()) <= changed_b, (story["id"], a, b)
            pairs += 1
    shown_changes = sum(r["status"] == "changed" for s in results["stories"]
                        for p in pairs_of(s["id"]) for r in p["figures"])
    assert pairs > 1000 and shown_changes > 0
