"""Reminders by hand in the console (人工催办): the 催办 form on the case page and the order
page for operators and inspectors, its refusals, the timeline quoting each message, and the
催办 badge with its count in the department's inbox."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from tests.factories import SAMPLE_DEPARTMENT, assigned_case, issued_order
from tests.web_support import post_action, signed_in

OPERATOR = Actor("operator-1", Role.OPERATOR, name="李小红")
MESSAGE = "请今天下班前联系诉求人并反馈办理进展"


def case_page(case_id: UUID) -> str:
    return f"/console/cases/{case_id}"


def order_page(order_id: UUID) -> str:
    return f"/console/orders/{order_id}"


def test_an_operator_reminds_from_the_case_page_and_the_timeline_quotes_the_message(
    client: TestClient, container: Container
) -> None:
    case_id = assigned_case(container.supervision, OPERATOR)
    operator = signed_in(client, container, Role.OPERATOR, name="李小红")
    form = operator.get(case_page(case_id)).text
    assert '<label for="remind-message">催办内容</label>' in form

    sent = post_action(operator, case_page(case_id), "remind", {"message": MESSAGE})

    assert sent.status_code == 303
    assert sent.headers["location"] == case_page(case_id)
    shown = operator.get(case_page(case_id)).text
    assert "已催办" in shown
    assert "人工催办" in shown
    assert MESSAGE in shown
    (reminder,) = container.supervision.get_case(case_id, OPERATOR).reminders
    assert (reminder["role"], reminder["name"]) == ("operator", "李小红")


def test_an_inspector_reminds_from_the_order_page(client: TestClient, container: Container) -> None:
    order_id = issued_order(container.supervision)
    inspector = signed_in(client, container, Role.INSPECTOR)

    sent = post_action(inspector, order_page(order_id), "remind", {"message": MESSAGE})

    assert sent.status_code == 303
    shown = inspector.get(order_page(order_id)).text
    assert "人工催办" in shown
    assert MESSAGE in shown


@pytest.mark.parametrize(
    ("message", "status"),
    [("", 422), ("   ", 422), ("请\u0000尽快", 422), ("催" * 2_001, 422)],
    ids=["empty", "blank", "nul", "too long"],
)
def test_a_bad_message_comes_back_on_the_page_and_nothing_is_recorded(
    client: TestClient, container: Container, message: str, status: int
) -> None:
    case_id = assigned_case(container.supervision, OPERATOR)
    operator = signed_in(client, container, Role.OPERATOR)

    refused = post_action(operator, case_page(case_id), "remind", {"message": message})

    assert refused.status_code == status
    assert "催办内容" in refused.text
    assert container.supervision.get_case(case_id, OPERATOR).reminders == []


def test_a_closed_order_offers_no_reminder_and_refuses_one_in_chinese(
    client: TestClient, container: Container
) -> None:
    app = container.supervision
    order_id = issued_order(app)
    deeds = Actor("deeds", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    app.acknowledge_order(order_id, deeds)
    app.report_rectification(order_id, measures="已整改", evidence=None, by=deeds)
    app.accept_rectification(order_id, note=None, by=Actor("inspector-1", Role.INSPECTOR))
    inspector = signed_in(client, container, Role.INSPECTOR)
    assert (
        'action="/console/orders/' + str(order_id) + '/remind"'
        not in inspector.get(order_page(order_id)).text
    )

    refused = post_action(inspector, order_page(order_id), "remind", {"message": MESSAGE})

    assert refused.status_code == 409
    assert "整改通知已验收办结" in refused.text


def test_a_department_has_no_reminder_form_and_may_not_post_one(
    client: TestClient, container: Container
) -> None:
    case_id = assigned_case(container.supervision, OPERATOR)
    department = signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    assert "催办内容" not in department.get(case_page(case_id)).text

    refused = post_action(department, case_page(case_id), "remind", {"message": MESSAGE})

    assert refused.status_code == 403
    assert container.supervision.get_case(case_id, OPERATOR).reminders == []


def test_the_department_inbox_shows_a_reminder_badge_with_the_count(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    reminded = assigned_case(container.supervision, OPERATOR, summary="被催办的工单")
    assigned_case(container.supervision, OPERATOR, summary="未被催办的工单")
    container.supervision.remind_case(reminded, message=MESSAGE, by=OPERATOR)
    container.supervision.remind_case(reminded, message="再次催办", by=OPERATOR)
    catch_up()
    department = signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)

    inbox = department.get("/console/").text

    assert inbox.count("催办 2 次") == 1
    # the message may quote the complainant: the department reads it on the case page, masked
    assert "再次催办" not in inbox
