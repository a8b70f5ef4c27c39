"""The inspector's supervision queue (督办队列) through the ASGI client: overdue cases to
supervise, extension requests to grant or refuse, proposed deductions to confirm or dismiss."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from domain.case import ProposalStatus
from interfaces.bootstrap import Container
from tests.e2e.test_discipline_http import rules  # noqa: F401 (a fixture)
from tests.factories import (
    INSPECTOR,
    assigned_case,
    case_asking_extension,
    case_proposing_deduction,
)
from tests.support import SettableTimeSource
from tests.web_support import assert_shows, post_form, signed_in

QUEUE = "/console/supervision"


@pytest.fixture
def inspector(inspector: TestClient, rules: None) -> TestClient:  # noqa: F811 (the fixture imported)
    """The shared inspector's client, with the conduct catalogue loaded."""
    return inspector


@pytest.fixture
def overdue_case(
    container: Container,
    time_source: SettableTimeSource,
    rules: None,  # noqa: F811 (the fixture imported)
) -> UUID:
    """A case its department left unacknowledged for a week (before anyone signs in: the
    week would end their session)."""
    case_id = assigned_case(container.supervision, summary="逾期未签收的投诉")
    time_source.advance(days=7)
    return case_id


def act(client: TestClient, case_id: UUID, action: str, **fields: str) -> str:
    """Post one of the queue's forms; answer the queue as it then reads (with its flash)."""
    answer = post_form(client, f"{QUEUE}/{case_id}/{action}", fields, from_page=QUEUE)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == QUEUE
    return client.get(QUEUE).text


def test_the_queue_lists_overdue_cases_extension_requests_and_proposed_deductions(
    overdue_case: UUID,
    inspector: TestClient,
    container: Container,
    catch_up: Callable[[], object],
) -> None:
    # given a case left unacknowledged for a week, one asking for days, one proposing
    app = container.supervision
    late = overdue_case
    asking = case_asking_extension(app, summary="需现场核查的投诉")
    proposing = case_proposing_deduction(app, summary="态度生硬属实")
    catch_up()

    # when
    page = inspector.get(QUEUE)

    # then
    assert page.status_code == 200
    for case_id in (late, asking, proposing):
        assert f"/console/cases/{case_id}" in page.text
    assert_shows(
        page,
        "逾期未签收",
        ">督办说明</label>",
        ">督办</button>",
        ">批准延期</button>",
        ">驳回延期</button>",
        "harsh_attitude 态度生硬/言语粗暴",
        "5 分",
        "W-A01",
        ">确认扣分</button>",
        ">驳回建议</button>",
        'href="/console/orders?overdue=true"',
        'href="/console/orders?extension_requested=true"',
    )


def test_an_inspector_supervises_an_overdue_case_with_a_note(
    overdue_case: UUID,
    inspector: TestClient,
    container: Container,
    catch_up: Callable[[], object],
) -> None:
    # given
    case_id = overdue_case
    catch_up()

    # when
    page = act(inspector, case_id, "supervise", note="请今日内签收")

    # then
    assert "已督办" in page
    supervisions = container.supervision.get_case(case_id, INSPECTOR).supervisions
    assert [entry["note"] for entry in supervisions] == ["请今日内签收"]


def test_an_inspector_grants_an_extension_from_the_queue(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    case_id = case_asking_extension(container.supervision)
    due_before = container.supervision.get_case(case_id, INSPECTOR).deadline
    catch_up()

    # when
    page = act(inspector, case_id, "grant-extension")
    catch_up()

    # then
    assert "已批准延期" in page
    case = container.supervision.get_case(case_id, INSPECTOR)
    assert case.deadline is not None
    assert due_before is not None
    assert case.deadline.due_at > due_before.due_at
    assert f"/console/cases/{case_id}" not in inspector.get(QUEUE).text


def test_refusing_an_extension_needs_a_reason(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    case_id = case_asking_extension(container.supervision)
    catch_up()

    # when
    without = act(inspector, case_id, "refuse-extension")
    refused = act(inspector, case_id, "refuse-extension", reason="理由不充分")

    # then
    assert "驳回理由：请填写。" in without
    assert "已驳回延期申请" in refused


def test_an_inspector_confirms_a_proposed_deduction_onto_the_scorecards(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    case_id = case_proposing_deduction(container.supervision)
    catch_up()

    # when
    page = act(inspector, case_id, "confirm-deduction")

    # then
    assert "已确认扣分" in page
    proposal = container.supervision.get_case(case_id, INSPECTOR).proposed_deduction
    assert proposal is not None
    assert proposal["status"] == ProposalStatus.CONFIRMED.value


def test_dismissing_a_proposed_deduction_needs_a_reason_and_control_characters_are_refused(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    case_id = case_proposing_deduction(container.supervision)
    catch_up()

    # when
    with_nul = act(inspector, case_id, "dismiss-deduction", reason="情节\x00轻微")
    dismissed = act(inspector, case_id, "dismiss-deduction", reason="情节轻微，批评教育")

    # then
    assert "驳回理由：" in with_nul
    assert "已驳回扣分建议" in dismissed
    proposal = container.supervision.get_case(case_id, INSPECTOR).proposed_deduction
    assert proposal is not None
    assert proposal["status"] == ProposalStatus.DISMISSED.value


def test_deciding_what_no_longer_waits_is_refused_in_chinese(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given a case whose extension was granted already
    case_id = case_asking_extension(container.supervision)
    container.supervision.grant_extension(case_id, INSPECTOR)
    catch_up()

    # when
    page = act(inspector, case_id, "grant-extension")

    # then
    assert "flash--error" in page
    assert "延期" in page


def test_an_action_the_queue_does_not_take_is_a_chinese_404(
    inspector: TestClient, container: Container
) -> None:
    case_id = assigned_case(container.supervision)

    answer = post_form(inspector, f"{QUEUE}/{case_id}/close", {}, from_page=QUEUE)

    assert answer.status_code == 404
    assert "未找到" in answer.text


def test_a_person_of_another_role_cannot_post_the_queues_forms(
    client: TestClient, container: Container
) -> None:
    # given
    case_id = case_asking_extension(container.supervision)
    signed_in(client, container, Role.OPERATOR)

    # when
    answer = post_form(client, f"{QUEUE}/{case_id}/grant-extension", {}, from_page="/console/")

    # then
    assert answer.status_code == 403
