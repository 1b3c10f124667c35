"""The report of a ~400-document run leads to the worst problems (browser, generated corpus).

The corpus is ``benchmarks/triage_corpus.py``: mis-decoded files, removed dates,
boilerplate lines, changed figures, and no source or attribution anywhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.triage_corpus import build
from corpus_qa.cli import main

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "img" / "triage-problems.png"
"""The docs' screenshot of the Problems view: rewritten only with
``CORPUS_QA_UPDATE_SCREENSHOTS=1`` (a test run leaves the working tree as it found it)."""
UPDATE_SCREENSHOTS = os.environ.get("CORPUS_QA_UPDATE_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def triage_run(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("triage")
    build().write(root / "corpus")
    cwd = Path.cwd()
    try:
        os.chdir(root)
        code = main(["validate", "corpus", "--suite", str(ROOT / "expectations/news.yml"),
                     "--report", "reports", "--json", "results.json", "-q"])
    finally:
        os.chdir(cwd)
    assert code == 1
    return root / "reports" / "index.html", json.loads((root / "results.json").read_text())


@pytest.fixture
def triage(open_report, triage_run):
    opened = open_report(triage_run[0])
    yield opened
    assert opened.errors == [] and opened.network == [] and opened.dialogs == []


def problem_rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#problems-table tbody tr",
        "trs => trs.map(tr => [...tr.cells].map(td => td.innerText.trim()))")


def test_the_report_opens_on_the_problems_with_the_changed_figures_in_view(triage, tmp_path):
    page = triage.page
    order = page.eval_on_selector_all("main > section", "ss => ss.map(s => s.id)")
    assert order[0] == "problems"
    rows = problem_rows(page)
    reasons = [r[1] for r in rows]
    # worst first: errors before warnings, rarer reasons before the corpus-wide missing field
    assert reasons.index("figure_changed") < reasons.index("missing_field")
    assert reasons.index("mojibake") < reasons.index("missing_field")
    assert [r[0] for r in rows] == sorted((r[0] for r in rows),
                                          key=["error", "warning", "info"].index)
    mojibake = next(r for r in rows if r[1] == "mojibake")
    assert mojibake[3:6] == ["20", "20", "400"]  # documents, findings, places
    figures = page.locator("#problems-table tr[data-reason=figure_changed]")
    box = figures.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], \
        "the changed figures are visible without scrolling"
    page.mouse.move(1, 1)
    shot = SCREENSHOT if UPDATE_SCREENSHOTS else tmp_path / SCREENSHOT.name
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 30_000


def test_findings_are_sorted_by_impact_and_filters_live_in_the_url(triage, open_report,
                                                                   triage_run):
    page = triage.page
    first = page.eval_on_selector("#findings-table tbody tr", "tr => tr.cells[4].innerText")
    assert first != "missing_field"  # not the corpus-wide reason first
    page.locator("#problems-table tr[data-reason=figure_changed]").click()
    assert page.input_value("#filter-reason") != "-1"
    reasons = page.eval_on_selector_all(
        "#findings-table tbody tr", "trs => trs.map(tr => tr.cells[4].innerText)")
    assert set(reasons) == {"figure_changed"}
    assert "reason=figure_changed" in page.evaluate("location.hash")
    page.locator("#findings-table tbody tr").first.click()  # a selection keeps the filters
    hash_ = page.evaluate("location.hash")
    assert hash_.startswith("#finding-") and "reason=figure_changed" in hash_
    shared = open_report(Path(triage_run[0]))  # the link, opened anew
    shared.page.goto(shared.page.url.split("#")[0] + hash_)
    shared.page.wait_for_selector("#doc-text .is-active")
    again = shared.page.eval_on_selector_all(
        "#findings-table tbody tr", "trs => trs.map(tr => tr.cells[4].innerText)")
    assert set(again) == {"figure_changed"}
    assert shared.errors == []


def test_a_mojibake_finding_marks_every_place_and_documents_list_their_problems(triage,
                                                                                triage_run):
    page = triage.page
    results = triage_run[1]
    index, finding = next((i, f) for i, f in enumerate(results["findings"])
                          if f["reason"] == "mojibake")
    assert finding["occurrences"] == len(finding["spans"]) > 1
    triage.goto(f"#finding-{index}")
    page.wait_for_selector("#doc-text .is-active")
    lit = page.eval_on_selector_all("#doc-text .is-active", "els => els.length")
    assert lit >= finding["occurrences"]
    page.fill("#documents-search", finding["document"])
    page.wait_for_function(
        "() => document.querySelectorAll('#documents-table tbody tr').length === 1")
    kinds = page.eval_on_selector_all("#documents-table tbody tr .kinds .kind",
                                      "els => els.map(e => e.textContent)")
    assert "mojibake" in kinds and "missing_field" in kinds


def test_the_story_view_shows_only_the_differences_with_readable_dates(triage):
    page = triage.page
    page.fill("#documents-search", "0060-v2")
    page.wait_for_function(
        "() => document.querySelectorAll('#documents-table tbody tr').length === 1")
    page.locator("#documents-table tbody tr td:nth-child(3) a").click()
    page.wait_for_selector("#story-figures")
    assert page.is_checked("#differences-only")
    visible = page.eval_on_selector_all(
        "#story-figures tbody tr",
        "trs => trs.filter(tr => tr.offsetParent !== null).map(tr => tr.innerText)")
    assert len(visible) == 1 and "differs" in visible[0]
    assert "28 December" in visible[0] and "21 December" in visible[0]
    assert "--12-" not in visible[0]
    page.uncheck("#differences-only")
    assert page.locator("#story-metadata tr", has_text="source").locator(
        ".missing").last.inner_text() == "missing in both"
