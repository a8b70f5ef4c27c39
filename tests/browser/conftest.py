"""Browser tests: Debian's Chromium, driven by Playwright, against the service served by
uvicorn in a thread of the test's process on the test's own database.

Controls are found by their accessible names only (§13). Screenshots are written to the
folder named by OVERSIGHT_SCREENSHOTS, when it is set (docs/console.md shows them).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import uvicorn
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from application.accounts import console_session
from domain.actor import Role
from interfaces.bootstrap import Container
from interfaces.http.app import create_app
from interfaces.web.session import SESSION_COOKIE

# The e2e tier's container (the test's database, a clock the test sets) and its tokens.
from tests.e2e.conftest import container, time_source, tokens  # noqa: F401
from tests.web_support import new_account

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 800}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERVER_START_SECONDS = 30


# Package, not session: Playwright's synchronous API keeps an event loop running in this
# thread while it is open, and the asynchronous tests of the other tiers need the thread free.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, in Chinese; `.ci/run` installs it when it is missing."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--lang=zh-CN"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def server(container: Container) -> Iterator[uvicorn.Server]:  # noqa: F811
    """The service on a free port of the loopback, until the test ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(container), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, name="uvicorn-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the service did not start")
        time.sleep(0.05)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_START_SECONDS)


@pytest.fixture
def base_url(server: uvicorn.Server) -> str:
    """The address the service answers at."""
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    return f"http://{host}:{port}"


@contextmanager
def visitor(browser: Browser, base_url: str, **context: Any) -> Iterator[Page]:
    """A fresh visitor's page, speaking Chinese, in a browser context of its own (its own
    cookies) with these options; the context is closed when the block ends."""
    opened = browser.new_context(base_url=base_url, locale="zh-CN", **context)
    try:
        yield opened.new_page()
    finally:
        opened.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh visitor at a desktop's size, speaking Chinese."""
    with visitor(browser, base_url, viewport=DESKTOP) as fresh:
        yield fresh


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh visitor on a phone 375 px wide."""
    with visitor(browser, base_url, viewport=PHONE, is_mobile=True, has_touch=True) as fresh:
        yield fresh


def from_the_navigation(page: Page, link: str, *, exact: bool = False) -> None:
    """From the console's home, the main navigation's link of that name."""
    page.goto("/console/")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name=link, exact=exact).click()


def fill_in(form: Page | Locator, fields: dict[str, str]) -> None:
    """Fill each field of a form (or of the page), found by its label, with its value."""
    for label, value in fields.items():
        form.get_by_label(label).fill(value)


def expect_texts(element: Locator, *texts: str) -> None:
    """Expect the element to come to hold each of `texts`."""
    for text in texts:
        expect(element).to_contain_text(text)


def wcag_check(page: Page) -> AxeResults:
    """axe-core's WCAG 2.1 A and AA rules on the page as it stands."""
    return Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )


def assert_accessible(page: Page) -> None:
    """axe finds no WCAG 2.1 A or AA violation on the page as it stands; if it does, the
    failure names the page and reads out axe's report."""
    found = wcag_check(page)
    assert found.violations_count == 0, f"{page.url}: {found.generate_report()}"


def screenshot(page: Page, name: str, **options: object) -> bytes:
    """The page as shown; also kept as `<name>.png` in OVERSIGHT_SCREENSHOTS when it is set."""
    picture = page.screenshot(**options)  # type: ignore[arg-type]
    folder = os.environ.get("OVERSIGHT_SCREENSHOTS", "").strip()
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.png").write_bytes(picture)
    return picture


def defined(snapshot: str, term: str) -> str:
    """The definition of `term` in a list of terms, as the accessibility tree reads it out."""
    found = re.search(rf"- term: {term}\n\s*- definition: (\S+)", snapshot)
    assert found, f"no {term} in\n{snapshot}"
    return found.group(1)


def sign_in_as(
    page: Page,
    service: Container,
    base_url: str,
    role: Role,
    *,
    name: str,
    username: str | None = None,
    department: str | None = None,
) -> None:
    """The browser carries a live server-side session of a new account of this role (the
    sign-in pages themselves are tested on their own)."""
    issued = new_account(service, role, username=username, name=name, department=department)
    account = service.accounts.records.account_or_none(issued.account.username)
    assert account is not None
    at = service.supervision.time_source.now()
    # The session the sign-in pages open once every step is done.
    token = service.console_sessions.open(console_session(account, at, pending=None), at)
    host = urlparse(base_url).hostname or "127.0.0.1"
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "domain": host, "path": "/"}]
    )


@pytest.fixture
def admin(page: Page, container: Container, base_url: str) -> Page:  # noqa: F811
    """The browser signed in as an administrator, wang.admin."""
    sign_in_as(page, container, base_url, Role.ADMIN, username="wang.admin", name="王管理")
    return page
