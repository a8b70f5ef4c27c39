"""The administrator's pages through the ASGI client: accounts (the one-time password shown
once), the directory and conduct catalogue with their imports, calendar years, API tokens and
the printable QR codes; only administrators get them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from application.accounts import AccountSummary
from domain.actor import Role
from interfaces.bootstrap import Container
from interfaces.web.csrf import FORM_TOKEN_FIELD
from tests.factories import ADMIN, SAMPLE_DEPARTMENT
from tests.web_support import ORIGIN, assert_shows, form_token, post_form, signed_in

ADMIN_PAGES = (
    "/console/admin/accounts",
    "/console/admin/directory",
    "/console/admin/conduct-rules",
    "/console/admin/calendar",
    "/console/admin/tokens",
    "/console/admin/qr-codes",
)
SHOWN_ONCE = re.compile(r'class="receipt__code shown-once">([^<]+)<')


def made(
    container: Container,
    username: str,
    name: str,
    role: Role = Role.OPERATOR,
    department: str | None = None,
) -> None:
    """An account made by the application's administrator, not through the pages."""
    container.accounts.create_account(
        username=username, name=name, role=role, department=department, by=ADMIN
    )


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
def test_an_administrator_gets_every_admin_page(admin: TestClient, page: str) -> None:
    # Given a signed-in administrator

    # When they open the page
    answer = admin.get(page)

    # Then it is served, with the administrator's navigation
    assert answer.status_code == 200
    assert 'href="/console/admin/accounts"' in answer.text


# Accounts -------------------------------------------------------------------------------------


def test_the_accounts_page_lists_every_account_with_its_state_and_the_create_form(
    admin: TestClient, container: Container
) -> None:
    # Given an administrator and a department account that was disabled
    made(container, "li.na", "李娜", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    container.accounts.disable_account("li.na", by=ADMIN)

    # When they open the accounts page
    page = admin.get("/console/admin/accounts").text

    # Then every account shows, with role, department, state and last sign-in, and the form
    disabled_row = row_of(page, "li.na")
    for shown in ("李娜", "承办部门", "不动产登记", "已停用", "从未登录"):
        assert shown in disabled_row
    assert "从未登录" not in row_of(page, "admin.page")
    for name in ("用户名", "姓名", "角色", "所属部门", "创建账号"):
        assert f">{name}<" in page


def test_creating_an_account_shows_its_one_time_password_once(
    admin: TestClient, container: Container
) -> None:
    # Given an administrator

    # When they create an account
    answer = created(admin)

    # Then they are sent to its password page, the password never in the address
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location == "/console/admin/accounts/zhang.wei/password"
    # And the page shows the one-time password, which signs in
    page = admin.get(location)
    password = SHOWN_ONCE.search(page.text)
    assert password is not None
    assert password.group(1) not in location
    assert account_named(container, "zhang.wei").must_change_password
    # And a reload shows it no more
    again = admin.get(location)
    assert SHOWN_ONCE.search(again.text) is None
    assert "只显示一次" in again.text


def test_creating_a_department_account_records_its_department(
    admin: TestClient, container: Container
) -> None:
    answer = created(admin, username="dept.one", role="department", department=SAMPLE_DEPARTMENT)

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
    admin: TestClient, container: Container, fields: dict[str, str], message: str
) -> None:
    # Given an administrator

    # When they create an account the record refuses
    answer = created(admin, **fields)

    # Then the form comes back with the refusal in Chinese, and nothing is created
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text
    assert message in answer.text
    assert account_named(container, "zhang.wei") is None


def test_a_taken_username_is_refused(admin: TestClient) -> None:
    created(admin)

    answer = created(admin, name="另一个张伟")

    assert answer.status_code == 422
    assert "该用户名已被使用" in answer.text


def test_resetting_a_password_needs_the_box_ticked_then_shows_the_new_password_once(
    admin: TestClient, container: Container
) -> None:
    # Given an administrator and an account
    made(container, "wang.fang", "王芳")
    url = "/console/admin/accounts/wang.fang/reset-password"

    # When they reset its password without confirming, nothing happens
    refused = post_form(admin, url, {}, from_page="/console/admin/accounts")
    assert refused.status_code == 303
    assert refused.headers["location"] == "/console/admin/accounts"
    assert "请先勾选确认框" in admin.get("/console/admin/accounts").text

    # And when they confirm, the new one-time password is shown once
    answer = post_form(admin, url, {"confirmed": "yes"}, from_page="/console/admin/accounts")
    assert answer.headers["location"] == "/console/admin/accounts/wang.fang/password"
    assert SHOWN_ONCE.search(admin.get(answer.headers["location"]).text) is not None
    assert SHOWN_ONCE.search(admin.get(answer.headers["location"]).text) is None


