"""Signing in at the console through the ASGI client: the form and its refusals, the forced
password change, the second factor, sessions that time out or are ended, sign-out, and the
header that shows who is signed in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import pyotp
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from starlette.responses import PlainTextResponse

from domain.account import SignInStep
from domain.actor import Role
from interfaces.bootstrap import Container
from interfaces.http.app import create_app
from interfaces.web.csrf import FORM_TOKEN_FIELD
from interfaces.web.session import SESSION_COOKIE, PersonDep
from tests.factories import ADMIN, SAMPLE_DEPARTMENT
from tests.support import SettableTimeSource
from tests.web_support import (
    ORIGIN,
    PASSWORD,
    assert_shows,
    form_token,
    on_loop_of,
    post_form,
    signed_in,
    use_session,
)

SIGN_IN = "/console/sign-in"
# A console page that needs a signed-in person, standing for any of them.
PROBE = "/console/probe"
_PROBLEMS = re.compile(r'<div class="problems" role="alert">.*?</div>', re.DOTALL)
_SECRET = re.compile(r'name="secret" value="([A-Z2-7]+)"')


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """The service with one more console page, which answers the signed-in person's name."""
    app = create_app(container)

    @app.get(PROBE)
    async def probe(person: PersonDep) -> PlainTextResponse:
        return PlainTextResponse(person.name)

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def new_account(
    container: Container,
    role: Role = Role.OPERATOR,
    username: str = "zhang.wei",
    department: str | None = None,
) -> str:
    """An account's one-time password, as the administrator hands it over."""
    issued = container.accounts.create_account(
        username=username, name="张伟", role=role, department=department, by=ADMIN
    )
    return issued.password


def ready_account(client: TestClient, container: Container, username: str = "zhang.wei") -> str:
    """An operator's account whose first password has been changed: its password."""
    one_time = new_account(container, username=username)
    accounts, at = container.accounts, container.supervision.time_source.now()
    result = on_loop_of(client, partial(accounts.sign_in, username, one_time, client="x", at=at))
    assert result.step is SignInStep.CHANGE_PASSWORD
    accounts.change_password(result.token, one_time, PASSWORD, PASSWORD, at=at)
    return PASSWORD


def sign_in(
    client: TestClient, username: str, password: str, *, next_page: str | None = None
) -> Response:
    data = {"username": username, "password": password}
    if next_page is not None:
        data["next"] = next_page
    return post_form(client, SIGN_IN, data)


def problems(response: Response) -> str:
    found = _PROBLEMS.search(response.text)
    assert found is not None, response.text
    return found.group(0)


