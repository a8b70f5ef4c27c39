"""The routing queue, the case list and the callback queue through the ASGI client."""

from __future__ import annotations

import io
from collections.abc import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.case import Outcome
from interfaces.bootstrap import Container
from tests.factories import (
    INSPECTOR,
    OPERATOR,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    registered_case,
)
from tests.web_support import assert_shows, post_form, signed_in

DEPARTMENT = Actor("dept-1", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)


@pytest.fixture
def operator(client: TestClient, container: Container) -> TestClient:
    return signed_in(client, container, Role.OPERATOR)


def test_the_routing_queue_suggests_the_windows_department_and_assigns(
    operator: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    case_id = registered_case(container.supervision, summary="排队无人受理")
    catch_up()

    # when
    page = operator.get("/console/routing")
    answer = post_form(
        operator,
        f"/console/routing/{case_id}/assign",
        {"department": SAMPLE_DEPARTMENT},
        from_page="/console/routing",
    )

    # then
    assert page.status_code == 200
    assert_shows(
        page,
        "排队无人受理",
        f'value="{SAMPLE_DEPARTMENT}" selected',
        ">承办部门</label>",
        ">派单</button>",
    )
    assert answer.status_code == 303
    assert container.supervision.get_case(case_id, INSPECTOR).assigned_department == (
        SAMPLE_DEPARTMENT
    )


def test_a_returned_case_shows_its_reason_and_may_be_arbitrated(
    operator: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    app = container.supervision
    case_id = registered_case(app)
    app.assign_case(
        case_id, department=SAMPLE_DEPARTMENT, urgent=None, final=False, note=None, by=OPERATOR
    )
    app.return_case(case_id, reason="应由税务局办理", by=DEPARTMENT)
    catch_up()

    # when
    page = operator.get("/console/routing")
    answer = post_form(
        operator,
        f"/console/routing/{case_id}/assign",
        {"department": OTHER_DEPARTMENT, "final": "true"},
        from_page="/console/routing",
    )

    # then
    assert "应由税务局办理" in page.text
    assert "审定" in page.text
    assert answer.status_code == 303
    assert app.get_case(case_id, INSPECTOR).final is True


def test_assigning_to_an_unknown_department_is_refused_in_chinese(
    operator: TestClient, container: Container
) -> None:
    # given
    case_id = registered_case(container.supervision)

    # when
    answer = post_form(
        operator,
        f"/console/routing/{case_id}/assign",
        {"department": "no-such-department"},
        from_page="/console/routing",
    )
    page = operator.get("/console/routing")

    # then
    assert answer.status_code == 303
    assert "flash--error" in page.text


def test_the_case_list_filters_pages_and_refuses_bad_dates_in_chinese(
    operator: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    registered_case(container.supervision, summary="材料被退回三次")
    registered_case(container.supervision, summary="叫号系统故障")
    catch_up()

    # when
    found = operator.get("/console/cases", params={"q": "叫号", "status": "registered"})
    bad = operator.get("/console/cases", params={"registered_from": "2026-13-40"})
    huge = operator.get("/console/cases", params={"due_within": "99999999999999999999"})
    nul = operator.get("/console/cases", params={"q": "叫\x00号"})

    # then
    assert found.status_code == 200
    assert "叫号系统故障" in found.text
    assert "材料被退回三次" not in found.text
    assert bad.status_code == 422
    assert "登记日期起" in bad.text
    assert huge.status_code == 422
    assert nul.status_code == 422


def test_the_filtered_list_exports_to_xlsx(
    operator: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    registered_case(container.supervision, summary='=HYPERLINK("x")')
    catch_up()

    # when
    answer = operator.get("/console/cases/export.xlsx", params={"kind": "complaint"})

    # then
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    assert sheet["A2"].value == "流水号"
    assert sheet["I3"].value == '=HYPERLINK("x")'
    assert sheet["I3"].data_type == "s"


def test_filters_are_saved_applied_and_deleted_per_account(
    operator: TestClient, container: Container
) -> None:
    # when
    saved = post_form(
        operator,
        "/console/cases/filters",
        {"name": "我的超期件", "query": "overdue=true&kind=complaint"},
        from_page="/console/cases",
    )
    listed = operator.get("/console/cases")
    deleted = post_form(
        operator,
        "/console/cases/filters/delete",
        {"name": "我的超期件"},
        from_page="/console/cases",
    )
    after = operator.get("/console/cases")

    # then
    assert saved.status_code == 303
    assert 'href="/console/cases?kind=complaint&amp;overdue=true">我的超期件</a>' in listed.text
    assert deleted.status_code == 303
    assert "我的超期件</a>" not in after.text


def test_a_saved_filter_name_with_control_characters_is_refused(operator: TestClient) -> None:
    # when
    answer = post_form(
        operator, "/console/cases/filters", {"name": "坏\x00名"}, from_page="/console/cases"
    )
    page = operator.get("/console/cases")

    # then
    assert answer.status_code == 303
    assert "无法保存的字符" in page.text


@pytest.fixture
def answered_case(container: Container, catch_up: Callable[[], object]) -> UUID:
    """A case its department has answered, waiting in the callback queue."""
    case_id = answered(container.supervision)
    catch_up()
    return case_id


def answered(app: Supervision) -> UUID:
    """Register a case, have its department answer it; its id."""
    case_id = registered_case(app)
    app.assign_case(
        case_id, department=SAMPLE_DEPARTMENT, urgent=None, final=False, note=None, by=OPERATOR
    )
    app.acknowledge_case(case_id, DEPARTMENT)
    app.post_result(
        case_id, outcome=Outcome.RESOLVED, actions="", answer="已当面致歉", by=DEPARTMENT
    )
    return case_id


def test_the_callback_queue_masks_the_phone_records_satisfaction_and_closes(
    operator: TestClient, container: Container, answered_case: UUID
) -> None:
    # given
    case_id = answered_case

    # when
    page = operator.get("/console/callbacks")
    called = post_form(
        operator,
        f"/console/callbacks/{case_id}/callback",
        {"reached": "true", "satisfaction": "satisfied"},
        from_page="/console/callbacks",
    )
    closed = post_form(
        operator, f"/console/callbacks/{case_id}/close", {}, from_page="/console/callbacks"
    )

    # then
    assert "138****5678" in page.text
    assert "13812345678" not in page.text
    assert "已当面致歉" in page.text
    for button in ("回访", "办结", "重办"):
        assert f">{button}</button>" in page.text
    assert (called.status_code, closed.status_code) == (303, 303)
    case = container.supervision.get_case(case_id, INSPECTOR)
    assert (case.satisfaction, case.status) == ("satisfied", "closed")


def test_a_callback_without_satisfaction_is_refused_in_chinese(
    operator: TestClient, answered_case: UUID
) -> None:
    # given
    case_id = answered_case

    # when
    post_form(
        operator,
        f"/console/callbacks/{case_id}/callback",
        {"reached": "true"},
        from_page="/console/callbacks",
    )
    page = operator.get("/console/callbacks")

    # then
    assert "满意度：请填写。" in page.text


def test_reopening_sends_the_case_back_with_the_reason(
    operator: TestClient, container: Container, answered_case: UUID
) -> None:
    # given
    case_id = answered_case

    # when
    answer = post_form(
        operator,
        f"/console/callbacks/{case_id}/reopen",
        {"reason": "来电人不认可答复"},
        from_page="/console/callbacks",
    )

    # then
    assert answer.status_code == 303
    assert container.supervision.get_case(case_id, INSPECTOR).status == "in_progress"