def test_disabling_an_account_once_confirmed_ends_it(
    admin: TestClient, container: Container
) -> None:
    made(container, "zhao.lei", "赵磊")

    answer = post_form(
        admin,
        "/console/admin/accounts/zhao.lei/disable",
        {"confirmed": "yes"},
        from_page="/console/admin/accounts",
    )

    assert answer.status_code == 303
    assert account_named(container, "zhao.lei").disabled
    assert "已停用账号 zhao.lei" in admin.get("/console/admin/accounts").text


def test_disabling_an_unknown_account_is_refused_in_chinese(admin: TestClient) -> None:
    post_form(
        admin,
        "/console/admin/accounts/nobody/disable",
        {"confirmed": "yes"},
        from_page="/console/admin/accounts",
    )

    assert "没有该账号" in admin.get("/console/admin/accounts").text


def test_the_password_page_of_an_unknown_account_is_not_found(admin: TestClient) -> None:
    assert admin.get("/console/admin/accounts/nobody/password").status_code == 404


def test_a_password_left_for_one_administrator_is_not_shown_to_another(
    admin: TestClient, container: Container
) -> None:
    # Given a password handed over to one administrator's browser
    location = created(admin).headers["location"]

    # When another administrator's session reads the page with that cookie
    signed_in(admin, container, Role.ADMIN, username="admin.other")
    page = admin.get(location)

    # Then the password is not shown
    assert SHOWN_ONCE.search(page.text) is None


# API tokens -----------------------------------------------------------------------------------


def test_issuing_a_token_shows_it_once_and_it_opens_the_api(admin: TestClient) -> None:
    # Given an administrator

    # When they issue a department token
    answer = post_form(
        admin,
        "/console/admin/tokens",
        {"role": "department", "department": SAMPLE_DEPARTMENT, "name": "部门对接系统"},
    )

    # Then its page shows the token once, and the API accepts it
    assert answer.status_code == 303
    location = answer.headers["location"]
    token = SHOWN_ONCE.search(admin.get(location).text)
    assert token is not None
    assert token.group(1) not in location
    board = admin.get(
        f"/api/v1/departments/{SAMPLE_DEPARTMENT}/board",
        headers={"Authorization": f"Bearer {token.group(1)}"},
    )
    assert board.status_code == 200
    # And a reload shows it no more, while the list names it without its secret
    assert SHOWN_ONCE.search(admin.get(location).text) is None
    listed = admin.get("/console/admin/tokens").text
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
    admin: TestClient, container: Container, fields: dict[str, str], message: str
) -> None:
    answer = post_form(admin, "/console/admin/tokens", fields)

    assert answer.status_code == 422
    assert message in answer.text
    assert container.supervision.list_tokens() == []


def test_revoking_a_token_needs_a_reason_and_the_box_ticked(
    admin: TestClient, container: Container
) -> None:
    # Given an administrator and a token
    issued = container.supervision.issue_token(
        role=Role.OPERATOR, department=None, name="旧脚本", by=ADMIN
    )
    url = f"/console/admin/tokens/{issued.id}/revoke"

    # When they revoke it without a reason, or without confirming, it stays
    post_form(admin, url, {"confirmed": "yes"}, from_page="/console/admin/tokens")
    assert "吊销原因：请填写" in admin.get("/console/admin/tokens").text
    post_form(admin, url, {"reason": "泄露"}, from_page="/console/admin/tokens")
    assert not container.supervision.list_tokens()[0].revoked

    # And with both, it is revoked
    post_form(admin, url, {"reason": "泄露", "confirmed": "yes"}, from_page="/console/admin/tokens")
    assert container.supervision.list_tokens()[0].revoked
    assert "已吊销令牌“旧脚本”" in admin.get("/console/admin/tokens").text


# Imports from files ---------------------------------------------------------------------------

