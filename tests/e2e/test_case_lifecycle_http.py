"""The case lifecycle over HTTP, as an operator, a department and an inspector do it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, position
from tests.factories import (
    API,
    SAMPLE_DEPARTMENT,
    a_complaint_body,
    assigned_through_api,
    registered_through_api,
)
from tests.support import SettableTimeSource

COMPLAINT = a_complaint_body()


def test_a_complaint_goes_from_registration_to_closing_and_each_step_is_in_the_history(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource
) -> None:
    registered = registered_through_api(client, tokens.operator)
    assert registered["status"] == "registered"
    assert registered["tracking_number"] == "HL20261127-0001"
    assert len(registered["access_code"]) == 11
    assert registered["department"] == SAMPLE_DEPARTMENT
    case_url = f"{API}/cases/{registered['id']}"

    steps = [
        ("assign", {"department": SAMPLE_DEPARTMENT}, tokens.operator, "assigned"),
        ("acknowledge", None, tokens.department, "in_progress"),
        (
            "result",
            {"outcome": "substantiated", "actions": "已约谈当事人", "answer": "已整改并致歉"},
            tokens.department,
            "answered",
        ),
        ("callback", {"reached": True, "satisfaction": "satisfied"}, tokens.operator, "answered"),
        ("close", None, tokens.operator, "closed"),
    ]
    for verb, body, headers, status in steps:
        time_source.advance(hours=1)
        response = client.post(f"{case_url}/{verb}", json=body, headers=headers)
        assert response.status_code == 200, (verb, response.text)
        assert response.json()["status"] == status
        assert response.json()["position"] > 0

    history = client.get(f"{case_url}/history", headers=tokens.inspector)
    assert history.status_code == 200
    entries = history.json()["items"]
    assert [e["type"] for e in entries] == [
        "Registered",
        "Assigned",
        "Acknowledged",
        "ResultPosted",
        "CallbackRecorded",
        "Closed",
    ]
    assert [e["actor"]["role"] for e in entries] == [
        "operator",
        "operator",
        "department",
        "department",
        "operator",
        "operator",
    ]
    assert entries[2]["actor"]["department"] == SAMPLE_DEPARTMENT
    assert all(e["request_id"] for e in entries)
    assert entries[0]["at"] == "2026-11-27T10:00:00+08:00"
    assert "access_code_hash" not in entries[0]["fields"]


def test_the_assignment_answers_both_deadlines_and_how_they_were_computed(
    client: TestClient, tokens: Tokens
) -> None:
    case = assigned_through_api(client, tokens.operator)

    assert case["acknowledge_due_at"].startswith("2026-11-30T17:30:00")
    assert case["due_at"].startswith("2026-12-18T17:30:00")
    assert case["deadline"]["unit"] == "working_days"
    assert case["deadline"]["amount"] == 15
    assert "次日起算" in case["deadline"]["explanation"]
    assert case["deadline"]["provisional"] is False


def test_another_department_is_refused_at_every_step_and_nothing_is_recorded(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    case = assigned_through_api(client, tokens.operator)
    case_url = f"{API}/cases/{case['id']}"
    before = position(container)

    attempts = [
        ("get", "", None),
        ("post", "/acknowledge", None),
        ("post", "/return", {"reason": "不属于我们"}),
        ("post", "/clock/stop", {"reason": "等待材料"}),
        ("post", "/clock/resume", None),
        ("post", "/extension", {"working_days": 3, "reason": "需要调查"}),
        ("post", "/result", {"outcome": "resolved", "actions": "", "answer": "已处理"}),
    ]
    for method, suffix, body in attempts:
        response = client.request(
            method.upper(), f"{case_url}{suffix}", json=body, headers=tokens.other_department
        )
        assert response.status_code == 403, (suffix, response.text)
        assert response.json()["error"]["code"] == "not_assigned_department"

    centre_only = ["/assign", "/callback", "/close", "/reopen", "/merge", "/notes"]
    for suffix in centre_only:
        response = client.post(f"{case_url}{suffix}", json={}, headers=tokens.other_department)
        assert response.status_code == 403, (suffix, response.text)
        assert response.json()["error"]["code"] == "role_not_allowed"
    for suffix in ["/extension/grant", "/supervise", "/history"]:
        method = "GET" if suffix == "/history" else "POST"
        response = client.request(method, f"{case_url}{suffix}", headers=tokens.other_department)
        assert response.status_code == 403, (suffix, response.text)

    assert position(container) == before


def test_a_department_sees_a_masked_phone_and_never_a_reporter(
    client: TestClient, tokens: Tokens
) -> None:
    complaint = assigned_through_api(client, tokens.operator)
    report = assigned_through_api(
        client, tokens.operator, kind="report", summary="工作人员索要好处费"
    )

    seen = client.get(f"{API}/cases/{complaint['id']}", headers=tokens.department).json()
    assert seen["complainant"]["phone"] == "138****5678"
    assert seen["complainant"]["address"] is None
    hidden = client.get(f"{API}/cases/{report['id']}", headers=tokens.department).json()
    assert hidden["complainant"] is None
    assert "王芳" not in str(hidden)
    full = client.get(f"{API}/cases/{report['id']}", headers=tokens.operator).json()
    assert full["complainant"]["phone"] == "13812345678"


@pytest.mark.parametrize(
    ("made", "action", "body", "role", "refusal"),
    [
        pytest.param(
            assigned_through_api,
            "result",
            {"outcome": "resolved", "actions": "", "answer": "已处理"},
            "department",
            (409, "case_not_acknowledged"),
            id="result-before-acknowledging",
        ),
        pytest.param(
            registered_through_api,
            "assign",
            {"department": "ministry-of-magic"},
            "operator",
            (422, "unknown_department"),
            id="assigning-to-an-unknown-department",
        ),
    ],
)
def test_a_refused_step_of_a_case_names_its_rule_and_records_nothing(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    made: Callable[..., dict[str, Any]],
    action: str,
    body: dict[str, Any],
    role: str,
    refusal: tuple[int, str],
) -> None:
    case = made(client, tokens.operator)
    before = position(container)

    response = client.post(
        f"{API}/cases/{case['id']}/{action}", json=body, headers=getattr(tokens, role)
    )

    assert error_of(response) == refusal
    assert response.json()["error"]["message"]
    assert position(container) == before


def test_an_arbitrated_case_cannot_be_returned(client: TestClient, tokens: Tokens) -> None:
    case = registered_through_api(client, tokens.operator)
    client.post(
        f"{API}/cases/{case['id']}/assign",
        json={"department": SAMPLE_DEPARTMENT, "final": True},
        headers=tokens.operator,
    )

    response = client.post(
        f"{API}/cases/{case['id']}/return",
        json={"reason": "不是我们的"},
        headers=tokens.department,
    )

    assert error_of(response) == (409, "case_arbitrated")


def test_an_urgent_case_must_be_acknowledged_within_two_clock_hours(
    client: TestClient, tokens: Tokens
) -> None:
    case = assigned_through_api(client, tokens.operator, urgent=True)

    assert case["acknowledge_due_at"].startswith("2026-11-27T12:00:00")
    assert case["deadline"]["amount"] == 1
    assert case["due_at"].startswith("2026-11-30T17:30:00")


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "not_authenticated"),
        ({"Authorization": "Bearer not-a-token"}, 401, "not_authenticated"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401, "not_authenticated"),
    ],
    ids=["no token", "unknown token", "wrong scheme"],
)
def test_requests_without_a_valid_token_are_refused(
    client: TestClient, headers: dict[str, str], status: int, code: str
) -> None:
    response = client.post(f"{API}/cases", json=COMPLAINT, headers=headers)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_departments_and_administrators_cannot_register_cases(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    before = position(container)
    for headers in (tokens.department, tokens.admin):
        response = client.post(f"{API}/cases", json=COMPLAINT, headers=headers)
        assert error_of(response) == (403, "role_not_allowed")
    assert position(container) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**COMPLAINT, "kind": "gossip"}, "body.kind"),
        ({**COMPLAINT, "channel": "pigeon"}, "body.channel"),
        ({k: v for k, v in COMPLAINT.items() if k != "summary"}, "body.summary"),
        ({**COMPLAINT, "summary": ""}, "body.summary"),
        ({**COMPLAINT, "urgent": "very"}, "body.urgent"),
        ({**COMPLAINT, "complainant": {"phone": "call me"}}, "body.complainant.phone"),
        ({**COMPLAINT, "colour": "red"}, "body.colour"),
        ({**COMPLAINT, "window": "../etc"}, "body.window"),
    ],
    ids=[
        "unknown kind",
        "unknown channel",
        "no summary",
        "empty summary",
        "urgent not a boolean",
        "phone not a number",
        "unknown field",
        "malformed window id",
    ],
)
def test_malformed_registrations_are_refused_with_field_errors_and_record_nothing(
    client: TestClient, tokens: Tokens, container: Container, body: dict[str, Any], field: str
) -> None:
    before = position(container)

    response = client.post(f"{API}/cases", json=body, headers=tokens.operator)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in [f["field"] for f in error["fields"]]
    assert position(container) == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"window": "W-Z99"}, "unknown_window"),
        ({"department": "ministry-of-magic"}, "unknown_department"),
        ({"staff": "S9999"}, "unknown_staff"),
    ],
    ids=["unknown window", "unknown department", "unknown staff"],
)
def test_registrations_naming_unknown_directory_entries_are_refused(
    client: TestClient, tokens: Tokens, container: Container, overrides: dict[str, str], code: str
) -> None:
    before = position(container)

    response = client.post(f"{API}/cases", json={**COMPLAINT, **overrides}, headers=tokens.operator)

    assert error_of(response) == (422, code)
    assert position(container) == before


def test_a_body_that_is_not_json_is_refused_as_invalid(client: TestClient, tokens: Tokens) -> None:
    response = client.post(
        f"{API}/cases",
        content=b"{not json",
        headers={**tokens.operator, "Content-Type": "application/json"},
    )

    assert error_of(response) == (422, "invalid_request")


def test_an_unknown_case_is_not_found_and_a_malformed_id_is_invalid(
    client: TestClient, tokens: Tokens
) -> None:
    missing = client.get(
        f"{API}/cases/00000000-0000-4000-8000-000000000000", headers=tokens.operator
    )
    malformed = client.get(f"{API}/cases/not-a-uuid", headers=tokens.operator)

    assert error_of(missing) == (404, "case_not_found")
    assert malformed.status_code == 422


def test_an_oversized_body_is_refused_before_it_is_read(client: TestClient, tokens: Tokens) -> None:
    response = client.post(
        f"{API}/cases",
        json={**COMPLAINT, "details": "x" * 2_000_000},
        headers=tokens.operator,
    )

    assert error_of(response) == (413, "body_too_large")


def test_an_oversized_body_sent_in_chunks_is_refused_as_too_large_while_it_is_read(
    client: TestClient, tokens: Tokens
) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit trips while reading
        for _ in range(20):
            yield b" " * 100_000

    response = client.post(
        f"{API}/cases",
        content=chunks(),
        headers={**tokens.operator, "Content-Type": "application/json"},
    )

    assert error_of(response) == (413, "body_too_large")


def test_a_case_is_returned_reassigned_as_final_and_then_handled(
    client: TestClient, tokens: Tokens
) -> None:
    case = assigned_through_api(client, tokens.operator, department="taxation", window=None)
    case_url = f"{API}/cases/{case['id']}"
    other = {"Authorization": tokens.other_department["Authorization"]}

    returned = client.post(f"{case_url}/return", json={"reason": "属不动产登记"}, headers=other)
    assert returned.json()["status"] == "returned"
    reassigned = client.post(
        f"{case_url}/assign",
        json={"department": SAMPLE_DEPARTMENT, "final": True, "note": "审定"},
        headers=tokens.inspector,
    )
    assert reassigned.json()["status"] == "assigned"
    assert reassigned.json()["final"] is True
    acknowledged = client.post(f"{case_url}/acknowledge", headers=tokens.department)
    assert acknowledged.json()["status"] == "in_progress"


def test_an_extension_is_asked_by_the_department_and_granted_by_an_inspector(
    client: TestClient, tokens: Tokens
) -> None:
    case = assigned_through_api(client, tokens.operator)
    case_url = f"{API}/cases/{case['id']}"
    client.post(f"{case_url}/acknowledge", headers=tokens.department)

    asked = client.post(
        f"{case_url}/extension",
        json={"working_days": 5, "reason": "需要现场核查"},
        headers=tokens.department,
    )
    assert asked.status_code == 200
    assert asked.json()["pending_extension"]["working_days"] == 5
    refused_role = client.post(f"{case_url}/extension/grant", headers=tokens.operator)
    assert refused_role.status_code == 403
    granted = client.post(f"{case_url}/extension/grant", headers=tokens.inspector)

    assert granted.status_code == 200
    assert granted.json()["due_at"].startswith("2026-12-25T17:30:00")
    assert granted.json()["deadline"]["policy"] == "extension"
    assert granted.json()["pending_extension"] is None


def test_a_duplicate_is_merged_and_then_refuses_every_command(
    client: TestClient, tokens: Tokens
) -> None:
    first = registered_through_api(client, tokens.operator)
    duplicate = registered_through_api(client, tokens.operator)

    merged = client.post(
        f"{API}/cases/{duplicate['id']}/merge", json={"into": first["id"]}, headers=tokens.operator
    )
    assert merged.json()["status"] == "merged"
    again = client.post(
        f"{API}/cases/{duplicate['id']}/assign",
        json={"department": SAMPLE_DEPARTMENT},
        headers=tokens.operator,
    )
    assert error_of(again) == (409, "case_merged")
    target = client.get(f"{API}/cases/{first['id']}", headers=tokens.operator).json()
    assert target["duplicates"] == [duplicate["id"]]


def test_the_directory_lists_departments_windows_and_staff(
    client: TestClient, tokens: Tokens
) -> None:
    departments = client.get(f"{API}/departments", headers=tokens.department).json()["items"]
    windows = client.get(f"{API}/windows", headers=tokens.operator).json()["items"]
    staff = client.get(f"{API}/staff", headers=tokens.inspector).json()["items"]

    assert len(departments) == 33
    assert {"id", "name"} <= departments[0].keys()
    assert {"id", "name", "department"} <= windows[0].keys()
    assert {"id", "name", "department"} <= staff[0].keys()
    assert 100 <= len(staff) <= 120
    assert client.get(f"{API}/departments").status_code == 401


def test_the_deadline_calculator_answers_dates_provisional_flag_and_explanation(
    client: TestClient, tokens: Tokens
) -> None:
    response = client.get(
        f"{API}/calendar/deadline",
        params={"kind": "complaint", "start": "2026-09-30T10:00:00+08:00"},
        headers=tokens.operator,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["acknowledge_due_at"].startswith("2026-10-08T17:30:00")
    assert body["provisional"] is False
    assert "National Day" in body["explanation"] or "holiday" in body["explanation"]


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "gossip", "start": "2026-09-30T10:00:00+08:00"},
        {"kind": "complaint", "start": "yesterday"},
        {"kind": "complaint"},
    ],
    ids=["unknown kind", "malformed start", "no start"],
)
def test_the_deadline_calculator_refuses_bad_queries(
    client: TestClient, tokens: Tokens, params: dict[str, str]
) -> None:
    response = client.get(f"{API}/calendar/deadline", params=params, headers=tokens.operator)

    assert error_of(response) == (422, "invalid_request")


def test_health_and_readiness_answer(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_every_answer_carries_a_request_id_and_security_headers(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "trace-42"})

    assert response.headers["x-request-id"] == "trace-42"
    assert response.headers["x-content-type-options"] == "nosniff"
