"""A department at its desk in a real browser: keeps an answer template, bulk-acknowledges
three cases from its inbox (a checkbox per row named by its tracking number, button 批量签收)
and answers one with the template (the select 答复模板 fills 答复内容; 提交办理结果); axe on the
inbox, the templates page and the open result form; screenshots."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.factories import SAMPLE_DEPARTMENT, assigned_case
from tests.support import run_worker_once

OPERATOR = Actor("operator-li", Role.OPERATOR, name="李小红")
APOLOGY = "经核实，窗口工作人员态度生硬，已批评教育并向您致歉。感谢您的监督。"
SUMMARIES = ("窗口人员态度生硬", "材料清单未一次性告知", "等候时间过长无人解释")


def test_a_department_acknowledges_three_cases_and_answers_one_with_a_template(
    page: Page, base_url: str, container: Container
) -> None:
    # given three complaints assigned to the department
    cases = [
        assigned_case(container.supervision, OPERATOR, category="服务态度", summary=summary)
        for summary in SUMMARIES
    ]
    numbers = [container.supervision.get_case(c, OPERATOR).tracking_number for c in cases]
    run_worker_once(container)
    sign_in_as(
        page, container, base_url, Role.DEPARTMENT, name="王登记", department=SAMPLE_DEPARTMENT
    )

    # when it keeps an answer template, through the templates page
    page.goto("/console/")
    page.get_by_role("link", name="答复模板").click()
    page.get_by_label("分类").select_option(label="服务态度")
    page.get_by_label("模板标题").fill("态度问题致歉")
    page.get_by_label("模板内容").fill(APOLOGY)
    page.get_by_role("button", name="新增模板").click()

    # then the page lists it under its category, and axe finds nothing wrong
    expect(page.get_by_role("status")).to_contain_text("已新增答复模板。")
    group = page.get_by_role("region", name="服务态度")
    expect(group.get_by_role("heading", name="态度问题致歉")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "department-templates", full_page=True)

    # when it acknowledges the three from its inbox at once
    page.get_by_role("link", name="待办工单").click()
    assert_accessible(page)
    for number in numbers:
        page.get_by_role("checkbox", name=number).check()
    page.get_by_role("button", name="批量签收").click()

    # then each is acknowledged
    for number in numbers:
        expect(page.get_by_role("status")).to_contain_text(f"{number}：已签收")

    # when it answers the first with the template
    page.goto(f"/console/cases/{cases[0]}")
    page.get_by_text("提交办理结果", exact=True).first.click()  # the summary opening the form
    page.get_by_label("办理结果").select_option(label="已解决")
    page.get_by_label("答复模板").select_option(label="服务态度 · 态度问题致歉")

    # then the template fills 答复内容, which is posted as the answer
    expect(page.get_by_label("答复内容")).to_have_value(APOLOGY)
    assert_accessible(page)
    screenshot(page, "department-result-form", full_page=True)
    page.get_by_role("button", name="提交办理结果").click()
    expect(page.get_by_role("status")).to_contain_text("已提交办理结果。")
    answered = container.supervision.get_case(cases[0], OPERATOR)
    assert answered.status == "answered"
    assert answered.result is not None
    assert answered.result["answer"] == APOLOGY
