"""The administrator's outbox page (外发消息, §17): the list and its state filter, a message
with its attempts, 重新发送 for a dead one; other roles get the Chinese 403 page."""

from __future__ import annotations

from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from domain.labels import error_message
from interfaces.bootstrap import Container
from tests.factories import SAMPLE_DEPARTMENT, assigned_case
from tests.outbox_rows import add_attempt, insert_delivered_sms, insert_message
from tests.web_support import assert_error_page, assert_shows, post_form, signed_in

PAGE = "/console/admin/outbox"
NEW = "/console/cases/new"


def test_an_administrator_lists_filters_reads_and_resends_a_dead_message(
    client: TestClient, container: Container
) -> None:
    url = container.database_url
    dead = insert_message(url, subject="新派单：诉求 HL20261127-0001")
    add_attempt(url, dead, 1, "connection refused")
    insert_message(url, state="delivered", subject="督办：诉求 HL20261127-0002")
    signed_in(client, container, Role.ADMIN)

    everything = client.get(PAGE).text
    assert_shows(everything, "<h1>外发消息</h1>", "HL20261127-0001", "HL20261127-0002")
    only_dead = client.get(f"{PAGE}?state=dead").text
    assert "HL20261127-0001" in only_dead
    assert "HL20261127-0002" not in only_dead

    page = f"{PAGE}/{dead}"
    shown = client.get(page).text
    assert "connection refused" in shown
    assert "重新发送" in shown
    answer = post_form(client, f"{page}/resend", {}, from_page=page)
    assert answer.status_code == 303
    after = client.get(answer.headers["location"]).text
    assert "已重新加入发送队列。" in after
    assert "待发送" in after
    assert "重新发送</button>" not in after


def test_resending_a_message_not_dead_is_refused_in_chinese(
    client: TestClient, container: Container
) -> None:
    dead = insert_message(container.database_url)
    signed_in(client, container, Role.ADMIN)
    page = f"{PAGE}/{dead}"
    post_form(client, f"{page}/resend", {}, from_page=page)
    again = post_form(client, f"{page}/resend", {}, from_page=page)
    assert error_message("outbox_message_not_dead") in client.get(again.headers["location"]).text


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.INSPECTOR])
def test_the_outbox_is_for_administrators_alone(
    client: TestClient, container: Container, role: Role
) -> None:
    signed_in(client, container, role)
    answer = client.get(PAGE)
    assert_error_page(answer, 403)


@pytest.mark.parametrize("query", ["state=lost", "cursor=%00", "cursor=abc", "limit=-1"])
def test_bad_parameters_of_the_outbox_page_are_refused_with_a_page(
    query: str, admin: TestClient
) -> None:
    answer = admin.get(f"{PAGE}?{query}")
    assert 400 <= answer.status_code < 500
    assert '<html lang="zh-CN">' in answer.text


def test_an_unknown_message_is_a_chinese_404(admin: TestClient) -> None:
    answer = admin.get(f"{PAGE}/00000000-0000-4000-8000-000000000009")
    assert_error_page(answer, 404)


def test_the_case_page_tells_the_centre_what_was_sent_about_the_case(
    client: TestClient, container: Container
) -> None:
    case_id = assigned_case(container.supervision)
    insert_delivered_sms(container.database_url, case_id=case_id, record_id=case_id)
    signed_in(client, container, Role.OPERATOR)
    page = client.get(f"/console/cases/{case_id}").text
    assert_shows(page, "通知记录", "138****5678", "诉求已登记", "已送达")


def test_a_departments_case_page_shows_no_notifications(
    client: TestClient, container: Container
) -> None:
    case_id = assigned_case(container.supervision)
    insert_message(container.database_url, case_id=case_id, record_id=case_id)
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    page = client.get(f"/console/cases/{case_id}")
    assert page.status_code == 200
    assert "通知记录" not in page.text


INTAKE = {
    "kind": "complaint",
    "channel": "hotline",
    "window": "W-A01",
    "summary": "窗口人员态度生硬",
    "complainant_name": "王芳",
}


def test_an_operator_records_the_callers_consent_to_sms_on_the_intake_form(
    client: TestClient, container: Container
) -> None:
    signed_in(client, container, Role.OPERATOR)
    assert '<label for="complainant_notify">同意短信通知</label>' in client.get(NEW).text

    answer = post_form(
        client, NEW, {**INTAKE, "complainant_phone": "13812345678", "complainant_notify": "true"}
    )
    assert answer.status_code == 303, answer.text
    (case_id,) = registered_case_ids(container)
    assert container.supervision.repository.get(case_id).complainant["notify"] is True


def test_consent_to_sms_without_a_phone_is_refused_in_chinese(
    client: TestClient, container: Container
) -> None:
    signed_in(client, container, Role.OPERATOR)
    answer = post_form(client, NEW, {**INTAKE, "complainant_notify": "true"})
    assert answer.status_code == 409
    assert error_message("notify_without_phone") in answer.text
    assert (
        'id="complainant_notify" name="complainant_notify" type="checkbox" value="true" checked'
        in (answer.text)
    )
    assert registered_case_ids(container) == []


def registered_case_ids(container: Container) -> list[UUID]:
    with psycopg.connect(container.database_url) as connection:
        rows = connection.execute(
            "SELECT originator_id FROM oversight_events WHERE topic = 'oversight:Case.Registered'"
        ).fetchall()
    return [row[0] for row in rows]
