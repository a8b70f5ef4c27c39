"""The audit pages through the ASGI client: the event feed with its filters, any record's
history, and the verification of the ledger with its checkpoints (§8)."""

from __future__ import annotations

import json
from collections.abc import Callable
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from tests.factories import OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, assign, registered_case
from tests.web_support import assert_hides, assert_refused, assert_shows, post_form, signed_in

OPERATOR = Actor("li.si", Role.OPERATOR, request_id="req-assign-1", name="李四")
DEPARTMENT = Actor(
    "deeds.clerk", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT, request_id="req-return-1"
)
FEED, VERIFY = "/console/audit", "/console/audit/verify"


@pytest.fixture
def returned_case(container: Container, catch_up: Callable[[], object]) -> UUID:
    """A case assigned by a named operator and returned by the deeds office with a reason."""
    app = container.supervision
    case_id = registered_case(app, summary="排队无人受理")
    assign(app, case_id, OPERATOR)
    app.return_case(case_id, reason="应由税务局办理", by=DEPARTMENT)
    catch_up()
    return case_id


def test_the_feed_shows_each_event_with_its_actors_name_and_links_to_the_records_history(
    inspector: TestClient, returned_case: UUID
) -> None:
    # when
    page = inspector.get(FEED)

    # then
    assert page.status_code == 200
    assert_shows(page, "<h1>审计日志</h1>", "李四", "应由税务局办理", "req-return-1")
    assert_shows(
        page, f'href="/console/audit/records/{returned_case}"', 'href="/console/audit?actor=li.si"'
    )
    assert_shows(
        page, *(f">{name}</label>" for name in ("时间起", "时间止", "操作人", "部门", "事件类型"))
    )


def test_the_feed_filters_by_event_type_actor_and_department(
    inspector: TestClient, returned_case: UUID
) -> None:
    # when
    returns = inspector.get(FEED, params={"type": "Case.Returned"})
    by_operator = inspector.get(FEED, params={"actor": "li.si"})
    taxation = inspector.get(FEED, params={"department": OTHER_DEPARTMENT})
    in_the_past = inspector.get(FEED, params={"from": "2020-01-01", "to": "2020-01-31"})
    cases = inspector.get(FEED, params={"type": "Case"})

    # then
    assert_shows(returns, "应由税务局办理", 'value="Case.Returned" selected')
    assert_hides(returns, "李四")
    assert_shows(by_operator, "李四")
    assert_hides(by_operator, "应由税务局办理")
    assert_hides(taxation, "应由税务局办理")
    assert_shows(in_the_past, "没有符合条件的事件。")
    assert_shows(cases, "应由税务局办理", "李四", 'value="Case" selected')


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"from": "2026-12-31", "to": "2026-12-01"}, "时间范围：格式不正确"),
        ({"from": "2026-13-45"}, "时间起：格式不正确"),
        ({"to": "-1"}, "时间止：格式不正确"),
        ({"department": "../etc"}, "部门：格式不正确"),
        ({"type": "Case Returned; DROP"}, "事件类型：格式不正确"),
        ({"actor": "x" * 101}, "操作人：内容过长"),
        ({"cursor": "not a cursor!"}, "页码：格式不正确"),
    ],
)
def test_bad_filter_input_is_told_in_chinese_on_the_feed(
    inspector: TestClient, params: dict[str, str], said: str
) -> None:
    page = inspector.get(FEED, params=params)

    assert_refused(page, said, "<h1>审计日志</h1>")


def test_a_control_character_or_a_forged_cursor_in_the_feeds_query_is_refused_not_a_500(
    inspector: TestClient,
) -> None:
    nul = inspector.get(FEED, params={"actor": "li\x00si"})
    forged = inspector.get(FEED, params={"cursor": "AAAAAAAA"})

    assert nul.status_code == 422
    assert "<html" in nul.text
    assert forged.status_code in (400, 422)
    assert "<html" in forged.text


