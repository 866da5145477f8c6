import os

import pytest

from tests.functional.journey_services import celery_worker, mail_server  # noqa: F401
from tests.services import CHROMIUM


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread for the rest of the session; the
    # ORM calls tests make themselves (creating users, checking rows) are still synchronous.
    # Subprocesses started by tests drop this variable (tests/services.py).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed")  # the autouse check has already failed in CI
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def open_tab(browser, live_server):
    """open_tab(who, viewport=...) -> a journey Tab on the live server, closed after the test."""
    from tests.functional.journey import DESKTOP, Tab

    tabs = []

    def open_one(who, viewport=DESKTOP):
        tab = Tab(browser, live_server.url, who, viewport=viewport)
        tabs.append(tab)
        return tab

    yield open_one
    for tab in tabs:
        tab.close()
