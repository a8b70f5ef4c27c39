"""Superiors and escalation (提级督办) over HTTP: the directory's superiors, the boards a
superior reads, the worker escalating overdue work once, and the superior's direction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from domain.notice import Notice
from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, get, position
from tests.factories import (
    API,
    ESCALATED_AT,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    SAMPLE_SUPERIOR,
    SUPERVISED_AT,
    a_complaint_body,
    bearer,
    issued_token,
)
from tests.support import SettableTimeSource

ORDER = {
    "department": SAMPLE_DEPARTMENT,
    "problem": "窗口未落实一次性告知，群众多次往返",
    "requirements": "组织窗口人员学习一次性告知制度",
    "working_days": 15,
    "source": {"type": "inspection"},
}
DIRECTION = {"note": "请于三个工作日内办结并报告", "working_days": 3}


class Escalations:
    """Cases and orders brought over HTTP to escalation by the worker's own clock."""

    def __init__(
        self,
        client: TestClient,
        tokens: Tokens,
        container: Container,
        time_source: SettableTimeSource,
        catch_up: Callable[[], object],
    ) -> None:
        self.client, self.tokens, self.container = client, tokens, container
        self.time_source, self.catch_up = time_source, catch_up
        self.superior = self.department_token(SAMPLE_SUPERIOR)

    def department_token(self, department: str) -> dict[str, str]:
        return bearer(
            issued_token(self.container.supervision, Role.DEPARTMENT, department=department)
        )

    def ok(self, path: str, headers: dict[str, str], body: Any = None) -> Any:
        answer = self.client.post(f"{API}{path}", json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def acknowledged_case(self, department: str = SAMPLE_DEPARTMENT) -> str:
        case = self.ok("/cases", self.tokens.operator, a_complaint_body())
        self.ok(f"/cases/{case['id']}/assign", self.tokens.operator, {"department": department})
        own = (
            self.tokens.department
            if department == SAMPLE_DEPARTMENT
            else self.tokens.other_department
        )
        self.ok(f"/cases/{case['id']}/acknowledge", own)
        return str(case["id"])

    def escalated_case(self, department: str = SAMPLE_DEPARTMENT) -> str:
        """A case of `department` acknowledged, then supervised and escalated (`escalate`)."""
        case_id = self.acknowledged_case(department)
        self.escalate(f"/cases/{case_id}")
        return case_id

    def issued_order(self) -> str:
        order = self.ok("/rectification-orders", self.tokens.inspector, ORDER)
        self.ok(f"/rectification-orders/{order['id']}/acknowledge", self.tokens.department)
        return str(order["id"])

    def escalate(self, *paths: str) -> None:
        """Supervise each (`/cases/{id}` or `/rectification-orders/{id}`) once overdue, and
        let the worker's clock run five working days on."""
        self.time_source.set(SUPERVISED_AT.replace(hour=9))
        self.catch_up()
        self.time_source.set(SUPERVISED_AT)
        for path in paths:
            self.ok(f"{path}/supervise", self.tokens.inspector, {"note": "已超期，请加快办理"})
        self.time_source.set(ESCALATED_AT.replace(minute=30))
        self.catch_up()


@pytest.fixture
def escalations(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> Escalations:
    return Escalations(client, tokens, container, time_source, catch_up)


def test_the_departments_show_their_superior(client: TestClient, tokens: Tokens) -> None:
    departments = {d["id"]: d for d in get(client, "/departments", tokens.operator)["items"]}

    assert departments[SAMPLE_DEPARTMENT]["superior"] == SAMPLE_SUPERIOR
    assert departments[SAMPLE_SUPERIOR]["superior"] is None
    assert departments[SAMPLE_SUPERIOR]["name"] == "市自然资源局"


def test_the_worker_escalates_overdue_work_once_to_the_superiors_board(
    escalations: Escalations, client: TestClient, container: Container
) -> None:
    case_id = escalations.acknowledged_case()
    order_id = escalations.issued_order()
    escalations.escalate(f"/cases/{case_id}", f"/rectification-orders/{order_id}")

    # when: the worker looks again, later (a restart is another worker's first turn)
    before = position(container)
    escalations.time_source.set(ESCALATED_AT.replace(day=30))
    escalations.catch_up()

    # then
    board = get(client, f"/departments/{SAMPLE_SUPERIOR}/board", escalations.superior)
    escalated = {item["id"]: item for item in board["escalated"]}
    assert set(escalated) == {case_id, order_id}
    assert {item["department"] for item in escalated.values()} == {SAMPLE_DEPARTMENT}
    assert escalated[case_id]["type"] == "case"
    assert escalated[order_id]["type"] == "rectification_order"
    assert all(item["overdue"] for item in escalated.values())
    assert board["items"] == []
    assert board["read_only"] is False
    history = get(client, f"/cases/{case_id}/history", escalations.tokens.inspector)
    escalation_events = [e for e in history["items"] if e["type"] == "Escalated"]
    assert len(escalation_events) == 1
    assert escalation_events[0]["fields"]["superior"] == SAMPLE_SUPERIOR
    # The later turn records nothing of the tasks' own: at most the notices the 5-day flag
    # proposes (drafts, DESIGN §15), which are records of their own.
    later = container.supervision.recorder.select_notifications(start=before + 1, limit=100)
    assert {n.topic for n in later} <= {Notice.Drafted.TOPIC}


def test_a_superior_reads_its_subordinates_board_read_only_and_no_other(
    escalations: Escalations, client: TestClient
) -> None:
    case_id = escalations.acknowledged_case()
    escalations.catch_up()

    board = get(client, f"/departments/{SAMPLE_DEPARTMENT}/board", escalations.superior)
    refused = client.get(
        f"{API}/departments/{OTHER_DEPARTMENT}/board", headers=escalations.superior
    )
    upwards = client.get(
        f"{API}/departments/{SAMPLE_SUPERIOR}/board", headers=escalations.tokens.department
    )

    assert [item["id"] for item in board["items"]] == [case_id]
    assert board["read_only"] is True
    assert error_of(refused) == (403, "not_your_department")
    assert error_of(upwards) == (403, "not_your_department")


def test_a_superior_two_levels_up_reads_the_board_below_its_subordinate(
    escalations: Escalations, client: TestClient
) -> None:
    housing = escalations.department_token("housing-urban-rural-development")

    board = get(client, "/departments/water-supply/board", housing)

    assert board["read_only"] is True


def test_the_superior_reads_an_escalated_case_but_not_its_subordinates_other_cases(
    escalations: Escalations, client: TestClient
) -> None:
    case_id = escalations.escalated_case()
    other_id = escalations.acknowledged_case()

    seen = client.get(f"{API}/cases/{case_id}", headers=escalations.superior)
    unseen = client.get(f"{API}/cases/{other_id}", headers=escalations.superior)

    assert seen.status_code == 200
    assert error_of(unseen) == (403, "not_assigned_department")


def test_the_superior_directs_an_escalated_case_and_an_order_with_a_new_due_date(
    escalations: Escalations, client: TestClient
) -> None:
    case_id = escalations.acknowledged_case()
    order_id = escalations.issued_order()
    escalations.escalate(f"/cases/{case_id}", f"/rectification-orders/{order_id}")
    escalations.time_source.set(ESCALATED_AT.replace(day=29, hour=11))

    case = escalations.ok(f"/cases/{case_id}/escalation/direct", escalations.superior, DIRECTION)
    order = escalations.ok(
        f"/rectification-orders/{order_id}/escalation/direct", escalations.superior, DIRECTION
    )

    # Tue 29 Dec: 30 and 31 Dec, (1 Jan off, the weekend), Mon 4 Jan 2027
    for directed in (case, order):
        assert directed["due_at"] == "2027-01-04T17:30:00+08:00"
        assert directed["deadline"]["policy"] == "direction"
    escalations.catch_up()
    board = get(client, f"/departments/{SAMPLE_DEPARTMENT}/board", escalations.tokens.department)
    assert not any(item["overdue"] for item in board["items"])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"note": "督办", "working_days": 0}, "direction_out_of_range"),
        ({"note": "督办", "working_days": 31}, "direction_out_of_range"),
        ({"note": "督办", "working_days": -5}, "direction_out_of_range"),
        ({"note": "督办", "working_days": 2**53 - 1}, "direction_out_of_range"),
        ({"note": "督办", "working_days": 2**60}, "invalid_request"),
        ({"note": "督办", "working_days": "3"}, "invalid_request"),
        ({"note": "", "working_days": 3}, "invalid_request"),
        ({"note": "督\u0000办", "working_days": 3}, "invalid_character"),
        ({"note": "督" * 2_001, "working_days": 3}, "invalid_request"),
        ({"working_days": 3}, "invalid_request"),
    ],
)
def test_a_bad_direction_is_refused_with_a_code_and_records_nothing(
    escalations: Escalations, client: TestClient, container: Container, body: Any, code: str
) -> None:
    case_id = escalations.escalated_case()
    before = position(container)

    answer = client.post(
        f"{API}/cases/{case_id}/escalation/direct", json=body, headers=escalations.superior
    )

    assert error_of(answer) == (422, code)
    assert position(container) == before


