"""Measure the HTML report at scale: size on disk and time to open in headless chromium.

Usage: .venv/bin/python benchmarks/report_scale.py [N_DOCUMENTS[:FINDING_RATE] ...]
       (default: 2 100000 — the seeds, then 100,000 documents of which 20% have findings)

For each corpus size it writes the report twice — as shipped (shards in data/ files once
they pass the inline limit) and a naive baseline that inlines every shard into one page —
and prints size, write time, time until the page is ready, and the time to open a document,
filter the findings table and open a story, with the shipped/naive ratios.
The 2-document run is the hand-built seed fixture; larger runs are synthetic
(tests/fixtures/report_results.py: FINDING_RATE of the documents with 1–3 findings, 10% in
2-version stories, 3,000-character texts).
"""

from __future__ import annotations

import functools
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from corpus_qa.report import write_html_report  # noqa: E402
from tests.browser.conftest import CHROMIUM as _CHROMIUM_PATH  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS as ARGS  # noqa: E402
from tests.fixtures.report_results import generated_results, seed_results  # noqa: E402

CHROMIUM = str(_CHROMIUM_PATH)


def tree_size(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure_page(browser: Any, index: Path, repeat: int = 3) -> dict[str, float]:
    """Median over ``repeat`` fresh pages of the steward's first steps (milliseconds)."""
    runs = [measure_once(browser, index) for _ in range(repeat)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def measure_once(browser: Any, index: Path) -> dict[str, float]:
    """Open the report from file:// in a new page and time the steward's first steps."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    started = time.perf_counter()
    page.goto(index.as_uri())
    page.wait_for_selector("html[data-ready=true]", timeout=600_000)
    wall_ready = (time.perf_counter() - started) * 1000
    ready = float(page.evaluate("document.documentElement.dataset.readyMs"))
    t0 = time.perf_counter()
    page.locator("#findings-table tbody tr").first.click()
    page.wait_for_selector("#doc-text .is-active, .wide-note.is-active, .pin.is-active")
    open_doc = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    page.fill("#filter-search", "zzz-no-such-text")
    page.wait_for_selector("#findings-table td.empty")
    search = (time.perf_counter() - t0) * 1000 - 150  # minus the input debounce
    t0 = time.perf_counter()
    page.evaluate("location.hash = '#story-0'")
    page.wait_for_selector("#story-sbs", timeout=60_000)
    open_story = (time.perf_counter() - t0) * 1000
    page.close()
    return {
        "ready_ms": ready,
        "wall_ready_ms": wall_ready,
        "open_doc_ms": open_doc,
        "search_ms": search,
        "open_story_ms": open_story,
    }


def run(n_documents: int, finding_rate: float) -> None:
    """Write and measure the report for one corpus size, shipped vs naive."""
    if n_documents == 2:
        results, texts = seed_results()
    else:
        results, texts = generated_results(n_documents, finding_rate=finding_rate)
    print(
        f"\n== {n_documents:,} documents, {len(results['findings']):,} findings, "
        f"{len(results.get('stories', [])):,} stories"
    )
    texts = functools.cache(texts)
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        write_html_report(results, texts, Path(tmp) / "warm-up")  # texts generated, not timed
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for label, limit in (("shipped", None), ("naive", 1 << 62)):
            out = Path(tmp) / label
            t0 = time.perf_counter()
            index = (
                write_html_report(results, texts, out)
                if limit is None
                else write_html_report(results, texts, out, inline_limit=limit)
            )
            write_s = time.perf_counter() - t0
            rows[label] = {
                "index_bytes": index.stat().st_size,
                "total_bytes": tree_size(out),
                "files": sum(1 for p in out.rglob("*") if p.is_file()),
                "write_s": write_s,
                **measure_page(browser, index),
            }
        browser.close()
    for key in rows["shipped"]:
        shipped, naive = rows["shipped"][key], rows["naive"][key]
        ratio = f"{shipped / naive:.2f}" if naive else "-"
        print(f"{key:>14}: shipped {shipped:>14,.1f}   naive {naive:>14,.1f}   ratio {ratio}")


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["2", "100000"]:
        size, _, rate = arg.partition(":")
        run(int(size), float(rate or 0.2))
