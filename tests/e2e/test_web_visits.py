"""Inspection visits (暗访巡查) as pages: the inspector's list, the form that records a visit,
and a visit's page whose forms make findings into a deduction, an order and a case; the
records then say 来源：暗访巡查 with a link back to the visit; refusals are said in Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.labels import error_message
from interfaces.bootstrap import Container
from tests.factories import SAMPLE_DEPARTMENT, SAMPLE_WINDOW
from tests.web_support import post_form

VISIT_URL = re.compile(r"/console/visits/([0-9a-f-]{36})$")
FORM = {
    "date": "2026-11-26",
    "method": "patrol",
    "windows": [SAMPLE_WINDOW],
    "summary": "巡查不动产登记窗口，办事指南未公示",
}


pytestmark = pytest.mark.usefixtures("conduct_rules")


def recorded_through_the_form(client: TestClient) -> str:
    answer = post_form(client, "/console/visits/new", FORM)
    assert answer.status_code == 303, answer.text
    found = VISIT_URL.search(answer.headers["location"])
    assert found
    return found.group(1)


def test_an_inspector_records_a_visit_and_its_findings_through_the_pages(
    container: Container, catch_up: Callable[[], object], inspector: TestClient
) -> None:
    form = inspector.get("/console/visits/new").text
    for name in ("检查日期", "检查方式", "检查情况", "登记"):
        assert f">{name}<" in form
    visit_id = recorded_through_the_form(inspector)
    page = f"/console/visits/{visit_id}"
    findings = f"{page}/findings"

    deduction = post_form(
        inspector,
        findings,
        {
            "type": "deduction",
            "rule": "harsh_attitude",
            "staff": "S0001",
            "occurred_at": "2026-11-26T10:15",
            "evidence": "巡查时言语生硬",
        },
        from_page=page,
    )
    order = post_form(
        inspector,
        findings,
        {
            "type": "order",
            "department": SAMPLE_DEPARTMENT,
            "window": SAMPLE_WINDOW,
            "problem": "办事指南未公示",
            "requirements": "三日内公示",
        },
        from_page=page,
    )
    case = post_form(
        inspector,
        findings,
        {
            "type": "case",
            "kind": "complaint",
            "channel": "walk_in",
            "window": SAMPLE_WINDOW,
            "summary": "排队无人引导",
        },
        from_page=page,
    )

    assert [a.status_code for a in (deduction, order, case)] == [303, 303, 303]
    shown = inspector.get(page).text
    assert "已记录发现问题" in shown
    visit = container.supervision.get_visit(UUID(visit_id))
    kinds = {outcome.type: outcome.record_id for outcome in visit.outcomes}
    assert set(kinds) == {"deduction", "order", "case"}
    assert f'href="/console/orders/{kinds["order"]}"' in shown
    assert f'href="/console/cases/{kinds["case"]}"' in shown
    for record_page in (f"/console/orders/{kinds['order']}", f"/console/cases/{kinds['case']}"):
        record = inspector.get(record_page).text
        assert "来源：暗访巡查" in record
        assert f'href="/console/visits/{visit_id}"' in record
    catch_up()
    listed = inspector.get("/console/visits").text
    assert f'href="/console/visits/{visit_id}"' in listed
    assert "巡查" in listed
    report = inspector.get("/console/reports/monthly?month=2026-11").text
    assert "本月暗访巡查" in report
    assert "办事指南未公示" in report


def test_the_inspectors_navigation_leads_to_the_visits(inspector: TestClient) -> None:
    assert 'href="/console/visits"' in inspector.get("/console/").text


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"windows": []}, None),
        ({"windows": ["W-NOPE"]}, "unknown_window"),
        ({"date": "2026-12-25"}, "visit_date_out_of_range"),
    ],
)
def test_a_visit_the_form_cannot_record_is_refused_in_chinese(
    fields: dict[str, object], code: str | None, inspector: TestClient
) -> None:
    answer = post_form(inspector, "/console/visits/new", {**FORM, **fields})

    assert answer.status_code == 422
    assert (error_message(code) if code else "检查窗口") in answer.text


def test_a_finding_its_records_rules_refuse_is_shown_on_the_visit_page(
    inspector: TestClient,
) -> None:
    page = f"/console/visits/{recorded_through_the_form(inspector)}"

    answer = post_form(
        inspector,
        f"{page}/findings",
        {
            "type": "order",
            "department": SAMPLE_DEPARTMENT,
            "problem": "问题",
            "requirements": "要求",
            "working_days": "999",
        },
        from_page=page,
    )

    assert answer.status_code == 422
    assert "整改" in answer.text
    assert '<html lang="zh-CN">' in answer.text


def test_a_department_may_not_open_the_visit_pages(department: TestClient) -> None:
    assert department.get("/console/visits", follow_redirects=False).status_code == 403
