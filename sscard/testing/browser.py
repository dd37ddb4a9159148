"""Browser tests: Playwright for Python driving Debian's chromium (never a downloaded browser).

Pages are opened at a phone's size (390 × 844) for the portal and at a desktop's for the back
office; every test can save screenshots into ``var/screenshots`` (named in the README). A page
that logs a console error — a Content-Security-Policy violation included — fails its test, and
so does a page that axe-core finds an accessibility violation on (``sscard.testing.a11y``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from sscard.testing.a11y import Checker, scan

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 568}  # and a 1280 px screen zoomed to 400 %
DESKTOP = {"width": 1366, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--lang=zh-CN",
]


CLIENT_ERROR_LOAD = "Failed to load resource: the server responded with a status of 4"


def chromium_path() -> str | None:
    return shutil.which("chromium")


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as ``var/screenshots/<name>.png`` (and check the page with
    axe-core as it is shown)."""
    scan(page)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: `make test` installs Debian's chromium")
        pytest.skip("chromium is not installed (run `make test` once to install it)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page steps are plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(
    browser, live_server, viewport: dict[str, int], mobile: bool, **options: object
) -> Iterator[object]:
    """A fresh browser context and page; ``options`` go to ``new_context`` (a user agent)."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=mobile,
        has_touch=mobile,
        **options,
    )
    context.set_default_timeout(10_000)
    checker = Checker(os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0])
    checker.attach(context)
    page = context.new_page()
    errors: list[str] = []

    def on_console(msg) -> None:
        # a page answered with 4xx (a form with errors, a refusal) is expected behaviour;
        # server errors, script errors and CSP violations are not
        if msg.type == "error" and not msg.text.startswith(CLIENT_ERROR_LOAD):
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    if not page.is_closed():
        scan(page)  # the page the test ended on, and any scan still running
    context.close()
    checker.record()
    if errors:
        pytest.fail(f"the page logged errors: {errors}")
    if checker.violations:
        pytest.fail("axe-core found accessibility violations:\n" + "\n".join(checker.failures()))


@pytest.fixture
def phone(browser, live_server) -> Iterator[object]:
    """A page at 390 × 844, as in WeChat on a phone."""
    yield from open_page(browser, live_server, PHONE, mobile=True)


@pytest.fixture
def desktop(browser, live_server) -> Iterator[object]:
    """A page at 1366 × 900, for the back office."""
    yield from open_page(browser, live_server, DESKTOP, mobile=False)
