"""The oversized-story rule through the CLI (docs/versions.md, "Long and oversized stories").

A story grouped from more documents than ``versions.max_story_documents`` (default 1,000;
``--max-story-documents``) is not compared across versions: one ``input`` finding,
``story_too_large``, on its first version names the story, its size, the limit and what
to do; each of its documents is still validated on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import NEWS, run_cli

VERSIONS = 12


def _corpus(tmp_path: Path) -> Path:
    """Twelve versions of one short story; the figure changes between v05 and v06."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(VERSIONS):
        crossed = "6,000" if i <= 5 else "7,000"
        (corpus / f"v{i:02d}.txt").write_text(
            f"Update {chr(65 + i)}. Border officials said about {crossed} migrants crossed the "
            "river near the bridge on Monday, and the mayor asked the state for more shelters, "
            "buses and volunteers before the cold weather arrives this week.\n",
            encoding="utf-8")
    return corpus


def _validate(tmp_path: Path, corpus: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "r.json"
    proc = run_cli("validate", str(corpus), "--json", str(out), *args)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(out.read_text(encoding="utf-8"))


def _story_findings(data: dict) -> list[dict]:
    return [f for f in data["findings"] if f["expectation"].startswith("expect_versions_")]


def test_a_story_within_the_limit_is_compared(tmp_path: Path) -> None:
    _, data = _validate(tmp_path, _corpus(tmp_path), "--suite", str(NEWS))
    assert len({d["story"] for d in data["documents"]}) == 1
    assert not [f for f in data["findings"] if f["reason"] == "story_too_large"]
    changed = [f for f in _story_findings(data) if f["reason"] == "figure_changed"]
    assert [f["document"] for f in changed] == ["v06"]
    assert len(data["stories"]) == 1


def test_a_story_over_the_flag_is_one_input_finding_and_not_compared(tmp_path: Path) -> None:
    code, data = _validate(tmp_path, _corpus(tmp_path), "--suite", str(NEWS),
                           "--max-story-documents", "5")
    assert code == 1
    (story,) = {d["story"] for d in data["documents"]}  # grouping is unchanged
    (finding,) = [f for f in data["findings"] if f["reason"] == "story_too_large"]
    assert (finding["expectation"], finding["severity"], finding["document"]) == (
        "input", "error", "v00")
    assert finding["path"].endswith("v00.txt")
    message = finding["message"]
    assert f"story {story} groups {VERSIONS:,} documents, over the limit of 5" in message
    assert "versions.threshold" in message and "--max-story-documents" in message
    assert _story_findings(data) == []  # its versions were not compared
    assert data["stories"] == []
    input_outcome = next(e for e in data["expectations"] if e["type"] == "input")
    assert input_outcome["unexpected"] == 1 and not input_outcome["success"]
    assert len(data["documents"]) == VERSIONS  # each still validated on its own


def test_the_suite_sets_the_limit_and_the_flag_wins(tmp_path: Path) -> None:
    suite = tmp_path / "s.yml"
    suite.write_text(NEWS.read_text(encoding="utf-8").replace(
        "\nexpectations:", "\nversions:\n  max_story_documents: 5\nexpectations:", 1),
        encoding="utf-8")
    corpus = _corpus(tmp_path)
    _, data = _validate(tmp_path, corpus, "--suite", str(suite))
    assert [f["reason"] for f in data["findings"] if f["expectation"] == "input"] == [
        "story_too_large"]
    _, data = _validate(tmp_path, corpus, "--suite", str(suite),
                        "--max-story-documents", str(VERSIONS))
    assert not [f for f in data["findings"] if f["expectation"] == "input"]
    assert [f["document"] for f in _story_findings(data)
            if f["reason"] == "figure_changed"] == ["v06"]


def test_a_bad_limit_is_a_usage_error(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    proc = run_cli("validate", str(corpus), "--max-story-documents", "1")
    assert proc.returncode == 2
    assert "--max-story-documents needs a number of documents, 2 or more" in proc.stderr
    suite = tmp_path / "s.yml"
    suite.write_text("name: s\nversions:\n  max_story_documents: many\nexpectations:\n"
                     "  - type: expect_versions_to_have_consistent_figures\n", encoding="utf-8")
    proc = run_cli("validate", str(corpus), "--suite", str(suite))
    assert proc.returncode == 2
    assert "s.yml:3" in proc.stderr and "max_story_documents" in proc.stderr
    assert "Traceback" not in proc.stderr
