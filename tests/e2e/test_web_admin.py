"""The administrator's pages through the ASGI client: accounts (the one-time password shown
once), the directory and conduct catalogue with their imports, calendar years, API tokens and
the printable QR codes; only administrators get them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from application.accounts import AccountSummary
from domain.actor import Role
from interfaces.bootstrap import Container
from tests.factories import ADMIN, SAMPLE_DEPARTMENT
from tests.web_support import post_form, signed_in

ADMIN_PAGES = (
    "/console/admin/accounts",
    "/console/admin/directory",
    "/console/admin/conduct-rules",
    "/console/admin/calendar",
    "/console/admin/tokens",
    "/console/admin/qr-codes",
)
SHOWN_ONCE = re.compile(r'class="receipt__code shown-once">([^<]+)<')


def as_admin(client: TestClient, container: Container) -> TestClient:
    return signed_in(client, container, Role.ADMIN, username="admin.page", name="王管理")


def account_named(container: Container, username: str) -> AccountSummary | None:
    found = container.accounts.list_accounts(viewer=ADMIN)
    return next((account for account in found if account.username == username), None)


def row_of(page: str, username: str) -> str:
    return page.split(f"<td>{username}</td>")[1].split("</tr>")[0]


def created(client: TestClient, **fields: str) -> Response:
    data = {"username": "zhang.wei", "name": "张伟", "role": "operator", "department": ""}
    return post_form(client, "/console/admin/accounts", {**data, **fields})


# Who gets the pages -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_an_administrator_gets_every_admin_page(
    client: TestClient, container: Container, page: str
) -> None:
    # Given a signed-in administrator
    as_admin(client, container)

    # When they open the page
    answer = client.get(page)

    # Then it is served, with the administrator's navigation
    assert answer.status_code == 200
    assert 'href="/console/admin/accounts"' in answer.text


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("role", [Role.OPERATOR, Role.DEPARTMENT, Role.INSPECTOR])
def test_every_other_role_gets_the_chinese_refusal_page(
    client: TestClient, container: Container, page: str, role: Role
) -> None:
    # Given a signed-in person of another role
    department = SAMPLE_DEPARTMENT if role is Role.DEPARTMENT else None
    signed_in(client, container, role, department=department)

    # When they open an administrator's page
    answer = client.get(page)

    # Then they are refused in Chinese (separation of duties)
    assert answer.status_code == 403
    assert "无法完成操作" in answer.text


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_a_visitor_is_sent_to_sign_in(client: TestClient, page: str) -> None:
    answer = client.get(page, follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in")


# Accounts -------------------------------------------------------------------------------------


def test_the_accounts_page_lists_every_account_with_its_state_and_the_create_form(
    client: TestClient, container: Container
) -> None:
    # Given an administrator and a department account that was disabled
    as_admin(client, container)
    container.accounts.create_account(
        username="li.na", name="李娜", role=Role.DEPARTMENT, department=SAMPLE_DEPARTMENT, by=ADMIN
    )
    container.accounts.disable_account("li.na", by=ADMIN)

    # When they open the accounts page
    page = client.get("/console/admin/accounts").text

    # Then every account shows, with role, department, state and last sign-in, and the form
    disabled_row = row_of(page, "li.na")
    for shown in ("李娜", "承办部门", "不动产登记", "已停用", "从未登录"):
        assert shown in disabled_row
    assert "从未登录" not in row_of(page, "admin.page")
    for name in ("用户名", "姓名", "角色", "所属部门", "创建账号"):
        assert f">{name}<" in page


def test_creating_an_account_shows_its_one_time_password_once(
    client: TestClient, container: Container
) -> None:
    # Given an administrator
    as_admin(client, container)

    # When they create an account
    answer = created(client)

    # Then they are sent to its password page, the password never in the address
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location == "/console/admin/accounts/zhang.wei/password"
    # And the page shows the one-time password, which signs in
    page = client.get(location)
    password = SHOWN_ONCE.search(page.text)
    assert password is not None
    assert password.group(1) not in location
    assert account_named(container, "zhang.wei").must_change_password
    # And a reload shows it no more
    again = client.get(location)
    assert SHOWN_ONCE.search(again.text) is None
    assert "只显示一次" in again.text


def test_creating_a_department_account_records_its_department(
    client: TestClient, container: Container
) -> None:
    as_admin(client, container)

    answer = created(client, username="dept.one", role="department", department=SAMPLE_DEPARTMENT)

    assert answer.status_code == 303
    assert account_named(container, "dept.one").department == SAMPLE_DEPARTMENT


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "Zhang Wei"}, "用户名须为"),
        ({"username": "zhang\x00wei"}, "用户名须为"),
        ({"username": ""}, "用户名须为"),
        ({"name": "张\x00伟"}, ""),
        ({"role": "department"}, "须指明"),
        ({"role": "operator", "department": SAMPLE_DEPARTMENT}, "须指明"),
        ({"role": "system"}, "账号角色须为"),
        ({"role": "x" * 10_000}, "账号角色须为"),
    ],
)
def test_a_refused_account_is_said_in_chinese_beside_the_kept_form(
    client: TestClient, container: Container, fields: dict[str, str], message: str
) -> None:
    # Given an administrator
    as_admin(client, container)

    # When they create an account the record refuses
    answer = created(client, **fields)

    # Then the form comes back with the refusal in Chinese, and nothing is created
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text
    assert message in answer.text
    assert account_named(container, "zhang.wei") is None


def test_a_taken_username_is_refused(client: TestClient, container: Container) -> None:
    as_admin(client, container)
    created(client)

    answer = created(client, name="另一个张伟")

    assert answer.status_code == 422
    assert "该用户名已被使用" in answer.text


def test_resetting_a_password_needs_the_box_ticked_then_shows_the_new_password_once(
    client: TestClient, container: Container
) -> None:
    # Given an administrator and an account
    as_admin(client, container)
    container.accounts.create_account(
        username="wang.fang", name="王芳", role=Role.OPERATOR, department=None, by=ADMIN
    )
    url = "/console/admin/accounts/wang.fang/reset-password"

    # When they reset its password without confirming, nothing happens
    refused = post_form(client, url, {}, from_page="/console/admin/accounts")
    assert refused.status_code == 303
    assert refused.headers["location"] == "/console/admin/accounts"
    assert "请先勾选确认框" in client.get("/console/admin/accounts").text

    # And when they confirm, the new one-time password is shown once
    answer = post_form(client, url, {"confirmed": "yes"}, from_page="/console/admin/accounts")
    assert answer.headers["location"] == "/console/admin/accounts/wang.fang/password"
    assert SHOWN_ONCE.search(client.get(answer.headers["location"]).text) is not None
    assert SHOWN_ONCE.search(client.get(answer.headers["location"]).text) is None


def test_disabling_an_account_once_confirmed_ends_it(
    client: TestClient, container: Container
) -> None:
    as_admin(client, container)
    container.accounts.create_account(
        username="zhao.lei", name="赵磊", role=Role.OPERATOR, department=None, by=ADMIN
    )

    answer = post_form(
        client,
        "/console/admin/accounts/zhao.lei/disable",
        {"confirmed": "yes"},
        from_page="/console/admin/accounts",
    )

    assert answer.status_code == 303
    assert account_named(container, "zhao.lei").disabled
    assert "已停用账号 zhao.lei" in client.get("/console/admin/accounts").text


def test_disabling_an_unknown_account_is_refused_in_chinese(
    client: TestClient, container: Container
) -> None:
    as_admin(client, container)

    post_form(
        client,
        "/console/admin/accounts/nobody/disable",
        {"confirmed": "yes"},
        from_page="/console/admin/accounts",
    )

    assert "没有该账号" in client.get("/console/admin/accounts").text


def test_the_password_page_of_an_unknown_account_is_not_found(
    client: TestClient, container: Container
) -> None:
    as_admin(client, container)

    assert client.get("/console/admin/accounts/nobody/password").status_code == 404


def test_a_password_left_for_one_administrator_is_not_shown_to_another(
    client: TestClient, container: Container
) -> None:
    # Given a password handed over to one administrator's browser
    as_admin(client, container)
    location = created(client).headers["location"]

    # When another administrator's session reads the page with that cookie
    signed_in(client, container, Role.ADMIN, username="admin.other")
    page = client.get(location)

    # Then the password is not shown
    assert SHOWN_ONCE.search(page.text) is None


# API tokens -----------------------------------------------------------------------------------


def test_issuing_a_token_shows_it_once_and_it_opens_the_api(
    client: TestClient, container: Container
) -> None:
    # Given an administrator
    as_admin(client, container)

    # When they issue a department token
    answer = post_form(
        client,
        "/console/admin/tokens",
        {"role": "department", "department": SAMPLE_DEPARTMENT, "name": "部门对接系统"},
    )

    # Then its page shows the token once, and the API accepts it
    assert answer.status_code == 303
    location = answer.headers["location"]
    token = SHOWN_ONCE.search(client.get(location).text)
    assert token is not None
    assert token.group(1) not in location
    board = client.get(
        f"/api/v1/departments/{SAMPLE_DEPARTMENT}/board",
        headers={"Authorization": f"Bearer {token.group(1)}"},
    )
    assert board.status_code == 200
    # And a reload shows it no more, while the list names it without its secret
    assert SHOWN_ONCE.search(client.get(location).text) is None
    listed = client.get("/console/admin/tokens").text
    assert "部门对接系统" in listed
    assert token.group(1) not in listed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "department"}, "须指明所属部门"),
        ({"role": "operator", "department": SAMPLE_DEPARTMENT}, "须指明所属部门"),
        ({"role": "public"}, "访问令牌只能发给"),
        ({"role": "nobody"}, "角色："),
        ({"role": "operator", "name": "脚本\x00"}, "无法保存的字符"),
        ({"role": "operator", "name": "长" * 101}, "内容过长"),
        ({"role": "operator", "department": "no such\x07"}, "无法保存的字符"),
    ],
)
def test_a_refused_token_is_said_in_chinese_and_none_is_issued(
    client: TestClient, container: Container, fields: dict[str, str], message: str
) -> None:
    as_admin(client, container)

    answer = post_form(client, "/console/admin/tokens", fields)

    assert answer.status_code == 422
    assert message in answer.text
    assert container.supervision.list_tokens() == []


def test_revoking_a_token_needs_a_reason_and_the_box_ticked(
    client: TestClient, container: Container
) -> None:
    # Given an administrator and a token
    as_admin(client, container)
    issued = container.supervision.issue_token(
        role=Role.OPERATOR, department=None, name="旧脚本", by=ADMIN
    )
    url = f"/console/admin/tokens/{issued.id}/revoke"

    # When they revoke it without a reason, or without confirming, it stays
    post_form(client, url, {"confirmed": "yes"}, from_page="/console/admin/tokens")
    assert "吊销原因：请填写" in client.get("/console/admin/tokens").text
    post_form(client, url, {"reason": "泄露"}, from_page="/console/admin/tokens")
    assert not container.supervision.list_tokens()[0].revoked

    # And with both, it is revoked
    post_form(
        client, url, {"reason": "泄露", "confirmed": "yes"}, from_page="/console/admin/tokens"
    )
    assert container.supervision.list_tokens()[0].revoked
    assert "已吊销令牌“旧脚本”" in client.get("/console/admin/tokens").text
