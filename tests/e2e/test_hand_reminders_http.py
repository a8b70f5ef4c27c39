"""Reminders by hand over HTTP (人工催办, §15): `POST /cases/{id}/remind` and
`POST /rectification-orders/{id}/remind`, who may send them, their refusals, and where they
are counted: the department metrics and the department's board.

The clock starts on Friday 27 November 2026, 10:00.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.bodies import INSPECTION_ORDER
from tests.e2e.conftest import PERIOD, Tokens, department_metrics, error_of, get
from tests.factories import (
    API,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    assigned_through_api,
    posted,
    registered_through_api,
)

MESSAGE = "请尽快联系诉求人并反馈办理进展"


def remind(client: TestClient, path: str, headers: dict[str, str], message: Any = MESSAGE) -> Any:
    return client.post(f"{API}{path}/remind", json={"message": message}, headers=headers)


def an_order(client: TestClient, tokens: Tokens) -> dict[str, Any]:
    return posted(client, "/rectification-orders", tokens.inspector, INSPECTION_ORDER)  # type: ignore[no-any-return]


def test_an_operator_reminds_the_department_of_a_case_and_the_answer_shows_it(
    client: TestClient, tokens: Tokens
) -> None:
    case = assigned_through_api(client, tokens.operator)

    response = remind(client, f"/cases/{case['id']}", tokens.operator)

    assert response.status_code == 200, response.text
    (reminder,) = response.json()["reminders"]
    assert reminder["message"] == MESSAGE
    assert reminder["department"] == SAMPLE_DEPARTMENT
    assert reminder["role"] == "operator"
    assert reminder["at"].startswith("2026-11-27T10:00")


def test_an_inspector_reminds_the_department_of_a_rectification_order(
    client: TestClient, tokens: Tokens
) -> None:
    order = an_order(client, tokens)

    answer = posted(
        client,
        f"/rectification-orders/{order['id']}/remind",
        tokens.inspector,
        {"message": MESSAGE},
    )

    assert [r["role"] for r in answer["reminders"]] == ["inspector"]


def test_a_department_may_not_remind_nor_may_an_admin(client: TestClient, tokens: Tokens) -> None:
    case = assigned_through_api(client, tokens.operator)
    order = an_order(client, tokens)

    for path in (f"/cases/{case['id']}", f"/rectification-orders/{order['id']}"):
        assert error_of(remind(client, path, tokens.department)) == (403, "role_not_allowed")
        assert error_of(remind(client, path, tokens.admin)) == (403, "role_not_allowed")


def test_closed_merged_and_unassigned_work_is_not_reminded(
    client: TestClient, tokens: Tokens
) -> None:
    # given: a case merged into another, a case never assigned, an order closed
    first = assigned_through_api(client, tokens.operator)
    duplicate = assigned_through_api(client, tokens.operator)
    posted(client, f"/cases/{duplicate['id']}/merge", tokens.operator, {"into": first["id"]})
    unassigned = registered_through_api(client, tokens.operator)
    order = an_order(client, tokens)
    orders = f"/rectification-orders/{order['id']}"
    posted(client, f"{orders}/acknowledge", tokens.department)
    posted(client, f"{orders}/report", tokens.department, {"measures": "已整改"})
    posted(client, f"{orders}/accept", tokens.inspector, {})

    # then
    merged = remind(client, f"/cases/{duplicate['id']}", tokens.operator)
    assert error_of(merged) == (409, "case_merged")
    assert error_of(remind(client, f"/cases/{unassigned['id']}", tokens.operator)) == (
        409,
        "case_not_assigned",
    )
    assert error_of(remind(client, orders, tokens.inspector)) == (409, "order_closed")


def test_a_closed_case_is_not_reminded(client: TestClient, tokens: Tokens) -> None:
    case = assigned_through_api(client, tokens.operator)
    cases = f"/cases/{case['id']}"
    posted(client, f"{cases}/acknowledge", tokens.department)
    posted(
        client,
        f"{cases}/result",
        tokens.department,
        {"outcome": "resolved", "actions": "已处理", "answer": "已办结"},
    )
    posted(
        client, f"{cases}/callback", tokens.operator, {"reached": True, "satisfaction": "satisfied"}
    )
    posted(client, f"{cases}/close", tokens.operator)

    assert error_of(remind(client, cases, tokens.operator)) == (409, "case_closed")


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("", "invalid_request"),
        ("   ", "invalid_request"),
        ("请\u0000尽快", "invalid_character"),
        ("请\u001b尽快", "invalid_character"),
        ("催" * 10_000, "invalid_request"),
        (12345, "invalid_request"),
        (None, "invalid_request"),
    ],
    ids=["empty", "blank", "nul", "escape", "10k characters", "a number", "null"],
)
def test_a_bad_message_is_refused_with_a_code_and_nothing_is_recorded(
    client: TestClient, tokens: Tokens, message: Any, code: str
) -> None:
    case = assigned_through_api(client, tokens.operator)

    response = remind(client, f"/cases/{case['id']}", tokens.operator, message)

    assert error_of(response) == (422, code)
    assert get(client, f"/cases/{case['id']}", tokens.operator)["reminders"] == []


def test_an_unknown_case_or_order_is_not_found(client: TestClient, tokens: Tokens) -> None:
    nobody = "00000000-0000-4000-8000-000000000000"
    assert error_of(remind(client, f"/cases/{nobody}", tokens.operator)) == (404, "case_not_found")
    assert error_of(remind(client, f"/rectification-orders/{nobody}", tokens.operator)) == (
        404,
        "order_not_found",
    )


def test_a_retry_with_the_same_idempotency_key_records_one_reminder(
    client: TestClient, tokens: Tokens
) -> None:
    case = assigned_through_api(client, tokens.operator)
    headers = {**tokens.operator, "Idempotency-Key": "remind-20261127-01"}

    first = remind(client, f"/cases/{case['id']}", headers)
    again = remind(client, f"/cases/{case['id']}", headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert len(get(client, f"/cases/{case['id']}", tokens.operator)["reminders"]) == 1


def test_the_metrics_count_the_reminders_each_department_was_sent_in_the_period(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    # given: two reminders to the deeds office on a case, one on an order, one to taxation
    case = assigned_through_api(client, tokens.operator)
    remind(client, f"/cases/{case['id']}", tokens.operator)
    remind(client, f"/cases/{case['id']}", tokens.inspector)
    order = an_order(client, tokens)
    remind(client, f"/rectification-orders/{order['id']}", tokens.inspector)
    taxed = assigned_through_api(client, tokens.operator, department=OTHER_DEPARTMENT)
    remind(client, f"/cases/{taxed['id']}", tokens.operator)
    catch_up()

    # then
    assert (
        department_metrics(client, tokens.operator, SAMPLE_DEPARTMENT, **PERIOD)["reminders"] == 3
    )
    assert department_metrics(client, tokens.operator, OTHER_DEPARTMENT, **PERIOD)["reminders"] == 1
    outside = get(
        client,
        "/metrics/departments",
        tokens.operator,
        **{"from": "2026-12-01", "to": "2026-12-31"},
    )
    assert {m["reminders"] for m in outside["items"]} == {0}


def test_the_board_shows_each_items_reminder_count_and_last_reminder(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    case = assigned_through_api(client, tokens.operator)
    remind(client, f"/cases/{case['id']}", tokens.operator)
    remind(client, f"/cases/{case['id']}", tokens.inspector, "今天下班前答复")
    order = an_order(client, tokens)
    quiet = order["id"]
    catch_up()

    board = get(client, f"/departments/{SAMPLE_DEPARTMENT}/board", tokens.operator)
    own = get(client, f"/departments/{SAMPLE_DEPARTMENT}/board", tokens.department)

    items = {item["id"]: item for item in board["items"]}
    assert items[case["id"]]["reminders"] == 2
    assert items[case["id"]]["last_reminder_message"] == "今天下班前答复"
    assert items[case["id"]]["last_reminded_at"].startswith("2026-11-27T10:00")
    assert items[case["id"]]["reminded"] is False  # the clock's own reminder is another flag
    assert (items[quiet]["reminders"], items[quiet]["last_reminder_message"]) == (0, None)
    # the department sees the count and time; a case's message may quote the complainant, so
    # it reads that on the case page, masked as the case's other text is
    (seen,) = [item for item in own["items"] if item["id"] == case["id"]]
    assert (seen["reminders"], seen["last_reminder_message"]) == (2, None)
    assert seen["last_reminded_at"] == items[case["id"]]["last_reminded_at"]


def test_a_reassigned_case_does_not_bring_its_reminders_to_the_new_department(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    case = assigned_through_api(client, tokens.operator)
    remind(client, f"/cases/{case['id']}", tokens.operator)
    moved = posted(
        client, f"/cases/{case['id']}/assign", tokens.operator, {"department": OTHER_DEPARTMENT}
    )
    catch_up()

    board = get(
        client,
        f"/departments/{OTHER_DEPARTMENT}/board",
        tokens.other_department,
        after=moved["position"],
    )

    (item,) = [i for i in board["items"] if i["id"] == case["id"]]
    assert item["reminders"] == 0


def test_a_department_reads_a_reminder_quoting_the_complainant_masked(
    client: TestClient, tokens: Tokens
) -> None:
    case = assigned_through_api(client, tokens.operator)
    remind(client, f"/cases/{case['id']}", tokens.operator, "请回电王芳 13812345678")

    seen = get(client, f"/cases/{case['id']}", tokens.department)["reminders"]
    whole = get(client, f"/cases/{case['id']}", tokens.operator)["reminders"]

    assert [r["message"] for r in seen] == ["请回电王** 138****5678"]
    assert [r["message"] for r in whole] == ["请回电王芳 13812345678"]