def test_a_records_history_shows_every_event_with_actor_time_request_id_and_reason(
    inspector: TestClient, returned_case: UUID
) -> None:
    # when
    page = inspector.get(f"/console/audit/records/{returned_case}")

    # then
    assert page.status_code == 200
    assert "工单的完整历史" in page.text
    for event in ("登记", "派单", "退单"):
        assert f"<td>{event}</td>" in page.text
    assert_shows(page, "李四", "req-assign-1", "req-return-1", "应由税务局办理", "2026-11-27 10:00")


def test_an_unknown_record_has_no_history_page(inspector: TestClient) -> None:
    page = inspector.get("/console/audit/records/00000000-0000-0000-0000-000000000001")
    not_an_id = inspector.get("/console/audit/records/not-a-uuid")

    assert page.status_code == 404
    assert "<html" in page.text
    assert not_an_id.status_code in (404, 422)


def test_verification_says_ok_with_counts_then_names_the_first_altered_position(
    inspector: TestClient,
    container: Container,
    returned_case: UUID,
    database_url: str,
) -> None:
    # given: the store verifies clean
    clean = post_form(inspector, VERIFY, {})
    position = container.supervision.recorder.max_notification_id()
    # when: one stored event's bytes are altered behind the service's back
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE oversight_events SET state = set_byte(state, 20, get_byte(state, 20) # 4) "
            "WHERE notification_id = %s",
            (position,),
        )
    tampered = post_form(inspector, VERIFY, {})

    # then
    assert clean.status_code == 200
    assert_shows(clean, "校验通过", "已比对事件", "用时")
    assert "校验未通过" in tampered.text
    assert f"第一个有问题的位置是 {position}，记录被篡改" in tampered.text


def test_a_listed_checkpoint_checks_out_and_a_forged_or_garbled_one_is_refused_in_chinese(
    inspector: TestClient, container: Container, returned_case: UUID
) -> None:
    # given
    (checkpoint,) = container.ledger.checkpoints()
    exported = checkpoint.as_export()
    forged = {
        **exported,
        "statement": exported["statement"].replace(exported["chain_hash"], "0" * 64),
    }
    url = "/console/audit/checkpoints/verify"

    # when
    page = inspector.get(VERIFY)
    genuine = post_form(inspector, url, {"checkpoint": json.dumps(exported)}, from_page=VERIFY)
    refused = post_form(inspector, url, {"checkpoint": json.dumps(forged)}, from_page=VERIFY)
    garbled = post_form(inspector, url, {"checkpoint": "{not json"}, from_page=VERIFY)
    wrong_shape = post_form(inspector, url, {"checkpoint": '{"statement": 5}'}, from_page=VERIFY)

    # then
    assert_shows(
        page, "已签名的检查点", f'aria-label="核对检查点 {checkpoint.number}"', ">校验</button>"
    )
    assert "检查点核对通过" in genuine.text
    assert "检查点被伪造" in refused.text
    assert_refused(garbled, "请粘贴导出的检查点")
    assert_refused(wrong_shape, "检查点：")


@pytest.mark.parametrize(
    "path", [FEED, VERIFY, "/console/audit/records/00000000-0000-0000-0000-000000000001"]
)
@pytest.mark.parametrize(
    ("role", "department"),
    [(Role.OPERATOR, None), (Role.DEPARTMENT, SAMPLE_DEPARTMENT), (Role.ADMIN, None)],
)
def test_only_inspectors_get_the_audit_pages(
    client: TestClient, container: Container, path: str, role: Role, department: str | None
) -> None:
    page = signed_in(client, container, role, department=department).get(path)

    assert page.status_code == 403
    assert "无法完成操作" in page.text


def test_the_inspectors_navigation_leads_to_the_audit_pages(inspector: TestClient) -> None:
    page = inspector.get("/console/")

    assert 'href="/console/audit"' in page.text
    assert ">审计</a>" in page.text
