"""Inspection visits (暗访巡查, §16) over HTTP: an inspector records a visit and turns each
finding into a deduction, a rectification order or a case with the body of that record's own
create route; the record names the visit as its source, and the visit lists it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, get
from tests.factories import API, SAMPLE_DEPARTMENT, SAMPLE_WINDOW, a_complaint_body, posted

VISIT = {
    "date": "2026-11-26",
    "method": "unannounced",
    "windows": [SAMPLE_WINDOW],
    "summary": "上午暗访不动产登记窗口，一名工作人员态度生硬",
}
DEDUCTION = {
    "type": "deduction",
    "rule": "harsh_attitude",
    "staff": "S0001",
    "occurred_at": "2026-11-26T10:15:00+08:00",
    "evidence": "暗访录像：对办事群众言语生硬",
}
ORDER = {
    "type": "order",
    "department": SAMPLE_DEPARTMENT,
    "window": SAMPLE_WINDOW,
    "problem": "办事指南未公示",
    "requirements": "三日内公示办事指南并报告",
}


pytestmark = pytest.mark.usefixtures("conduct_rules")


def record_visit(client: TestClient, tokens: Tokens, **fields: Any) -> Any:
    return posted(client, "/visits", tokens.inspector, {**VISIT, **fields})


def post(client: TestClient, path: str, headers: dict[str, str], body: Any) -> Any:
    return client.post(f"{API}{path}", json=body, headers=headers)


@pytest.fixture
def found_on_a_visit(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> tuple[Any, Any]:
    """An unannounced visit and the deduction found on it, as the API answered each, and the
    read side caught up."""
    visit = record_visit(client, tokens)
    finding = posted(client, f"/visits/{visit['id']}/findings", tokens.inspector, DEDUCTION)
    catch_up()
    return visit, finding


def test_an_inspector_records_a_visit_and_lists_it_with_its_findings_counted(
    client: TestClient, tokens: Tokens, found_on_a_visit: tuple[Any, Any]
) -> None:
    visit, finding = found_on_a_visit
    listed = get(client, "/visits", tokens.inspector, after=finding["visit"]["position"])

    (item,) = listed["items"]
    assert (item["id"], item["date"], item["method_label"]) == (visit["id"], "2026-11-26", "暗访")
    assert item["findings"] == {"deduction": 1, "order": 0, "case": 0}
    # A token has no person's name: the list names its principal instead, as the survey list does.
    assert item["recorded_by"]


def test_each_finding_becomes_its_record_naming_the_visit_and_the_visit_links_them(
    client: TestClient, tokens: Tokens
) -> None:
    visit = record_visit(client, tokens, method="patrol")
    path = f"/visits/{visit['id']}/findings"

    deduction = posted(client, path, tokens.inspector, DEDUCTION)
    order = posted(client, path, tokens.inspector, ORDER)
    case = posted(
        client, path, tokens.inspector, {"type": "case", **a_complaint_body(channel="walk_in")}
    )

    source = {"type": "visit", "ref": visit["id"]}
    assert deduction["record"]["rule"] == "harsh_attitude"
    assert get(client, order["finding"]["href"], tokens.inspector)["source"] == source
    assert get(client, case["finding"]["href"], tokens.inspector)["source"] == source
    shown = get(client, f"/visits/{visit['id']}", tokens.inspector)
    assert [(o["type"], o["id"]) for o in shown["outcomes"]] == [
        ("deduction", deduction["record"]["id"]),
        ("order", order["record"]["id"]),
        ("case", case["record"]["id"]),
    ]
    assert shown["outcomes"][1]["href"] == f"/rectification-orders/{order['record']['id']}"
    assert shown["findings"] == {"deduction": 1, "order": 1, "case": 1}


def test_a_deduction_found_on_a_visit_shows_the_visit_as_its_source_in_the_list(
    client: TestClient, tokens: Tokens, found_on_a_visit: tuple[Any, Any]
) -> None:
    visit, found = found_on_a_visit
    lines = get(client, "/deductions", tokens.inspector, after=found["record"]["position"])

    (line,) = [item for item in lines["items"] if item["id"] == found["record"]["id"]]
    assert line["source"] == {"type": "visit", "ref": visit["id"]}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"windows": []}, "visit_windows_required"),
        ({"windows": [SAMPLE_WINDOW, SAMPLE_WINDOW]}, "visit_windows_required"),
        ({"windows": ["W-NOPE"]}, "unknown_window"),
        ({"date": "2026-11-28"}, "visit_date_out_of_range"),
        ({"date": "2024-01-01"}, "visit_date_out_of_range"),
        ({"date": "1999-01-01"}, "invalid_request"),
        ({"method": "telepathy"}, "invalid_request"),
        ({"summary": "暗访\u0000"}, "invalid_character"),
        ({"summary": "暗访\u001b[31m"}, "invalid_character"),
        ({"windows": ["W-A01\u0000"]}, "invalid_character"),
        ({"summary": "字" * 2001}, "invalid_request"),
        ({"summary": "   "}, "invalid_request"),
        ({"extra": 1}, "invalid_request"),
    ],
)
def test_a_visit_that_cannot_be_recorded_is_refused_with_its_code(
    client: TestClient, tokens: Tokens, fields: dict[str, Any], code: str
) -> None:
    assert error_of(post(client, "/visits", tokens.inspector, {**VISIT, **fields}))[1] == code


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**DEDUCTION, "rule": "no_such_rule"}, 422, "unknown_rule"),
        ({**DEDUCTION, "occurred_at": "2027-01-01T10:00:00+08:00"}, 422, "occurred_in_future"),
        ({**DEDUCTION, "source": {"type": "other"}}, 422, "invalid_request"),
        ({**ORDER, "working_days": -1}, 422, "invalid_request"),
        ({**ORDER, "department": "no-such-department"}, 422, "unknown_department"),
        ({**ORDER, "problem": "\u0000"}, 422, "invalid_character"),
        ({**ORDER, "type": "praise"}, 422, "invalid_request"),
        ({key: value for key, value in ORDER.items() if key != "type"}, 422, "invalid_request"),
    ],
)
def test_a_finding_is_refused_by_its_records_own_rules_and_the_visit_notes_nothing(
    client: TestClient, tokens: Tokens, body: dict[str, Any], status: int, code: str
) -> None:
    visit = record_visit(client, tokens)

    refused = post(client, f"/visits/{visit['id']}/findings", tokens.inspector, body)

    assert error_of(refused) == (status, code)
    assert get(client, f"/visits/{visit['id']}", tokens.inspector)["outcomes"] == []


def test_a_finding_on_an_unknown_visit_is_not_found_and_makes_nothing(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    head = container.supervision.recorder.max_notification_id()
    unknown = "/visits/00000000-0000-4000-8000-000000000000"

    assert error_of(post(client, f"{unknown}/findings", tokens.inspector, ORDER)) == (
        404,
        "visit_not_found",
    )
    assert error_of(client.get(f"{API}{unknown}", headers=tokens.inspector)) == (
        404,
        "visit_not_found",
    )
    assert container.supervision.recorder.max_notification_id() == head


def test_visits_are_the_inspectors_own(client: TestClient, tokens: Tokens) -> None:
    visit = record_visit(client, tokens)
    for headers in (tokens.operator, tokens.department, tokens.admin):
        assert error_of(post(client, "/visits", headers, VISIT))[0] == 403
        assert error_of(post(client, f"/visits/{visit['id']}/findings", headers, ORDER))[0] == 403
        assert client.get(f"{API}/visits/{visit['id']}", headers=headers).status_code == 403


@pytest.mark.parametrize("path", ["/deductions", "/rectification-orders"])
def test_a_records_own_route_refuses_to_name_a_visit_as_its_source(
    client: TestClient, tokens: Tokens, path: str
) -> None:
    visit = record_visit(client, tokens)
    body = DEDUCTION if path == "/deductions" else ORDER
    body = {k: v for k, v in body.items() if k != "type"}
    body["source"] = {"type": "visit", "ref": visit["id"]}

    refused = post(client, path, tokens.inspector, body)

    assert error_of(refused) == (422, "invalid_request")
    assert refused.json()["error"]["fields"][0]["type"] == "source_is_a_visit"
