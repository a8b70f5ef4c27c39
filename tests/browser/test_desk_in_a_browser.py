"""An operator at the desk in a real browser: registers a case through the intake form, reads
the access code, assigns the case in the routing queue; axe on the intake form; screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, defined, screenshot, sign_in_as
from tests.e2e.test_web_desk_queues import answered
from tests.factories import SAMPLE_DEPARTMENT
from tests.support import run_worker_once


@pytest.fixture
def operator(page: Page, container: Container, base_url: str) -> Page:
    """The browser signed in as an operator, li.hua."""
    sign_in_as(page, container, base_url, Role.OPERATOR, username="li.hua", name="李华")
    return page


def test_an_operator_registers_a_case_and_assigns_it(operator: Page, container: Container) -> None:
    # given
    page = operator
    page.goto("/console/cases/new")

    # when: the intake form, by its accessible names
    page.get_by_label("诉求类型").select_option(label="投诉")
    page.get_by_label("渠道").select_option(label="投诉举报电话")
    page.get_by_label("窗口").select_option(index=1)
    page.get_by_label("分类").select_option(label="服务态度")
    page.get_by_label("摘要").fill("窗口人员态度生硬")
    page.get_by_label("详情").fill("上午十点在不动产登记窗口办理时被训斥")
    page.get_by_label("姓名").fill("王芳")
    page.get_by_label("手机号").fill("13812345678")
    screenshot(page, "desk-intake", full_page=True)
    page.get_by_role("button", name="登记").click()

    # then: the answer page shows the number and the code, once
    expect(page.get_by_role("heading", name="登记成功")).to_be_visible()
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    tracking_number = defined(
        page.get_by_role("region", name="请告知来电人").aria_snapshot(), "流水号"
    )
    screenshot(page, "desk-registered", full_page=True)

    # when: the routing queue, once the read side has the case
    run_worker_once(container)
    page.goto("/console/routing")
    row = page.get_by_role("row").filter(has_text=tracking_number)
    expect(row.get_by_label("承办部门")).to_have_value(SAMPLE_DEPARTMENT)
    screenshot(page, "desk-routing", full_page=True)
    row.get_by_role("button", name="派单").click()

    # then
    expect(page.get_by_role("status")).to_contain_text(f"{tracking_number} 已派单")
    run_worker_once(container)
    page.goto("/console/cases")
    expect(page.get_by_role("row").filter(has_text=tracking_number)).to_contain_text("已派单")
    screenshot(page, "desk-case-list", full_page=True)


def test_axe_finds_no_wcag_21_aa_violation_on_the_desk(
    operator: Page, container: Container
) -> None:
    # given: a case awaiting its callback, so the queue shows its forms
    answered(container.supervision)
    run_worker_once(container)

    for url in ("/console/cases/new", "/console/routing", "/console/cases", "/console/callbacks"):
        # when
        operator.goto(url)

        # then
        assert_accessible(operator)
    screenshot(operator, "desk-callbacks", full_page=True)
