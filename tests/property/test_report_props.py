"""Properties of the report writers on arbitrary text: escaping holds, nothing raises."""

from __future__ import annotations

import json
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.report.ci import github_annotations, markdown_text, write_junit
from corpus_qa.report.html import script_json, write_html_report

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60)  # surrogates included
SETTINGS = settings(max_examples=60, deadline=None)


def one_finding_results(doc_id: str, path: str, message: str, text: str) -> dict:
    span = [0, min(3, len(text))]
    finding = {
        "expectation": "expect_x",
        "severity": "error",
        "document": doc_id,
        "path": path,
        "reason": "r",
        "message": message,
        "span": span,
        "line": 1,
        "column": 1,
        "excerpt": text[:20],
        "related": None,
        "suggestion": message,
    }
    return {
        "schema_version": 1,
        "success": False,
        "corpus": [path],
        "suite": message,
        "statistics": {
            "documents": 1,
            "stories": 0,
            "expectations": 1,
            "findings": {"error": 1, "warning": 0, "info": 0},
        },
        "expectations": [
            {
                "type": "expect_x",
                "severity": "error",
                "success": False,
                "status": "fail",
                "fails_run": True,
                "checked": 1,
                "unexpected": 1,
                "mostly": 1.0,
                "kwargs": {},
                "description": message,
                "scope": "document",
            }
        ],
        "documents": [
            {
                "id": doc_id,
                "path": path,
                "story": None,
                "line": 1,
                "metadata": {
                    message: {
                        "value": message,
                        "origin": "header",
                        "span": span,
                        "suggestion": None,
                    }
                },
            }
        ],
        "findings": [finding],
        "stories": [],
        "run": {"started": message, "duration_s": 0.5, "tool_version": message},
    }


@SETTINGS
@given(ANY_TEXT)
def test_script_json_is_inert_in_html_and_round_trips(value):
    encoded = script_json([value, {value: value}])
    assert not re.search("[<>&\u2028\u2029\ud800-\udfff]", encoded)
    assert json.loads(encoded) == [value, {value: value}]


@settings(max_examples=25, deadline=None)
@given(doc_id=ANY_TEXT.filter(bool), message=ANY_TEXT, text=ANY_TEXT)
def test_html_report_never_raises_and_keeps_data_as_text(doc_id, message, text):
    results = one_finding_results(doc_id, doc_id + ".txt", message, text)
    with tempfile.TemporaryDirectory() as tmp:
        page = write_html_report(results, lambda _: text, Path(tmp)).read_text(encoding="utf-8")
    assert page.count("</script") == 3  # data, one shard, our script
    assert "<!--" not in page
    data = re.search(r'<script type="application/json" id="cqa-data">(.*?)</script>', page, re.S)
    assert json.loads(data.group(1))["docs"]["id"] == [doc_id]


@SETTINGS
@given(path=ANY_TEXT, message=ANY_TEXT, reason=ANY_TEXT)
def test_each_finding_is_exactly_one_workflow_command(path, message, reason):
    results = one_finding_results("d", path, message, "text")
    results["findings"][0]["reason"] = reason
    output = github_annotations(results)
    (line,) = output.splitlines()
    assert output == line + "\n"
    head, _, _ = line[len("::error ") :].partition("::")
    assert ":" not in head and "\r" not in line
    assert head.count(",") == 3  # file, line, col, title: commas inside values are escaped


@SETTINGS
@given(ANY_TEXT)
def test_markdown_text_cannot_open_markup(text):
    shown = markdown_text(text)
    assert "<" not in shown and "\n" not in shown
    assert not re.search(r"(?<!\\)\|", shown)
    assert not re.search(r"@\w", shown)


@settings(max_examples=30, deadline=None)
@given(message=ANY_TEXT, doc_id=ANY_TEXT.filter(bool))
def test_junit_always_parses(message, doc_id):
    results = one_finding_results(doc_id, doc_id, message, "text")
    with tempfile.TemporaryDirectory() as tmp:
        root = ET.parse(write_junit(results, Path(tmp) / "j.xml")).getroot()
    assert root.get("tests") == "1" and root.get("failures") == "1"
