"""Signing people in for page tests: accounts made and signed in through the application, the
session handed to a test client as its cookie, forms posted as a browser posts them, and what
a page shows."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import pyotp
from fastapi.testclient import TestClient
from httpx import Response

from application.accounts import OneTimePassword
from domain.account import SignInStep
from domain.actor import Role
from interfaces.bootstrap import Container
from interfaces.web.csrf import FORM_TOKEN_FIELD
from interfaces.web.session import SESSION_COOKIE
from tests.factories import ADMIN

T = TypeVar("T")

ORIGIN = "http://testserver"
# Where the test client keeps the cookies the service sets for `testserver` (a dotless host).
COOKIE_DOMAIN = "testserver.local"
PASSWORD = "a-long-enough-password-1"
_FORM_TOKEN = re.compile(rf'name="{FORM_TOKEN_FIELD}" value="([^"]+)"')


def signed_in(
    client: TestClient,
    container: Container,
    role: Role,
    *,
    username: str | None = None,
    name: str = "测试人员",
    department: str | None = None,
) -> TestClient:
    """The client, carrying the session of a new account of this role that has changed its
    first password (and set up its second factor where the role needs one)."""
    token = session_token(
        container,
        role,
        run=partial(on_loop_of, client),
        username=username,
        name=name,
        department=department,
    )
    use_session(client, token)
    return client


def session_token(
    container: Container,
    role: Role,
    *,
    run: Callable[[Callable[[], Awaitable[Any]]], Any],
    username: str | None = None,
    name: str = "测试人员",
    department: str | None = None,
) -> str:
    """The session token of a new account of this role, signed in through the application
    and past its first steps; `run` runs the asynchronous sign-in on the service's loop."""
    issued = new_account(container, role, username=username, name=name, department=department)
    accounts, at = container.accounts, container.supervision.time_source.now()
    result = run(
        partial(accounts.sign_in, issued.account.username, issued.password, client="test", at=at)
    )
    while result.step is not SignInStep.SIGNED_IN:
        result = _next_step(container, result.step, result.token, issued.password)
    return str(result.token)


def new_account(
    container: Container,
    role: Role,
    *,
    username: str | None = None,
    name: str = "测试人员",
    department: str | None = None,
) -> OneTimePassword:
    """A new account of this role opened by the administrator (under a username of its own
    when none is given), with its one-time password."""
    accounts = container.accounts
    username = username or f"{role.value}.{len(accounts.list_accounts(viewer=ADMIN))}"
    return accounts.create_account(
        username=username, name=name, role=role, department=department, by=ADMIN
    )


def use_session(client: TestClient, token: str) -> None:
    """Hand the client a session's token as the service would: the same cookie it replaces
    and takes back."""
    client.cookies.set(SESSION_COOKIE, token, domain=COOKIE_DOMAIN)


def on_loop_of(client: TestClient, work: Callable[[], Awaitable[T]]) -> T:
    """Await `work` on the loop the client's app runs on: the read side's connections belong
    to the loop that opened them (a client not yet started has no loop: a new one serves)."""
    portal = getattr(client, "portal", None)
    if portal is not None:
        return portal.call(work)
    return asyncio.run(work())  # type: ignore[arg-type]


def _next_step(container: Container, step: SignInStep, token: str, password: str) -> Any:
    accounts, at = container.accounts, container.supervision.time_source.now()
    if step is SignInStep.CHANGE_PASSWORD:
        return accounts.change_password(token, password, PASSWORD, PASSWORD, at=at)
    if step is SignInStep.ENROL_SECOND_FACTOR:
        secret = accounts.new_second_factor(token, at=at).secret
        return accounts.enrol_second_factor(token, secret, pyotp.TOTP(secret).at(at), at=at)
    raise AssertionError(f"no test path through the sign-in step {step}")


def form_token(client: TestClient, page: str) -> str:
    """The form token a page hands out (its cookie is then on the client)."""
    found = _FORM_TOKEN.search(client.get(page).text)
    assert found, f"{page} carries no form token"
    return found.group(1)


def post_form(
    client: TestClient, url: str, data: dict[str, Any], *, from_page: str | None = None
) -> Response:
    """POST a form as the browser does from `from_page` (default: `url`): its form token and
    the service's Origin, without following the redirect."""
    token = form_token(client, from_page or url)
    return client.post(
        url,
        data={**data, FORM_TOKEN_FIELD: token},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )


def post_action(client: TestClient, page: str, action: str, fields: dict[str, Any]) -> Response:
    """POST one of a record page's action forms (to `page`/`action`) as the browser does from
    that page."""
    return post_form(client, f"{page}/{action}", fields, from_page=page)


def assert_shows(page: Response | str, *texts: str) -> None:
    """Assert that the page (an answer, or its text) holds every one of `texts`, naming all it
    lacks."""
    html = page if isinstance(page, str) else page.text
    missing = [text for text in texts if text not in html]
    assert not missing, f"the page lacks {missing}"


def assert_hides(page: Response | str, *texts: str) -> None:
    """Assert that the page (an answer, or its text) holds none of `texts`, naming all it
    holds."""
    html = page if isinstance(page, str) else page.text
    present = [text for text in texts if text in html]
    assert not present, f"the page holds {present}"


def assert_refused(answer: Response, *said: str) -> None:
    """Assert that a form or page was refused as it stood (422), saying each of `said`."""
    assert answer.status_code == 422, answer.status_code
    assert_shows(answer, *said)


def assert_error_page(answer: Response, status: int) -> None:
    """Assert that the answer is a page in Chinese (the console's own, never a bare error)
    with this status."""
    assert answer.status_code == status, answer.status_code
    assert '<html lang="zh-CN">' in answer.text
