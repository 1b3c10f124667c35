"""The HTML report, generated and parsed without a browser: summary, data, shards, escaping."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from corpus_qa.report import html as report_html
from corpus_qa.report.html import script_json, write_html_report
from tests.fixtures.report_results import A_ID, B_ID, XSS_TEXT, seed_results, xss_results

STATIC = Path(report_html.__file__).parent / "static"


class Node:
    """An element of a parsed page."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs, self.children, self.parts = tag, attrs, [], []

    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text() for p in self.parts)

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()


class Page(HTMLParser):
    """A minimal DOM: enough to find elements by id, tag and attribute."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        self.stack[-1].parts.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for k in range(len(self.stack) - 1, 0, -1):
            if self.stack[k].tag == tag:
                del self.stack[k:]
                return

    def handle_data(self, data):
        self.stack[-1].parts.append(data)

    def all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.root.iter()
            if (tag is None or n.tag == tag)
            and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def by_id(self, element_id: str) -> Node:
        (node,) = self.all(id=element_id)
        return node


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory) -> tuple[Path, str, Page]:
    results, texts = seed_results()
    index = write_html_report(results, texts, tmp_path_factory.mktemp("seed"))
    text = index.read_text(encoding="utf-8")
    return index, text, Page(text)


def embedded_data(page: Page) -> dict[str, Any]:
    return json.loads(page.by_id("cqa-data").text())


def inline_shards(page: Page) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for node in page.all("script", type="application/json"):
        if node.attrs["id"].startswith("cqa-shard-"):
            merged.update(json.loads(node.text()))
    return merged


# --- summary -----------------------------------------------------------------------------


def test_verdict_and_counts_are_in_the_page_without_javascript(seed_report):
    _, _, page = seed_report
    verdict = page.by_id("verdict")
    assert verdict.attrs["data-verdict"] == "fail"
    assert verdict.text().strip() == "fail"
    assert page.by_id("headline").text() == "Do not publish — 6 errors to fix first"
    counts = {
        n.attrs["data-severity"]: n.attrs["data-count"]
        for n in page.all("span")
        if "data-severity" in n.attrs
    }
    assert counts == {"error": "6", "warning": "4", "info": "1"}
    assert page.by_id("suite").text() == "news"
    assert page.by_id("corpus").text() == "seeds"
    assert page.by_id("tool-version").text() == "corpus-qa 0.1.0"
    assert "2024-01-05 09:30:00 UTC" in page.root.text()


def test_expectations_table_lists_each_expectation_with_its_result(seed_report):
    _, _, page = seed_report
    rows = {
        row.attrs["data-expectation"]: row
        for row in page.all("tr")
        if "data-expectation" in row.attrs
    }
    assert len(rows) == 10
    metadata = rows["expect_document_to_have_metadata"]
    assert metadata.attrs["class"] == "status-fail"
    cells = [cell.text().strip() for cell in metadata.children if cell.tag == "td"]
    assert cells[0] == "fail"
    assert cells[1].startswith("expect_document_to_have_metadata")
    assert cells[2:] == ["document", "error", "2", "2", "100%", "2"]
    assert rows["expect_versions_to_have_consistent_figures"].attrs["class"] == "status-pass"


def test_passing_results_say_the_corpus_may_be_published(tmp_path):
    results, texts = seed_results()
    results.update(success=True, findings=[])
    results["statistics"]["findings"] = {"error": 0, "warning": 0, "info": 0}
    page = Page(write_html_report(results, texts, tmp_path).read_text(encoding="utf-8"))
    assert page.by_id("verdict").attrs["data-verdict"] == "pass"
    assert page.by_id("headline").text() == "May be published"


def test_an_expectation_that_raised_shows_as_error_with_its_message(tmp_path):
    results, texts = seed_results()
    results["expectations"][0].update(exception="ZeroDivisionError: division by zero",
                                      status="error", success=False)
    page = Page(write_html_report(results, texts, tmp_path).read_text(encoding="utf-8"))
    row = next(
        r
        for r in page.all("tr")
        if r.attrs.get("data-expectation") == "expect_document_to_be_valid_utf8"
    )
    assert row.attrs["class"] == "status-error"
    assert "ZeroDivisionError: division by zero" in row.text()


# --- embedded data -------------------------------------------------------------------------


def test_findings_are_embedded_as_compact_rows(seed_report):
    _, _, page = seed_report
    data = embedded_data(page)
    assert data["docs"]["id"] == [A_ID, B_ID]
    assert data["docs"]["text"] == [1, 1]
    assert data["shards"] == {"mode": "inline", "dir": "data"}
    assert len(data["findings"]) == 11
    row = data["findings"][5]
    assert data["expNames"][row[0]] == "expect_document_to_have_no_boilerplate"
    assert data["severities"][row[1]] == "error"
    assert data["docs"]["id"][row[2]] == B_ID
    assert data["reasons"][row[3]] == "syndication_notice"
    assert row[4:9] == [
        '"Originally posted by the Voice of America." — move it into metadata (source)',
        0,
        42,
        1,
        1,
    ]
    missing_source = data["findings"][0]
    assert missing_source[10:] == [1, 25, 41, "Voice of America", ""]  # related span in 001


def test_document_and_story_payloads_travel_in_shards(seed_report):
    _, _, page = seed_report
    shards = inline_shards(page)
    assert shards["d0"]["t"] == (Path("seeds") / f"{A_ID}.txt").read_text(encoding="utf-8")
    assert shards["d1"]["m"]["date"] == {
        "value": None,
        "origin": None,
        "span": None,
        "suggestion": "2023-12-28",
    }
    pair = shards["s0"]["pairs"][0]
    assert pair["docs"] == [0, 1]
    assert len(pair["figures"]) == 10
    assert len(pair["aligned"]) == 18


def test_large_reports_move_shards_into_data_files(tmp_path):
    results, texts = seed_results()
    index = write_html_report(results, texts, tmp_path, inline_limit=0)
    page = Page(index.read_text(encoding="utf-8"))
    assert embedded_data(page)["shards"]["mode"] == "files"
    assert not inline_shards(page)
    files = sorted(p.name for p in (tmp_path / "data").iterdir())
    assert files == ["shard-00000.js"]
    source = (tmp_path / "data" / "shard-00000.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"corpusQaShard\(0,(.*)\);\n", source, re.S)
    assert match, source[:80]
    assert json.loads(match.group(1))["d1"]["t"].startswith("Originally posted by")


def test_shards_are_closed_at_the_shard_size(tmp_path, monkeypatch):
    monkeypatch.setattr(report_html, "SHARD_BYTES", 1000)
    results, texts = seed_results()
    write_html_report(results, texts, tmp_path, inline_limit=0)
    data = embedded_data(Page((tmp_path / "index.html").read_text(encoding="utf-8")))
    assert data["docs"]["shard"] == [0, 1]
    assert data["stories"]["shard"] == [2]
    assert len(list((tmp_path / "data").iterdir())) == 3


def test_a_new_report_removes_the_shard_files_of_the_previous_one(tmp_path):
    results, texts = seed_results()
    write_html_report(results, texts, tmp_path, inline_limit=0)
    (tmp_path / "data" / "notes.txt").write_text("mine", encoding="utf-8")
    write_html_report(results, texts, tmp_path)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["notes.txt"]


def test_texts_are_read_only_for_documents_the_report_shows(tmp_path):
    results, texts = seed_results()
    results["documents"].append(
        {"id": "clean", "path": "seeds/clean.txt", "story": None, "line": 1, "metadata": {}}
    )
    asked: list[str] = []

    def recording(doc_id: str) -> str:
        asked.append(doc_id)
        return texts(doc_id)

    page = Page(write_html_report(results, recording, tmp_path).read_text(encoding="utf-8"))
    assert sorted(set(asked)) == [A_ID, B_ID]
    assert embedded_data(page)["docs"]["text"] == [1, 1, 0]
    assert "t" not in inline_shards(page)["d2"]


def test_findings_naming_unknown_documents_or_expectations_still_show(tmp_path):
    results, texts = seed_results()
    results["findings"].append(
        {
            "expectation": "expect_file_to_be_readable",
            "severity": "error",
            "document": "broken.jsonl#7",
            "path": "broken.jsonl",
            "reason": "invalid_json",
            "message": "line 7 is not JSON",
            "span": [0, 0],
            "line": 7,
            "column": 1,
            "excerpt": "",
            "related": None,
            "suggestion": None,
        }
    )
    data = embedded_data(
        Page(
            write_html_report(
                results,
                lambda d: "" if d == "broken.jsonl#7" else texts(d),
                tmp_path,
            ).read_text(encoding="utf-8")
        )
    )
    assert data["docs"]["id"][-1] == "broken.jsonl#7"
    assert data["docs"]["path"][-1] == "broken.jsonl"
    assert data["expNames"][-1] == "expect_file_to_be_readable"
    assert data["findings"][-1][:4] == [
        len(data["expNames"]) - 1,
        0,
        2,
        data["reasons"].index("invalid_json"),
    ]


# --- safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "</script><script>alert(1)</script>",
        "<!-- x",
        "a & b > c",
        "\u2028\u2029",
        "\ud800 lone",
        "ünïcödé",
        "\x00\x1b control",
    ],
    ids=[
        "close-script",
        "comment",
        "amp-gt",
        "line-separators",
        "lone-surrogate",
        "non-ascii",
        "controls",
    ],
)
def test_script_json_round_trips_without_markup_characters(value):
    encoded = script_json({"v": value})
    assert not set("<>&\u2028\u2029") & set(encoded)
    assert json.loads(encoded) == {"v": value}
    encoded.encode("utf-8")  # no lone surrogate left to break the page's encoding


def test_xss_corpus_reaches_the_page_only_as_text(tmp_path):
    results, texts = xss_results()
    text = write_html_report(results, texts, tmp_path).read_text(encoding="utf-8")
    page = Page(text)
    assert not page.all("img")
    assert not page.all("a", href="javascript:window.__xss=2")
    assert not [n for n in page.root.iter() if any(k.startswith("on") for k in n.attrs)]
    scripts = page.all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/json"] * 2 + [None]
    assert text.count("</script") == len(scripts)
    assert "<!--" not in text
    assert page.by_id("suite").text() == 'news</title><img src=x onerror="window.__xss=1">'
    shards = inline_shards(page)
    assert shards["d0"]["t"] == XSS_TEXT


def test_the_content_security_policy_pins_our_own_script_and_style(seed_report):
    _, _, page = seed_report
    (meta,) = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    policy = meta.attrs["content"]
    (script,) = [s for s in page.all("script") if "type" not in s.attrs]
    (style,) = page.all("style")

    def digest(source: str) -> str:
        return base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(script.text())}' 'strict-dynamic'" in policy
    assert f"style-src 'sha256-{digest(style.text())}'" in policy
    assert policy.startswith("default-src 'none';")
    assert "connect-src" not in policy  # default-src 'none' covers it: no fetch, no XHR


def test_the_report_script_never_parses_strings_as_html():
    source = (STATIC / "report.js").read_text(encoding="utf-8")
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "DOMParser",
        "createContextualFragment",
        "</script",
    ):
        assert sink not in source, sink


def test_the_page_loads_nothing_from_the_network(seed_report):
    _, text, page = seed_report
    assert not re.search(r"https?://", text)
    assert not page.all("link")
    assert not [s for s in page.all("script") if "src" in s.attrs]


def test_minimal_results_without_the_report_extras_still_render(tmp_path):
    results = {
        "schema_version": 1, "success": True, "corpus": ["empty"], "suite": "news",
        "statistics": {"documents": 0, "stories": 0, "expectations": 0,
                       "findings": {"error": 0, "warning": 0, "info": 0}},
        "expectations": [], "documents": [], "findings": [],
    }  # fmt: skip
    page = Page(write_html_report(results, lambda _: "", tmp_path).read_text(encoding="utf-8"))
    assert page.by_id("verdict").attrs["data-verdict"] == "pass"
    data = embedded_data(page)
    assert data["findings"] == [] and data["stories"]["id"] == [] and data["docs"]["id"] == []


def test_story_pairs_can_come_from_the_run_instead_of_the_results(tmp_path):
    """A run keeps the story view's pairs on disk (``RunResult.pairs_of``), not in the
    results: the report reads them by story id and shows the same story view."""
    results, texts = seed_results()
    kept = {story["id"]: story.pop("pairs") for story in results["stories"]}
    asked: list[str] = []

    def pairs_of(story_id: str) -> list:
        asked.append(story_id)
        return kept[story_id]

    lean = write_html_report(results, texts, tmp_path / "lean", pairs=pairs_of)
    for story in results["stories"]:
        story["pairs"] = kept[story["id"]]
    full = write_html_report(results, texts, tmp_path / "full")
    assert asked == [story["id"] for story in results["stories"]]  # each story read once
    lean_page, full_page = (Page(p.read_text(encoding="utf-8")) for p in (lean, full))
    assert inline_shards(lean_page)["s0"]["pairs"]
    assert inline_shards(lean_page) == inline_shards(full_page)
    assert embedded_data(lean_page)["stories"] == embedded_data(full_page)["stories"]