def change_password(
    client: TestClient, current: str, new: str, confirm: str | None = None
) -> Response:
    return post_form(
        client,
        "/console/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


# The sign-in form ------------------------------------------------------------------------------


def test_the_sign_in_page_asks_for_username_and_password_with_a_form_token(
    client: TestClient,
) -> None:
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    assert_shows(
        response,
        '<label for="username">用户名</label>',
        '<label for="password">密码</label>',
        '<button type="submit" class="button">登录</button>',
        f'name="{FORM_TOKEN_FIELD}"',
    )
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(
    client: TestClient, container: Container
) -> None:
    new_account(container)

    wrong_password = sign_in(client, "zhang.wei", "not-the-password")
    unknown_user = sign_in(client, "nobody.here", "not-the-password")

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert problems(wrong_password) == problems(unknown_user)
    assert "用户名或密码不正确" in problems(wrong_password)
    assert SESSION_COOKIE not in client.cookies


def test_five_failures_lock_the_account_even_against_the_right_password_until_the_lock_ends(
    client: TestClient, container: Container, time_source: SettableTimeSource
) -> None:
    password = new_account(container)
    for _ in range(5):
        assert sign_in(client, "zhang.wei", "not-the-password").status_code == 401

    locked = sign_in(client, "zhang.wei", password)

    assert locked.status_code == 401
    assert "账号暂时锁定" in problems(locked)
    assert "连续输错 5 次，账号将锁定 15 分钟" in problems(locked)
    (summary,) = container.accounts.list_accounts(viewer=ADMIN)
    assert summary.locked_until is not None
    time_source.advance(minutes=15, seconds=1)
    assert sign_in(client, "zhang.wei", password).headers["location"] == "/console/password"


def test_too_many_failures_from_one_network_are_told_when_to_try_again(
    client: TestClient, container: Container
) -> None:
    for attempt in range(30):
        assert sign_in(client, f"guess.{attempt}", "not-the-password").status_code == 401

    busy = sign_in(client, "guess.last", "not-the-password")

    assert busy.status_code == 429
    assert int(busy.headers["retry-after"]) > 0
    assert "分钟后再试" in problems(busy)


@pytest.mark.parametrize(
    ("field", "value"), [("username", "zhang\x00wei"), ("password", "pass\x00word-long")]
)
def test_a_control_character_in_the_form_is_refused_in_chinese(
    client: TestClient, field: str, value: str
) -> None:
    data = {"username": "zhang.wei", "password": "a-long-password", field: value}

    response = post_form(client, SIGN_IN, data)

    assert response.status_code == 422
    assert "内容含有无法保存的字符" in problems(response)


def test_a_control_character_in_the_next_page_is_refused_in_chinese(client: TestClient) -> None:
    response = client.get(SIGN_IN, params={"next": "/console/\x00"})

    assert response.status_code == 422
    assert "内容含有无法保存的字符" in response.text


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example",
        "//evil.example",
        "/console/../../evil",
        "/console/%2e%2e/%2e%2e/evil",
        "/\\evil.example",
        "/console/\\\\evil.example",
        "/console//evil.example",
        "javascript:alert(1)",
    ],
)
def test_signing_in_never_sends_anyone_to_another_site(
    client: TestClient, container: Container, elsewhere: str
) -> None:
    password = ready_account(client, container)

    page = client.get(SIGN_IN, params={"next": elsewhere})
    response = sign_in(client, "zhang.wei", password, next_page=elsewhere)

    assert 'name="next" value="/console/"' in page.text
    assert response.status_code == 303
    assert response.headers["location"] == "/console/"


def test_signing_in_goes_on_to_the_console_page_asked_for(
    client: TestClient, container: Container
) -> None:
    password = ready_account(client, container)

    visit = client.get(PROBE, follow_redirects=False)
    response = sign_in(client, "zhang.wei", password, next_page="/console/probe")

    assert visit.headers["location"] == "/console/sign-in?next=/console/probe"
    assert response.headers["location"] == PROBE
    assert client.get(PROBE).text == "张伟"


