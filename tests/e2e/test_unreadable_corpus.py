"""Unreadable input end to end: the report is written, and a corpus that was not read fails."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.e2e.test_one_verdict import validate

ENCODING_SUITE = "name: enc\nexpectations:\n  - type: expect_document_to_have_no_mojibake\n"


def embedded(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="cqa-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def test_report_is_written_with_the_input_findings(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "bin").mkdir()
    (corpus / "bin" / "blob.txt").write_bytes(b"\x00\x01binary\x00\xff")
    (corpus / "lines.jsonl").write_text('{"id": "ok", "text": "Fine."}\n{bad json\n'
                                        '{"id": "nt", "content": "no text"}\n', encoding="utf-8")
    (tmp_path / "suite.yml").write_text(ENCODING_SUITE, encoding="utf-8")
    code, stdout, stderr = validate(tmp_path, "corpus", "--suite", "suite.yml",
                                    "--report", "out", "--json", "r.json")
    assert code == 1, stdout + stderr  # input errors fail the run; no internal error
    assert "Traceback" not in stderr and "KeyError" not in stderr
    data = embedded((tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
    docs = dict(zip(data["docs"]["id"], data["docs"]["text"], strict=True))
    inputs = [(data["docs"]["id"][row[2]], data["reasons"][row[3]]) for row in data["findings"]
              if data["expNames"][row[0]] == "input"]
    assert inputs == [("corpus/bin/blob.txt", "binary_file"),
                      ("corpus/lines.jsonl", "invalid_json"), ("nt", "missing_text")]
    assert (docs["corpus/bin/blob.txt"], docs["nt"]) == (0, 0)  # listed, no text to show
    assert data["verdict"]["failing"] == ["input"] and data["verdict"]["exitCode"] == 1
    results = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert results["success"] is False
    assert {e["type"]: e["status"] for e in results["expectations"]}["input"] == "fail"


@pytest.mark.parametrize(
    ("files", "named"),
    [
        pytest.param({"a.docx": b"PK\x03\x04", "b.pdf": b"%PDF-1.7"},
                     "2 files skipped (no loader reads their format): corpus/a.docx, "
                     "corpus/b.pdf", id="only-unsupported-files"),
        pytest.param({"c.jsonl": b'{"id": "x", "content": "The text is here."}\n'},
                     "1 file with input errors (see the 'input' findings): corpus/c.jsonl",
                     id="records-without-text"),
    ],
)
def test_a_corpus_with_no_document_read_fails(tmp_path: Path, files: dict[str, bytes],
                                              named: str) -> None:
    (tmp_path / "corpus").mkdir()
    for name, content in files.items():
        (tmp_path / "corpus" / name).write_bytes(content)
    (tmp_path / "suite.yml").write_text(ENCODING_SUITE, encoding="utf-8")
    code, stdout, stderr = validate(tmp_path, "corpus", "--suite", "suite.yml", "--report",
                                    "out", "--summary-md", "summary.md", "--json", "r.json")
    assert code == 1, stdout + stderr
    problem = (f"no document could be read from corpus: {named} — corpus-qa reads .txt and .md "
               "files, and JSON Lines or Parquet records with a string text field "
               "(--text-field): convert the corpus, fix the input errors, or point corpus-qa "
               "at the folder that holds the documents")
    lines = stdout.splitlines()
    assert f"corpus-qa: {problem}" in lines
    assert lines[-1].startswith("corpus-qa: FAILED — 0 documents")
    results = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert results["success"] is False and results["gating"]["corpus_problem"] == problem
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## ❌ corpus-qa: fail\n")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'data-verdict="fail"' in page
    assert "Do not publish — no document could be read" in page
    assert "May be published" not in page
    assert embedded(page)["verdict"]["corpusProblem"] == problem
    skipped = sorted(f"corpus/{name}" for name in files if not name.endswith(".jsonl"))
    assert embedded(page)["verdict"]["skippedFiles"] == skipped
    for name in skipped:
        assert f"<li><code>{name}</code></li>" in page
        assert f"`{name}`" in summary
