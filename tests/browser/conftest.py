"""Browser-test fixtures: one prepared LAT_HOME and one real ``lat dashboard`` per session,
driven by Debian's chromium through Playwright (never ``playwright install``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: dashboard_support

from dashboard_support import ARTIFACTS, PASSWORD, Account, dashboard_server, prepare_home  # noqa: E402
from lat.config import Settings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ARTIFACTS / "screenshots"


@dataclass(frozen=True)
class Live:
    base: str
    settings: Settings
    accounts: dict[str, Account]


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("browser-home")
    settings, accounts = prepare_home(home, store=True)
    from lat.export.anonymise import create_key_file

    create_key_file(settings)  # as 'lat demo' does: the researcher page can export
    with dashboard_server(home) as base:
        yield Live(base, settings, accounts)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run 'make browser'"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def page_for(browser: Any, live: Live) -> Iterator[Any]:
    """open_as(role, width=, height=): a new browser context signed in as ``role``, on its home page;
    ``page.console_errors`` collects console errors and uncaught exceptions."""
    contexts: list[Any] = []

    def open_as(role: str, *, width: int = 1366, height: int = 900) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.goto(f"{live.base}/")
        page.fill("input[name=username]", live.accounts[role].name)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#page .intro, #page .notice", timeout=30_000)
        return page

    yield open_as
    for context in contexts:
        context.close()


def settle(page: Any) -> None:
    """Wait until no request is in flight and Dash has no callback running."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=30_000)