NEW_DIRECTORY = """\
departments:
  - {id: taxation, name: 税务局, name_en: Taxation Bureau}
  - {id: archives, name: 档案馆, name_en: Archives}
windows:
  - {id: W-T01, name: 综合办税, department: taxation, zone: 税务服务专区}
staff:
  - {id: S-901, name: 周敏, department: archives}
"""
BROKEN_DIRECTORY = """\
departments:
  - {id: museum, name: 博物馆, name_en: Museum}
  - id: statistics
    name_en: Statistics
windows:
  - {id: W-T01, name: 综合办税, department: taxation, zone: 税务服务专区, floor: 2}
staff:
  - {id: S-902, name: "周\\0敏", department: museum}
"""
RULES = """\
rules:
  - {code: lateness, name_zh: 迟到早退, name_en: Lateness, points: 2, applies_to: staff}
  - code: bribery
    name_zh: 吃拿卡要
    name_en: Bribery
    points: 100
    applies_to: both
    all_remaining: true
"""
BROKEN_RULES = """\
rules:
  - {code: lateness, name_zh: 迟到早退, name_en: Lateness, points: 2, applies_to: staff}
  - {code: rude, name_zh: 态度生硬, name_en: Rude, points: many, applies_to: staff}
  - {code: slow, name_zh: 拖延, name_en: Slow, points: 1, applies_to: everyone}
"""
CALENDAR_2031 = """\
year: 2031
source: 国务院办公厅关于2031年部分节假日安排的通知
holidays:
  - {name: 元旦, from: 2031-01-01, to: 2031-01-01}
  - {name: 劳动节, from: 2031-05-01, to: 2031-05-05}
makeup_workdays: [2031-04-27]
"""


DIRECTORY_PAGE = "/console/admin/directory"
CONDUCT_RULES_PAGE = "/console/admin/conduct-rules"
CALENDAR_PAGE = "/console/admin/calendar"


