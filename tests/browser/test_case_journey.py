"""The whole journey of a case in a real browser, as the people who use Oversight make it:
an operator and a department person sign in with the one-time passwords their accounts were
given and choose their own; the operator registers a complaint and assigns it; the department
acknowledges it from its inbox; the citizen checks its status on the public page, then rates a
window 1 and the complaint that rating opens appears in the operator's case list.

The worker runs beside the service, as `oversight serve` runs it: pages that read the read
side are reloaded until it has caught up, a bounded number of times. Controls are found by
their accessible names only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from domain.actor import Role
from interfaces.account_cli import CLI_ADMIN
from interfaces.bootstrap import Container
from tests.browser.conftest import (
    DESKTOP,
    assert_accessible,
    defined,
    expect_texts,
    fill_in,
    screenshot,
    visitor,
)
from tests.browser.test_sign_in_in_a_browser import change_first_password, sign_in
from tests.factories import SAMPLE_DEPARTMENT, SAMPLE_WINDOW

# How many times a page is loaded again while the worker catches up (each load is a round
# trip through the service; the worker polls every tenth of a second).
RELOADS = 300
WORKER_POLL_SECONDS = 0.1
COMPLAINT_SUMMARY = "窗口人员态度生硬"
RATING_COMMENT = "排队两个小时，窗口无人办理"


@pytest.fixture
def worker(container: Container) -> None:
    """The worker on a background thread, as `oversight serve` runs it (stopped with the
    container)."""
    container.start_worker(poll_interval=WORKER_POLL_SECONDS)


@pytest.fixture
def department_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A second person's browser, at a desktop's size."""
    with visitor(browser, base_url, viewport=DESKTOP) as fresh:
        yield fresh


def one_time_password(
    container: Container, username: str, name: str, role: Role, department: str | None = None
) -> str:
    """Open an account as `oversight account create` does; its one-time password."""
    issued = container.accounts.create_account(
        username=username, name=name, role=role, department=department, by=CLI_ADMIN
    )
    return issued.password


def first_sign_in(page: Page, username: str, one_time: str) -> None:
    """Sign in with the one-time password, be made to change it, land on the console's home."""
    sign_in(page, username, one_time)
    expect(page).to_have_url(re.compile(r"/console/password$"))
    change_first_password(page, one_time)
    expect(page).to_have_url(re.compile(r"/console/$"))


def reload_until(page: Page, load: Callable[[], object], shown: Callable[[], Locator]) -> None:
    """Load the page again until `shown` finds something: the read side has caught up."""
    for _ in range(RELOADS):
        load()
        if shown().count():
            return
        page.wait_for_timeout(WORKER_POLL_SECONDS * 1000)
    pytest.fail(f"still not shown after {RELOADS} loads of {page.url}")


def register_complaint(page: Page) -> tuple[str, str]:
    """The operator registers a complaint through the intake form; its number and access code."""
    page.get_by_role("navigation").get_by_role("link", name="登记工单").click()
    page.get_by_label("诉求类型").select_option(label="投诉")
    page.get_by_label("渠道").select_option(label="投诉举报电话")
    page.get_by_label("窗口").select_option(SAMPLE_WINDOW)
    page.get_by_label("分类").select_option(label="服务态度")
    fill_in(
        page,
        {
            "摘要": COMPLAINT_SUMMARY,
            "详情": "上午十点在不动产登记窗口办理时被训斥",
            "姓名": "王芳",
            "手机号": "13812345678",
        },
    )
    page.get_by_role("button", name="登记").click()

    expect(page.get_by_role("heading", name="登记成功")).to_be_visible()
    assert_accessible(page)
    receipt = page.get_by_role("region", name="请告知来电人").aria_snapshot()
    return defined(receipt, "流水号"), defined(receipt, "提取码")


def assign(page: Page, tracking_number: str) -> None:
    """The operator assigns the case from the routing queue to the suggested department."""
    row = page.get_by_role("row").filter(has_text=tracking_number)
    reload_until(page, lambda: page.goto("/console/routing"), lambda: row)
    expect(row.get_by_label("承办部门")).to_have_value(SAMPLE_DEPARTMENT)
    row.get_by_role("button", name="派单").click()
    expect(page.get_by_role("status")).to_contain_text(f"{tracking_number} 已派单")


def acknowledge_from_the_inbox(page: Page, tracking_number: str) -> None:
    """The department ticks the case in its inbox and acknowledges it."""
    checkbox = page.get_by_role("checkbox", name=tracking_number)
    reload_until(page, lambda: page.goto("/console/"), lambda: checkbox)
    checkbox.check()
    page.get_by_role("button", name="批量签收").click()
    expect(page.get_by_role("status")).to_contain_text(f"{tracking_number}：已签收")


def check_status(page: Page, tracking_number: str, access_code: str) -> Locator:
    """The citizen asks the public status page about the case; the answer's region."""
    page.goto("/")
    page.get_by_role("link", name="查询办理进度").click()
    page.get_by_label("流水号").fill(tracking_number)
    page.get_by_label("提取码").fill(access_code)
    page.get_by_role("button", name="查询").click()
    return page.get_by_role("region", name="办理情况")


def rate_the_window_one(page: Page) -> None:
    """The citizen rates the window 非常不满意 with a comment."""
    page.goto(f"/rate/{SAMPLE_WINDOW}")
    page.get_by_role("group", name="评价").get_by_role("radio", name="非常不满意").check()
    page.get_by_label("意见").fill(RATING_COMMENT)
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status")).to_contain_text("转为投诉件")
    assert_accessible(page)


@pytest.mark.usefixtures("worker")
def test_a_case_goes_from_the_hotline_to_the_department_while_the_citizen_follows_it(
    page: Page, department_page: Page, phone: Page, container: Container
) -> None:
    operator, department, citizen = page, department_page, phone
    operator_password = one_time_password(container, "xiao.li", "李小红", Role.OPERATOR)
    department_password = one_time_password(
        container, "deeds", "不动产登记窗口", Role.DEPARTMENT, SAMPLE_DEPARTMENT
    )

    # The operator signs in, registers the caller's complaint and assigns it.
    first_sign_in(operator, "xiao.li", operator_password)
    expect(operator.get_by_role("banner")).to_contain_text("李小红")
    tracking_number, access_code = register_complaint(operator)
    assign(operator, tracking_number)

    # The department signs in and acknowledges the case from its inbox.
    first_sign_in(department, "deeds", department_password)
    acknowledge_from_the_inbox(department, tracking_number)

    # The citizen, on a phone, finds the case in the hands of the department.
    answer = check_status(citizen, tracking_number, access_code)
    expect_texts(answer, "办理中", "不动产登记中心")
    expect(citizen.get_by_role("main")).not_to_contain_text("王芳")
    assert_accessible(citizen)
    screenshot(citizen, "journey-status", full_page=True)

    # The citizen rates the window 1: the complaint it opens reaches the operator's list.
    rate_the_window_one(citizen)
    operator.goto("/console/cases")
    operator.get_by_label("关键词").fill(RATING_COMMENT)
    operator.get_by_role("button", name="筛选", exact=True).click()
    # The filter is a GET form: a reload before its navigation ends detaches the page.
    expect(operator).to_have_url(re.compile(r"[?&]q="))
    rating_case = operator.get_by_role("row").filter(has_text=RATING_COMMENT)
    reload_until(operator, operator.reload, lambda: rating_case)
    expect_texts(rating_case, "投诉", "已派单")
    screenshot(operator, "journey-case-list", full_page=True)
