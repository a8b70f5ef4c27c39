"""Rectification orders in the console (/console/orders…) through the ASGI client: who gets
each page, the issue form (from a case too), the order page's actions through the forms, and
refused input said in Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from domain.labels import error_message
from domain.rectification import OrderStatus
from interfaces.bootstrap import Container
from tests.factories import (
    INSPECTOR,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    SAMPLE_WINDOW,
    assigned_case,
    issued_order,
)
from tests.web_support import assert_shows, post_action, post_form, signed_in

DEPARTMENT = Actor("dept-1", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
BUTTON = re.compile(r'<button type="submit" class="button">([^<]+)</button>')
SUMMARY = re.compile(r"<summary>([^<]+)</summary>")
ACTIONS = re.compile(r'<section class="card case-actions".*?</section>', re.S)
ROLE_REFUSED = "您的角色无权进行此操作。"
NOT_THEIRS = "只有整改部门可以办理或查看该整改通知。"
ISSUE_FORM = {
    "department": SAMPLE_DEPARTMENT,
    "window": SAMPLE_WINDOW,
    "staff": "",
    "problem": "窗口未落实一次性告知，群众多次往返",
    "requirements": "组织窗口人员学习一次性告知制度",
    "working_days": "5",
    "source_type": "inspection",
    "source_ref": "2026年11月暗访",
}


def page_of(order_id: UUID) -> str:
    return f"/console/orders/{order_id}"


def actions(html: str) -> set[str]:
    """The names of the actions an order page offers: its buttons and its opened forms."""
    found = ACTIONS.search(html)
    assert found, "the page has no actions section"
    section = found.group(0)
    return set(BUTTON.findall(section)) | set(SUMMARY.findall(section))


def sign_in_as(client: TestClient, container: Container, who: str) -> TestClient:
    """Sign in as `operator`, `inspector`, `admin`, `own` (the sample department) or `other`."""
    role, department = {
        "operator": (Role.OPERATOR, None),
        "inspector": (Role.INSPECTOR, None),
        "admin": (Role.ADMIN, None),
        "own": (Role.DEPARTMENT, SAMPLE_DEPARTMENT),
        "other": (Role.DEPARTMENT, OTHER_DEPARTMENT),
    }[who]
    return signed_in(client, container, role, department=department, name="王督查")


def reported(container: Container) -> UUID:
    order_id = issued_order(container.supervision)
    container.supervision.acknowledge_order(order_id, DEPARTMENT)
    container.supervision.report_rectification(
        order_id, measures="已组织培训", evidence=None, by=DEPARTMENT
    )
    return order_id


# Who gets which page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "page", "expected"),
    [
        ("inspector", "list", 200),
        ("operator", "list", 200),
        ("own", "list", 200),
        ("admin", "list", 403),
        ("inspector", "new", 200),
        ("operator", "new", 403),
        ("own", "new", 403),
        ("admin", "new", 403),
        ("inspector", "order", 200),
        ("operator", "order", 200),
        ("own", "order", 200),
        ("other", "order", 403),
        ("admin", "order", 403),
    ],
)
def test_each_page_is_served_to_its_roles_and_refused_in_chinese_to_the_others(
    client: TestClient, container: Container, who: str, page: str, expected: int
) -> None:
    # given an order to the sample department
    order_id = issued_order(container.supervision)
    sign_in_as(client, container, who)

    # when
    answer = client.get(
        {"list": "/console/orders", "new": "/console/orders/new", "order": page_of(order_id)}[page]
    )

    # then
    assert answer.status_code == expected
    if expected == 403:
        assert "无法完成操作" in answer.text
        assert (NOT_THEIRS if who == "other" else ROLE_REFUSED) in answer.text
    else:
        assert '<html lang="zh-CN">' in answer.text


def test_an_unknown_order_is_a_chinese_404_page(client: TestClient, container: Container) -> None:
    sign_in_as(client, container, "inspector")

    answer = client.get(page_of(UUID(int=7)))

    assert answer.status_code == 404
    assert "未找到该整改通知。" in answer.text


# The list ----------------------------------------------------------------------------------


def test_the_list_shows_orders_with_status_due_date_and_time_left_and_filters_them(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given one order to each department, the first acknowledged
    mine = issued_order(container.supervision, problem="叫号系统长期故障")
    container.supervision.acknowledge_order(mine, DEPARTMENT)
    issued_order(container.supervision, department=OTHER_DEPARTMENT, window=None, problem="无人")
    catch_up()
    sign_in_as(client, container, "inspector")

    # when
    everything = client.get("/console/orders")
    acknowledged = client.get("/console/orders", params={"status": "in_progress"})
    searched = client.get("/console/orders", params={"q": "无人"})

    # then
    assert everything.status_code == 200
    assert_shows(
        everything,
        "叫号系统长期故障",
        ">无人<",
        "整改中",
        "time-left time-left--ok",
        f'href="/console/orders/{mine}"',
    )
    assert "叫号系统长期故障" in acknowledged.text
    assert ">无人<" not in acknowledged.text
    assert ">无人<" in searched.text
    assert "叫号系统长期故障" not in searched.text


def test_a_department_lists_only_its_own_orders_even_when_it_asks_for_another(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    issued_order(container.supervision, problem="本部门窗口问题")
    issued_order(container.supervision, department=OTHER_DEPARTMENT, window=None, problem="他部门")
    catch_up()
    sign_in_as(client, container, "own")

    # when
    page = client.get("/console/orders", params={"department": OTHER_DEPARTMENT})

    # then
    assert page.status_code == 200
    assert "本部门窗口问题" in page.text
    assert "他部门" not in page.text
    assert 'id="department"' not in page.text


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"q": "告知\x00"}, error_message("invalid_character")),
        ({"issued_from": "2026-02-30"}, "下发日期起："),
        ({"issued_from": "2026-12-01", "issued_to": "2026-11-01"}, "格式不正确"),
        ({"status": "lost"}, "状态："),
        ({"cursor": "!!"}, "页码："),
    ],
    ids=["NUL in the text", "no such day", "range backwards", "unknown status", "bad cursor"],
)
def test_bad_filters_are_said_in_chinese_on_the_list(
    client: TestClient, container: Container, params: dict[str, str], problem: str
) -> None:
    sign_in_as(client, container, "inspector")

    page = client.get("/console/orders", params=params)

    assert page.status_code == 422
    assert problem in page.text


def test_a_forged_cursor_is_refused_in_chinese(client: TestClient, container: Container) -> None:
    sign_in_as(client, container, "inspector")

    page = client.get("/console/orders", params={"cursor": "abc"})

    assert page.status_code == 422
    assert "无法完成操作" in page.text or "提交的内容有误" in page.text


# Issuing -----------------------------------------------------------------------------------


def test_the_inspector_issues_an_order_through_the_form_and_lands_on_its_page(
    client: TestClient, container: Container
) -> None:
    # given
    inspector = sign_in_as(client, container, "inspector")
    form = inspector.get("/console/orders/new").text

    # when
    answer = post_form(inspector, "/console/orders/new", ISSUE_FORM)
    page = inspector.get(answer.headers["location"])

    # then the form carries the accessible names of §13, and the order was issued by the person
    for name in ("整改部门", "整改问题", "整改要求", "期限（工作日）"):
        assert f">{name}</label>" in form
    assert ">下发整改通知</button>" in form
    assert answer.status_code == 303
    order_id = UUID(answer.headers["location"].rsplit("/", 1)[1])
    order = container.supervision.get_order(order_id, INSPECTOR)
    assert order.status == OrderStatus.ISSUED.value
    assert order.working_days == 5
    assert (order.source_type, order.source_ref) == ("inspection", "2026年11月暗访")
    assert_shows(
        page,
        "已下发整改通知",
        "王督查",  # the timeline names the person
        "组织窗口人员学习一次性告知制度",
    )


def test_the_case_pages_link_fills_the_form_with_the_case_and_its_department(
    client: TestClient, container: Container
) -> None:
    # given a case assigned to the sample department
    case_id = assigned_case(container.supervision)
    case = container.supervision.get_case(case_id, INSPECTOR)
    inspector = sign_in_as(client, container, "inspector")

    # when
    case_page = inspector.get(f"/console/cases/{case_id}").text
    form = inspector.get(f"/console/orders/new?case={case_id}").text

    # then
    assert f'href="/console/orders/new?case={case_id}"' in case_page
    assert_shows(
        form,
        f'<option value="{SAMPLE_DEPARTMENT}" selected>',
        '<option value="case" selected>',
        f'value="{case.tracking_number}"',
    )


def test_the_case_page_offers_no_order_link_to_an_operator(
    client: TestClient, container: Container
) -> None:
    case_id = assigned_case(container.supervision)
    operator = sign_in_as(client, container, "operator")

    page = operator.get(f"/console/cases/{case_id}").text

    assert "/console/orders/new?case=" not in page


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"problem": ""}, "整改问题：请填写。"),
        ({"requirements": "  "}, "整改要求：请填写。"),
        ({"problem": "告知\x00"}, "整改问题："),
        ({"requirements": "\x1b[2J"}, "整改要求："),
        ({"working_days": "0"}, "期限（工作日）："),
        ({"working_days": "-3"}, "期限（工作日）："),
        ({"working_days": "61"}, "期限（工作日）："),
        ({"working_days": "9" * 40}, "期限（工作日）："),
        ({"working_days": "五"}, "期限（工作日）："),
        ({"department": "no such/one"}, "整改部门："),
        ({"source_type": "rumour"}, "整改来源："),
        ({"problem": "长" * 2001}, "整改问题：内容过长"),
    ],
    ids=[
        "no problem",
        "blank requirements",
        "NUL",
        "control characters",
        "zero days",
        "negative days",
        "too many days",
        "huge number",
        "not a number",
        "malformed department",
        "unknown source",
        "problem too long",
    ],
)
def test_a_refused_issue_form_says_what_is_wrong_in_chinese_and_keeps_the_text(
    client: TestClient, container: Container, changes: dict[str, str], problem: str
) -> None:
    inspector = sign_in_as(client, container, "inspector")

    answer = post_form(inspector, "/console/orders/new", {**ISSUE_FORM, **changes})

    assert answer.status_code == 422
    assert problem in answer.text
    assert "组织窗口人员学习一次性告知制度" in answer.text or "requirements" in changes


def test_a_window_of_another_department_is_refused_by_the_application_in_chinese(
    client: TestClient, container: Container
) -> None:
    inspector = sign_in_as(client, container, "inspector")

    answer = post_form(
        inspector, "/console/orders/new", {**ISSUE_FORM, "department": OTHER_DEPARTMENT}
    )

    assert answer.status_code in (409, 422)
    assert "请修改以下内容" in answer.text


# The order page and its actions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "state", "expected"),
    [
        ("own", "issued", {"签收"}),
        ("inspector", "issued", {"催办"}),
        ("operator", "issued", {"催办"}),
        ("own", "in_progress", {"挂起", "申请延期", "报告整改情况"}),
        ("own", "reported", set()),
        ("inspector", "reported", {"验收通过", "驳回"}),
        ("operator", "reported", set()),
    ],
)
def test_each_person_sees_exactly_the_actions_the_order_allows_them_now(
    client: TestClient, container: Container, who: str, state: str, expected: set[str]
) -> None:
    # given
    order_id = {
        "issued": lambda: issued_order(container.supervision),
        "in_progress": lambda: _acknowledged(container),
        "reported": lambda: reported(container),
    }[state]()
    sign_in_as(client, container, who)

    # when
    page = client.get(page_of(order_id))

    # then
    assert page.status_code == 200
    assert actions(page.text) == expected


def _acknowledged(container: Container) -> UUID:
    order_id = issued_order(container.supervision)
    container.supervision.acknowledge_order(order_id, DEPARTMENT)
    return order_id


def test_the_department_acknowledges_and_reports_and_the_inspector_rejects_then_accepts(
    client: TestClient, container: Container
) -> None:
    # given an order and the two people
    order_id = issued_order(container.supervision, working_days=5)
    page = page_of(order_id)
    app = container.supervision

    # when the department acknowledges and reports
    department = sign_in_as(client, container, "own")
    acknowledged = post_action(department, page, "acknowledge", {})
    first_report = post_action(
        department, page, "report", {"measures": "已组织培训", "evidence": "签到表"}
    )

    # and the inspector rejects with reasons and a new term
    inspector = sign_in_as(client, container, "inspector")
    rejected = post_action(
        inspector, page, "reject", {"reasons": "告知清单不完整", "working_days": "3"}
    )
    after_rejection = app.get_order(order_id, INSPECTOR)

    # then the department sees the rejection, its reasons and the new due date
    department = sign_in_as(client, container, "own")
    seen = department.get(page).text
    second_report = post_action(department, page, "report", {"measures": "已补全告知清单并张贴"})

    # and the inspector accepts
    inspector = sign_in_as(client, container, "inspector")
    accepted = post_action(inspector, page, "accept", {"note": "合格"})
    closed = inspector.get(page).text

    for answer in (acknowledged, first_report, rejected, second_report, accepted):
        assert answer.status_code == 303
        assert answer.headers["location"] == page
    assert after_rejection.status == OrderStatus.IN_PROGRESS.value
    assert "驳回记录" in seen
    assert "告知清单不完整" in seen
    assert after_rejection.deadline is not None
    new_due = after_rejection.deadline.due_at.astimezone(after_rejection.issued_at.tzinfo)
    assert f"{new_due:%Y-%m-%d %H:%M}" in seen
    assert app.get_order(order_id, INSPECTOR).status == OrderStatus.CLOSED.value
    assert_shows(closed, "已验收办结", "当前状态下您无需对该整改通知进行操作。", "合格")


def test_the_inspector_grants_an_extension_the_department_asked_for(
    client: TestClient, container: Container
) -> None:
    # given
    order_id = _acknowledged(container)
    page = page_of(order_id)
    department = sign_in_as(client, container, "own")
    asked = post_action(
        department,
        page,
        "request_extension",
        {"working_days": "3", "reason": "需要采购新的叫号设备"},
    )

    # when
    inspector = sign_in_as(client, container, "inspector")
    offered = actions(inspector.get(page).text)
    granted = post_action(inspector, page, "grant_extension", {})

    # then
    assert asked.status_code == 303
    assert offered == {"批准延期", "驳回延期", "催办"}
    assert granted.status_code == 303
    assert container.supervision.get_order(order_id, INSPECTOR).pending_extension is None


@pytest.mark.parametrize(
    ("action", "form", "problem"),
    [
        ("reject", {"reasons": "", "working_days": "3"}, "驳回原因：请填写。"),
        ("reject", {"reasons": "不完整", "working_days": "0"}, "重新整改期限（工作日）："),
        ("reject", {"reasons": "不完整", "working_days": "9" * 30}, "重新整改期限（工作日）："),
        ("reject", {"reasons": "不完整\x00", "working_days": "3"}, "驳回原因："),
        ("accept", {"note": "好\x07"}, "验收意见："),
    ],
    ids=["no reasons", "zero days", "huge days", "NUL in reasons", "control in note"],
)
def test_a_refused_verdict_is_said_in_chinese_and_the_order_stays_reported(
    client: TestClient, container: Container, action: str, form: dict[str, str], problem: str
) -> None:
    order_id = reported(container)
    page = page_of(order_id)
    inspector = sign_in_as(client, container, "inspector")

    answer = post_action(inspector, page, action, form)

    assert answer.status_code == 422
    assert problem in answer.text
    assert container.supervision.get_order(order_id, INSPECTOR).status == "reported"


def test_an_action_the_order_no_longer_allows_is_refused_in_chinese(
    client: TestClient, container: Container
) -> None:
    # given an order already acknowledged
    order_id = _acknowledged(container)
    page = page_of(order_id)
    department = sign_in_as(client, container, "own")

    # when it is acknowledged again (a second tab)
    answer = post_action(department, page, "acknowledge", {})

    # then
    assert answer.status_code == 409
    assert "整改通知当前状态不允许此操作。" in answer.text


def test_another_department_can_neither_read_nor_act_on_an_order(
    client: TestClient, container: Container
) -> None:
    order_id = issued_order(container.supervision)
    other = sign_in_as(client, container, "other")

    read = other.get(page_of(order_id))
    acted = post_form(other, f"{page_of(order_id)}/acknowledge", {}, from_page="/console/orders")

    assert read.status_code == 403
    assert NOT_THEIRS in read.text
    assert acted.status_code == 403
    assert container.supervision.get_order(order_id, INSPECTOR).status == "issued"


def test_an_action_of_another_role_is_refused_before_anything_is_read(
    client: TestClient, container: Container
) -> None:
    order_id = reported(container)
    department = sign_in_as(client, container, "own")

    answer = post_action(department, page_of(order_id), "accept", {})

    assert answer.status_code == 403
    assert ROLE_REFUSED in answer.text
    assert container.supervision.get_order(order_id, INSPECTOR).status == "reported"
