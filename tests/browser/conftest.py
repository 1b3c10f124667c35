"""Headless chromium for the report tests: Debian's /usr/bin/chromium driven by playwright.

No browser is downloaded. Without /usr/bin/chromium the browser tests are skipped with
the install command, except in CI (``CI=true``), where they fail: CI must run them.
Every page opened through ``open_report`` has the network blocked and records console
errors, page errors, dialogs and any request that tried to leave ``file://``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CORPUS_QA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "apt-get update && apt-get install -y chromium"


@dataclass
class OpenedReport:
    """A report page plus what it did: console errors, dialogs, requests off file://."""

    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)

    def goto(self, hash_: str) -> None:
        """Navigate inside the report (``#finding-3``, ``#story-0`` …)."""
        self.page.evaluate("h => { location.hash = h; }", hash_)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless chromium for the session."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found; install Debian's chromium: {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        _unavailable("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def offline_context(chromium) -> Iterator[Any]:
    """A browser context in which every request that is not for a file:// URL is aborted."""
    context = chromium.new_context(viewport={"width": 1360, "height": 900})

    def block(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", block)
    yield context
    context.close()


@pytest.fixture
def open_report(offline_context) -> Iterator[Callable[[Path], OpenedReport]]:
    """Open ``index.html`` from file:// with the network blocked; wait until it is rendered."""
    pages = []

    def _open(index: Path) -> OpenedReport:
        page = offline_context.new_page()
        pages.append(page)
        opened = OpenedReport(page)
        page.on(
            "request",
            lambda r: None if r.url.startswith("file://") else opened.network.append(r.url),
        )
        page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: opened.errors.append(str(e)))

        def on_dialog(dialog: Any) -> None:
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(Path(index).resolve().as_uri())
        page.wait_for_selector("html[data-ready=true]", timeout=30_000)
        return opened

    yield _open
    for page in pages:
        page.close()
