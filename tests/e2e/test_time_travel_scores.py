"""Scores, the blue and red lists and the monthly report as the record stood at an instant
(§14): a deduction revoked later still counts as of before its revocation, a report asked
again with the same `as_of` is the same to the byte whatever was recorded since, and the
report states the instant it reflects even when none was asked for."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from domain.calendar import OFFICE_TZ
from infrastructure.audit_projection import AuditEventsRunner
from interfaces.bootstrap import Container
from interfaces.reports import AS_OF_ASKED, AS_OF_LABEL, AS_OF_MADE, CSV_HEADERS
from tests.e2e.bodies import RUDE_REMARK
from tests.e2e.conftest import Tokens, error_of, get, refusal_of, then_an_hour_before_now
from tests.factories import API, SAMPLE_DEPARTMENT, SAMPLE_WINDOW, posted
from tests.support import START, SettableTimeSource

NOVEMBER = "2026-11"
# 韩蕾, on the sample window: a deduction of her alone under a rule for both costs the window.
HAN = "S0001"
RUDE_HAN = {**RUDE_REMARK, "staff": HAN, "occurred_at": "2026-11-03T10:15:00+08:00"}
LATE_HAN = {
    "rule": "lateness_early_leave",
    "staff": HAN,
    "occurred_at": "2026-11-02T09:40:00+08:00",
    "evidence": "考勤 9:40 到岗",
    "source": {"type": "patrol"},
}
NOTICE = {
    "title": "关于不动产登记窗口的通报",
    "text": "该窗口态度生硬，予以通报批评。",
    "kind": "criticism",
    "subject": {"type": "window", "id": SAMPLE_WINDOW},
}
# Before anything was recorded: the sample directory is imported at START.
BEFORE_THE_FIRST_EVENT = "2026-01-01T00:00:00+08:00"


def deduct(client: TestClient, tokens: Tokens, body: dict[str, Any]) -> Any:
    return posted(client, "/deductions", tokens.inspector, body)


def revoke(client: TestClient, tokens: Tokens, deduction: Any) -> Any:
    return posted(
        client, f"/deductions/{deduction['id']}/revoke", tokens.inspector, {"reason": "申诉成立"}
    )


@pytest.fixture
def revoked_after(
    client: TestClient,
    tokens: Tokens,
    conduct_rules: None,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> str:
    """韩蕾's November deduction, recorded at 10:00 and revoked at 12:00 on 27 November; the
    instant between, 11:00, as `as_of` writes it."""
    rude = deduct(client, tokens, RUDE_HAN)
    instant = then_an_hour_before_now(time_source)
    revoke(client, tokens, rude)
    catch_up()
    return instant.isoformat()


def scores_of(answer: Any) -> dict[tuple[str, str], int]:
    return {(item["subject"], item["id"]): item["score"] for item in answer["items"]}


def honoured(answer: Any) -> set[str]:
    return {item["window"] for item in answer["windows"]} | {i["name"] for i in answer["staff"]}


# A revocation recorded later -------------------------------------------------------------


def test_a_deduction_revoked_later_still_costs_its_scores_as_of_before_the_revocation(
    client: TestClient, tokens: Tokens, revoked_after: str
) -> None:
    then = get(client, "/scores", tokens.inspector, month=NOVEMBER, as_of=revoked_after)
    now = get(client, "/scores", tokens.inspector, month=NOVEMBER)

    assert scores_of(then)["staff", HAN] == 95
    assert scores_of(then)["window", SAMPLE_WINDOW] == 95
    assert scores_of(now)["staff", HAN] == 100
    assert then["as_of"] == "2026-11-27T11:00:00+08:00"
    assert then["caught_up"]
    assert now["as_of"] is None


def test_a_deduction_revoked_later_is_on_the_blue_list_as_of_before_the_revocation(
    client: TestClient, tokens: Tokens, revoked_after: str
) -> None:
    then = get(client, "/blue-list", tokens.department, date="2026-11-03", as_of=revoked_after)
    now = get(client, "/blue-list", tokens.department, date="2026-11-03")

    assert [(line["staff"], line["revoked"]) for line in then["items"]] == [(HAN, False)]
    assert now["items"] == []
    assert then["as_of"] == "2026-11-27T11:00:00+08:00"


def test_a_window_whose_deduction_was_revoked_is_on_the_red_list_now_but_not_as_of_before(
    client: TestClient, revoked_after: str
) -> None:
    then = get(client, "/red-list", {}, month=NOVEMBER, as_of=revoked_after)
    now = get(client, "/red-list", {}, month=NOVEMBER)

    assert {SAMPLE_WINDOW, "韩蕾"} <= honoured(now)
    assert not {SAMPLE_WINDOW, "韩蕾"} & honoured(then)
    assert then["as_of"] == "2026-11-27T11:00:00+08:00"
    assert now["as_of"] is None


def test_the_report_with_revoked_deductions_lists_it_in_force_as_of_before_its_revocation(
    client: TestClient, tokens: Tokens, revoked_after: str
) -> None:
    query = {"month": NOVEMBER, "department": SAMPLE_DEPARTMENT, "revoked": "true"}

    then = get(client, "/reports/monthly", tokens.inspector, **query, as_of=revoked_after)
    now = get(client, "/reports/monthly", tokens.inspector, **query)

    ((then_line,),) = [d["deductions"] for d in then["departments"]]
    ((now_line,),) = [d["deductions"] for d in now["departments"]]
    assert (then_line["revoked"], now_line["revoked"]) == (False, True)
    (han,) = [s for s in then["departments"][0]["staff"] if s["id"] == HAN]
    assert han["score"] == 95
    assert (then["as_of"], then["as_of_requested"]) == ("2026-11-27T11:00:00+08:00", True)


def test_the_default_month_and_day_are_those_of_the_instant_asked_for(
    client: TestClient, tokens: Tokens, revoked_after: str, time_source: SettableTimeSource
) -> None:
    time_source.set(datetime(2026, 12, 2, 9, 0, tzinfo=OFFICE_TZ))

    scores = get(client, "/scores", tokens.inspector, as_of=revoked_after)
    red = get(client, "/red-list", {}, as_of="2026-11-27")
    blue = get(client, "/blue-list", tokens.inspector, as_of="2026-11-27")
    report = get(client, "/reports/monthly", tokens.inspector, as_of=revoked_after)
    present = get(client, "/scores", tokens.inspector)

    assert (scores["month"], red["month"], report["month"]) == (NOVEMBER,) * 3
    assert blue["date"] == "2026-11-27"
    assert red["as_of"] == "2026-11-27T23:59:59.999999+08:00"  # the end of that day
    assert present["month"] == "2026-12"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/scores", {"month": "2026-12"}),
        ("/red-list", {"month": "2026-12"}),
        ("/blue-list", {"date": "2026-11-28"}),
        ("/reports/monthly", {"month": "2026-12"}),
    ],
)
def test_a_month_or_day_after_the_instant_asked_for_is_refused(
    client: TestClient,
    tokens: Tokens,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
    path: str,
    query: dict[str, str],
) -> None:
    catch_up()
    time_source.set(datetime(2026, 12, 2, 9, 0, tzinfo=OFFICE_TZ))

    refused = client.get(
        f"{API}{path}", params={**query, "as_of": "2026-11-27"}, headers=tokens.inspector
    )
    answered = client.get(f"{API}{path}", params=query, headers=tokens.inspector)

    assert refused.status_code == 422
    assert error_of(refused)[1] in {"month_in_future", "date_in_future"}
    assert answered.status_code == 200, answered.text


# Reproducible reports ---------------------------------------------------------------------


def report_files(client: TestClient, tokens: Tokens, **query: str) -> dict[str, bytes]:
    """The monthly report for `query` as JSON, CSV and XLSX, as the API sends them."""
    files = {}
    for kind in ("json", "csv", "xlsx"):
        answer = client.get(
            f"{API}/reports/monthly", params={**query, "format": kind}, headers=tokens.inspector
        )
        assert answer.status_code == 200, answer.text
        files[kind] = answer.content
    return files


def cell_values(workbook: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(workbook))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_a_report_asked_again_with_the_same_as_of_is_the_same_whatever_was_recorded_since(
    client: TestClient,
    tokens: Tokens,
    conduct_rules: None,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> None:
    rude = deduct(client, tokens, RUDE_HAN)
    notice = posted(client, "/notices", tokens.inspector, NOTICE)
    catch_up()
    as_of = time_source.advance(minutes=30).isoformat()
    query = {"month": NOVEMBER, "revoked": "true", "as_of": as_of}
    first = report_files(client, tokens, **query)

    time_source.advance(hours=1)
    revoke(client, tokens, rude)
    deduct(client, tokens, LATE_HAN)
    posted(client, f"/notices/{notice['id']}/withdraw", tokens.inspector, {"reason": "有误"})
    catch_up()
    again = report_files(client, tokens, **query)
    now = report_files(client, tokens, month=NOVEMBER, revoked="true")

    assert again["json"] == first["json"]
    assert again["csv"] == first["csv"]
    assert cell_values(again["xlsx"]) == cell_values(first["xlsx"])
    assert load_workbook(io.BytesIO(again["xlsx"])).properties.created == datetime(
        2026, 11, 27, 2, 30
    )  # the workbook is dated by its as_of (UTC), not by when it was written
    assert now["json"] != first["json"]
    assert b'"status":"withdrawn"' in now["json"]
    assert b'"status":"published"' in first["json"]


def test_a_report_asked_without_as_of_states_the_moment_it_was_made(
    client: TestClient,
    tokens: Tokens,
    conduct_rules: None,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> None:
    deduct(client, tokens, RUDE_HAN)
    catch_up()
    made_at = time_source.advance(minutes=5)

    files = report_files(client, tokens, month=NOVEMBER)
    asked = report_files(client, tokens, month=NOVEMBER, as_of=made_at.isoformat())

    made = get(client, "/reports/monthly", tokens.inspector, month=NOVEMBER)
    assert (made["as_of"], made["as_of_requested"]) == ("2026-11-27T10:05:00+08:00", False)
    statement, headers = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))[:2]
    assert statement == [AS_OF_LABEL, "2026-11-27T10:05:00+08:00", AS_OF_MADE]
    assert tuple(headers) == CSV_HEADERS
    summary = cell_values(files["xlsx"])["汇总"]
    assert summary[1][:3] == (AS_OF_LABEL, "2026-11-27T10:05:00+08:00", AS_OF_MADE)
    asked_summary = cell_values(asked["xlsx"])["汇总"]
    assert asked_summary[1][:3] == (AS_OF_LABEL, "2026-11-27T10:05:00+08:00", AS_OF_ASKED)
    # Once the read side has caught up, what it showed is what the record held at that moment.
    assert asked_summary[2:] == summary[2:]


def test_the_report_in_another_offset_states_the_same_instant_in_office_time(
    client: TestClient, tokens: Tokens, revoked_after: str
) -> None:
    in_utc = get(client, "/reports/monthly", tokens.inspector, as_of="2026-11-27T03:00:00Z")
    in_office_time = get(client, "/reports/monthly", tokens.inspector, as_of=revoked_after)

    assert in_utc == in_office_time


# The bounds of the past ----------------------------------------------------------------------


READS = ["/scores", "/blue-list", "/red-list", "/reports/monthly"]


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize(
    "as_of",
    [
        "yesterday",
        "2026-11-27T10:00:00",  # no offset
        "2026-11-27 10:00",
        "2026-13-01",
        "2026-11-27T10:00:00+25:00",
        "2026-11-27\x7f",
        "9" * 41,
        "2026-11-27T10:00:00+08:00" * 1000,
        "٢٠٢٦-١١-٢٧",  # digits of another script
    ],
    ids=[
        "word",
        "no offset",
        "space",
        "month 13",
        "offset 25 h",
        "delete",
        "long number",
        "huge",
        "arabic digits",
    ],
)
def test_a_malformed_as_of_is_refused_as_invalid(
    client: TestClient, tokens: Tokens, path: str, as_of: str
) -> None:
    assert refusal_of(client, path, tokens.inspector, as_of=as_of) == (422, "invalid_as_of")


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b"])
def test_a_control_character_in_as_of_is_refused_as_any_parameters_is(
    client: TestClient, tokens: Tokens, path: str, character: str
) -> None:
    refusal = refusal_of(client, path, tokens.inspector, as_of=f"2026-11-27{character}")

    assert refusal == (422, "invalid_character")


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("as_of", ["2026-11-27T10:00:01+08:00", "2026-11-28", "9999-12-31"])
def test_an_as_of_in_the_future_is_refused(
    client: TestClient, tokens: Tokens, path: str, as_of: str
) -> None:
    assert refusal_of(client, path, tokens.inspector, as_of=as_of) == (422, "as_of_in_future")


def test_before_the_first_event_every_list_is_empty(
    client: TestClient, tokens: Tokens, revoked_after: str
) -> None:
    past = {"as_of": BEFORE_THE_FIRST_EVENT}

    scores = get(client, "/scores", tokens.inspector, **past)
    blue = get(client, "/blue-list", tokens.inspector, **past)
    red = get(client, "/red-list", {}, **past)
    report = get(client, "/reports/monthly", tokens.inspector, **past)

    assert (scores["month"], scores["items"], scores["position"]) == ("2026-01", [], 0)
    assert (blue["date"], blue["items"]) == ("2026-01-01", [])
    assert (red["windows"], red["staff"]) == ([], [])
    assert (report["departments"], report["notices"]) == ([], [])
    assert report["as_of"] == "2026-01-01T00:00:00+08:00"


@pytest.mark.parametrize("as_of", ["0001-01-01T00:00:00+14:00", "0001-01-01", "1999-12-31"])
def test_an_instant_before_the_years_the_record_takes_is_refused_as_invalid(
    client: TestClient, as_of: str
) -> None:
    assert refusal_of(client, "/red-list", {}, as_of=as_of) == (422, "invalid_as_of")


def test_an_instant_the_read_side_has_not_reached_is_answered_later(
    client: TestClient, container: Container, tokens: Tokens, conduct_rules: None
) -> None:
    deduct(client, tokens, RUDE_HAN)
    with AuditEventsRunner(container.database_url, container.supervision) as feed:
        feed.run_until_caught_up()  # the time index knows the deduction; the tables do not
    container.scores.wait_seconds = 0  # type: ignore[attr-defined]

    refusal = refusal_of(client, "/scores", tokens.inspector, as_of=START.isoformat())

    assert refusal == (503, "as_of_not_projected")


def test_the_red_list_of_the_past_is_public_and_a_department_reads_only_its_own_past(
    client: TestClient, tokens: Tokens, revoked_after: str
) -> None:
    other = client.get(
        f"{API}/scores",
        params={"department": "taxation", "as_of": revoked_after},
        headers=tokens.department,
    )
    anyone = client.get(f"{API}/red-list", params={"as_of": revoked_after})

    assert error_of(other)[0] == 403
    assert anyone.status_code == 200