def post_file(
    client: TestClient,
    page: str,
    action: str,
    content: bytes | str,
    *,
    filename: str = "upload.yaml",
    data: dict[str, str] | None = None,
) -> Response:
    """Post a file as the upload form of `page` does to `page/action`: its form token, the
    service's Origin."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        f"{page}/{action}",
        data={**(data or {}), FORM_TOKEN_FIELD: form_token(client, page)},
        files={"file": (filename, raw, "application/yaml")},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )


def directory_version(container: Container) -> object:
    return container.supervision.directory().version


def conduct_rules(container: Container) -> object:
    return container.supervision.list_conduct_rules()


def test_the_directory_page_lists_departments_windows_and_staff(
    admin: TestClient, container: Container
) -> None:
    page = admin.get(DIRECTORY_PAGE).text

    directory = container.supervision.directory()
    for shown in (directory.departments[0], directory.windows[0], directory.staff[0]):
        assert f"<td>{shown.id}</td><td>{shown.name}</td>" in page
    assert ">目录文件<" in page
    assert ">导入目录<" in page


@pytest.mark.parametrize(
    ("page", "recorded", "broken", "errors", "right", "shown"),
    [
        pytest.param(
            DIRECTORY_PAGE,
            directory_version,
            BROKEN_DIRECTORY,
            [
                "第 3 行：缺少字段“name”。",
                "第 6 行：未知字段“floor”。",
                "第 8 行：字段“name”含有无法保存的字符",
            ],
            NEW_DIRECTORY,
            ["已导入：2 个部门、1 个窗口、1 名工作人员", "<td>archives</td><td>档案馆</td>"],
            id="directory",
        ),
        pytest.param(
            CONDUCT_RULES_PAGE,
            conduct_rules,
            BROKEN_RULES,
            [
                "第 3 行：字段“points”应为整数。",
                "第 4 行：applies_to 只能是 staff、window 或 both。",
            ],
            RULES,
            [
                "已导入 2 条扣分事项",
                "<td>lateness</td><td>迟到早退</td><td>2 分</td><td>工作人员</td>",
                "<td>bribery</td><td>吃拿卡要</td><td>扣完为止</td>",
            ],
            id="catalogue",
        ),
    ],
)
def test_a_file_with_errors_imports_nothing_and_a_right_one_is_recorded_and_summed_up(
    admin: TestClient,
    container: Container,
    page: str,
    recorded: Callable[[Container], object],
    broken: str,
    errors: list[str],
    right: str,
    shown: list[str],
) -> None:
    # Given an administrator
    before = recorded(container)

    # When they upload a file with wrong entries among right ones
    refused = post_file(admin, page, "import", broken)

    # Then each wrong entry is listed with its line, in Chinese
    assert refused.status_code == 422
    assert [error for error in errors if error not in refused.text] == []
    # And nothing of the file is imported, not even its right entries
    assert recorded(container) == before

    # When they upload a right file (a directory or a conduct catalogue)
    imported = post_file(admin, page, "import", right)

    # Then it is recorded, and the page says what the file held
    assert imported.status_code == 303
    assert recorded(container) != before
    text = admin.get(page).text
    assert [line for line in shown if line not in text] == []


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("directory.txt", NEW_DIRECTORY.encode(), "只能导入 YAML 文件"),
        ("directory.yaml", b"", "文件是空的"),
        ("directory.yaml", "departments: []\n".encode("utf-16"), "不是 UTF-8 编码"),
        ("directory.yaml", b"x" * 200_001, "文件过大"),
        ("directory.yaml", b"departments: [\n  {id: a\n", "不是有效的 YAML 格式"),
        ("directory.yaml", b"- just\n- a list\n", "文件应包含 departments、windows、staff"),
        ("directory.yaml", b"departments: []\nwindows: []\n", "缺少“staff”一节"),
        ("directory.yaml", b"departments: []\nwindows: []\nstaff: []\nrooms: []\n", "未知的节"),
        (
            "directory.yaml",
            b"departments: []\n"
            b"windows: [{id: W, name: X, department: nowhere, zone: Z}]\n"
            b"staff: []\n",
            "没有该部门",
        ),
    ],
)
def test_a_bad_directory_upload_is_refused_in_chinese(
    admin: TestClient, container: Container, filename: str, content: bytes, message: str
) -> None:
    before = container.supervision.directory().version

    answer = post_file(admin, DIRECTORY_PAGE, "import", content, filename=filename)

    assert answer.status_code == 422
    assert message in answer.text
    assert container.supervision.directory().version == before


def test_an_import_without_a_file_asks_for_one(admin: TestClient) -> None:
    answer = post_form(admin, f"{DIRECTORY_PAGE}/import", {}, from_page=DIRECTORY_PAGE)

    assert answer.status_code == 422
    assert "请选择要导入的文件" in answer.text


def test_loading_a_calendar_year_lists_it_and_counts_the_deadlines_recomputed(
    admin: TestClient,
) -> None:
    # Given an administrator

    # When they load a year's published schedule
    answer = post_file(admin, CALENDAR_PAGE, "load", CALENDAR_2031, data={"year": "2031"})

    # Then the year is recorded and listed, and the answer counts the open deadlines
    assert answer.status_code == 303
    page = admin.get(CALENDAR_PAGE).text
    assert_shows(
        page,
        "已载入 2031 年节假日安排：6 个放假日、1 个调休上班日",
        "后台正按新日历重新计算",
        "<td>2031</td><td>6</td><td>1</td><td>管理员载入：国务院办公厅关于2031年",
    )
    # And loading the same file again records nothing
    post_file(admin, CALENDAR_PAGE, "load", CALENDAR_2031, data={"year": "2031"})
    assert "已经载入，未作变更" in admin.get(CALENDAR_PAGE).text


@pytest.mark.parametrize(
    ("year", "content", "message"),
    [
        ("2030", CALENDAR_2031, "year 与所选年份不符"),
        ("-2031", CALENDAR_2031, "年份：格式不正确"),
        ("9" * 5000, CALENDAR_2031, "年份：格式不正确"),
        ("二〇三一", CALENDAR_2031, "年份：格式不正确"),
        ("2031\x00", CALENDAR_2031, "年份：内容含有无法保存的字符"),
        ("2031", CALENDAR_2031.replace("2031-05-05", "soon"), "日期格式应为"),
        ("2031", CALENDAR_2031.replace("2031-05-05", "2031-13-05"), "不是有效的 YAML"),
        ("2031", CALENDAR_2031.replace("2031-05-05", "2031-04-05"), "结束日期早于开始日期"),
        ("2031", CALENDAR_2031.replace("2031-05-05", "2032-05-05"), "超出了所选年份"),
    ],
)
def test_a_bad_calendar_load_is_refused_in_chinese(
    admin: TestClient, container: Container, year: str, content: str, message: str
) -> None:
    answer = post_file(admin, CALENDAR_PAGE, "load", content, data={"year": year})

    assert answer.status_code == 422
    assert message in answer.text
    assert 2031 not in [year.year for year in container.supervision.calendar_years()]


# The QR code sheet ----------------------------------------------------------------------------


def test_the_qr_sheet_has_one_named_code_per_window_pointing_at_its_rating_page(
    admin: TestClient, container: Container
) -> None:
    # Given an administrator and the sample directory's windows
    windows = container.supervision.directory().windows

    # When they open the QR code sheet
    page = admin.get("/console/admin/qr-codes").text

    # Then every window has one code, named by the window, with its name and number under it
    assert page.count('<svg role="img"') == len(windows)
    for window in windows:
        assert_shows(
            page,
            f'aria-label="{window.name} {window.id}"',
            f'<span class="qr-card__number">{window.id} · ',
            f"http://testserver/rate/{window.id}<",
        )
    assert "data-print" in page


def test_the_qr_codes_point_at_the_public_address_when_one_is_set(
    admin: TestClient, container: Container
) -> None:
    container.settings.public_url = "https://zwfw.example.gov.cn/"

    page = admin.get("/console/admin/qr-codes").text

    assert "https://zwfw.example.gov.cn/rate/W-" in page
    assert "https://zwfw.example.gov.cn//rate" not in page
