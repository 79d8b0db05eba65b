"""Playwright driving Debian's Chromium, with axe-core on every page.

With ``CI`` set, a missing browser fails the run instead of skipping it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("SAMSPILL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install it (apt chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the tests make here are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    manager.stop()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_people(transactional_db: Any) -> dict[str, Any]:
    from samspill.demo import build_all

    return build_all()


class Visitor:
    """One person's browser tab, failing on any CSP violation or console error."""

    def __init__(self, page: Any, base_url: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.base_url = base_url
        self.axe = Axe()
        self.problems: list[str] = []
        self.checked: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        # A form sent back with its errors answers 400 on purpose, and a
        # refused log-in 403: the page itself, not a resource it failed to
        # load. Anything else counts.
        location = (message.location or {}).get("url", "")
        if (
            message.text.startswith("Failed to load resource")
            and (" 400 " in message.text or " 403 " in message.text)
            and (location.split("?")[0] == self.page.url.split("?")[0])
        ):
            return
        self.problems.append(message.text)

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        assert response is not None
        return response

    def check_accessibility(self) -> None:
        results = self.axe.run(self.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, (
            f"axe on {self.page.url}:\n{results.generate_report()}"
        )
        assert not self.problems, f"console errors on {self.page.url}: {self.problems}"
        self.checked.append(self.page.url)


@pytest.fixture
def visit(chromium: Any, live_server: Any) -> Iterator[Any]:
    contexts = []

    def make(locale: str = "nb-NO") -> Visitor:
        context = chromium.new_context(locale=locale)
        contexts.append(context)
        return Visitor(context.new_page(), live_server.url)

    yield make
    for context in contexts:
        context.close()
