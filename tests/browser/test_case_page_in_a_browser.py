"""A department and an operator at the console in a real browser: acknowledging from the inbox
(a row's checkbox named by its tracking number, button 批量签收) and from the case page
(button 签收); axe-core's WCAG 2.1 AA rules on the inbox and the case page."""

from __future__ import annotations

from uuid import UUID

from playwright.sync_api import Page, expect

from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.factories import SAMPLE_DEPARTMENT, assigned_case, registered_case
from tests.support import run_worker_once

OPERATOR = Actor("operator-li", Role.OPERATOR, name="李小红")


def status_of(container: Container, case_id: UUID) -> str:
    return container.supervision.get_case(case_id, OPERATOR).status


def test_a_department_acknowledges_a_case_from_its_inbox(
    page: Page, base_url: str, container: Container
) -> None:
    chosen = assigned_case(container.supervision, OPERATOR)
    other = assigned_case(container.supervision, OPERATOR, summary="材料清单未一次性告知")
    run_worker_once(container)
    number = container.supervision.get_case(chosen, OPERATOR).tracking_number
    sign_in_as(
        page, container, base_url, Role.DEPARTMENT, name="王登记", department=SAMPLE_DEPARTMENT
    )

    page.goto("/console/")
    expect(page).to_have_title("(2) 待办工单 · 政务服务中心投诉监督平台")
    assert_accessible(page)
    screenshot(page, "inbox", full_page=True)
    page.get_by_role("checkbox", name=number).check()
    page.get_by_role("button", name="批量签收").click()

    expect(page.get_by_role("status")).to_contain_text(f"{number}：已签收")
    assert status_of(container, chosen) == "in_progress"
    assert status_of(container, other) == "assigned"


def test_a_department_acknowledges_a_case_from_its_page(
    page: Page, base_url: str, container: Container
) -> None:
    case_id = assigned_case(container.supervision, OPERATOR)
    sign_in_as(
        page, container, base_url, Role.DEPARTMENT, name="王登记", department=SAMPLE_DEPARTMENT
    )

    page.goto(f"/console/cases/{case_id}")
    assert_accessible(page)
    screenshot(page, "case-department", full_page=True)
    page.get_by_role("button", name="签收").click()

    expect(page.get_by_role("status")).to_contain_text("已签收")
    expect(page.get_by_role("button", name="签收")).to_have_count(0)
    assert status_of(container, case_id) == "in_progress"


def test_an_operator_reads_the_case_page_and_their_home(
    page: Page, base_url: str, container: Container
) -> None:
    registered_case(container.supervision, OPERATOR)
    case_id = assigned_case(container.supervision, OPERATOR)
    run_worker_once(container)
    sign_in_as(page, container, base_url, Role.OPERATOR, name="李小红")

    page.goto("/console/")
    assert_accessible(page)
    screenshot(page, "operator-home", full_page=True)
    page.goto(f"/console/cases/{case_id}")
    page.get_by_text("合并", exact=True).first.click()  # the summary that opens its form
    expect(page.get_by_label("合并到工单（流水号）")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "case-operator", full_page=True)
