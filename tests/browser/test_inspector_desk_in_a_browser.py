"""An inspector at the desk in a real browser: grants an extension from the supervision queue,
records a deduction through the form, and finds it on the day's blue list; axe on the
deduction form; screenshots of the queue, the form and the list of deductions."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from domain.actor import Actor, Role
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.factories import ADMIN, case_asking_extension, case_proposing_deduction
from tests.support import run_worker_once


@pytest.fixture
def inspector(page: Page, container: Container, base_url: str) -> Page:
    container.supervision.load_conduct_rules(default_conduct_rules(), ADMIN)
    sign_in_as(page, container, base_url, Role.INSPECTOR, username="zhao.min", name="赵敏")
    return page


def test_an_inspector_grants_an_extension_and_records_a_deduction_for_the_blue_list(
    inspector: Page, container: Container
) -> None:
    # given: a department asks for more days; another proposes a deduction
    page = inspector
    asking = case_asking_extension(container.supervision, summary="需现场核查的投诉")
    case_proposing_deduction(container.supervision, summary="窗口人员态度生硬，经核实属实")
    run_worker_once(container)
    tracking_number = container.supervision.get_case(
        asking, Actor("inspector-1", Role.INSPECTOR)
    ).tracking_number

    # when: the supervision queue
    page.goto("/console/supervision")
    requests = page.get_by_role("region", name="待审批的延期申请")
    request = requests.get_by_role("article").filter(has_text=tracking_number)
    expect(request).to_be_visible()
    screenshot(page, "supervision", full_page=True)
    request.get_by_role("button", name="批准延期").click()

    # then
    expect(page.get_by_role("status")).to_contain_text(f"{tracking_number} 已批准延期")

    # when: the deduction form, by its accessible names
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="记录扣分").click()
    expect(page.get_by_role("heading", name="记录扣分", level=1)).to_be_visible()
    # htmx is deferred: a choice made before the page has loaded would ask for no rule detail
    page.wait_for_load_state()
    page.get_by_label("扣分事项").select_option("harsh_attitude")
    expect(page.locator("#rule-detail")).to_contain_text("每次扣 5 分")
    page.get_by_label("工作人员").fill("S0001")
    page.get_by_label("发生时间").fill("2026-11-27T09:30")
    page.get_by_label("证据", exact=True).fill("暗访录像：言语生硬，群众当场投诉")
    page.get_by_label("来源", exact=True).select_option(label="暗访")
    page.get_by_label("来源编号").fill("AF-2026-031")
    screenshot(page, "deduction-form", full_page=True)
    page.get_by_role("button", name="记录扣分").click()

    # then: the list of the day's deductions says so
    expect(page.get_by_role("status")).to_contain_text("已记录扣分：态度生硬/言语粗暴，5 分。")
    run_worker_once(container)
    page.reload()
    row = page.get_by_role("row").filter(has_text="暗访录像：言语生硬")
    expect(row).to_contain_text("韩蕾（S0001）")
    expect(row.get_by_role("button", name="撤销")).to_be_visible()
    screenshot(page, "deductions", full_page=True)

    # and on the day's blue list
    page.goto("/blue-list?date=2026-11-27")
    expect(page.get_by_role("row").filter(has_text="态度生硬/言语粗暴")).to_contain_text("韩蕾")


def test_axe_finds_no_wcag_21_aa_violation_on_the_inspectors_pages(
    inspector: Page, container: Container
) -> None:
    # given: something in each part of the queue
    case_asking_extension(container.supervision)
    case_proposing_deduction(container.supervision)
    run_worker_once(container)

    for url in ("/console/deductions/new", "/console/supervision", "/console/deductions"):
        # when
        inspector.goto(url)

        # then
        assert_accessible(inspector)
