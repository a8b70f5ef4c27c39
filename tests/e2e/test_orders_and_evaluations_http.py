"""Rectification orders, public ratings and proposed deductions over HTTP (§7, 好差评, §6)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from domain.scorecard import SubjectKind
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from interfaces.http.app import create_app
from tests.e2e.conftest import Tokens, error_of, get, sample_container
from tests.factories import (
    API,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    SAMPLE_WINDOW,
    assigned_through_api,
    posted,
)
from tests.support import SettableTimeSource

ORDER = {
    "department": SAMPLE_DEPARTMENT,
    "window": SAMPLE_WINDOW,
    "problem": "窗口未落实一次性告知，群众多次往返",
    "requirements": "组织窗口人员学习一次性告知制度，五个工作日内提交整改报告",
    "working_days": 5,
    "source": {"type": "inspection", "ref": "2026年11月暗访"},
}


def refused(
    client: TestClient, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, str]:
    return error_of(client.post(f"{API}{path}", json=body, headers=headers))


def issued(client: TestClient, tokens: Tokens, **overrides: Any) -> dict[str, Any]:
    response = client.post(
        f"{API}/rectification-orders", json={**ORDER, **overrides}, headers=tokens.inspector
    )
    assert response.status_code == 201, response.text
    return response.json()


# Orders --------------------------------------------------------------------------------------


def test_an_order_goes_issued_reported_rejected_reported_accepted(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource
) -> None:
    order = issued(client, tokens)
    order_id = order["id"]
    acknowledged = posted(
        client, f"/rectification-orders/{order_id}/acknowledge", tokens.department
    )
    time_source.advance(days=3)
    reported = posted(
        client,
        f"/rectification-orders/{order_id}/report",
        tokens.department,
        {"measures": "已组织培训", "evidence": "签到表"},
    )
    rejected = posted(
        client,
        f"/rectification-orders/{order_id}/reject",
        tokens.inspector,
        {"reasons": "告知清单不完整", "working_days": 3},
    )
    time_source.advance(days=1)
    reported_again = posted(
        client,
        f"/rectification-orders/{order_id}/report",
        tokens.department,
        {"measures": "已补全告知清单并张贴"},
    )
    accepted = posted(
        client, f"/rectification-orders/{order_id}/accept", tokens.inspector, {"note": "合格"}
    )
    history = client.get(f"{API}/rectification-orders/{order_id}/history", headers=tokens.inspector)

    assert order["status"] == "issued"
    assert order["tracking_number"].startswith("ZG20261127-")
    assert order["source"] == {"type": "inspection", "ref": "2026年11月暗访"}
    assert order["working_days"] == 5
    assert order["due_at"] == "2026-12-04T17:30:00+08:00"  # Mon 30 Nov .. Fri 4 Dec
    assert order["deadline"]["policy"] == "rectification_order.handle"
    assert acknowledged["status"] == "in_progress"
    assert reported["status"] == "reported"
    assert rejected["status"] == "in_progress"
    assert rejected["rejections"][0]["reasons"] == "告知清单不完整"
    assert rejected["due_at"] == "2026-12-03T17:30:00+08:00"  # from Mon 30 Nov: Tue, Wed, Thu
    assert reported_again["status"] == "reported"
    assert len(reported_again["reports"]) == 2
    assert accepted["status"] == "closed"
    assert accepted["verdict_note"] == "合格"
    assert accepted["position"] > order["position"]
    assert [e["type"] for e in history.json()["items"]] == [
        "Issued",
        "Acknowledged",
        "RectificationReported",
        "Rejected",
        "RectificationReported",
        "Accepted",
    ]
    assert history.json()["items"][3]["reason"] == "告知清单不完整"


def test_an_order_is_read_by_its_department_and_the_centre_but_not_by_another_department(
    client: TestClient, tokens: Tokens
) -> None:
    order = issued(client, tokens)
    path = f"{API}/rectification-orders/{order['id']}"

    own = client.get(path, headers=tokens.department)
    centre = client.get(path, headers=tokens.operator)
    other = client.get(path, headers=tokens.other_department)
    history = client.get(f"{path}/history", headers=tokens.department)

    assert (own.status_code, centre.status_code) == (200, 200)
    assert error_of(other) == (403, "not_order_department")
    assert history.status_code == 403


def test_an_order_is_on_its_departments_board_beside_its_cases(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    assigned_through_api(client, tokens.operator, summary="态度差")
    order = issued(client, tokens, working_days=2)
    catch_up()

    board = get(
        client,
        f"/departments/{SAMPLE_DEPARTMENT}/board",
        tokens.department,
        after=order["position"],
    )
    other_board = client.get(
        f"{API}/departments/{OTHER_DEPARTMENT}/board", headers=tokens.inspector
    ).json()

    assert board["caught_up"] is True
    by_type = {item["type"]: item for item in board["items"]}
    assert set(by_type) == {"case", "rectification_order"}
    on_board = by_type["rectification_order"]
    assert on_board["id"] == order["id"]
    assert on_board["tracking_number"] == order["tracking_number"]
    assert on_board["kind"] == "rectification_order"
    assert on_board["status"] == "issued"
    assert on_board["binding_deadline"] == "acknowledge"
    assert on_board["summary"] == ORDER["problem"]
    assert on_board["working_seconds_left"] > 0
    assert set(on_board) == set(by_type["case"])
    assert other_board["items"] == []


@pytest.mark.parametrize(
    ("token", "path", "body"),
    [
        ("operator", "", ORDER),
        ("department", "", ORDER),
        ("department", "/{id}/accept", None),
        ("department", "/{id}/reject", {"reasons": "不行", "working_days": 3}),
        ("inspector", "/{id}/acknowledge", None),
        ("inspector", "/{id}/report", {"measures": "已整改"}),
        ("operator", "/{id}/supervise", {"note": "督办"}),
        ("department", "/{id}/extension/grant", None),
    ],
)
def test_each_order_step_is_for_its_role(
    client: TestClient, tokens: Tokens, token: str, path: str, body: Any
) -> None:
    order = issued(client, tokens)

    status, code = refused(
        client,
        f"/rectification-orders{path.format(id=order['id'])}",
        getattr(tokens, token),
        body,
    )

    assert (status, code) == (403, "role_not_allowed")


def test_steps_the_orders_state_forbids_are_refused_with_409_and_a_named_rule(
    client: TestClient, tokens: Tokens
) -> None:
    order_id = issued(client, tokens)["id"]
    base = f"/rectification-orders/{order_id}"

    before_report = refused(client, f"{base}/accept", tokens.inspector)
    before_acknowledging = refused(
        client, f"{base}/report", tokens.department, {"measures": "已整改"}
    )
    on_time = refused(client, f"{base}/supervise", tokens.inspector, {"note": "督办"})
    by_another = refused(client, f"{base}/acknowledge", tokens.other_department)
    posted(client, f"{base}/acknowledge", tokens.department)
    posted(client, f"{base}/report", tokens.department, {"measures": "已整改"})
    posted(client, f"{base}/accept", tokens.inspector)
    after_closing = refused(client, f"{base}/accept", tokens.inspector)

    assert before_report == (409, "order_not_reported")
    assert before_acknowledging == (409, "order_not_acknowledged")
    assert on_time == (409, "order_not_overdue")
    assert by_another == (403, "not_order_department")
    assert after_closing == (409, "order_closed")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"department": "no-such-department"}, "unknown_department"),
        ({"window": "W-NOPE"}, "unknown_window"),
        ({"working_days": 0}, "invalid_request"),
        ({"working_days": 61}, "invalid_request"),
        ({"problem": ""}, "invalid_request"),
        ({"source": {"type": "rumour"}}, "invalid_request"),
        ({"department": OTHER_DEPARTMENT}, "window_not_in_department"),
    ],
)
def test_an_order_with_bad_input_is_refused_with_422(
    client: TestClient, tokens: Tokens, overrides: dict[str, Any], code: str
) -> None:
    response = client.post(
        f"{API}/rectification-orders", json={**ORDER, **overrides}, headers=tokens.inspector
    )

    assert error_of(response) == (422, code)


def test_an_unknown_order_is_not_found(client: TestClient, tokens: Tokens) -> None:
    case = posted(
        client,
        "/cases",
        tokens.operator,
        {"kind": "complaint", "channel": "hotline", "window": SAMPLE_WINDOW, "summary": "态度差"},
    )

    response = client.get(f"{API}/rectification-orders/{case['id']}", headers=tokens.inspector)

    assert error_of(response) == (404, "order_not_found")


# Ratings ---------------------------------------------------------------------------------------


def test_a_public_rating_of_1_becomes_a_case_on_the_right_departments_board(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    response = client.post(
        f"{API}/evaluations",
        json={"window": SAMPLE_WINDOW, "rating": 1, "comment": "工作人员玩手机不理人"},
    )
    assert response.status_code == 201, response.text
    rating = response.json()
    catch_up()

    board = client.get(
        f"{API}/departments/{SAMPLE_DEPARTMENT}/board", headers=tokens.department
    ).json()

    assert rating["opens_case"] is True
    assert rating["department"] == SAMPLE_DEPARTMENT
    assert rating["rating_label"] == "非常不满意"
    (item,) = board["items"]
    case = client.get(f"{API}/cases/{item['id']}", headers=tokens.operator).json()
    assert item["type"] == "case"
    assert item["tracking_number"].startswith("RT")
    assert [entry["evaluation"] for entry in case["bad_ratings"]] == [rating["id"]]
    assert case["channel"] == "rating"
    assert case["kind"] == "complaint"
    assert case["status"] == "assigned"
    assert case["assigned_department"] == SAMPLE_DEPARTMENT
    assert "工作人员玩手机不理人" in case["summary"]


def test_a_good_rating_opens_no_case(client: TestClient, tokens: Tokens, catch_up: Any) -> None:
    response = client.post(f"{API}/evaluations", json={"window": SAMPLE_WINDOW, "rating": 5})
    catch_up()

    board = client.get(
        f"{API}/departments/{SAMPLE_DEPARTMENT}/board", headers=tokens.department
    ).json()
    assert response.status_code == 201
    assert response.json()["opens_case"] is False
    assert board["items"] == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"window": "W-NOPE", "rating": 1}, "unknown_window"),
        ({"window": SAMPLE_WINDOW, "staff": "S-NOPE", "rating": 1}, "unknown_staff"),
        ({"window": SAMPLE_WINDOW, "rating": 0}, "invalid_request"),
        ({"window": SAMPLE_WINDOW, "rating": 6}, "invalid_request"),
        ({"window": SAMPLE_WINDOW}, "invalid_request"),
        ({"window": SAMPLE_WINDOW, "rating": 3, "colour": "red"}, "invalid_request"),
    ],
)
def test_a_rating_with_bad_input_is_refused_with_422(
    client: TestClient, body: dict[str, Any], code: str
) -> None:
    response = client.post(f"{API}/evaluations", json=body)

    assert error_of(response) == (422, code)


def test_ratings_are_limited_per_client_like_every_public_route(
    database_url: str, time_source: SettableTimeSource
) -> None:
    with (
        sample_container(database_url, time_source, public_rate_limit=2) as container,
        TestClient(create_app(container), raise_server_exceptions=False) as client,
    ):
        answers = [
            client.post(f"{API}/evaluations", json={"window": SAMPLE_WINDOW, "rating": 4})
            for _ in range(3)
        ]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "Retry-After" in answers[2].headers


# Metrics -----------------------------------------------------------------------------------------


def test_metrics_count_orders_and_ratings_beside_the_cases(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    order = issued(client, tokens)
    posted(client, f"/rectification-orders/{order['id']}/acknowledge", tokens.department)
    posted(
        client, f"/rectification-orders/{order['id']}/report", tokens.department, {"measures": "好"}
    )
    issued(client, tokens)
    for rating in (1, 4, 5):
        client.post(f"{API}/evaluations", json={"window": SAMPLE_WINDOW, "rating": rating})
    catch_up()
    period = {"from": "2026-11-01", "to": "2026-11-30"}

    departments = client.get(f"{API}/metrics/departments", params=period, headers=tokens.operator)
    windows = client.get(f"{API}/metrics/windows", params=period, headers=tokens.inspector)
    by_department = client.get(f"{API}/metrics/windows", params=period, headers=tokens.department)

    ours = next(m for m in departments.json()["items"] if m["department"] == SAMPLE_DEPARTMENT)
    assert ours["orders"]["issued"] == 2
    assert ours["orders"]["open"] == 1
    assert ours["orders"]["reported"] == 1
    assert ours["orders"]["acknowledged_on_time_rate"] == 1.0
    assert ours["orders"]["reported_on_time"] == 1
    assert (ours["ratings"], ours["rating_average"], ours["bad_ratings"]) == (3, 3.33, 1)
    assert ours["assigned"] == 1  # the case the bad rating opened, assigned at once
    window = next(m for m in windows.json()["items"] if m["window"] == SAMPLE_WINDOW)
    assert (window["ratings"], window["rating_average"], window["bad_ratings"]) == (3, 3.33, 1)
    untouched = next(m for m in windows.json()["items"] if m["window"] != SAMPLE_WINDOW)
    assert (untouched["ratings"], untouched["rating_average"]) == (0, None)
    assert by_department.status_code == 403


# Proposed deductions ---------------------------------------------------------------------------


@pytest.fixture
def answered_with_proposal(client: TestClient, tokens: Tokens, container: Container) -> str:
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    case_id = assigned_through_api(client, tokens.operator, summary="态度差")["id"]
    posted(client, f"/cases/{case_id}/acknowledge", tokens.department)
    answered = posted(
        client,
        f"/cases/{case_id}/result",
        tokens.department,
        {
            "outcome": "substantiated",
            "answer": "经核实属实",
            "proposed_deduction": {"rule": "harsh_attitude"},
        },
    )
    assert answered["proposed_deduction"]["status"] == "proposed"
    assert answered["proposed_deduction"]["window"] == SAMPLE_WINDOW
    return str(case_id)


def test_an_inspector_confirms_a_proposed_deduction_and_it_costs_the_window_its_points(
    client: TestClient, tokens: Tokens, answered_with_proposal: str, container: Container
) -> None:
    by_department = refused(
        client, f"/cases/{answered_with_proposal}/proposed-deduction/confirm", tokens.department
    )
    confirmed = posted(
        client, f"/cases/{answered_with_proposal}/proposed-deduction/confirm", tokens.inspector
    )
    again = refused(
        client, f"/cases/{answered_with_proposal}/proposed-deduction/confirm", tokens.inspector
    )

    assert by_department == (403, "role_not_allowed")
    assert confirmed["proposed_deduction"]["status"] == "confirmed"
    assert confirmed["proposed_deduction"]["deduction_id"]
    assert again == (409, "no_proposed_deduction")
    assert container.supervision.scorecard(SubjectKind.WINDOW, SAMPLE_WINDOW, "2026-11").score == 95


def test_an_inspector_dismisses_a_proposed_deduction_with_a_reason(
    client: TestClient, tokens: Tokens, answered_with_proposal: str
) -> None:
    without_reason = client.post(
        f"{API}/cases/{answered_with_proposal}/proposed-deduction/dismiss",
        json={},
        headers=tokens.inspector,
    )
    dismissed = posted(
        client,
        f"/cases/{answered_with_proposal}/proposed-deduction/dismiss",
        tokens.inspector,
        {"reason": "情节轻微，批评教育"},
    )

    assert without_reason.status_code == 422
    assert dismissed["proposed_deduction"]["status"] == "dismissed"
    assert dismissed["proposed_deduction"]["reason"] == "情节轻微，批评教育"


def test_only_a_substantiated_result_proposes_a_deduction(
    client: TestClient, tokens: Tokens
) -> None:
    case = assigned_through_api(client, tokens.operator, summary="态度差")
    posted(client, f"/cases/{case['id']}/acknowledge", tokens.department)

    status, code = refused(
        client,
        f"/cases/{case['id']}/result",
        tokens.department,
        {
            "outcome": "unsubstantiated",
            "answer": "经核实不属实",
            "proposed_deduction": {"rule": "harsh_attitude"},
        },
    )

    assert (status, code) == (422, "deduction_not_proposable")
