"""An inspector at the dashboard and the audit pages in a real browser: every chart drawn by
the dashboard's script under the pages' CSP, axe-core's WCAG 2.1 AA rules on the dashboard;
the audit feed filtered, a record's history, and verification of the ledger; screenshots."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page, expect

from domain.actor import Actor, Role
from domain.case import Kind
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, expect_texts, screenshot, sign_in_as
from tests.factories import (
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    assigned_case,
    rated,
    registered_case,
)
from tests.support import run_worker_once

OPERATOR = Actor("li.si", Role.OPERATOR, request_id="req-7f3a", name="李四")
DEEDS = Actor("deeds.clerk", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT, name="王登记")
CHARTS = ("rates", "overdue", "kinds", "categories", "ratings", "satisfaction")


def a_month_of_work(container: Container) -> None:
    """Cases of several kinds and categories, one acknowledged, one returned with a reason;
    ratings of the sample window from 1 to 5."""
    app = container.supervision
    acknowledged = assigned_case(app, OPERATOR, category="服务态度")
    app.acknowledge_case(acknowledged, DEEDS)
    returned = assigned_case(app, OPERATOR, category="办事效率")
    app.return_case(returned, reason="应由税务局办理", by=DEEDS)
    assigned_case(app, OPERATOR, department=OTHER_DEPARTMENT, category="服务态度")
    registered_case(app, OPERATOR, kind=Kind.SUGGESTION, category="环境设施")
    rated(app, 5, 5, 4, 3, 1)
    run_worker_once(container)


def test_an_inspector_reads_the_dashboard_with_every_chart_drawn(
    page: Page, base_url: str, container: Container
) -> None:
    # given
    a_month_of_work(container)
    sign_in_as(page, container, base_url, Role.INSPECTOR, name="赵督查")
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if _is_a_policy_refusal(message) else None,
    )

    # when
    page.goto("/console/dashboard")

    # then: each chart is drawn beside its table, with nothing refused by the CSP
    expect(page.get_by_role("heading", name="数据看板", level=1)).to_be_visible()
    for chart in CHARTS:
        expect(page.locator(f"#chart-{chart} canvas").first).to_be_attached()
    expect(page.get_by_role("table", name="登记工单数（按诉求类型）")).to_contain_text("投诉")
    expect(page.get_by_role("link", name="下载“每日超期工单数”的 CSV")).to_be_visible()
    assert refused == []
    assert_accessible(page)
    screenshot(page, "dashboard", full_page=True)

    # when: another period is picked
    page.get_by_label("开始日期").fill("2026-11-20")
    page.get_by_label("结束日期").fill("2026-11-27")
    page.get_by_role("button", name="查看").click()

    # then
    expect(page).to_have_url(f"{base_url}/console/dashboard?from=2026-11-20&to=2026-11-27")
    expect(page.locator("#chart-overdue canvas").first).to_be_attached()


def _is_a_policy_refusal(message: ConsoleMessage) -> bool:
    return message.type == "error" and "Content Security Policy" in message.text


def test_an_inspector_filters_the_feed_reads_a_history_and_verifies_the_ledger(
    page: Page, base_url: str, container: Container
) -> None:
    # given
    a_month_of_work(container)
    sign_in_as(page, container, base_url, Role.INSPECTOR, name="赵督查")

    # when: the feed, filtered to returns
    page.goto("/console/audit")
    page.get_by_label("事件类型").select_option(label="工单 · 退单")
    page.get_by_role("button", name="筛选").click()

    # then
    feed = page.get_by_role("table", name="审计事件，最新的在前")
    expect_texts(feed, "应由税务局办理", "王登记")
    assert_accessible(page)
    screenshot(page, "audit-feed", full_page=True)

    # when: the returned case's history
    page.get_by_role("link", name="工单 第 3 版").click()

    # then
    expect(page.get_by_role("heading", name="工单的完整历史")).to_be_visible()
    history = page.get_by_role("table", name="工单的每一个事件")
    expect_texts(history, "李四", "req-7f3a")
    assert_accessible(page)
    screenshot(page, "audit-history", full_page=True)

    # when: verification
    page.get_by_role("link", name="校验与检查点").click()
    page.get_by_role("button", name="校验", exact=True).click()

    # then
    expect_texts(page.get_by_role("status"), "校验通过", "用时")
    page.get_by_role("button", name="核对检查点 1").click()
    expect(page.get_by_role("status").last).to_contain_text("检查点核对通过")
    assert_accessible(page)
    screenshot(page, "audit-verify", full_page=True)
