"""Appeals of deductions over HTTP (申诉, §15): filing, the inspectors' decision, the lists by
role, every refusal with its code, text the record cannot hold, and the marks on the scores,
the deductions and the monthly report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.calendar import OFFICE_TZ
from tests.e2e.bodies import RUDE_REMARK
from tests.e2e.conftest import Tokens, error_of, get
from tests.factories import API, SAMPLE_DEPARTMENT
from tests.support import SettableTimeSource

APPEAL = {"reasons": "当事人系在向群众解释政策，语气并无不当", "evidence": "现场录音一段"}


def post(client: TestClient, path: str, headers: dict[str, str], body: Any = None) -> Any:
    response = client.post(f"{API}{path}", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture
def read(client: TestClient, catch_up: Callable[[], object]) -> Callable[..., Any]:
    """A GET of the API once the worker has caught the read side up."""

    def caught_up_get(path: str, headers: dict[str, str], **params: Any) -> Any:
        catch_up()
        return get(client, path, headers, **params)

    return caught_up_get


@pytest.fixture
def deduction_id(client: TestClient, tokens: Tokens, conduct_rules: None) -> str:
    """Five points from S0001 (and their window W-A01), recorded on Friday 27 November."""
    return str(post(client, "/deductions", tokens.inspector, RUDE_REMARK)["id"])


@pytest.fixture
def appeal(client: TestClient, tokens: Tokens, deduction_id: str) -> dict[str, Any]:
    return post(client, f"/deductions/{deduction_id}/appeal", tokens.department, APPEAL)  # type: ignore[no-any-return]


@pytest.fixture
def send_appeal(client: TestClient, tokens: Tokens, deduction_id: str) -> Callable[..., Response]:
    """Send an appeal of the deduction (the department's, by default); the answer, whatever
    it is."""

    def send(body: Any = APPEAL, headers: dict[str, str] | None = None) -> Response:
        return client.post(
            f"{API}/deductions/{deduction_id}/appeal",
            json=body,
            headers=headers or tokens.department,
        )

    return send


def test_the_department_appeals_a_deduction_and_reads_it_in_its_list(
    tokens: Tokens, read: Callable[..., Any], appeal: dict[str, Any], deduction_id: str
) -> None:
    listed = read("/appeals", tokens.department, after=appeal["position"])
    one = read(f"/appeals/{appeal['id']}", tokens.department)

    assert (appeal["status"], appeal["status_label"]) == ("open", "申诉中")
    assert appeal["deduction_id"] == deduction_id
    assert appeal["department"] == SAMPLE_DEPARTMENT
    assert appeal["due_at"] == "2026-12-04T17:30:00+08:00"
    assert appeal["deduction"]["points"] == 5
    assert [item["id"] for item in listed["items"]] == [appeal["id"]]
    assert listed["items"][0]["rule_name"] == one["deduction"]["rule_name"]
    assert one["reasons"] == APPEAL["reasons"]


def test_inspectors_list_open_appeals_and_filter_them_by_state(
    client: TestClient, tokens: Tokens, read: Callable[..., Any], appeal: dict[str, Any]
) -> None:
    open_ones = read("/appeals", tokens.inspector, status="open", after=appeal["position"])
    upheld = read("/appeals", tokens.inspector, status="upheld")

    assert [item["id"] for item in open_ones["items"]] == [appeal["id"]]
    assert upheld["items"] == []


def test_another_department_neither_lists_nor_reads_the_appeal(
    client: TestClient, tokens: Tokens, read: Callable[..., Any], appeal: dict[str, Any]
) -> None:
    own_list = read("/appeals", tokens.other_department, after=appeal["position"])
    asked_for_other = client.get(
        f"{API}/appeals", params={"department": SAMPLE_DEPARTMENT}, headers=tokens.other_department
    )
    read = client.get(f"{API}/appeals/{appeal['id']}", headers=tokens.other_department)

    assert own_list["items"] == []
    assert error_of(asked_for_other) == (403, "not_your_department")
    assert error_of(read) == (403, "not_appeal_department")


def test_an_upheld_appeal_keeps_the_deduction_and_the_scores_mark_its_outcome(
    client: TestClient, tokens: Tokens, read: Callable[..., Any], appeal: dict[str, Any]
) -> None:
    decided = post(
        client, f"/appeals/{appeal['id']}/uphold", tokens.inspector, {"reason": "录像清楚"}
    )
    lines = read("/deductions", tokens.department, after=decided["position"])

    assert (decided["status"], decided["decision_reason"]) == ("upheld", "录像清楚")
    (line,) = [item for item in lines["items"] if item["id"] == appeal["deduction_id"]]
    assert line["revoked"] is False
    assert line["appeal"]["status"] == "upheld"
    assert line["appeal"]["status_label"] == "维持扣分"


def test_a_granted_appeal_revokes_the_deduction_and_restores_the_scores(
    client: TestClient, tokens: Tokens, read: Callable[..., Any], appeal: dict[str, Any]
) -> None:
    decided = post(
        client, f"/appeals/{appeal['id']}/grant", tokens.inspector, {"reason": "系解释政策"}
    )
    scores = read("/scores", tokens.inspector, month="2026-11", after=decided["position"])
    lines = read("/deductions", tokens.inspector, revoked=True)

    assert decided["status"] == "granted"
    by_subject = {(s["subject"], s["id"]): s for s in scores["items"]}
    assert by_subject["staff", "S0001"]["score"] == 100
    assert by_subject["window", "W-A01"]["score"] == 100
    (line,) = lines["items"]
    assert (line["id"], line["revoke_reason"]) == (appeal["deduction_id"], "系解释政策")
    assert line["appeal"]["status"] == "granted"


def test_scores_and_the_monthly_report_mark_a_deduction_under_appeal(
    client: TestClient, tokens: Tokens, read: Callable[..., Any], appeal: dict[str, Any]
) -> None:
    after = appeal["position"]
    scores = read("/scores", tokens.department, month="2026-11", after=after)
    report = read("/reports/monthly", tokens.inspector, month="2026-11", after=after)
    spreadsheet = client.get(
        f"{API}/reports/monthly",
        params={"month": "2026-11", "format": "csv"},
        headers=tokens.inspector,
    )

    by_subject = {(s["subject"], s["id"]): s for s in scores["items"]}
    assert by_subject["staff", "S0001"]["under_appeal"] == 1
    assert by_subject["staff", "S0001"]["score"] == 95
    assert by_subject["staff", "S0002"]["under_appeal"] == 0
    (department,) = [d for d in report["departments"] if d["id"] == SAMPLE_DEPARTMENT]
    (line,) = [d for d in department["deductions"] if d["id"] == appeal["deduction_id"]]
    assert line["appeal"]["status_label"] == "申诉中"
    rows = list(csv.reader(io.StringIO(spreadsheet.content.decode("utf-8-sig"))))
    assert any(cell.endswith("（申诉中）") for row in rows for cell in row)


# Refusals -------------------------------------------------------------------------------------


def test_a_second_appeal_of_the_deduction_is_refused(
    appeal: dict[str, Any], send_appeal: Callable[..., Response]
) -> None:
    again = send_appeal()

    assert error_of(again) == (409, "deduction_already_appealed")


def test_an_appeal_after_five_working_days_is_refused(
    send_appeal: Callable[..., Response], time_source: SettableTimeSource
) -> None:
    time_source.set(datetime(2026, 12, 7, 9, 0, tzinfo=OFFICE_TZ))

    late = send_appeal()

    assert error_of(late) == (409, "appeal_window_closed")


def test_an_appeal_of_a_revoked_deduction_is_refused(
    client: TestClient, tokens: Tokens, deduction_id: str, send_appeal: Callable[..., Response]
) -> None:
    post(client, f"/deductions/{deduction_id}/revoke", tokens.inspector, {"reason": "录入错误"})

    refused = send_appeal()

    assert error_of(refused) == (409, "revoked_deduction_not_appealable")


def test_another_department_may_not_appeal_and_an_unknown_deduction_is_not_found(
    client: TestClient, tokens: Tokens, send_appeal: Callable[..., Response]
) -> None:
    other = send_appeal(headers=tokens.other_department)
    unknown = client.post(
        f"{API}/deductions/00000000-0000-4000-8000-000000000000/appeal",
        json=APPEAL,
        headers=tokens.department,
    )

    assert error_of(other) == (403, "not_appeal_department")
    assert error_of(unknown) == (404, "deduction_not_found")


def test_deciding_twice_is_refused(
    client: TestClient, tokens: Tokens, appeal: dict[str, Any]
) -> None:
    post(client, f"/appeals/{appeal['id']}/uphold", tokens.inspector, {"reason": "属实"})

    grant = client.post(
        f"{API}/appeals/{appeal['id']}/grant", json={"reason": "改判"}, headers=tokens.inspector
    )
    uphold = client.post(
        f"{API}/appeals/{appeal['id']}/uphold", json={"reason": "再审"}, headers=tokens.inspector
    )

    assert error_of(grant) == (409, "appeal_already_decided")
    assert error_of(uphold) == (409, "appeal_already_decided")


def test_supervising_an_appeal_on_time_is_refused_and_an_unknown_appeal_is_not_found(
    client: TestClient, tokens: Tokens, appeal: dict[str, Any]
) -> None:
    early = client.post(
        f"{API}/appeals/{appeal['id']}/supervise", json={"note": "督办"}, headers=tokens.inspector
    )
    unknown = client.post(
        f"{API}/appeals/00000000-0000-4000-8000-000000000000/uphold",
        json={"reason": "属实"},
        headers=tokens.inspector,
    )

    assert error_of(early) == (409, "appeal_not_overdue")
    assert error_of(unknown) == (404, "appeal_not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"reasons": "理由\u0000含空字符"}, "invalid_character"),
        ({"reasons": "理由\u001b含控制字符"}, "invalid_character"),
        ({"reasons": "可以", "evidence": "证据\u0007"}, "invalid_character"),
        ({"reasons": ""}, "invalid_request"),
        ({"reasons": "   "}, "invalid_request"),
        ({"reasons": "长" * 5_001}, "invalid_request"),
        ({"reasons": 12}, "invalid_request"),
        ({"reasons": "可以", "extra": 1}, "invalid_request"),
        ({}, "invalid_request"),
    ],
)
def test_text_the_record_cannot_hold_is_refused_with_a_code(
    send_appeal: Callable[..., Response], body: dict[str, Any], code: str
) -> None:
    refused = send_appeal(body)

    assert error_of(refused) == (422, code)


@pytest.mark.parametrize(
    "params",
    [
        {"status": "maybe"},
        {"limit": -1},
        {"limit": 10**20},
        {"department": "bad id\u0000"},
        {"cursor": "!!"},
        {"after": -5},
        {"unknown": "x"},
    ],
)
def test_bad_list_parameters_are_refused_with_a_code(
    client: TestClient, tokens: Tokens, params: dict[str, Any]
) -> None:
    refused = client.get(f"{API}/appeals", params=params, headers=tokens.inspector)

    assert refused.status_code == 422
    assert refused.json()["error"]["code"] in ("invalid_request", "invalid_character")


def test_the_clock_records_the_missed_decision_and_the_list_shows_it_overdue(
    client: TestClient,
    tokens: Tokens,
    read: Callable[..., Any],
    appeal: dict[str, Any],
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> None:
    time_source.set(datetime(2026, 12, 7, 9, 0, tzinfo=OFFICE_TZ))
    catch_up()
    catch_up()

    overdue = read("/appeals", tokens.inspector, overdue=True)
    supervised = post(
        client, f"/appeals/{appeal['id']}/supervise", tokens.inspector, {"note": "逾期督办"}
    )

    assert [item["id"] for item in overdue["items"]] == [appeal["id"]]
    assert supervised["overdue"] is True
    assert supervised["supervisions"][0]["note"] == "逾期督办"
