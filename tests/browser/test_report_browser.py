"""The HTML report in headless chromium: offline, filterable, sortable, highlighted, inert."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from corpus_qa.report import write_html_report
from tests.fixtures.report_results import A_ID, B_ID, seed_results, xss_results

pytestmark = pytest.mark.browser

REPORTS = Path(__file__).resolve().parents[2] / "reports"


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory) -> Path:
    results, texts = seed_results()
    return write_html_report(results, texts, tmp_path_factory.mktemp("seed-report"))


@pytest.fixture
def seed(open_report, seed_index):
    opened = open_report(seed_index)
    yield opened
    assert opened.errors == [], "console errors"
    assert opened.network == [], "requests left file://"
    assert opened.dialogs == []


def rows(page) -> list[list[str]]:
    """The findings table's visible rows as lists of cell texts."""
    return page.eval_on_selector_all(
        "#findings-table tbody tr",
        "trs => trs.map(tr => [...tr.cells].map(td => td.innerText.trim()))",
    )


def active_text(page) -> str:
    return page.eval_on_selector_all(
        "#doc-text .is-active", "els => els.map(e => e.textContent).join('')"
    )


def test_seed_report_opens_offline_with_the_verdict(seed):
    page = seed.page
    assert page.inner_text("#verdict").strip().lower() == "fail"
    assert page.get_attribute("#verdict", "data-verdict") == "fail"
    assert page.inner_text("#headline") == "Do not publish — 6 errors to fix first"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.banner')).borderTopStyle")
        == "solid"
    ), "the page is styled from the inlined stylesheet"
    assert len(rows(page)) == 11
    assert page.inner_text("#findings .result-count") == "Showing 1–11 of 11 findings"


def test_filtering_by_expectation_shows_the_two_missing_field_findings(seed):
    page = seed.page
    value = page.eval_on_selector(
        "#filter-expectation",
        "s => [...s.options].find(o => o.text.startsWith("
        "'expect_document_to_have_metadata ')).value",
    )
    page.select_option("#filter-expectation", value)
    shown = rows(page)
    assert [(r[1], r[4]) for r in shown] == [(A_ID, "missing_field"), (B_ID, "missing_field")]
    assert all(r[3] == "expect_document_to_have_metadata" for r in shown)


def test_filters_combine_and_reset(seed):
    page = seed.page
    page.select_option("#filter-severity", label="warning (4)")
    assert len(rows(page)) == 4
    page.fill("#filter-document", B_ID)
    expect(page.locator("#findings-table tbody tr")).to_have_count(1)
    assert rows(page)[0][4] == "paragraphs_flattened"
    page.click("#filter-reset")
    assert len(rows(page)) == 11


def test_text_search_and_reason_filter(seed):
    page = seed.page
    page.fill("#filter-search", "agence france")
    expect(page.locator("#findings-table tbody tr")).to_have_count(1)
    assert rows(page)[0][4] == "credit_lines_differ"
    page.fill("#filter-search", "")
    page.select_option("#filter-reason", label="diacritics_stripped (3)")
    expect(page.locator("#findings-table tbody tr")).to_have_count(3)
    assert {r[4] for r in rows(page)} == {"diacritics_stripped"}


