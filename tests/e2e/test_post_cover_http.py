"""A/B post cover (AB岗, §16) over HTTP: a department records an absence with the B holder
covering; departments and inspectors read each post's holder on duty; the worker's clock
proposes a window with neither post on duty once, and an inspector confirms or dismisses it;
the month's gaps are a section of the monthly report."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from domain.calendar import OFFICE_TZ
from tests.e2e.conftest import Tokens, error_of, get
from tests.factories import API, posted
from tests.support import SettableTimeSource

MONDAY = "2026-12-07"


def absence(**fields: object) -> dict[str, object]:
    return {
        "staff": "S0001",
        "from": MONDAY,
        "to": MONDAY,
        "reason": "病假",
        "covered_by": "S0002",
        **fields,
    }


def test_an_absence_with_cover_shows_the_b_holder_on_duty(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    recorded = posted(client, "/absences", tokens.department, absence())
    catch_up()

    coverage = get(
        client, "/posts/coverage", tokens.department, date=MONDAY, after=recorded["position"]
    )
    post = next(p for p in coverage["posts"] if p["window"] == "W-A01")

    assert (recorded["window"], recorded["post"], recorded["covered_by"]) == ("W-A01", "A", "S0002")
    assert recorded["starts_at"] == "2026-12-07T00:00:00+08:00"
    assert post["a_holder"]["absence"]["id"] == recorded["id"]
    assert (post["on_duty"], post["uncovered"], post["gap"]) == ("S0002", False, None)
    assert {p["department"] for p in coverage["posts"]} == {"real-estate-registration"}
    everyone = get(client, "/posts/coverage", tokens.inspector, date=MONDAY)
    assert len({p["department"] for p in everyone["posts"]}) > 1


def test_refusals_name_their_codes(client: TestClient, tokens: Tokens) -> None:
    def refused(headers: dict[str, str], **fields: object) -> tuple[int, str]:
        return error_of(client.post(f"{API}/absences", json=absence(**fields), headers=headers))

    assert refused(tokens.department, covered_by="S0004") == (422, "cover_not_b_holder")
    assert refused(tokens.department, staff="S0002", covered_by="S0001") == (
        422,
        "cover_for_b_post",
    )
    assert refused(tokens.department, to="2026-12-06") == (422, "absence_period_invalid")
    assert refused(tokens.department, to="2027-12-31") == (422, "absence_too_long")
    assert refused(tokens.department, staff="S9999") == (422, "unknown_staff")
    assert refused(tokens.other_department) == (403, "staff_not_in_department")
    assert refused(tokens.inspector)[0] == 403
    assert refused(tokens.department, reason="病\x00假") == (422, "invalid_character")
    assert refused(tokens.department, to="9999-99-99")[0] == 422
    posted(client, "/absences", tokens.department, absence())
    assert refused(tokens.department, covered_by=None) == (409, "absence_overlaps")


@pytest.mark.usefixtures("conduct_rules")
def test_a_gap_is_proposed_once_and_an_inspector_confirms_it(
    client: TestClient,
    tokens: Tokens,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> None:
    posted(client, "/absences", tokens.department, absence(covered_by=None))
    posted(
        client,
        "/absences",
        tokens.department,
        absence(staff="S0002", covered_by=None, **{"from": f"{MONDAY}T14:00"}),
    )
    time_source.set(datetime(2026, 12, 7, 14, 30, tzinfo=OFFICE_TZ))
    catch_up()
    catch_up()

    gaps = get(client, "/posts/gaps", tokens.inspector, month="2026-12")
    assert [(g["window"], g["day"], g["status"]) for g in gaps] == [("W-A01", MONDAY, "proposed")]
    assert gaps[0]["starts_at"] == "2026-12-07T14:00:00+08:00"
    coverage = get(client, "/posts/coverage", tokens.department, date=MONDAY)
    post = next(p for p in coverage["posts"] if p["window"] == "W-A01")
    assert (post["on_duty"], post["uncovered"], post["gap"]["status"]) == (None, True, "proposed")

    confirmed = posted(client, f"/posts/W-A01/gaps/{MONDAY}/confirm", tokens.inspector)
    again = client.post(f"{API}/posts/W-A01/gaps/{MONDAY}/confirm", headers=tokens.inspector)
    catch_up()

    assert confirmed["status"] == "confirmed"
    assert error_of(again) == (409, "cover_gap_decided")
    report = client.get(
        f"{API}/reports/monthly",
        params={"month": "2026-12", "format": "xlsx", "after": confirmed["position"]},
        headers=tokens.inspector,
    )
    book = load_workbook(io.BytesIO(report.content))
    assert "AB岗缺岗" in book.sheetnames
    rows = list(book["AB岗缺岗"].values)
    assert rows[2][:2] == ("W-A01", MONDAY)
    assert "已扣分" in rows[2]


def test_a_gap_dismissed_needs_a_reason_and_unknown_gaps_are_not_found(
    client: TestClient, tokens: Tokens
) -> None:
    missing = client.post(
        f"{API}/posts/W-A01/gaps/{MONDAY}/dismiss",
        json={"reason": "闭厅"},
        headers=tokens.inspector,
    )
    by_department = client.post(
        f"{API}/posts/W-A01/gaps/{MONDAY}/confirm", headers=tokens.department
    )

    assert error_of(missing) == (404, "cover_gap_not_found")
    assert by_department.status_code == 403


def test_a_department_cancels_its_absence(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    recorded = posted(client, "/absences", tokens.department, absence())
    path = f"/posts/W-A01/absences/{recorded['id']}/cancel"

    other = client.post(f"{API}{path}", headers=tokens.other_department)
    cancelled = posted(client, path, tokens.department)
    twice = client.post(f"{API}{path}", headers=tokens.department)
    catch_up()

    assert error_of(other) == (403, "staff_not_in_department")
    assert cancelled["cancelled"] is True
    assert error_of(twice) == (409, "absence_cancelled")
    coverage = get(client, "/posts/coverage", tokens.department, date=MONDAY)
    post = next(p for p in coverage["posts"] if p["window"] == "W-A01")
    assert post["on_duty"] == "S0001"
