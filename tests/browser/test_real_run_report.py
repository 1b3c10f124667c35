"""The report of a real `corpus-qa validate` run, in headless chromium (network blocked).

The fixture-based tests in test_report_browser.py exercise every feature of the page;
these open what the CLI writes for the seeds and for a hostile corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_000, SEED_001, run_cli

pytestmark = pytest.mark.browser

REPORTS = ROOT / "reports"


def _validate(corpus: Path, out: Path) -> Path:
    proc = run_cli("validate", str(corpus), "--report", str(out), "--json", str(out / "r.json"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return out / "index.html"


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory) -> Path:
    return _validate(ROOT / "seeds", tmp_path_factory.mktemp("real-seed-report"))


@pytest.fixture
def seeds(open_report, seed_report):
    opened = open_report(seed_report)
    yield opened
    assert opened.errors == [], "console errors"
    assert opened.network == [], "requests left file://"
    assert opened.dialogs == []


def _rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#findings-table tbody tr",
        "trs => trs.map(tr => [...tr.cells].map(td => td.innerText.trim()))",
    )


def test_verdict_is_fail_with_the_seed_counts(seeds):
    page = seeds.page
    assert page.inner_text("#verdict").strip().lower() == "fail"
    assert page.inner_text("#headline") == "Do not publish — 6 errors to fix first"
    assert len(_rows(page)) == 10


def test_metadata_filter_shows_exactly_the_two_missing_fields(seeds):
    page = seeds.page
    value = page.eval_on_selector(
        "#filter-expectation",
        "s => [...s.options].find(o => o.text.startsWith("
        "'expect_document_to_have_metadata ')).value",
    )
    page.select_option("#filter-expectation", value)
    assert [(r[1], r[4]) for r in _rows(page)] == [
        (SEED_000, "missing_field"), (SEED_001, "missing_field")]


def test_clicking_the_byline_finding_highlights_its_span(seeds):
    page = seeds.page
    page.locator("#findings-table tbody tr", has_text="byline_in_body").click()
    page.wait_for_selector("#doc-text .is-active")
    assert page.inner_text("#detail-doc-id") == SEED_001
    active = page.eval_on_selector_all(
        "#doc-text .is-active", "els => els.map(e => e.textContent).join('')")
    assert active == "by VOA News"


def test_story_view_shows_both_versions_and_matching_figures(seeds):
    page = seeds.page
    seeds.goto("#story-0")
    page.wait_for_selector("#story-sbs")
    heads = page.eval_on_selector_all("#story-sbs thead th", "ths => ths.map(t => t.innerText)")
    assert heads == [SEED_000, SEED_001]
    statuses = page.eval_on_selector_all(
        "#story-figures tbody tr", "trs => trs.map(tr => tr.innerText)")
    assert any("10,000" in s for s in statuses)
    assert any("half-million" in s and "half a million" in s for s in statuses)


def test_screenshot_of_the_real_seed_report(seeds):
    page = seeds.page
    page.locator("#findings-table tbody tr", has_text="syndication_notice").click()
    page.wait_for_selector("#doc-text .is-active")
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(1, 1)
    REPORTS.mkdir(exist_ok=True)
    shot = REPORTS / "seed-report-screenshot.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000


HOSTILE = {
    "script.txt": "Breaking <script>window.__xss = 1; alert('x')</script> news caf\u00c3\u00a9.\n",
    "img.md": "---\ntitle: <img src=x onerror=\"window.__xss=2\">\n---\n"
              "A story <img src=x onerror=\"window.__xss=3\"> with a [link](javascript:alert(1)) "
              "and <a href=\"javascript:window.__xss=4\">click</a>\x07.\n",
    "<b onmouseover=alert(6)>odd name.txt":
        "Subscribe to our newsletter\n\n<iframe src=javascript:alert(5)>\n",
}


def test_a_hostile_corpus_runs_nothing(open_report, tmp_path):
    corpus = tmp_path / "hostile"
    corpus.mkdir()
    for name, text in HOSTILE.items():
        (corpus / name).write_text(text, encoding="utf-8")
    opened = open_report(_validate(corpus, tmp_path / "report"))
    page = opened.page
    count = len(_rows(page))
    assert count >= 4
    for i in range(count):
        opened.goto(f"#finding-{i}")
        page.wait_for_selector("#detail:not([hidden]) h2")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.images.length") == 0
    assert page.evaluate("document.querySelectorAll('iframe').length") == 0
    assert opened.dialogs == [] and opened.errors == [] and opened.network == []
