"""The case page (/console/cases/{id}) through the ASGI client: what each role sees and may
do, the same refusals and masking as the API, and the actions changing the case."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from interfaces.web.csrf import FORM_TOKEN_FIELD
from tests.factories import (
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    assigned_case,
    registered_case,
    registration,
)
from tests.web_support import ORIGIN, assert_shows, post_action, signed_in

OPERATOR = Actor("operator-1", Role.OPERATOR, name="李小红")
BUTTON = re.compile(r'<button type="submit" class="button">([^<]+)</button>')
ACTIONS = re.compile(r'<section class="card case-actions".*?</section>', re.S)


def page_of(case_id: UUID) -> str:
    return f"/console/cases/{case_id}"


def buttons(html: str) -> set[str]:
    """The names of the action buttons on a case page."""
    found = ACTIONS.search(html)
    assert found, "the page has no actions section"
    return set(BUTTON.findall(found.group(0)))


def as_department(client: TestClient, container: Container) -> TestClient:
    return signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)


@pytest.fixture
def case_id(container: Container) -> UUID:
    """A case 李小红 registered and assigned to the sample department."""
    return assigned_case(container.supervision, OPERATOR)


def acknowledged(container: Container) -> UUID:
    case_id = assigned_case(container.supervision, OPERATOR)
    deeds = Actor("deeds", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    container.supervision.acknowledge_case(case_id, deeds)
    return case_id


@pytest.fixture
def acknowledged_case_id(container: Container) -> UUID:
    """A case assigned to the sample department and acknowledged by it."""
    return acknowledged(container)


@pytest.mark.parametrize(
    ("role", "state", "expected"),
    [
        (Role.OPERATOR, "registered", {"派单", "合并"}),
        (Role.INSPECTOR, "registered", {"派单", "合并"}),
        (Role.OPERATOR, "assigned", {"派单", "合并", "催办"}),
        (Role.DEPARTMENT, "assigned", {"签收", "退单"}),
        (Role.DEPARTMENT, "in_progress", {"退单", "挂起", "申请延期", "提交办理结果"}),
        (Role.OPERATOR, "in_progress", {"合并", "催办"}),
    ],
)
def test_each_role_sees_exactly_the_buttons_it_may_use_in_each_state(
    client: TestClient, container: Container, role: Role, state: str, expected: set[str]
) -> None:
    case_id = {
        "registered": lambda: registered_case(container.supervision, OPERATOR),
        "assigned": lambda: assigned_case(container.supervision, OPERATOR),
        "in_progress": lambda: acknowledged(container),
    }[state]()
    department = SAMPLE_DEPARTMENT if role is Role.DEPARTMENT else None
    signed_in(client, container, role, department=department)

    page = client.get(page_of(case_id))

    assert page.status_code == 200, page.text
    assert buttons(page.text) == expected


def test_the_page_shows_the_facts_both_deadlines_and_the_timeline_naming_the_person(
    client: TestClient, container: Container, case_id: UUID
) -> None:
    as_department(client, container)

    page = client.get(page_of(case_id)).text

    assert_shows(
        page,
        "窗口人员态度生硬",
        "签收期限",
        "办结期限",
        "次日起算 15 个工作日",
        "time-left--",
        "李小红",
        "话务员",
        "派单",
    )


def test_a_department_sees_the_complainant_masked_and_an_operator_sees_them_whole(
    client: TestClient, container: Container, case_id: UUID
) -> None:

    operator_page = signed_in(client, container, Role.OPERATOR).get(page_of(case_id)).text
    client.cookies.clear()
    department_page = as_department(client, container).get(page_of(case_id)).text

    assert "13812345678" in operator_page
    assert "13812345678" not in department_page
    assert "138****5678" in department_page


def test_a_department_cannot_open_another_departments_case(
    client: TestClient, container: Container, case_id: UUID
) -> None:
    signed_in(client, container, Role.DEPARTMENT, department=OTHER_DEPARTMENT)

    page = client.get(page_of(case_id))

    assert page.status_code == 403
    assert "只有承办部门可以办理或查看该工单" in page.text
    assert "13812345678" not in page.text


def test_an_admin_cannot_open_a_case_page(
    client: TestClient, container: Container, case_id: UUID
) -> None:
    signed_in(client, container, Role.ADMIN)

    assert client.get(page_of(case_id)).status_code == 403


def test_an_unknown_case_is_a_chinese_404(client: TestClient, container: Container) -> None:
    signed_in(client, container, Role.OPERATOR)

    page = client.get(page_of(UUID(int=7)))

    assert page.status_code == 404
    assert "未找到该工单" in page.text


def test_a_visitor_is_sent_to_sign_in(client: TestClient, container: Container) -> None:
    case_id = registered_case(container.supervision, OPERATOR)

    page = client.get(page_of(case_id), follow_redirects=False)

    assert page.status_code == 303
    assert page.headers["location"].startswith("/console/sign-in")


def test_a_department_acknowledges_through_the_page_and_the_history_names_the_person(
    client: TestClient, container: Container, case_id: UUID
) -> None:
    signed_in(
        client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT, name="不动产登记窗口"
    )

    answer = post_action(client, page_of(case_id), "acknowledge", {})

    assert answer.status_code == 303
    assert answer.headers["location"] == page_of(case_id)
    inspector = Actor("inspector-1", Role.INSPECTOR)
    assert container.supervision.get_case(case_id, inspector).status == "in_progress"
    last = container.supervision.case_history(case_id, inspector)[-1]
    assert last.type == "Acknowledged"
    assert last.actor
    assert last.actor["name"] == "不动产登记窗口"
    after = client.get(answer.headers["location"]).text
    assert "已签收" in after
    assert "不动产登记窗口" in after


def test_a_department_returns_a_case_with_its_reason(
    client: TestClient, container: Container, case_id: UUID
) -> None:
    as_department(client, container)

    answer = post_action(client, page_of(case_id), "return", {"reason": "不属于本部门职责"})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/"
    case = container.supervision.get_case(case_id, Actor("op", Role.OPERATOR))
    assert case.status == "returned"


def test_a_department_posts_its_result_through_the_page(
    client: TestClient, container: Container, acknowledged_case_id: UUID
) -> None:
    as_department(client, container)

    answer = post_action(
        client,
        page_of(acknowledged_case_id),
        "post_result",
        {"outcome": "substantiated", "actions": "批评教育", "answer": "经核实属实，已整改"},
    )

    assert answer.status_code == 303
    case = container.supervision.get_case(acknowledged_case_id, Actor("op", Role.OPERATOR))
    assert case.status == "answered"
    assert case.result == {
        "outcome": "substantiated",
        "actions": "批评教育",
        "answer": "经核实属实，已整改",
    }


def test_a_refusal_is_shown_in_chinese_with_the_form_kept(
    client: TestClient, container: Container, case_id: UUID
) -> None:
    as_department(client, container)

    answer = post_action(
        client, page_of(case_id), "post_result", {"outcome": "resolved", "answer": "我的答复草稿"}
    )

    assert answer.status_code == 409
    assert "请先签收工单，再提交办理结果。" in answer.text
    assert "我的答复草稿" in answer.text


@pytest.mark.parametrize(
    ("reason", "says"),
    [("", "退单理由：请填写。"), ("不是\x00我们的", "控制字符")],
    ids=["missing", "nul"],
)
def test_a_return_without_a_storable_reason_is_refused_in_chinese(
    client: TestClient, container: Container, reason: str, says: str, case_id: UUID
) -> None:
    as_department(client, container)

    answer = post_action(client, page_of(case_id), "return", {"reason": reason})

    assert answer.status_code == 422
    assert says in answer.text
    case = container.supervision.get_case(case_id, Actor("op", Role.OPERATOR))
    assert case.status == "assigned"


@pytest.mark.parametrize("days", ["-1", "999999999999999999999", "两天"])
def test_an_extension_of_an_impossible_number_of_days_is_refused_in_chinese(
    client: TestClient, container: Container, days: str, acknowledged_case_id: UUID
) -> None:
    as_department(client, container)

    answer = post_action(
        client,
        page_of(acknowledged_case_id),
        "request_extension",
        {"working_days": days, "reason": "需要现场勘查"},
    )

    assert answer.status_code == 422
    assert "延期工作日数：" in answer.text


def test_a_form_without_the_visitors_token_is_refused(
    client: TestClient, container: Container, case_id: UUID
) -> None:
    as_department(client, container)
    client.get(page_of(case_id))

    answer = client.post(
        f"{page_of(case_id)}/acknowledge",
        data={FORM_TOKEN_FIELD: "forged"},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )

    assert answer.status_code == 403
    assert "页面已过期或来自其他网站" in answer.text
    case = container.supervision.get_case(case_id, Actor("op", Role.OPERATOR))
    assert case.status == "assigned"


def test_an_operator_cannot_take_a_departments_action(
    client: TestClient, container: Container, case_id: UUID
) -> None:
    signed_in(client, container, Role.OPERATOR)

    answer = post_action(client, page_of(case_id), "acknowledge", {})

    assert answer.status_code == 403
    assert "您的角色无权进行此操作" in answer.text


def test_an_operator_assigns_and_merges_a_duplicate_by_its_tracking_number(
    client: TestClient, container: Container
) -> None:
    first = registration(container.supervision, OPERATOR).case
    duplicate = registered_case(container.supervision, OPERATOR)
    worker = container.worker()
    worker.run_once()
    worker.close()
    signed_in(client, container, Role.OPERATOR)

    assigned = post_action(
        client, page_of(first.id), "assign", {"department": SAMPLE_DEPARTMENT, "note": "请核实"}
    )
    merged = post_action(
        client, page_of(duplicate), "merge", {"into": first.tracking_number.lower()}
    )

    assert assigned.status_code == 303, assigned.text
    assert merged.status_code == 303, merged.text
    viewer = Actor("op", Role.OPERATOR)
    assert container.supervision.get_case(first.id, viewer).status == "assigned"
    assert container.supervision.get_case(duplicate, viewer).merged_into == str(first.id)


def test_a_merge_into_an_unknown_tracking_number_is_refused_in_chinese(
    client: TestClient, container: Container
) -> None:
    case_id = registered_case(container.supervision, OPERATOR)
    signed_in(client, container, Role.OPERATOR)

    answer = post_action(client, page_of(case_id), "merge", {"into": "HL20000101-9999"})

    assert answer.status_code == 404
    assert "未找到该工单" in answer.text
