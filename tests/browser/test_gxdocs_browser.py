"""GX Data Docs in headless chromium with the network blocked: styled, filterable, inert."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corpus_qa.expectations import registered
from corpus_qa.gate import gate
from corpus_qa.report import gxdocs
from corpus_qa.results import RunResult
from corpus_qa.runner import Runner
from corpus_qa.suite import load_suite
from tests.browser.conftest import OpenedReport
from tests.conftest import NEWS, SEEDS
from tests.unit.test_gxdocs import METADATA_SENTENCE, XSS_EXCERPT, XSS_ID, hostile_result

pytestmark = pytest.mark.browser

REPORTS = Path(__file__).resolve().parents[2] / "reports"
NPM_HINT = ("npm install --prefix .venv/gx-assets --no-save --legacy-peer-deps "
            + " ".join(gxdocs.NPM_PACKAGES))


def needs_assets() -> None:
    """The offline page needs the npm assets; CI must have them (make setup installs them)."""
    if gxdocs.installed_assets() is None:
        reason = f"GX Data Docs assets not installed: {NPM_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def seed_run() -> RunResult:
    return Runner(load_suite(NEWS), workers=1).run([str(SEEDS)])


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory, seed_run) -> Path:
    needs_assets()
    return gxdocs.write_gx_docs(seed_run, gate(seed_run), tmp_path_factory.mktemp("seed-gx-docs"))


@pytest.fixture
def open_docs(offline_context) -> Iterator[Callable[[Path], OpenedReport]]:
    """Open a Data Docs page from file:// offline; record errors, dialogs and requests."""
    pages = []

    def _open(index: Path) -> OpenedReport:
        page = offline_context.new_page()
        pages.append(page)
        opened = OpenedReport(page)
        page.on("request", lambda r: None if r.url.startswith("file://")
                else opened.network.append(r.url))
        page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
        page.goto(Path(index).resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return opened

    yield _open
    for page in pages:
        page.close()


@pytest.fixture
def seed(open_docs, seed_index) -> Iterator[OpenedReport]:
    opened = open_docs(seed_index)
    opened.page.wait_for_selector("div.bootstrap-table", timeout=30_000)
    yield opened
    assert opened.errors == [], "console errors"
    assert opened.network == [], "requests left file://"
    assert opened.dialogs == []


VISIBLE_ROWS = """() => {
  const table = [...document.querySelectorAll("table")].find(t =>
    t.tBodies.length && t.tBodies[0].rows.length &&
    [...t.querySelectorAll("th")].some(th => th.innerText.trim() === "Status"));
  return [...table.tBodies[0].rows].filter(tr => tr.offsetParent !== null)
    .map(tr => tr.innerText.replace(/\\s+/g, " ").trim());
}"""


def visible_rows(page) -> list[str]:
    """Visible rows of the expectations table (the one with a Status column)."""
    return page.evaluate(VISIBLE_ROWS)


def test_seed_gx_docs_open_offline_fully_styled(seed):
    page = seed.page
    assert page.evaluate("typeof jQuery === 'function' && typeof jQuery.fn.bootstrapTable"
                         " === 'function' && typeof jQuery.fn.modal === 'function'")
    badge = page.locator(".badge-secondary").first
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(108, 117, 125)"
    assert page.evaluate("document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    icon = page.locator("i.fa-times").first
    assert icon.evaluate("e => e.getBoundingClientRect().width") > 0
    assert page.locator("nav img").evaluate("img => img.naturalWidth") > 0
    text = " ".join(page.inner_text("body").split())
    assert METADATA_SENTENCE in text
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / "gx-docs.png"), full_page=True)


def test_failed_only_shows_just_the_failed_expectations(seed, seed_run):
    page = seed.page
    types = registered()
    outcomes = [o for o in seed_run.outcomes if o.type in types]
    verdict = gate(seed_run)
    failed = [types[o.type].sentence()[1]["summary"] for o in outcomes
              if not verdict.expectation(o.type).success]
    assert len(visible_rows(page)) == len(outcomes)
    assert METADATA_SENTENCE.split(" Fields:")[0] in failed
    page.get_by_text("Failed Only").click()
    page.wait_for_function(f"({VISIBLE_ROWS})().length === {len(failed)}", timeout=10_000)
    shown = visible_rows(page)
    assert [row[: len(summary)] for row, summary in zip(shown, failed, strict=True)] == failed


def test_the_suite_link_opens_the_suite_as_sentences(seed):
    page = seed.page
    page.get_by_role("link", name="news", exact=True).click()
    page.wait_for_url("**/suite.html")
    text = " ".join(page.inner_text("body").split())
    assert text.count("Must hold for") == len(load_suite(NEWS).expectations)
    assert METADATA_SENTENCE in text


def test_a_hostile_corpus_runs_nothing(open_docs, tmp_path):
    needs_assets()
    opened = open_docs(gxdocs.write_gx_docs(hostile_result(), gate(hostile_result()), tmp_path))
    page = opened.page
    page.wait_for_selector("div.bootstrap-table", timeout=30_000)
    page.mouse.move(5, 5)
    for name in ("suite", "news"):
        links = page.locator(f"a:has-text('{name}')")
        if links.count():
            links.first.hover()
    assert opened.dialogs == []
    assert page.locator("script:not([src])").evaluate_all(
        "els => els.filter(e => e.textContent.includes('alert(')).length") == 0
    assert page.locator("img[src='x'], svg[onload], b[onmouseover]").count() == 0
    text = " ".join(page.inner_text("body").split())
    assert f"{XSS_ID} missing_field {XSS_EXCERPT}" in text
    assert opened.errors == [] and opened.network == []


def test_without_assets_the_banner_says_so_and_the_page_stays_readable(open_docs, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv(gxdocs.ASSETS_ENV, str(tmp_path / "no-node-modules"))
    result = Runner(load_suite(NEWS), workers=1).run([str(SEEDS)])
    opened = open_docs(gxdocs.write_gx_docs(result, gate(result), tmp_path / "gx"))
    page = opened.page
    banner = page.locator("#corpus-qa-offline-banner")
    assert banner.is_visible()
    assert banner.inner_text() == gxdocs.OFFLINE_BANNER
    box = banner.bounding_box()
    assert box is not None and box["y"] < 10 and box["height"] > 20, "at the top"
    assert METADATA_SENTENCE in " ".join(page.inner_text("body").split())
    assert opened.network, "the CDN requests were made (and blocked)"
    assert opened.dialogs == []
