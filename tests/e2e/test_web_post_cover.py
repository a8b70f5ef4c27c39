"""A/B post cover (AB岗) as pages through the ASGI client: the department records an absence
with the B holder covering and sees the day's coverage, refusals said in Chinese; the
inspector sees every window's coverage and confirms or dismisses the month's gaps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from domain.calendar import OFFICE_TZ
from domain.labels import error_message
from interfaces.bootstrap import Container
from tests.factories import SAMPLE_DEPARTMENT_ACTOR
from tests.support import SettableTimeSource
from tests.web_support import assert_shows, post_form, signed_in

TODAY = "2026-11-27"  # the tests' clock: Friday 10:00
ABSENCE = {"staff": "S0001", "from": TODAY, "to": TODAY, "reason": "病假", "covered_by": "S0002"}


@pytest.fixture
def away_uncovered_on_monday(
    container: Container, time_source: SettableTimeSource, catch_up: Callable[[], object]
) -> Callable[..., None]:
    """Record the staff given away training on Monday 30 November with no one covering, then
    set the clock to noon that day and let the worker find the windows left empty."""

    def away(*staff: str) -> None:
        for one in staff:
            container.supervision.record_absence(
                staff=one,
                start="2026-11-30",
                end="2026-11-30",
                reason="培训",
                covered_by=None,
                by=SAMPLE_DEPARTMENT_ACTOR,
            )
        time_source.set(datetime(2026, 11, 30, 12, 0, tzinfo=OFFICE_TZ))
        catch_up()
        catch_up()

    return away


def test_a_department_records_an_absence_and_sees_the_b_holder_on_duty(
    catch_up: Callable[[], object], department: TestClient
) -> None:
    answer = post_form(department, "/console/posts/absences", ABSENCE, from_page="/console/posts")
    catch_up()
    page = department.get(answer.headers["location"])

    assert answer.status_code == 303
    assert_shows(
        page, '<html lang="zh-CN">', "已登记请假。", "B岗顶岗", "病假", 'href="/console/posts"'
    )


def test_a_refused_absence_is_said_in_chinese_with_the_form_as_typed(
    department: TestClient,
) -> None:
    wrong_cover = post_form(
        department,
        "/console/posts/absences",
        {**ABSENCE, "covered_by": "S0004"},
        from_page="/console/posts",
    )
    reversed_period = post_form(
        department,
        "/console/posts/absences",
        {**ABSENCE, "to": "2026-11-26"},
        from_page="/console/posts",
    )

    assert wrong_cover.status_code == 422
    assert error_message("cover_not_b_holder") in wrong_cover.text
    assert reversed_period.status_code == 422
    assert error_message("absence_period_invalid") in reversed_period.text
    assert 'value="病假"' in reversed_period.text


@pytest.mark.usefixtures("conduct_rules")
def test_the_inspector_confirms_one_gap_and_dismisses_another(
    client: TestClient,
    container: Container,
    catch_up: Callable[[], object],
    away_uncovered_on_monday: Callable[..., None],
) -> None:
    away_uncovered_on_monday("S0001", "S0002", "S0003", "S0004")
    signed_in(client, container, Role.INSPECTOR)

    page = client.get("/console/posts/coverage")
    confirmed = post_form(
        client,
        "/console/posts/coverage/W-A01/gaps/2026-11-30/confirm",
        {},
        from_page="/console/posts/coverage",
    )
    dismissed = post_form(
        client,
        "/console/posts/coverage/W-A02/gaps/2026-11-30/dismiss",
        {"reason": "停电闭厅"},
        from_page="/console/posts/coverage",
    )
    catch_up()
    after = client.get("/console/posts/coverage")

    assert "本月AB岗缺岗（2）" in page.text
    assert "AB岗均不在岗" in page.text
    assert (confirmed.status_code, dismissed.status_code) == (303, 303)
    assert_shows(after, "已扣分", "不予扣分：停电闭厅", 'href="/console/posts/coverage"')


def test_the_monthly_report_page_lists_the_months_gaps(
    client: TestClient, container: Container, away_uncovered_on_monday: Callable[..., None]
) -> None:
    away_uncovered_on_monday("S0001", "S0002")
    signed_in(client, container, Role.INSPECTOR)

    page = client.get("/console/reports/monthly", params={"month": "2026-11"})

    assert page.status_code == 200
    assert_shows(page, "本月AB岗缺岗", "2026-11-30", "待审定")
