"""Notices (通报) in a real browser: an inspector publishes one through the form (标题, 正文,
类型, 对象类型, 对象, 发布通报), a citizen reads it from the home page on a phone, the inspector
withdraws it (撤回通报) and the public list marks it; axe on every page; screenshots for
docs/console.md."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.factories import SAMPLE_WINDOW, published_notice
from tests.support import run_worker_once


def test_an_inspector_publishes_a_notice_a_citizen_reads_it_and_it_is_withdrawn(
    page: Page, phone: Page, base_url: str, container: Container
) -> None:
    # given an earlier commendation, and an inspector at the notice form
    published_notice(
        container.supervision,
        title="关于税务窗口服务热情周到的通报表扬",
        text="税务窗口工作人员耐心解答群众疑问，群众送来锦旗，予以通报表扬。",
        subject_type="department",
        subject_id="taxation",
    )
    sign_in_as(page, container, base_url, Role.INSPECTOR, name="赵督查")
    page.goto("/console/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="通报").click()
    page.get_by_role("main").get_by_role("link", name="发布通报").click()

    # when the inspector fills the form by its accessible names and publishes
    page.get_by_label("标题").fill("关于不动产登记窗口未落实一次性告知的通报")
    page.get_by_label("正文").fill(
        "经暗访核查，不动产登记综合受理窗口未落实一次性告知制度，群众多次往返补交材料。"
        "现予通报批评，请限期整改。"
    )
    page.get_by_label("类型", exact=True).select_option(label="批评")
    page.get_by_label("对象类型").select_option(label="窗口")
    page.get_by_label("对象", exact=True).fill(SAMPLE_WINDOW)
    assert_accessible(page)
    screenshot(page, "notices-new", full_page=True)
    page.get_by_role("button", name="发布通报").click()

    # then its page says so and offers the withdrawal
    expect(page.get_by_role("status")).to_contain_text("已发布通报")
    expect(page.get_by_role("button", name="撤回通报")).to_be_visible()
    assert_accessible(page)
    run_worker_once(container)

    # and a citizen on a phone finds it from the home page, without signing in
    phone.goto("/")
    phone.get_by_role("link", name="查看通报").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("通报")
    notice = phone.get_by_role("link", name="关于不动产登记窗口未落实一次性告知的通报")
    expect(notice).to_be_visible()
    assert_accessible(phone)
    overflow = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    screenshot(phone, "phone-notices", full_page=True)
    notice.click()
    expect(phone.get_by_role("main")).to_contain_text("不动产登记综合受理窗口")
    assert_accessible(phone)

    # when the inspector withdraws it with a reason
    page.get_by_label("撤回理由").fill("该窗口已于通报前完成整改，通报对象认定有误")
    page.get_by_role("button", name="撤回通报").click()
    expect(page.get_by_role("status")).to_contain_text("已撤回通报")
    run_worker_once(container)

    # then the public list keeps it, marked withdrawn
    page.goto("/notices")
    expect(page.get_by_role("main")).to_contain_text("已撤回")
    assert_accessible(page)
    screenshot(page, "notices", full_page=True)
    page.goto("/console/notices")
    assert_accessible(page)
    screenshot(page, "notices-console", full_page=True)