def test_directions_are_refused_to_all_but_the_superior_and_on_work_not_escalated(
    escalations: Escalations, client: TestClient
) -> None:
    case_id = escalations.escalated_case()
    waiting = escalations.acknowledged_case()

    def direct(case: str, headers: dict[str, str]) -> tuple[int, str]:
        return error_of(
            client.post(f"{API}/cases/{case}/escalation/direct", json=DIRECTION, headers=headers)
        )

    assert direct(case_id, escalations.tokens.department) == (403, "not_the_superior")
    assert direct(case_id, escalations.tokens.other_department) == (403, "not_the_superior")
    assert direct(case_id, escalations.tokens.inspector) == (403, "role_not_allowed")
    assert direct(waiting, escalations.superior) == (409, "not_escalated")
    unknown = "00000000-0000-4000-8000-000000000000"
    assert direct(unknown, escalations.superior) == (404, "case_not_found")


def test_work_of_a_department_without_a_superior_is_escalated_to_the_inspectors(
    escalations: Escalations, client: TestClient
) -> None:
    case_id = escalations.escalated_case(OTHER_DEPARTMENT)

    history = get(client, f"/cases/{case_id}/history", escalations.tokens.inspector)
    (escalation,) = [e for e in history["items"] if e["type"] == "Escalated"]
    assert escalation["fields"]["superior"] is None
    refused = client.post(
        f"{API}/cases/{case_id}/escalation/direct", json=DIRECTION, headers=escalations.superior
    )
    assert error_of(refused) == (403, "not_the_superior")