def test_sorting_by_a_column_toggles_its_direction(seed):
    page = seed.page
    header = page.locator("#findings-table thead th", has_text="Reason")
    header.locator("button").click()
    reasons = [r[4] for r in rows(page)]
    assert reasons == sorted(reasons)
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert [r[4] for r in rows(page)] == sorted(reasons, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"


def test_clicking_a_finding_highlights_its_span_in_the_text(seed):
    page = seed.page
    page.locator("#findings-table tbody tr", has_text="syndication_notice").click()
    page.wait_for_selector("#doc-text .is-active")
    assert page.inner_text("#detail-doc-id") == B_ID
    assert active_text(page) == "Originally posted by the Voice of America."
    mark = page.locator("#doc-text .is-active").first
    assert mark.is_visible()
    box, viewport = mark.bounding_box(), page.viewport_size
    assert 0 <= box["y"] <= viewport["height"], "scrolled into view"
    card = page.locator("#doc-findings .finding-card.is-active")
    assert "syndication_notice" in card.inner_text()
    assert page.evaluate("location.hash").startswith("#finding-")
    assert "is-selected" in page.locator(
        "#findings-table tbody tr", has_text="syndication_notice"
    ).get_attribute("class")


def test_the_document_panel_shows_metadata_origins_and_suggestions(seed):
    page = seed.page
    page.locator("#findings-table tbody tr", has_text="diacritics_stripped").first.click()
    page.wait_for_selector("#doc-text .is-active")
    assert active_text(page) == "Andres"
    meta = page.eval_on_selector_all(
        "#doc-metadata tbody tr", "trs => trs.map(tr => [...tr.cells].map(td => td.innerText))"
    )
    assert meta[0][:3] == ["date", "2023-12-28", "header"]
    assert meta[2] == ["source", "missing", "—", "—", "Voice of America"]
    page.locator("#doc-metadata button", has_text="line 1, col 7").click()
    assert active_text(page) == "2023-12-28"
    page.locator("#doc-text .pin").click()  # the zero-length 'missing field' finding
    expect(page).to_have_url(re.compile("#finding-0$"))
    assert "missing_field" in page.inner_text("#doc-findings .finding-card.is-active")


def test_a_whole_document_finding_is_shown_above_the_text(seed):
    page = seed.page
    page.locator("#findings-table tbody tr", has_text="paragraphs_flattened").click()
    page.wait_for_selector(".wide-note.is-active")
    assert "Whole document — paragraphs flattened" in page.inner_text(".wide-note.is-active")
    assert "is-active" in page.get_attribute("#doc-text-panel", "class")


def test_the_related_link_opens_the_other_version_at_its_span(seed):
    page = seed.page
    seed.goto("#finding-0")
    page.wait_for_selector("#doc-findings .finding-card.is-active")
    page.locator("#doc-findings .finding-card.is-active a", has_text=B_ID).click()
    expect(page.locator("#detail-doc-id")).to_have_text(B_ID)
    assert active_text(page) == "Voice of America"


def test_the_story_view_shows_both_versions_side_by_side(seed):
    page = seed.page
    seed.goto("#story-0")
    page.wait_for_selector("#story-sbs")
    heads = page.eval_on_selector_all("#story-sbs thead th", "ths => ths.map(t => t.innerText)")
    assert heads == [A_ID, B_ID]
    sbs = page.locator("#story-sbs tbody tr")
    assert sbs.count() > 20
    first = page.eval_on_selector("#story-sbs tbody tr.only-b", "tr => tr.innerText")
    assert "Originally posted by the Voice of America." in first
    diacritics = page.eval_on_selector_all(
        "#story-sbs .d-dia", "els => els.map(e => e.textContent)"
    )
    assert {"Andres", "Andrés", "Lopez", "López", "Barcena", "Bárcena"} <= set(diacritics)
    figures = page.eval_on_selector_all(
        "#story-figures tbody tr", "trs => trs.map(tr => tr.cells[5].innerText)"
    )
    assert figures == ["✓ same"] * 10
    assert (
        page.locator("#story-metadata tr", has_text="source").locator(".bad").inner_text()
        == "missing in one"
    )
    # the versions differ, so "differences only" is on and hides the figures that agree
    assert page.is_checked("#differences-only")
    assert not page.locator("#story-figures tbody tr", has_text="about 6,000").first.is_visible()
    page.uncheck("#differences-only")
    page.locator("#story-figures tbody tr", has_text="about 6,000").first.click()
    assert page.eval_on_selector_all(
        "#story-sbs .fig.is-active", "els => els.map(e => e.textContent)"
    ) == ["about 6,000", "about 6,000"]


def test_shards_in_data_files_load_from_file_urls(open_report, tmp_path):
    results, texts = seed_results()
    index = write_html_report(results, texts, tmp_path, inline_limit=0)
    opened = open_report(index)
    opened.goto("#story-0")
    opened.page.wait_for_selector("#story-sbs")
    opened.goto("#finding-5")
    opened.page.wait_for_selector("#doc-text .is-active")
    assert active_text(opened.page) == "Originally posted by the Voice of America."
    assert opened.errors == [] and opened.network == []


def test_a_missing_data_folder_is_explained(open_report, tmp_path):
    results, texts = seed_results()
    index = write_html_report(results, texts, tmp_path, inline_limit=0)
    shutil.rmtree(tmp_path / "data")
    opened = open_report(index)
    opened.goto("#finding-0")
    opened.page.wait_for_selector("#detail .error-box")
    assert "keep the data/ folder next to index.html" in opened.page.inner_text("#detail")


def test_the_xss_corpus_runs_nothing(open_report, tmp_path):
    results, texts = xss_results()
    opened = open_report(write_html_report(results, texts, tmp_path))
    page = opened.page
    for target in (
        "#finding-0",
        "#finding-1",
        "#finding-2",
        "#finding-3",
        "#related-1",
        "#doc-0",
        "#doc-1",
        "#story-0",
    ):
        opened.goto(target)
        expect(page).to_have_url(re.compile(re.escape(target) + "$"))
        page.wait_for_selector("#detail:not([hidden]) h2")
    page.locator("#findings-table tbody tr").first.click()
    page.wait_for_selector("#doc-text")
    assert "<script>window.__xss" in page.inner_text("#doc-text")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.images.length") == 0
    assert (
        page.evaluate(
            "[...document.links].filter(a => !a.getAttribute('href').startsWith('#')).length"
        )
        == 0
    )
    assert page.evaluate("document.scripts.length") == 3
    assert opened.dialogs == [] and opened.errors == [] and opened.network == []


def test_screenshot_of_the_seed_report(seed):
    page = seed.page
    page.locator("#findings-table tbody tr", has_text="syndication_notice").click()
    page.wait_for_selector("#doc-text .is-active")
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(1, 1)  # no hover highlight in the picture
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / "report-screenshot.png"), full_page=True)
    seed.goto("#story-0")
    page.wait_for_selector("#story-sbs")
    page.locator("#detail").screenshot(path=str(REPORTS / "report-story-screenshot.png"))
    assert (REPORTS / "report-screenshot.png").stat().st_size > 50_000
