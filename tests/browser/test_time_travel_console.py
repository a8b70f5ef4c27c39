"""查看历史时点 in a real browser (§14): an inspector asks a department's board as it stood
before the case was moved to another department, sees the banner and the case, and goes back
to now; from the case list of then, opens the case as it then stood, with nothing to do; a
citizen reads the blue list as published then, on a phone. Axe on the board and the case page
of the past; screenshots of all three."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from domain.actor import Role
from domain.calendar import OFFICE_TZ
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.factories import (
    ADMIN,
    INSPECTOR,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    a_deduction,
    assign,
    registration,
)
from tests.support import SettableTimeSource, run_worker_once

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def moved_case(container: Container, time_source: SettableTimeSource) -> str:
    """A complaint the deeds office held from 10:00 until taxation was given it at 12:00, and
    a patrol's deduction of that morning, revoked at 12:00; the tracking number."""
    app = container.supervision
    app.load_conduct_rules(default_conduct_rules(), ADMIN)
    registered = registration(app, summary="不动产登记窗口拒收材料")
    assign(app, registered.case.id)
    deduction = app.record_deduction(
        a_deduction(occurred_at=datetime(2026, 11, 27, 9, 0, tzinfo=OFFICE_TZ)), INSPECTOR
    )
    time_source.advance(hours=2)
    assign(app, registered.case.id, department=OTHER_DEPARTMENT)
    app.revoke_deduction(deduction.id, reason="考勤记录有误", by=INSPECTOR)
    run_worker_once(container)
    return registered.case.tracking_number


def test_an_inspector_reads_a_board_as_it_stood_before_the_case_moved_on(
    page: Page, container: Container, base_url: str, moved_case: str
) -> None:
    # given: the deeds office's board now, without the case
    sign_in_as(page, container, base_url, Role.INSPECTOR, username="zhou.jian", name="周检")
    page.goto(f"/console/boards/{SAMPLE_DEPARTMENT}")
    expect(page.get_by_role("cell", name=moved_case)).to_have_count(0)

    # when: 11:00 that morning, Beijing time
    page.get_by_label("查看历史时点").fill("2026-11-27T11:00")
    page.get_by_role("button", name="显示历史记录").click()

    # then: the banner says which instant is shown, and the case is on the board
    banner = page.get_by_role("status", name="历史时点")
    expect(banner).to_contain_text(
        "正在查看 2026年11月27日 11:00 的历史记录（记录时间），数据不会随新记录变化。"
    )
    expect(page.get_by_role("row").filter(has_text=moved_case)).to_contain_text("已派单")
    expect(page.get_by_label("查看历史时点")).to_have_value("2026-11-27T11:00")
    assert_accessible(page)
    screenshot(page, "time-travel-board", full_page=True)

    # when: back to now
    banner.get_by_role("link", name="回到现在").click()

    # then
    expect(page.get_by_role("status", name="历史时点")).to_have_count(0)
    expect(page.get_by_role("cell", name=moved_case)).to_have_count(0)


def test_an_inspector_opens_a_case_from_the_past_case_list_as_it_then_stood(
    page: Page, container: Container, base_url: str, moved_case: str
) -> None:
    # given: the case list as it stood at 11:00 that morning
    sign_in_as(page, container, base_url, Role.INSPECTOR, username="zhou.jian", name="周检")
    page.goto("/console/cases")
    page.get_by_label("查看历史时点").fill("2026-11-27T11:00")
    page.get_by_role("button", name="显示历史记录").click()

    # when: the case is opened from the list
    page.get_by_role("link", name=moved_case).click()

    # then: the case as it stood then, under the banner: the deeds office's, its one
    # assignment in the timeline, and nothing to do
    expect(page.get_by_role("heading", name=f"工单 {moved_case}")).to_be_visible()
    banner = page.get_by_role("status", name="历史时点")
    expect(banner).to_contain_text("正在查看 2026年11月27日 11:00 的历史记录")
    facts = page.get_by_role("region", name="基本情况")
    expect(facts).to_contain_text("不动产登记中心")
    expect(facts).not_to_contain_text("税务局")
    expect(page.get_by_role("region", name="办理过程").get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_role("heading", name="可办理的操作")).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "time-travel-case", full_page=True)

    # when: back to now
    banner.get_by_role("link", name="回到现在").click()

    # then: the case as it stands, with taxation, and the inspector's actions
    expect(page.get_by_role("status", name="历史时点")).to_have_count(0)
    expect(page.get_by_role("region", name="基本情况")).to_contain_text("税务局")
    expect(page.get_by_role("heading", name="可办理的操作")).to_be_visible()


def test_a_citizen_reads_the_blue_list_as_published_that_morning_on_a_phone(
    phone: Page, moved_case: str
) -> None:
    # when: the blue list of 27 November, as it stood at 11:00
    phone.goto("/blue-list?date=2026-11-27")
    expect(phone.get_by_text("当日无扣分记录。")).to_be_visible()
    phone.get_by_label("查看历史时点").fill("2026-11-27T11:00")
    phone.get_by_role("button", name="显示历史记录").click()

    # then: the patrol's deduction, revoked since, under the banner; nothing scrolls sideways
    expect(phone.get_by_role("status", name="历史时点")).to_contain_text("2026年11月27日 11:00")
    expect(phone.get_by_role("row").filter(has_text="韩蕾")).to_contain_text("迟到早退")
    assert phone.evaluate(SIDEWAYS) <= 0, f"{phone.url} scrolls sideways"
    screenshot(phone, "phone-time-travel-blue-list", full_page=True)
