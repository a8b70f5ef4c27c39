"""Satisfaction surveys (满意度调查, §16) over HTTP: an inspector records a batch of paper forms
or a third party's results; the window metrics and the monthly report show them beside the
online ratings, each with its source and sample size; bad batches are refused with a code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.survey import MAX_FORMS
from tests.e2e.bodies import PAPER_SURVEY
from tests.e2e.conftest import Tokens, error_of, get, monthly_report
from tests.factories import API, SAMPLE_DEPARTMENT, SAMPLE_WINDOW, posted

THIRD_PARTY = {
    **PAPER_SURVEY,
    "source": "third_party",
    "provider": "某某测评公司",
    "counts": {"1": 2, "2": 0, "3": 0, "4": 0, "5": 2},
}
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def record(client: TestClient, tokens: Tokens, body: dict[str, Any]) -> Any:
    return posted(client, "/surveys", tokens.inspector, body)


def test_an_inspectors_batch_is_listed_with_its_sample_size_and_average(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    recorded = record(client, tokens, PAPER_SURVEY)
    catch_up()

    listed = get(client, "/surveys", tokens.operator, after=recorded["position"])
    of_window = get(client, "/surveys", tokens.inspector, window="W-A02")

    (item,) = listed["items"]
    assert item["id"] == recorded["id"]
    assert (item["from"], item["to"], item["department"]) == (
        "2026-11-01",
        "2026-11-20",
        SAMPLE_DEPARTMENT,
    )
    assert (item["forms"], item["average"], item["bad"], item["source_label"]) == (
        10,
        4.1,
        1,
        "纸质问卷",
    )
    assert item["counts"] == PAPER_SURVEY["counts"]
    assert of_window["items"] == []


def test_window_metrics_show_surveys_beside_online_ratings_with_source_and_sample_size(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    record(client, tokens, PAPER_SURVEY)
    record(client, tokens, PAPER_SURVEY)
    record(client, tokens, THIRD_PARTY)
    record(client, tokens, {**PAPER_SURVEY, "from": "2026-10-01", "to": "2026-10-31"})
    for rating in (4, 5):
        client.post(f"{API}/evaluations", json={"window": SAMPLE_WINDOW, "rating": rating})
    catch_up()

    metrics = get(client, "/metrics/windows", tokens.operator, **NOVEMBER)

    window = next(m for m in metrics["items"] if m["window"] == SAMPLE_WINDOW)
    assert (window["ratings"], window["rating_average"]) == (2, 4.5)  # unchanged fields
    shown = [
        (s["source"], s["provider"], s["sample_size"], s["average"], s["batches"])
        for s in window["satisfaction"]
    ]
    assert shown == [
        ("online", None, 2, 4.5, None),
        ("paper", None, 20, 4.1, 2),
        ("third_party", "某某测评公司", 4, 3.0, 1),
    ]
    other = next(m for m in metrics["items"] if m["window"] != SAMPLE_WINDOW)
    assert [s["source"] for s in other["satisfaction"]] == ["online"]


def test_the_monthly_report_has_the_months_surveys_beside_the_online_ratings(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    recorded = record(client, tokens, THIRD_PARTY)
    client.post(f"{API}/evaluations", json={"window": SAMPLE_WINDOW, "rating": 5})
    catch_up()
    query = {"month": "2026-11", "after": recorded["position"]}

    report = monthly_report(client, tokens.inspector, **query)

    (window,) = report.answer["surveys"]
    assert window["window"] == SAMPLE_WINDOW
    assert [(s["source"], s["sample_size"]) for s in window["satisfaction"]] == [
        ("online", 1),
        ("third_party", 4),
    ]
    assert "某某测评公司" in report.csv_text
    assert "第三方测评" in report.csv_text
    cells = report.cells("满意度调查")
    assert "某某测评公司" in cells
    assert "线上评价" in cells


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"provider": "某某测评公司"}, "survey_provider"),
        ({"source": "third_party"}, "survey_provider"),
        ({"from": "2026-11-21"}, "survey_period"),
        ({"to": "2026-11-28"}, "survey_period"),
        ({"counts": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}, "survey_counts"),
        ({"counts": {"1": 0, "2": 0, "3": 0, "4": 0, "5": MAX_FORMS, "6": 1}}, "invalid_request"),
        ({"counts": {"1": 0, "2": 0, "3": 0, "4": 0}}, "invalid_request"),
        ({"counts": {"1": 0, "2": 0, "3": 0, "4": 0, "5": -1}}, "invalid_request"),
        ({"counts": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 10**30}}, "invalid_request"),
        ({"counts": {"1": 0, "2": 0, "3": 0, "4": 1, "5": MAX_FORMS}}, "survey_counts"),
        ({"counts": {"1": 0, "2": 0, "3": 0, "4": 0, "5": "3"}}, "invalid_request"),
        ({"counts": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1.5}}, "invalid_request"),
        ({"window": "W-NONE"}, "survey_window_unknown"),
        ({"window": "W\x00A01"}, "invalid_character"),
        ({"source": "third_party", "provider": "测\x1b评"}, "invalid_character"),
        ({"source": "third_party", "provider": "测" * 101}, "invalid_request"),
        ({"source": "online"}, "invalid_request"),
        ({"start": "2026-11-01"}, "invalid_request"),
    ],
)
def test_a_bad_batch_is_refused_with_a_code_and_nothing_is_recorded(
    client: TestClient,
    tokens: Tokens,
    catch_up: Callable[[], object],
    change: dict[str, Any],
    code: str,
) -> None:
    response = client.post(
        f"{API}/surveys", json={**PAPER_SURVEY, **change}, headers=tokens.inspector
    )
    catch_up()

    assert error_of(response) == (422, code)
    assert get(client, "/surveys", tokens.inspector)["items"] == []


def test_only_inspectors_record_batches_and_departments_do_not_list_them(
    client: TestClient, tokens: Tokens
) -> None:
    refused = [
        client.post(f"{API}/surveys", json=PAPER_SURVEY, headers=headers)
        for headers in (tokens.operator, tokens.department, tokens.admin)
    ]
    listing = client.get(f"{API}/surveys", headers=tokens.department)

    assert [error_of(r)[0] for r in refused] == [403, 403, 403]
    assert listing.status_code == 403
