"""A reminder by hand (人工催办) in a real browser: an operator opens 催办 on a case page,
writes 催办内容 and sends it; the timeline quotes it; the department's inbox shows the 催办
badge with its count. axe on both pages; screenshots for docs/console.md."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.factories import SAMPLE_DEPARTMENT, assigned_case
from tests.support import run_worker_once

OPERATOR = Actor("operator-li", Role.OPERATOR, name="李小红")
MESSAGE = "诉求人多次来电，请今天下班前联系并反馈办理进展"


def test_an_operator_reminds_the_department_which_sees_it_in_its_inbox(
    page: Page, base_url: str, container: Container
) -> None:
    # given a case assigned to the sample department, and an operator on its page
    case_id = assigned_case(container.supervision, OPERATOR, summary="办证窗口长时间无人受理")
    number = container.supervision.get_case(case_id, OPERATOR).tracking_number
    sign_in_as(page, container, base_url, Role.OPERATOR, name="李小红")
    page.goto(f"/console/cases/{case_id}")

    # when the operator opens 催办, writes the message and sends it
    page.locator("summary", has_text=re.compile("^催办$")).click()
    page.get_by_label("催办内容").fill(MESSAGE)
    assert_accessible(page)
    page.get_by_role("button", name="催办", exact=True).click()

    # then the case page says so and its timeline quotes the message
    expect(page.get_by_role("status")).to_contain_text("已催办")
    expect(page.get_by_text(MESSAGE)).to_be_visible()
    screenshot(page, "case-reminded", full_page=True)

    # and the department finds the 催办 badge with its count in its inbox
    sign_in_as(
        page, container, base_url, Role.DEPARTMENT, name="王登记", department=SAMPLE_DEPARTMENT
    )
    run_worker_once(container)
    page.goto("/console/")
    row = page.get_by_role("row").filter(has_text=number)
    expect(row.get_by_text("催办 1 次")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "inbox-reminded")