@pytest.mark.parametrize(
    "page",
    [
        "/console/",
        "/console/cases/new",
        "/console/templates",
        "/console/scores",
        "/console/blue-list",
        "/console/red-list",
        "/console/reports/monthly",
        "/console/reports/monthly.xlsx",
        *[
            f"/console/admin/{page}"
            for page in ("accounts", "directory", "conduct-rules", "calendar", "tokens", "qr-codes")
        ],
    ],
)
def test_a_visitor_is_sent_to_sign_in_from_a_console_page(client: TestClient, page: str) -> None:
    answer = client.get(page, follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"].startswith(SIGN_IN)


# CSRF ------------------------------------------------------------------------------------------


def test_a_sign_in_without_the_form_token_is_refused(client: TestClient) -> None:
    client.get(SIGN_IN)

    response = client.post(
        SIGN_IN,
        data={"username": "zhang.wei", "password": "whatever-it-is"},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert "无法完成操作" in response.text


def test_a_sign_in_from_another_origin_is_refused(client: TestClient) -> None:
    token = form_token(client, SIGN_IN)

    response = client.post(
        SIGN_IN,
        data={"username": "zhang.wei", "password": "whatever-it-is", FORM_TOKEN_FIELD: token},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )

    assert response.status_code == 403


# The first password ----------------------------------------------------------------------------


def test_a_first_sign_in_must_change_the_password_before_any_console_page(
    client: TestClient, container: Container
) -> None:
    password = new_account(container)

    response = sign_in(client, "zhang.wei", password)
    elsewhere = client.get(PROBE, follow_redirects=False)
    form = client.get("/console/password")

    assert response.status_code == 303
    assert response.headers["location"] == "/console/password"
    assert elsewhere.status_code == 303
    assert elsewhere.headers["location"] == "/console/password?next=/console/probe"
    assert_shows(
        form,
        '<label for="current_password">当前密码</label>',
        '<label for="new_password">新密码</label>',
        '<label for="confirm_password">确认新密码</label>',
        '<button type="submit" class="button">修改密码</button>',
    )


@pytest.mark.parametrize(
    ("current", "new", "confirm", "said"),
    [
        (None, "another-long-password", "a-different-password", "两次输入的新密码不一致"),
        (None, "short", None, "密码至少 10 位"),
        ("not-the-password", "another-long-password", None, "当前密码不正确"),
        (None, None, None, "新密码不能与当前密码相同"),
    ],
)
def test_an_unacceptable_new_password_is_refused_in_chinese(
    client: TestClient,
    container: Container,
    current: str | None,
    new: str | None,
    confirm: str | None,
    said: str,
) -> None:
    password = new_account(container)
    sign_in(client, "zhang.wei", password)

    response = change_password(client, current or password, new or password, confirm)

    assert response.status_code in (403, 422)
    assert said in problems(response)
    assert (
        client.get(PROBE, follow_redirects=False)
        .headers["location"]
        .startswith("/console/password")
    )


def test_a_password_that_is_the_username_is_refused_in_chinese(
    client: TestClient, container: Container
) -> None:
    password = new_account(container, username="li.xiaoming.long")
    sign_in(client, "li.xiaoming.long", password)

    response = change_password(client, password, "li.xiaoming.long")

    assert response.status_code == 422
    assert "密码不能与用户名相同" in problems(response)


def test_after_changing_the_first_password_the_person_is_signed_in_and_the_old_token_is_worthless(
    client: TestClient, container: Container
) -> None:
    password = new_account(container)
    sign_in(client, "zhang.wei", password)
    pending = client.cookies[SESSION_COOKIE]

    response = change_password(client, password, PASSWORD)
    home = client.get(PROBE)
    use_session(client, pending)
    replayed = client.get(PROBE, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/console/"
    assert home.text == "张伟"
    assert replayed.headers["location"].startswith(SIGN_IN)


# The second factor -----------------------------------------------------------------------------


def test_an_inspector_sets_up_the_second_factor_and_is_asked_for_a_code_at_later_sign_ins(
    client: TestClient, container: Container, time_source: SettableTimeSource
) -> None:
    password = new_account(container, role=Role.INSPECTOR, username="wang.jian")
    sign_in(client, "wang.jian", password)
    changed = change_password(client, password, PASSWORD)
    set_up = client.get("/console/second-factor")
    secret = _SECRET.search(set_up.text)
    assert secret is not None
    code = pyotp.TOTP(secret.group(1)).at(time_source.now())

    bound = post_form(client, "/console/second-factor", {"secret": secret.group(1), "code": code})
    post_form(client, "/console/sign-out", {}, from_page="/console/password")
    time_source.advance(seconds=60)
    again = sign_in(client, "wang.jian", PASSWORD)
    asked = client.get("/console/sign-in/code")
    verified = post_form(
        client,
        "/console/sign-in/code",
        {"code": pyotp.TOTP(secret.group(1)).at(time_source.now())},
    )

    assert changed.headers["location"] == "/console/second-factor"
    assert '<svg role="img" aria-label="二维码：请用验证器应用扫描' in set_up.text
    assert " ".join(re.findall(".{4}", secret.group(1))) in set_up.text
    assert '<button type="submit" class="button">绑定</button>' in set_up.text
    assert bound.headers["location"] == "/console/"
    assert again.headers["location"] == "/console/sign-in/code"
    assert '<label for="code">动态口令</label>' in asked.text
    assert '<button type="submit" class="button">验证</button>' in asked.text
    assert verified.headers["location"] == "/console/"
    assert client.get(PROBE).text == "张伟"


def test_a_wrong_code_at_set_up_is_refused_and_the_same_secret_shown_again(
    client: TestClient, container: Container
) -> None:
    password = new_account(container, role=Role.ADMIN, username="admin.zhao")
    sign_in(client, "admin.zhao", password)
    change_password(client, password, PASSWORD)
    secret = _SECRET.search(client.get("/console/second-factor").text)
    assert secret is not None

    response = post_form(
        client, "/console/second-factor", {"secret": secret.group(1), "code": "000000"}
    )

    assert response.status_code == 422
    assert "动态口令不正确" in problems(response)
    assert f'name="secret" value="{secret.group(1)}"' in response.text


def test_a_wrong_code_at_sign_in_is_refused_in_chinese(
    client: TestClient, container: Container
) -> None:
    signed_in(client, container, Role.INSPECTOR, username="wang.jian")
    post_form(client, "/console/sign-out", {}, from_page="/console/password")
    sign_in(client, "wang.jian", PASSWORD)

    response = post_form(client, "/console/sign-in/code", {"code": "12345x"})

    assert response.status_code == 403
    assert "动态口令不正确或已使用" in problems(response)
    assert (
        client.get(PROBE, follow_redirects=False)
        .headers["location"]
        .startswith("/console/sign-in/code")
    )


# Sessions --------------------------------------------------------------------------------------


def test_an_idle_session_lands_on_the_sign_in_page_saying_it_timed_out(
    client: TestClient, container: Container, time_source: SettableTimeSource
) -> None:
    signed_in(client, container, Role.OPERATOR)
    assert client.get(PROBE).status_code == 200

    time_source.advance(minutes=30, seconds=1)
    response = client.get(PROBE, follow_redirects=False)
    page = client.get(response.headers["location"])

    assert response.headers["location"] == "/console/sign-in?next=/console/probe"
    assert "登录已超时，请重新登录" in page.text
    assert SESSION_COOKIE not in client.cookies


def test_an_htmx_request_of_a_timed_out_session_sends_its_page_to_sign_in(
    client: TestClient, container: Container, time_source: SettableTimeSource
) -> None:
    signed_in(client, container, Role.OPERATOR)
    time_source.advance(minutes=31)

    response = client.get(
        PROBE,
        headers={"HX-Request": "true", "HX-Current-URL": f"{ORIGIN}/console/cases?status=open"},
        follow_redirects=False,
    )

    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/console/sign-in?next=/console/cases%3Fstatus%3Dopen"


def test_a_busy_session_still_ends_twelve_hours_after_signing_in(
    client: TestClient, container: Container, time_source: SettableTimeSource
) -> None:
    signed_in(client, container, Role.OPERATOR)
    for _ in range(12 * 3 - 1):
        time_source.advance(minutes=20)
        assert client.get(PROBE, follow_redirects=False).status_code == 200

    time_source.advance(minutes=20)

    assert client.get(PROBE, follow_redirects=False).headers["location"].startswith(SIGN_IN)


def test_disabling_the_account_ends_its_session_at_once(
    client: TestClient, container: Container
) -> None:
    signed_in(client, container, Role.OPERATOR, username="zhang.wei")

    container.accounts.disable_account("zhang.wei", by=ADMIN)

    assert client.get(PROBE, follow_redirects=False).headers["location"].startswith(SIGN_IN)


def test_signing_out_ends_the_session_and_its_old_cookie_opens_nothing(
    client: TestClient, container: Container
) -> None:
    signed_in(client, container, Role.OPERATOR)
    token = client.cookies[SESSION_COOKIE]

    response = post_form(client, "/console/sign-out", {}, from_page="/console/password")
    page = client.get(response.headers["location"])
    use_session(client, token)
    replayed = client.get(PROBE, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == SIGN_IN
    assert "已退出" in page.text
    assert replayed.headers["location"].startswith(SIGN_IN)


# The header ------------------------------------------------------------------------------------


def test_the_header_shows_the_person_their_role_their_department_and_the_way_out(
    client: TestClient, container: Container
) -> None:
    signed_in(client, container, Role.DEPARTMENT, name="李明", department=SAMPLE_DEPARTMENT)
    department = container.supervision.directory().department(SAMPLE_DEPARTMENT)
    assert department is not None

    page = client.get("/console/password")

    assert_shows(
        page,
        '<span class="person__name">李明</span>',
        '<span class="person__role">承办部门</span>',
        f'<span class="person__department">{department.name}</span>',
        'href="/console/password">修改密码</a>',
        ">退出</button>",
        ">待办工单</a>",
    )


def test_a_signed_in_person_changes_their_password_from_the_header_at_any_time(
    client: TestClient, container: Container
) -> None:
    signed_in(client, container, Role.OPERATOR, username="zhang.wei")

    response = change_password(client, PASSWORD, "yet-another-password")

    assert response.headers["location"] == "/console/"
    assert client.get(PROBE).status_code == 200
    post_form(client, "/console/sign-out", {}, from_page="/console/password")
    assert sign_in(client, "zhang.wei", "yet-another-password").status_code == 303
