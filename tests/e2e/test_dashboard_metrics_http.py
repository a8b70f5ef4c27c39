"""The dashboard's reads over HTTP: the cases overdue on each day of a period, the cases
registered by kind and by category, and each window's ratings counted from 1 to 5.

The clock starts on Friday 27 November 2026, 10:00; a complaint assigned then must be
acknowledged by Monday 30 November 17:30.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import Tokens
from tests.factories import (
    API,
    SAMPLE_WINDOW,
    assigned_through_api,
    posted,
    registered_through_api,
)
from tests.support import SettableTimeSource

PERIOD = {"from": "2026-11-26", "to": "2026-12-31"}


def metrics(client: TestClient, tokens: Tokens, name: str, **period: str) -> Any:
    response = client.get(
        f"{API}/metrics/{name}", params=period or PERIOD, headers=tokens.inspector
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_case_counts_as_overdue_from_the_day_its_acknowledge_deadline_passed(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: a case assigned on Friday 27 November is not acknowledged by Monday 17:30
    case = assigned_through_api(client, tokens.operator)
    time_source.advance(days=4)  # Tuesday 1 December, 10:00
    catch_up()

    # when
    answer = metrics(client, tokens, "overdue-per-day")

    # then: one overdue case from the end of Monday on, and no day after today
    assert answer["from"] == PERIOD["from"]
    assert [(item["day"], item["overdue"]) for item in answer["items"]] == [
        ("2026-11-26", 0),
        ("2026-11-27", 0),
        ("2026-11-28", 0),
        ("2026-11-29", 0),
        ("2026-11-30", 1),
        ("2026-12-01", 1),
    ]
    # and once it is acknowledged, today no longer counts it (the past days still do)
    posted(client, f"/cases/{case['id']}/acknowledge", tokens.department)
    catch_up()
    later = metrics(client, tokens, "overdue-per-day")["items"]
    assert [item["overdue"] for item in later[-2:]] == [1, 0]


def test_the_cases_of_a_period_are_counted_by_kind_and_by_category(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    # given: two complaints about attitude, one about waiting, and a suggestion without one
    registered_through_api(client, tokens.operator, category="服务态度")
    registered_through_api(client, tokens.operator, category="服务态度")
    registered_through_api(client, tokens.operator, category="等候时间")
    registered_through_api(client, tokens.operator, kind="suggestion", category=None)
    catch_up()

    # when
    answer = metrics(client, tokens, "cases")
    before = metrics(client, tokens, "cases", **{"from": "2026-11-01", "to": "2026-11-26"})

    # then: largest first, kinds with their Chinese label, no category as null
    assert answer["by_kind"] == [
        {"kind": "complaint", "label": "投诉", "cases": 3},
        {"kind": "suggestion", "label": "建议", "cases": 1},
    ]
    assert answer["by_category"] == [
        {"category": "服务态度", "cases": 2},
        {"category": "等候时间", "cases": 1},
        {"category": None, "cases": 1},
    ]
    assert (before["by_kind"], before["by_category"]) == ([], [])


def test_each_windows_ratings_are_counted_from_one_to_five(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    # given: a window rated 5, 5, 4 and 1
    for rating in (5, 5, 4, 1):
        posted(client, "/evaluations", {}, {"window": SAMPLE_WINDOW, "rating": rating})
    catch_up()

    # when
    answer = metrics(client, tokens, "windows")

    # then
    window = next(item for item in answer["items"] if item["window"] == SAMPLE_WINDOW)
    assert window["by_rating"] == [1, 0, 0, 1, 2]
    assert (window["ratings"], window["bad_ratings"]) == (4, 1)
    others = [item for item in answer["items"] if item["window"] != SAMPLE_WINDOW]
    assert all(item["by_rating"] == [0, 0, 0, 0, 0] for item in others)


@pytest.mark.parametrize("name", ["overdue-per-day", "cases"])
@pytest.mark.parametrize(
    "period",
    [
        {"from": "2026-12-31", "to": "2026-12-01"},
        {"from": "2024-01-01", "to": "2026-12-31"},
        {"from": "2026-13-01", "to": "2026-12-31"},
        {"from": "2026-12-01"},
        {"from": "2026-12-01\x00", "to": "2026-12-31"},
        {"from": "-2026-12-01", "to": "2026-12-31"},
        {"from": "9999-12-01", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-31"},
    ],
)
def test_a_period_that_is_backwards_too_long_or_malformed_is_refused(
    client: TestClient, tokens: Tokens, name: str, period: dict[str, str]
) -> None:
    response = client.get(f"{API}/metrics/{name}", params=period, headers=tokens.inspector)

    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"invalid_request", "invalid_character"}


def test_the_dashboard_reads_are_for_the_centre_only(client: TestClient, tokens: Tokens) -> None:
    for name in ("overdue-per-day", "cases"):
        for headers, status in ((tokens.department, 403), (tokens.admin, 403), ({}, 401)):
            response = client.get(f"{API}/metrics/{name}", params=PERIOD, headers=headers)
            assert response.status_code == status
        assert (
            client.get(f"{API}/metrics/{name}", params=PERIOD, headers=tokens.operator).status_code
            == 200
        )
