"""Lists, boards and metrics over HTTP, read from the projected tables."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, get
from tests.factories import (
    API,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    assigned_through_api,
    posted,
    registered_through_api,
)
from tests.support import SettableTimeSource


def test_a_list_waits_for_the_callers_own_write_and_says_it_caught_up(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    case = registered_through_api(client, tokens.operator)
    catch_up()

    listed = get(client, "/cases", tokens.operator, after=case["position"])

    assert listed["caught_up"] is True
    assert listed["position"] >= case["position"]
    assert [item["tracking_number"] for item in listed["items"]] == [case["tracking_number"]]
    assert "complainant" not in listed["items"][0]


def test_a_list_gives_up_waiting_after_a_bounded_time_and_says_so(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    container.queries.wait_seconds = 0.2  # type: ignore[attr-defined]
    case = registered_through_api(client, tokens.operator)

    listed = get(client, "/cases", tokens.operator, after=case["position"])

    assert listed["caught_up"] is False
    assert listed["items"] == []


def test_lists_filter_and_page_with_a_stable_cursor(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    for n in range(5):
        assigned_through_api(client, tokens.operator, summary=f"排队太久 {n}")
    registered_through_api(client, tokens.operator, kind="consultation", summary="咨询公积金提取")
    catch_up()

    first = client.get(f"{API}/cases", params={"limit": 2}, headers=tokens.operator).json()
    second = client.get(
        f"{API}/cases", params={"limit": 2, "cursor": first["next"]}, headers=tokens.operator
    ).json()
    consultations = client.get(
        f"{API}/cases", params={"kind": "consultation"}, headers=tokens.operator
    ).json()
    assigned_ones = client.get(
        f"{API}/cases", params={"status": "assigned", "limit": 200}, headers=tokens.operator
    ).json()
    searched = client.get(f"{API}/cases", params={"q": "太久 3"}, headers=tokens.inspector).json()

    assert len(first["items"]) == 2
    assert first["items"][0]["summary"] == "咨询公积金提取"
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    assert [i["summary"] for i in consultations["items"]] == ["咨询公积金提取"]
    assert consultations["next"] is None
    assert len(assigned_ones["items"]) == 5
    assert [i["summary"] for i in searched["items"]] == ["排队太久 3"]


def test_a_department_lists_only_the_cases_assigned_to_it(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    mine = assigned_through_api(client, tokens.operator)
    assigned_through_api(client, tokens.operator, department=OTHER_DEPARTMENT, window=None)
    catch_up()

    listed = client.get(f"{API}/cases", headers=tokens.department).json()
    asked_for_another = client.get(
        f"{API}/cases", params={"department": OTHER_DEPARTMENT}, headers=tokens.department
    )

    assert [i["id"] for i in listed["items"]] == [mine["id"]]
    assert error_of(asked_for_another) == (403, "not_your_department")


@pytest.mark.parametrize(
    "params",
    [
        {"colour": "red"},
        {"status": "pending"},
        {"registered_from": "27/11/2026"},
        {"registered_from": "2026-12-01", "registered_to": "2026-11-01"},
        {"limit": "0"},
        {"limit": "201"},
        {"cursor": "not a cursor!"},
        {"overdue": "perhaps"},
    ],
    ids=[
        "unknown filter",
        "unknown status",
        "malformed date",
        "range backwards",
        "limit zero",
        "limit too large",
        "malformed cursor",
        "overdue not a boolean",
    ],
)
def test_unknown_filters_and_malformed_values_are_refused(
    client: TestClient, tokens: Tokens, params: dict[str, str]
) -> None:
    response = client.get(f"{API}/cases", params=params, headers=tokens.operator)

    assert error_of(response) == (422, "invalid_request")


def test_a_cursor_this_service_did_not_hand_out_is_refused(
    client: TestClient, tokens: Tokens
) -> None:
    response = client.get(f"{API}/cases", params={"cursor": "abc"}, headers=tokens.operator)

    assert error_of(response) == (422, "invalid_cursor")


def test_an_assigned_case_is_on_its_departments_board_with_the_time_left(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    case = assigned_through_api(client, tokens.operator)
    catch_up()

    board = get(
        client, f"/departments/{SAMPLE_DEPARTMENT}/board", tokens.department, after=case["position"]
    )

    assert board["caught_up"] is True
    [item] = board["items"]
    assert item["id"] == case["id"]
    assert item["binding_deadline"] == "acknowledge"
    # assigned Fri 10:00, acknowledge by Mon 17:30: Fri 7.5 h + Mon 8.5 h of office time
    assert item["working_seconds_left"] == 16 * 3600
    assert item["overdue"] is False
    assert item["reminded"] is False


def test_open_praise_without_a_handling_deadline_is_on_the_board_and_lists_as_not_overdue(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    praise = assigned_through_api(
        client, tokens.operator, kind="praise", summary="窗口人员耐心细致"
    )
    posted(client, f"/cases/{praise['id']}/acknowledge", tokens.department)
    catch_up()

    board = client.get(f"{API}/departments/{SAMPLE_DEPARTMENT}/board", headers=tokens.department)
    not_overdue = client.get(f"{API}/cases", params={"overdue": "false"}, headers=tokens.operator)

    assert board.status_code == 200, board.text
    assert [item["overdue"] for item in board.json()["items"]] == [False]
    assert [case["id"] for case in not_overdue.json()["items"]] == [praise["id"]]


def test_a_missed_deadline_is_recorded_once_and_flags_the_case_overdue_on_the_board(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    time_source: SettableTimeSource,
    catch_up: Any,
) -> None:
    case = assigned_through_api(client, tokens.operator)
    catch_up()

    time_source.advance(days=4)  # Tue 1 Dec 10:00, past Monday's 17:30 acknowledge deadline
    catch_up()
    catch_up()
    catch_up()

    history = client.get(f"{API}/cases/{case['id']}/history", headers=tokens.inspector).json()
    missed = [e for e in history["items"] if e["type"] == "AcknowledgeDeadlineMissed"]
    assert len(missed) == 1
    assert missed[0]["actor"]["role"] == "system"
    assert missed[0]["fields"]["due_at"].startswith("2026-11-30T17:30:00")
    board = client.get(
        f"{API}/departments/{SAMPLE_DEPARTMENT}/board", headers=tokens.operator
    ).json()
    [item] = board["items"]
    assert item["overdue"] is True
    assert item["working_seconds_left"] == -3600  # one office hour late: 09:00 to 10:00
    overdue = client.get(f"{API}/cases", params={"overdue": True}, headers=tokens.inspector)
    assert [i["id"] for i in overdue.json()["items"]] == [case["id"]]


def test_a_department_cannot_read_another_departments_board(
    client: TestClient, tokens: Tokens
) -> None:
    response = client.get(f"{API}/departments/{OTHER_DEPARTMENT}/board", headers=tokens.department)

    assert error_of(response) == (403, "not_your_department")


def test_the_board_of_an_unknown_department_is_refused(client: TestClient, tokens: Tokens) -> None:
    response = client.get(f"{API}/departments/ministry-of-magic/board", headers=tokens.operator)

    assert error_of(response) == (422, "unknown_department")


def test_metrics_count_cases_and_give_the_three_rates(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: two cases; the first acknowledged and answered in time, called back satisfied
    first = assigned_through_api(client, tokens.operator)
    second = assigned_through_api(client, tokens.operator)
    time_source.advance(hours=1)
    posted(client, f"/cases/{first['id']}/acknowledge", tokens.department)
    posted(
        client,
        f"/cases/{first['id']}/result",
        tokens.department,
        {"outcome": "resolved", "actions": "已处理", "answer": "已办结"},
    )
    posted(
        client,
        f"/cases/{first['id']}/callback",
        tokens.operator,
        {"reached": True, "satisfaction": "very_satisfied"},
    )
    # and the second never acknowledged: its acknowledge deadline passes
    time_source.advance(days=4)
    catch_up()

    metrics = client.get(
        f"{API}/metrics/departments",
        params={"from": "2026-11-01", "to": "2026-11-30"},
        headers=tokens.inspector,
    ).json()

    row = next(m for m in metrics["items"] if m["department"] == SAMPLE_DEPARTMENT)
    assert row["assigned"] == 2
    assert row["answered"] == 1
    assert row["acknowledged_on_time"] == 1
    assert row["acknowledge_judged"] == 2
    assert row["acknowledged_on_time_rate"] == 0.5
    assert row["completed_on_time_rate"] == 1.0
    assert row["satisfied_rate"] == 1.0
    assert row["overdue"] == 1
    assert len(metrics["items"]) == 33
    other = next(m for m in metrics["items"] if m["department"] == OTHER_DEPARTMENT)
    assert other["assigned"] == 0
    assert other["satisfied_rate"] is None
    assert second["id"] != first["id"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "2026-11-01"},
        {"from": "yesterday", "to": "2026-11-30"},
        {"from": "2024-01-01", "to": "2026-11-30"},
    ],
    ids=["backwards", "no end", "malformed", "more than a year"],
)
def test_metrics_refuse_bad_periods(
    client: TestClient, tokens: Tokens, params: dict[str, str]
) -> None:
    response = client.get(f"{API}/metrics/departments", params=params, headers=tokens.operator)

    assert response.status_code == 422


def test_departments_cannot_read_the_metrics(client: TestClient, tokens: Tokens) -> None:
    response = client.get(
        f"{API}/metrics/departments",
        params={"from": "2026-11-01", "to": "2026-11-30"},
        headers=tokens.department,
    )

    assert response.status_code == 403


def test_with_a_worker_running_an_assigned_case_reaches_the_board_without_waiting_on_anyone(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    # given: the worker runs in the background, as `oversight serve` runs it
    container.start_worker(poll_interval=0.2)

    # when
    case = assigned_through_api(client, tokens.operator)
    board = get(
        client, f"/departments/{SAMPLE_DEPARTMENT}/board", tokens.department, after=case["position"]
    )

    # then: the read waited for the worker to project the assignment
    assert board["caught_up"] is True
    assert [item["id"] for item in board["items"]] == [case["id"]]
