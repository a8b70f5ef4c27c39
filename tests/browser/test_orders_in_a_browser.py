"""A rectification order's whole round in a real browser: an inspector issues it from a case
page's link, the department acknowledges and reports, the inspector rejects with reasons and a
new term, the department reports again, the inspector accepts; axe on the order form, the
order page and the list; screenshots for docs/console.md."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, expect_texts, fill_in, screenshot, sign_in_as
from tests.factories import OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, assigned_case, issued_order
from tests.support import run_worker_once

OPERATOR = Actor("operator-li", Role.OPERATOR, name="李小红")


def submit_action(page: Page, action: str, fields: dict[str, str], said: str) -> None:
    """Open an action's form on the order page (its summary, named as the action), fill its
    fields by their labels, send it and wait for the flash saying it is done."""
    page.locator("summary", has_text=re.compile(f"^{action}$")).click()
    fill_in(page, fields)
    page.get_by_role("button", name=action, exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(said)


def test_an_order_is_issued_from_a_case_reported_rejected_reported_again_and_accepted(
    page: Page, base_url: str, container: Container
) -> None:
    # given a case assigned to the sample department, and an inspector on its page
    case_id = assigned_case(container.supervision, OPERATOR, summary="窗口未一次性告知材料")
    number = container.supervision.get_case(case_id, OPERATOR).tracking_number

    def as_inspector(at: str) -> None:
        sign_in_as(page, container, base_url, Role.INSPECTOR, name="赵督查")
        page.goto(at)

    def as_department(at: str) -> None:
        sign_in_as(
            page, container, base_url, Role.DEPARTMENT, name="王登记", department=SAMPLE_DEPARTMENT
        )
        page.goto(at)

    as_inspector(f"/console/cases/{case_id}")

    # when the inspector follows the case page's link and fills the form
    page.get_by_role("main").get_by_role("link", name="下发整改通知").click()
    expect(page.get_by_label("整改部门")).to_have_value(SAMPLE_DEPARTMENT)
    expect(page.get_by_label("来源编号")).to_have_value(number)
    fill_in(
        page,
        {
            "整改问题": "窗口未落实一次性告知制度，群众多次往返补交材料",
            "整改要求": "组织窗口人员学习一次性告知制度，完善告知清单并张贴",
            "期限（工作日）": "5",
        },
    )
    assert_accessible(page)
    screenshot(page, "orders-new", full_page=True)
    page.get_by_role("button", name="下发整改通知").click()

    # then the order's page
    expect(page.get_by_role("status")).to_contain_text("已下发整改通知")
    order_url = page.url
    order_number = page.get_by_role("heading", level=1).inner_text().split()[-1]

    # when the department finds it in its list, acknowledges and reports
    run_worker_once(container)
    as_department("/console/orders")
    page.get_by_role("link", name=order_number).click()
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_role("status")).to_contain_text("已签收")
    submit_action(page, "报告整改情况", {"整改措施": "已组织培训"}, said="已报告整改情况")

    # and the inspector rejects it with a reason and a new term
    as_inspector(order_url)
    submit_action(
        page,
        "驳回",
        {"驳回原因": "告知清单未覆盖全部事项", "重新整改期限（工作日）": "3"},
        said="已驳回",
    )

    # then the department reads the rejection with its reason and new due date, reports again
    as_department(order_url)
    rejections = page.get_by_role("region", name="驳回记录")
    expect_texts(rejections, "告知清单未覆盖全部事项", "新的整改期限")
    submit_action(
        page,
        "报告整改情况",
        {"整改措施": "已补全告知清单并在窗口张贴", "整改佐证材料": "张贴照片三张"},
        said="已报告整改情况",
    )

    # and the inspector accepts
    as_inspector(order_url)
    submit_action(page, "验收通过", {"验收意见": "整改到位"}, said="已验收通过")

    # then the order is closed, its page tells the whole round
    expect(page.get_by_role("main")).to_contain_text("已验收办结")
    timeline = page.get_by_role("region", name="办理过程")
    for step in ("下发整改通知", "签收整改通知", "验收不通过", "验收通过"):
        expect(timeline).to_contain_text(step)
    assert_accessible(page)
    screenshot(page, "order-page", full_page=True)

    # and the list shows it closed, beside two more orders still running
    issued_order(container.supervision, problem="叫号系统故障后未启用人工叫号")
    issued_order(
        container.supervision, department=OTHER_DEPARTMENT, window=None, problem="办税指引过期"
    )
    run_worker_once(container)
    page.goto("/console/orders")
    expect(page.get_by_role("row").filter(has_text=order_number)).to_contain_text("已验收办结")
    assert_accessible(page)
    screenshot(page, "orders-list", full_page=True)
