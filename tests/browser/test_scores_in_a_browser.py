"""An inspector reads November's scores in a real browser: the scorecards with a revoked
deduction marked, the blue list of a day as it prints on A4, and the monthly report with its
files; axe on the scorecards; screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.browser.conftest import (
    assert_accessible,
    from_the_navigation,
    screenshot,
    sign_in_as,
)
from tests.e2e.test_web_scores import record_november
from tests.factories import SAMPLE_DEPARTMENT
from tests.support import run_worker_once


@pytest.fixture
def inspector(page: Page, container: Container, base_url: str) -> Page:
    """An inspector at the console, with November's deductions on the read side."""
    record_november(container)
    run_worker_once(container)
    sign_in_as(page, container, base_url, Role.INSPECTOR, username="zhou.jian", name="周检")
    return page


def test_an_inspector_reads_a_departments_scorecards(inspector: Page) -> None:
    # given
    page = inspector

    # when: from the navigation, November, the real-estate registration centre
    from_the_navigation(page, "月度考评")
    page.get_by_label("月份", exact=True).fill("2026-11")
    page.get_by_label("部门", exact=True).select_option(SAMPLE_DEPARTMENT)
    page.get_by_role("button", name="查看").click()

    # then: 韩蕾's 93, and the revoked deduction listed as revoked
    expect(page.get_by_role("heading", name="月度考评（2026年11月）")).to_be_visible()
    staff = page.get_by_role("row").filter(has_text="韩蕾")
    expect(staff.get_by_role("cell", name="93")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="未一次性告知")).to_contain_text("已撤销")
    assert_accessible(page)
    screenshot(page, "scores", full_page=True)


def test_an_inspector_prints_the_blue_list_of_a_day(inspector: Page) -> None:
    # given
    page = inspector
    page.goto("/console/blue-list?date=2026-11-02")

    # then: the day's deductions with their evidence, and a print button
    expect(page.get_by_role("heading", name="蓝榜（2026年11月2日）")).to_be_visible()
    expect(page.get_by_role("cell", name="考勤 9:40 到岗")).to_be_visible()
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    screenshot(page, "staff-blue-list", full_page=True)

    # when: as it prints
    page.emulate_media(media="print")

    # then: no navigation, no filters, no buttons; the table stays
    expect(page.get_by_role("navigation", name="主导航")).to_be_hidden()
    for button in ("打印", "查看"):
        expect(page.get_by_role("button", name=button)).to_be_hidden()
    expect(page.get_by_role("cell", name="考勤 9:40 到岗")).to_be_visible()
    screenshot(page, "blue-list-print", full_page=True)


def test_an_inspector_reads_the_monthly_report_and_downloads_it(inspector: Page) -> None:
    # given
    page = inspector
    page.goto("/console/reports/monthly?month=2026-11")

    # then: the summary and each department
    for heading in ("2026年11月 双百分考核月度报告", "汇总", "不动产登记中心"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    screenshot(page, "monthly-report")  # the summary and the first departments: the whole is long

    # when: the Excel file
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel").click()

    # then: the API's file name
    assert download.value.suggested_filename == "oversight-report-2026-11.xlsx"
