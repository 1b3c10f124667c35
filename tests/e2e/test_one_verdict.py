"""Every output of ``corpus-qa validate`` says what its exit code says.

A real git repository, a baseline, waivers and ``--changed-since``: in the ``known``
scenario every finding of the changed documents is waived or in the baseline, so the
run passes although the raw run has errors; in the ``new`` scenario one new document
brings a new finding and the run fails. One test per output reads that output and
compares it with the exit code.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus_qa.cli import main
from tests.e2e.test_gating_git import commit_all, git
from tests.unit.test_gxdocs import page_text

SUITE = """\
name: mini
expectations:
  - type: expect_document_to_have_no_mojibake
  - type: expect_document_to_have_metadata
    fields: [source]
"""
WAIVERS = """\
waivers:
  - document: b
    expectation: expect_document_to_have_metadata
    reason: missing_field
    why: The source of b is added by the export job.
  - document: c
    expectation: expect_document_to_have_no_mojibake
    why: A waiver from last year.
    expires: 2000-01-01
"""
MOJIBAKE = "expect_document_to_have_no_mojibake"


@dataclass
class Run:
    """One ``corpus-qa validate`` run and where its outputs are."""

    code: int
    stdout: str
    stderr: str
    out: Path

    def read(self, name: str) -> str:
        return (self.out / name).read_text(encoding="utf-8")


def validate(repo: Path, *args: str) -> tuple[int, str, str]:
    """``corpus-qa validate`` in this process (GX is imported once), run in ``repo``."""
    stdout, stderr = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(repo)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["validate", *args])
    finally:
        os.chdir(here)
    return code, stdout.getvalue(), stderr.getvalue()


def corpus_repo(root: Path) -> Path:
    """main: a (mojibake, in the baseline), b (no source, waived), c and d clean."""
    (root / "corpus").mkdir(parents=True)
    (root / "suite.yml").write_text(SUITE, encoding="utf-8")
    (root / "waivers.yml").write_text(WAIVERS, encoding="utf-8")
    docs = {"a": "source: Wire\n\nThe cafÃ© opened on Monday.\n",
            "b": "The harbour opened a ferry terminal.\n",
            "c": "source: Wire\n\nThe council met on Tuesday.\n",
            "d": "source: Wire\n\nRain is expected on Sunday.\n"}
    for name, text in docs.items():
        (root / "corpus" / f"{name}.txt").write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    code, _, err = validate(root, "corpus", "--suite", "suite.yml", "--waivers", "waivers.yml",
                            "--write-baseline", "baseline.json")
    assert code == 1, err  # the whole corpus fails: a has mojibake
    commit_all(root, "corpus and baseline")
    git(root, "switch", "-q", "-c", "pr")
    for name in "ab":  # edits that keep the findings
        with (root / "corpus" / f"{name}.txt").open("a", encoding="utf-8") as doc:
            doc.write("It was busy.\n")
    return root


@pytest.fixture(scope="module", params=["known", "new"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = corpus_repo(tmp_path_factory.mktemp(request.param) / "repo")
    if request.param == "new":
        (root / "corpus" / "e.txt").write_text("source: Wire\n\nSchrÃ¶dinger's cat.\n",
                                               encoding="utf-8")
    code, stdout, stderr = validate(
        root, "corpus", "--suite", "suite.yml", "--changed-since", "main",
        "--baseline", "baseline.json", "--waivers", "waivers.yml",
        "--json", "out/results.json", "--junit", "out/junit.xml",
        "--summary-md", "out/summary.md", "--report", "out/report", "--gx-docs", "out/gx",
        "--format", "github")
    assert code == {"known": 0, "new": 1}[request.param], stdout + stderr
    return Run(code, stdout, stderr, root / "out")


def test_the_scenarios_gate_a_failing_raw_run(run: Run) -> None:
    data = json.loads(run.read("results.json"))
    raw = {e["type"]: e["unexpected"] for e in data["expectations"]}
    gated = {e["type"]: e["gated_unexpected"] for e in data["expectations"]}
    assert raw[MOJIBAKE] >= 1 and raw["expect_document_to_have_metadata"] == 1
    assert gated[MOJIBAKE] == run.code and gated["expect_document_to_have_metadata"] == 0
    assert sorted(d["id"] for d in data["documents"]) == (["a", "b"] if run.code == 0
                                                          else ["a", "b", "e"])


def test_json_success_and_gating_agree_with_the_exit_code(run: Run) -> None:
    data = json.loads(run.read("results.json"))
    assert data["success"] is (run.code == 0)
    assert data["gating"]["exit_code"] == run.code
    assert data["gating"]["failing"] == ([] if run.code == 0 else [MOJIBAKE])
    assert {e["type"]: e["success"] for e in data["expectations"]} == {
        "input": True, MOJIBAKE: run.code == 0, "expect_document_to_have_metadata": True}
    assert data["gating"]["baseline"]["known"] == 1 and data["gating"]["waived"] == 1
    assert [w["line"] for w in data["gating"]["expired_waivers"]] == [6]
    gates = {(f["document"], f["expectation"]): f["gate"] for f in data["findings"]}
    assert gates[("a", MOJIBAKE)] == "known"
    assert gates[("b", "expect_document_to_have_metadata")] == "waived"
    assert gates.get(("e", MOJIBAKE), "counted") == "counted"


def test_junit_failures_agree_with_the_exit_code(run: Run) -> None:
    root = ET.fromstring(run.read("junit.xml"))
    assert root.get("failures") == str(run.code) and root.get("errors") == "0"
    failed = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")
              if c.find("failure") is not None]
    assert failed == ([] if run.code == 0 else [(MOJIBAKE, "e")])
    known = next(c for c in root.iter("testcase")
                 if (c.get("classname"), c.get("name")) == (MOJIBAKE, "a"))
    assert known.find("system-out").text.startswith("error (in the baseline): corpus/a.txt:3:5:")


def test_summary_md_verdict_agrees_with_the_exit_code(run: Run) -> None:
    lines = run.read("summary.md").splitlines()
    assert lines[0] == ("## ✅ corpus-qa: pass" if run.code == 0 else "## ❌ corpus-qa: fail")
    assert "- 1 finding waived (not counted)" in lines
    assert f"- Baseline: {run.code} new, 1 known (not counted), 0 fixed" in lines
    table = [line for line in lines if line.startswith("| `expect")]
    if run.code == 0:
        assert "3 of 3 expectations passed." in lines and table == []
    else:
        assert table == [f"| `{MOJIBAKE}` | error | failed | 1 of 3 (2 before waivers/baseline) |"]


def test_github_annotations_agree_with_the_exit_code(run: Run) -> None:
    commands = [line for line in run.stdout.splitlines() if line.startswith("::")]
    errors = [line for line in commands if line.startswith("::error file=")]
    assert len(errors) == run.code
    if run.code:
        assert errors[0].startswith(f"::error file=corpus/e.txt,line=3,col=1,title={MOJIBAKE} ")
    assert commands[-2] == (
        "::warning file=waivers.yml,line=6,title=expired waiver::waivers.yml:6: waiver for "
        f"{MOJIBAKE} on 'c' expired on 2000-01-01 and no longer applies — fix the findings, "
        "or renew it (why: A waiver from last year.)")
    verdict = commands[-1]
    if run.code == 0:
        assert verdict == ("::notice title=corpus-qa verdict::corpus-qa: passed — 2 documents, "
                           "0 errors, 0 warnings, 0 info")
    else:
        assert verdict == ("::error title=corpus-qa verdict::corpus-qa: FAILED — 3 documents, "
                           f"1 errors, 0 warnings, 0 info; failing: {MOJIBAKE}")


def test_html_report_verdict_agrees_with_the_exit_code(run: Run) -> None:
    page = run.read("report/index.html")
    match = re.search(r'<script type="application/json" id="cqa-data">(.*?)</script>', page, re.S)
    assert match
    verdict = json.loads(match.group(1))["verdict"]
    assert verdict["success"] is (run.code == 0) and verdict["exitCode"] == run.code
    assert verdict["failing"] == ([] if run.code == 0 else [MOJIBAKE])
    assert f'data-verdict="{"pass" if run.code == 0 else "fail"}"' in page


def test_gx_data_docs_success_agrees_with_the_exit_code(run: Run) -> None:
    text = page_text(run.read("gx/index.html"))
    assert ("Status: Succeeded" in text) is (run.code == 0)
    assert ("Status: Failed" in text) is (run.code == 1)


def test_terminal_verdict_line_agrees_with_the_exit_code(run: Run) -> None:
    lines = run.stdout.rstrip().splitlines()
    word = "passed" if run.code == 0 else "FAILED"
    documents = 2 if run.code == 0 else 3
    assert re.fullmatch(rf"corpus-qa: {word} — {documents} documents, {run.code} errors, "
                        r"0 warnings, 0 info \(1 waived, 1 known in the baseline not counted\) "
                        r"\(\d+\.\d\ds\)", lines[-1]), lines[-1]
    assert f"baseline: {run.code} new, 1 known, 0 fixed" in lines
    mark = "PASS " if run.code == 0 else "FAIL "
    assert f"{mark} {MOJIBAKE} [error] {run.code + 1}/{documents} unexpected, {run.code} after " \
           "waivers/baseline" in lines


def test_unused_waivers_are_reported_on_a_whole_corpus_run(tmp_path: Path) -> None:
    root = corpus_repo(tmp_path / "repo")
    with (root / "waivers.yml").open("a", encoding="utf-8") as waivers:
        waivers.write("  - document: 'archive/*'\n"
                      "    expectation: expect_document_to_have_metadata\n"
                      "    why: Old archive.\n")
    code, stdout, _ = validate(root, "corpus", "--suite", "suite.yml", "--waivers",
                               "waivers.yml", "--baseline", "baseline.json", "--json", "r.json")
    assert code == 0
    note = ("waivers.yml:10: waiver for expect_document_to_have_metadata on 'archive/*' matched "
            "no finding — remove it, or check its document glob and expectation")
    assert f"corpus-qa: {note}" in stdout.splitlines()
    data = json.loads((root / "r.json").read_text(encoding="utf-8"))
    assert [w["message"] for w in data["gating"]["unused_waivers"]] == [note]
