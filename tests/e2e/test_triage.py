"""Triage at scale: on ~400 documents with a few kinds of defect, the default terminal
output fits a screen of a CI log and still names every kind that was injected."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.triage_corpus import build
from corpus_qa.cli import main

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 80


def test_default_output_is_short_and_names_every_injected_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    corpus = build()
    assert corpus.write(tmp_path / "corpus") == 402
    monkeypatch.chdir(tmp_path)
    code = main(["validate", "corpus", "--suite", str(ROOT / "expectations/news.yml"),
                 "--json", "results.json"])
    assert code == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) <= MAX_LINES, out
    assert lines[0].startswith("corpus-qa: FAILED — 402 documents")
    finding_lines = [line for line in lines if line.startswith("corpus/")]
    # each kind has an example finding line, the missing date apart from the missing source
    for reason in corpus.kinds():
        assert any(f"[{reason}" in line for line in finding_lines), reason
    assert any("missing required metadata field 'date'" in line for line in finding_lines)
    # one mis-decoded file is one finding with many places, not one finding per run
    assert any("[mojibake ×" in line for line in finding_lines)
    assert "corpus-wide: expect_document_to_have_metadata [missing_field attribution]" in out
    assert "more: see the HTML report (--report) or --format lines" in out
