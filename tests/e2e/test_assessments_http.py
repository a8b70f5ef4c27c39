"""Staff assessments (千人千题, §16) over HTTP: inspectors record marked sessions; a result
below the pass mark makes a retest due until a later result passes; departments read their
own staff's; the monthly report holds each staff member's latest result as of the month's end."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import Tokens, error_of, get, monthly_report
from tests.factories import API, OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, posted
from tests.support import SettableTimeSource

# Friday 27 November 2026 is the tests' today (tests/support.py: START).
SESSION = {
    "title": "11月千人千题",
    "date": "2026-11-20",
    "pass_mark": 60,
    "results": [
        {"staff": "S0001", "score": 58},
        {"staff": "S0002", "score": 92},
        {"staff": "S0010", "score": 45},
    ],
}


def record(client: TestClient, tokens: Tokens, **fields: Any) -> Any:
    return posted(client, "/assessments", tokens.inspector, {**SESSION, **fields})


def sitting(
    client: TestClient, tokens: Tokens, title: str, date: str, scores: dict[str, int]
) -> Any:
    """A later session of the inspection, `scores` by staff id."""
    results = [{"staff": staff, "score": score} for staff, score in scores.items()]
    return record(client, tokens, title=title, date=date, results=results)


def refused(client: TestClient, tokens: Tokens, **fields: Any) -> tuple[int, str]:
    body = {**SESSION, **fields}
    return error_of(client.post(f"{API}/assessments", json=body, headers=tokens.inspector))


def test_an_inspector_records_a_session_and_the_failures_owe_a_retest(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    recorded = record(client, tokens)
    catch_up()

    listed = get(client, "/assessments", tokens.inspector, after=recorded["position"])
    due = get(client, "/assessments/retests-due", tokens.inspector, after=recorded["position"])

    assert (recorded["sat"], recorded["failed"], recorded["date"]) == (3, 2, "2026-11-20")
    assert [r["passed"] for r in recorded["results"]] == [False, True, False]
    assert [item["id"] for item in listed["items"]] == [recorded["id"]]
    assert [(s["staff"], s["due_since"]) for s in due["items"]] == [
        ("S0001", "2026-11-20"),
        ("S0010", "2026-11-20"),
    ]
    assert get(client, f"/assessments/{recorded['id']}", tokens.inspector)["id"] == recorded["id"]


def test_a_retest_stays_due_after_a_later_failure_and_ends_when_one_passes(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    record(client, tokens)
    again = sitting(client, tokens, "补考一", "2026-11-24", {"S0001": 55, "S0010": 80})
    catch_up()
    still = get(client, "/assessments/retests-due", tokens.inspector, after=again["position"])

    passed = sitting(client, tokens, "补考二", "2026-11-26", {"S0001": 70})
    catch_up()
    due = get(client, "/assessments/retests-due", tokens.inspector, after=passed["position"])

    assert [(s["staff"], s["score"], s["due_since"]) for s in still["items"]] == [
        ("S0001", 55, "2026-11-20")
    ]
    assert due["items"] == []


def test_a_department_reads_its_own_staffs_results_and_retests_only(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    recorded = record(client, tokens)
    only_sample = record(
        client, tokens, title="窗口业务", results=[{"staff": "S0002", "score": 90}]
    )
    catch_up()
    after = only_sample["position"]

    listed = get(client, "/assessments", tokens.other_department, after=after)
    one = get(client, f"/assessments/{recorded['id']}", tokens.other_department)
    due = get(client, "/assessments/retests-due", tokens.other_department, after=after)
    hidden = client.get(f"{API}/assessments/{only_sample['id']}", headers=tokens.other_department)
    foreign = client.get(
        f"{API}/assessments/retests-due",
        params={"department": SAMPLE_DEPARTMENT},
        headers=tokens.other_department,
    )

    assert [item["id"] for item in listed["items"]] == [recorded["id"]]
    assert [r["staff"] for r in one["results"]] == ["S0010"]
    assert (one["sat"], one["failed"]) == (1, 1)
    assert [s["staff"] for s in due["items"]] == ["S0010"]
    assert error_of(hidden) == (403, "assessment_not_yours")
    assert foreign.status_code == 403


def test_an_inspector_reads_one_departments_retests(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    recorded = record(client, tokens)
    catch_up()

    due = get(
        client,
        "/assessments/retests-due",
        tokens.inspector,
        department=OTHER_DEPARTMENT,
        after=recorded["position"],
    )

    assert [s["staff"] for s in due["items"]] == ["S0010"]


def test_only_an_inspector_records_and_operators_read_nothing(
    client: TestClient, tokens: Tokens
) -> None:
    as_department = client.post(f"{API}/assessments", json=SESSION, headers=tokens.department)
    as_operator = client.get(f"{API}/assessments", headers=tokens.operator)

    assert as_department.status_code == 403
    assert as_operator.status_code == 403
    assert client.get(f"{API}/assessments").status_code == 401


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"results": []}, "invalid_request"),
        ({"results": [{"staff": "S0001", "score": -1}]}, "invalid_request"),
        ({"results": [{"staff": "S0001", "score": 101}]}, "invalid_request"),
        ({"results": [{"staff": "S0001", "score": 10**30}]}, "invalid_request"),
        ({"results": [{"staff": "S0001", "score": 85.5}]}, "invalid_request"),
        ({"results": [{"staff": "S0001", "score": "85"}]}, "invalid_request"),
        ({"pass_mark": -10}, "invalid_request"),
        ({"pass_mark": 2**63}, "invalid_request"),
        ({"title": ""}, "invalid_request"),
        ({"title": "考" * 101}, "invalid_request"),
        ({"title": "考试\u0000"}, "invalid_character"),
        ({"title": "考试\u001b"}, "invalid_character"),
        ({"date": "2026-11-28"}, "assessment_date_in_future"),
        ({"date": "2026-02-30"}, "invalid_request"),
        ({"results": [{"staff": "S9999", "score": 80}]}, "assessment_staff_unknown"),
        ({"results": [{"staff": "S\u00000", "score": 80}]}, "invalid_character"),
        (
            {"results": [{"staff": "S0001", "score": 80}, {"staff": "S0001", "score": 70}]},
            "assessment_staff_repeated",
        ),
    ],
)
def test_a_session_the_record_cannot_take_is_refused_with_a_code(
    client: TestClient, tokens: Tokens, fields: dict[str, Any], code: str
) -> None:
    assert refused(client, tokens, **fields) == (422, code)


def test_an_unknown_staff_member_is_named_in_the_refusal(
    client: TestClient, tokens: Tokens
) -> None:
    body = {**SESSION, "results": [{"staff": "S0001", "score": 80}, {"staff": "S7777", "score": 9}]}

    answer = client.post(f"{API}/assessments", json=body, headers=tokens.inspector)

    assert answer.status_code == 422
    assert "S7777" in answer.json()["error"]["message"]


def test_an_unknown_session_is_not_found(client: TestClient, tokens: Tokens) -> None:
    answer = client.get(
        f"{API}/assessments/00000000-0000-0000-0000-000000000000", headers=tokens.inspector
    )

    assert error_of(answer) == (404, "assessment_not_found")


def test_the_monthly_report_holds_each_staff_members_latest_result_as_of_the_months_end(
    client: TestClient,
    tokens: Tokens,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> None:
    record(client, tokens)
    time_source.advance(days=10)  # into December
    december = sitting(client, tokens, "12月补考", "2026-12-03", {"S0001": 75})
    catch_up()
    params = {"month": "2026-11", "after": december["position"]}

    november = monthly_report(client, tokens.inspector, **params)
    own = get(client, "/reports/monthly", tokens.other_department, **params)
    now = get(client, "/reports/monthly", tokens.inspector, month="2026-12")

    assert [(s["staff"], s["score"], s["retest_due"]) for s in november.answer["assessments"]] == [
        ("S0001", 58, True),
        ("S0002", 92, False),
        ("S0010", 45, True),
    ]
    assert [s["staff"] for s in own["assessments"]] == ["S0010"]
    assert (now["assessments"][0]["staff"], now["assessments"][0]["retest_due"]) == ("S0001", False)
    sheet = november.workbook["千人千题"]
    assert [cell.value for cell in sheet[3]][1:3] == ["S0001", "韩蕾"]
    rows = list(csv.reader(io.StringIO(november.csv_text)))
    assert ["S0010" in row for row in rows].count(True) >= 1
    assert any("待补考" in cell for row in rows for cell in row)
