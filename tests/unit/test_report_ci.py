"""CI outputs: JUnit XML, GitHub workflow commands and the Markdown summary."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from corpus_qa.outputs import REPORT_MARKER
from corpus_qa.report.ci import (
    escape_data,
    escape_property,
    finding_line,
    github_annotations,
    markdown_code,
    markdown_text,
    write_junit,
    write_summary_md,
)
from tests.fixtures.report_results import A_ID, B_ID, seed_results

SYNDICATION_LINE = (
    f"seeds/{B_ID}.txt:1:1: expect_document_to_have_no_boilerplate [syndication_notice] "
    '"Originally posted by the Voice of America." — move it into metadata (source)'
)


@pytest.fixture
def results() -> dict[str, Any]:
    return copy.deepcopy(seed_results()[0])


def a_finding(**overrides: Any) -> dict[str, Any]:
    base = {
        "expectation": "expect_document_to_have_no_boilerplate",
        "severity": "error",
        "document": A_ID,
        "path": f"seeds/{A_ID}.txt",
        "reason": "share_line",
        "message": "share line",
        "span": [0, 5],
        "line": 2,
        "column": 3,
        "excerpt": "Share",
        "related": None,
        "suggestion": None,
    }
    return {**base, **overrides}


def junit(results: dict[str, Any], tmp_path) -> ET.Element:
    return ET.parse(write_junit(results, tmp_path / "junit.xml")).getroot()


def case(root: ET.Element, expectation: str, document: str) -> ET.Element:
    (found,) = [
        c
        for c in root.iter("testcase")
        if c.get("classname") == expectation and c.get("name") == document
    ]
    return found


# --- JUnit -------------------------------------------------------------------------------------


def test_finding_line_is_the_grepable_form():
    (item,) = [f for f in seed_results()[0]["findings"] if f["reason"] == "syndication_notice"]
    assert finding_line(item) == SYNDICATION_LINE


def test_junit_has_one_testcase_per_document_and_expectation(results, tmp_path):
    root = junit(results, tmp_path)
    suites = root.findall("testsuite")
    assert len(suites) == 10
    # 7 document-scope expectations x 2 documents + 3 story-scope x the 2 documents in the story
    assert len(root.findall(".//testcase")) == 20
    assert root.get("tests") == "20"
    assert root.get("failures") == "3"
    assert root.get("errors") == "0"
    assert sum(int(s.get("failures")) for s in suites) == len(root.findall(".//failure")) == 3


def test_a_failure_carries_every_error_finding_line(results, tmp_path):
    failure = case(junit(results, tmp_path), "expect_document_to_have_no_boilerplate", B_ID).find(
        "failure"
    )
    assert failure.get("type") == "syndication_notice,licence_notice,title_in_body,byline_in_body"
    assert failure.get("message").startswith('4 findings: "Originally posted by')
    lines = failure.text.splitlines()
    assert len(lines) == 4
    assert lines[0] == SYNDICATION_LINE


def test_warnings_and_info_do_not_fail_but_are_reported_in_system_out(results, tmp_path):
    root = junit(results, tmp_path)
    flattened = case(root, "expect_document_to_have_paragraphs", B_ID)
    assert flattened.find("failure") is None
    assert flattened.find("system-out").text == (
        f"warning: seeds/{B_ID}.txt:1:1: expect_document_to_have_paragraphs "
        "[paragraphs_flattened] no paragraph break in 3,953 characters — restore the paragraph "
        "breaks"
    )
    credit = case(root, "expect_versions_to_have_consistent_credit_lines", B_ID)
    assert credit.find("system-out").text.startswith("info: ")
    assert case(root, "expect_document_to_be_valid_utf8", A_ID).find("system-out") is None


def test_findings_tolerated_by_mostly_do_not_fail(results, tmp_path):
    (boilerplate,) = [
        e for e in results["expectations"] if e["type"] == "expect_document_to_have_no_boilerplate"
    ]
    boilerplate.update(success=True, status="pass", fails_run=False, mostly=0.5)
    testcase = case(junit(results, tmp_path), boilerplate["type"], B_ID)
    assert testcase.find("failure") is None
    assert testcase.find("system-out").text.splitlines()[0] == (
        "error (tolerated: expectation passed): " + SYNDICATION_LINE
    )


def test_story_expectations_only_test_documents_in_stories(results, tmp_path):
    results["documents"].append(
        {"id": "alone", "path": "seeds/alone.txt", "story": None, "line": 1, "metadata": {}}
    )
    root = junit(results, tmp_path)
    figures = root.find("testsuite[@name='expect_versions_to_have_consistent_figures']")
    assert [c.get("name") for c in figures.iter("testcase")] == [A_ID, B_ID]
    utf8 = root.find("testsuite[@name='expect_document_to_be_valid_utf8']")
    assert [c.get("name") for c in utf8.iter("testcase")] == [A_ID, B_ID, "alone"]


def test_an_expectation_that_raised_is_a_junit_error(results, tmp_path):
    results["expectations"][0]["exception"] = "ValueError: boom\nTraceback line"
    root = junit(results, tmp_path)
    suite = root.find("testsuite[@name='expect_document_to_be_valid_utf8']")
    (testcase,) = suite.iter("testcase")
    error = testcase.find("error")
    assert error.get("message") == "ValueError: boom"
    assert error.text == "ValueError: boom\nTraceback line"
    assert root.get("errors") == "1"


def test_junit_survives_characters_xml_cannot_hold(results, tmp_path):
    results["findings"] = [a_finding(message='NUL \x00 ESC \x1b & <tag> "q"', document="odd\x01id")]
    root = junit(results, tmp_path)
    (failure,) = root.iter("failure")
    assert 'NUL \\x00 ESC \\x1b & <tag> "q"' in failure.text
    assert case(root, "expect_document_to_have_no_boilerplate", "odd\\x01id") is not None


# --- GitHub workflow commands --------------------------------------------------------------------


def test_annotations_for_the_seeds(results):
    lines = github_annotations(results).splitlines()
    assert len(lines) == 11
    assert lines[5] == (
        f"::error file=seeds/{B_ID}.txt,line=1,col=1,"
        "title=expect_document_to_have_no_boilerplate [syndication_notice]::"
        '"Originally posted by the Voice of America." — move it into metadata (source)'
    )
    assert lines[0].endswith("%0Asuggestion: Voice of America")
    assert [line.split(" ", 1)[0] for line in lines].count("::warning") == 4
    assert lines[-1].startswith("::notice file=")


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("x:y,z", "x:y,z", "x%3Ay%2Cz"),
        ("%0A", "%250A", "%250A"),
    ],
    ids=["percent", "crlf", "colon-comma", "already-escaped"],
)
def test_workflow_command_escaping(text, data, prop):
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_annotation_properties_and_messages_are_escaped(results):
    results["findings"] = [
        a_finding(path="dir,with:odd/file.txt", reason="a,b", message="50% off\n::add-mask::secret")
    ]
    (line,) = github_annotations(results).splitlines()
    assert line == (
        "::error file=dir%2Cwith%3Aodd/file.txt,line=2,col=3,"
        "title=expect_document_to_have_no_boilerplate [a%2Cb]::"
        "50%25 off%0A::add-mask::secret"
    )


def test_beyond_the_limit_findings_are_plain_lines(results):
    results["findings"] = [
        a_finding(line=n, message=f"m{n}\n::stop-commands::x") for n in range(1, 14)
    ]
    lines = github_annotations(results, max_per_severity=10).splitlines()
    assert len(lines) == 14
    assert all(line.startswith("::error ") for line in lines[:10])
    assert lines[10] == (
        f"error: seeds/{A_ID}.txt:11:3: expect_document_to_have_no_boilerplate "
        "[share_line] m11 ::stop-commands::x"
    )
    assert lines[13] == (
        "corpus-qa: annotated 10 of 13 error findings (GitHub shows 10 "
        "annotations of each kind per step); the others are listed above and in "
        "the report."
    )
    assert len(github_annotations(results, max_per_severity=None).splitlines()) == 13


def test_no_findings_no_annotations(results):
    results["findings"] = []
    assert github_annotations(results) == ""


# --- Markdown summary ----------------------------------------------------------------------------


def test_summary_for_the_seeds(results, tmp_path):
    text = write_summary_md(results, tmp_path / "summary.md", "report/index.html").read_text(
        encoding="utf-8"
    )
    lines = text.splitlines()
    assert lines[0] == "## ❌ corpus-qa: fail"
    assert lines[2] == (
        "**6 errors · 4 warnings · 1 info** in 2 documents (1 story) — suite news, "
        "corpus seeds, corpus-qa 0.1.0. [Open the full report](report/index.html)"
    )
    assert "5 of 10 expectations passed." in lines
    assert "| `expect_document_to_have_metadata` | error | failed | 2 of 2 |" in lines
    rows = [line for line in lines if "#finding-" in line]
    assert len(rows) == 11
    assert rows[0] == (
        f"| error | [`{A_ID}`](report/index.html#finding-0) | "
        "`expect_document_to_have_metadata` `missing_field` | required field "
        "'source' is missing — add source: Voice of America (found in the other "
        "version 001\\_a1d7f1edd2253686) |"
    )
    severities = [row.split("|")[1].strip() for row in rows]
    assert severities == ["error"] * 6 + ["warning"] * 4 + ["info"]


def test_summary_lists_only_the_first_findings(results, tmp_path):
    text = write_summary_md(results, tmp_path / "s.md", max_findings=3).read_text(encoding="utf-8")
    assert text.count("#finding-") == 3
    assert "### First findings" in text
    assert text.endswith("… and 8 more in the [report](index.html#findings).\n\n"
                         f"{REPORT_MARKER}\n")


def test_summary_of_a_passing_run(results, tmp_path):
    results.update(success=True, findings=[])
    for exp in results["expectations"]:
        exp.update(success=True, status="pass", fails_run=False)
    text = write_summary_md(results, tmp_path / "s.md").read_text(encoding="utf-8")
    assert text.startswith("## ✅ corpus-qa: pass\n")
    assert "10 of 10 expectations passed." in text
    assert "| Severity |" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("a | b", "a \\| b"),
        ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
        ("[link](javascript:x)", "\\[link\\](javascript:x)"),
        ("hi @octocat", "hi @&#8203;octocat"),
        ("two\nlines", "two lines"),
        ("AT&T", "AT&amp;T"),
    ],
    ids=["html", "pipe", "emphasis", "link", "mention", "newline", "ampersand"],
)
def test_markdown_text_shows_text_as_it_is(text, expected):
    assert markdown_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("doc|1", "`doc\\|1`"), ("a`b", "``a`b``"), ("`x`", "`` `x` ``")],
    ids=["pipe", "backtick", "edge-backticks"],
)
def test_markdown_code_spans(text, expected):
    assert markdown_code(text) == expected


def test_a_grouped_finding_says_in_how_many_places_and_corpus_wide_notes_reach_markdown(
        tmp_path) -> None:
    from corpus_qa.report.ci import finding_line, write_summary_md

    finding = {"path": "a.txt", "line": 3, "column": 1, "expectation": "e",
               "reason": "mojibake", "message": "m", "occurrences": 4}
    assert finding_line(finding) == "a.txt:3:1: e [mojibake ×4] m"
    assert finding_line({**finding, "occurrences": 1}) == "a.txt:3:1: e [mojibake] m"
    note = "corpus-wide: e [missing_field source] in 10 of 10 documents (100%): drop it"
    results = {"success": False, "statistics": {"documents": 10}, "expectations": [],
               "findings": [], "gating": {"notes": [note, "baseline: 1 new"]}}
    text = write_summary_md(results, tmp_path / "s.md").read_text(encoding="utf-8")
    assert "- Corpus-wide: e \\[missing\\_field source\\] in 10 of 10 documents" in text
    assert "baseline: 1 new" not in text
