"""Fixtures of the web view tests: a headless Chromium driven by Playwright, when both are here.

The browser is Debian's Chromium (``/usr/bin/chromium`` or ``$ONCOCLAIMS_CHROMIUM``), never a
browser that Playwright downloads. Without it, or without the playwright package, the browser
tests are skipped with the way to install it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

SKIP_MESSAGE = (
    "install Chromium with `make browser` (Debian: apt-get install chromium) "
    "to run the web view tests"
)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> Path:
    """Where the Chromium to drive is: ``$ONCOCLAIMS_CHROMIUM`` or Debian's."""
    return Path(os.environ.get("ONCOCLAIMS_CHROMIUM", "/usr/bin/chromium"))


@dataclass
class Visit:
    """A page with what it logged: console errors, uncaught exceptions, requests to other hosts."""

    page: Any
    base: str
    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    #: Paths the page asked of the test server, in order.
    paths: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        """Open ``path`` on the test server and wait until the network is idle."""
        self.page.goto(self.base + path, wait_until="networkidle")

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no request to anywhere but the test server."""
        assert self.errors == []
        assert self.foreign_requests == []


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium for the session, or a skip with the way to install one."""
    sync_api = pytest.importorskip("playwright.sync_api", reason=SKIP_MESSAGE)
    executable = chromium_path()
    if not executable.exists():
        pytest.skip(SKIP_MESSAGE)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser: Any, live_server: str) -> Iterator[Visit]:
    """A fresh page on the live server that records errors and foreign requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    record = Visit(page=page, base=live_server)
    local = urlsplit(live_server).netloc

    def on_console(message: Any) -> None:
        if message.type == "error":
            record.errors.append(f"console: {message.text} at {message.location}")

    def on_request(request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob", "about") and parts.netloc != local:
            record.foreign_requests.append(request.url)
        elif parts.netloc == local:
            record.paths.append(parts.path)

    page.on("console", on_console)
    page.on("pageerror", lambda error: record.errors.append(f"page error: {error}"))
    page.on("request", on_request)
    yield record
    context.close()
