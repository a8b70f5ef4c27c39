"""A citizen on the public pages in a real browser: Chinese glyphs, accessibility, a phone's
width, checking a case's status and rating a window."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from tests.browser.conftest import screenshot, wcag_check
from tests.e2e.conftest import Tokens
from tests.factories import SAMPLE_DEPARTMENT, SAMPLE_WINDOW, registration
from tests.support import run_worker_once

PUBLIC_PAGES = {
    "home": "/",
    "status": "/status",
    "rate": f"/rate/{SAMPLE_WINDOW}",
    "red-list": "/red-list",
    "blue-list": "/blue-list",
}
# Code points no font has a glyph for: a browser draws each as the same empty box (tofu).
UNASSIGNED = "\U000e0fff"


def register_complaint(container: Container) -> tuple[str, str]:
    """A hotline complaint registered through the application: its number and access code."""
    registered = registration(
        container.supervision, Actor("test-operator", Role.OPERATOR), summary="窗口工作人员态度生硬"
    )
    run_worker_once(container)
    return registered.case.tracking_number, registered.access_code


def _text_in_a_box(page: Page, text: str) -> bytes:
    """The heading of the page showing `text`, as pixels."""
    heading = page.get_by_role("heading", level=1)
    heading.evaluate("(element, text) => { element.textContent = text; }", text)
    return heading.screenshot()


def test_chinese_text_is_drawn_with_glyphs_not_boxes(page: Page) -> None:
    page.goto("/")
    screenshot(page, "home")

    one = _text_in_a_box(page, "政务服务")
    reordered = _text_in_a_box(page, "服务政务")
    tofu = _text_in_a_box(page, UNASSIGNED * 4)
    tofu_again = _text_in_a_box(page, UNASSIGNED * 4)

    # Boxes all look alike: two different strings of Chinese drawn alike would be boxes.
    assert tofu == tofu_again
    assert one != tofu
    assert one != reordered


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_axe_finds_no_wcag_21_aa_violation(page: Page, name: str) -> None:
    page.goto(PUBLIC_PAGES[name])

    results = wcag_check(page)

    assert results.response["violations"] == [], results.generate_report()


def test_the_accessibility_check_notices_a_violation(page: Page) -> None:
    page.goto("/status")
    page.get_by_label("流水号").evaluate(
        "(input) => { input.removeAttribute('id'); input.removeAttribute('placeholder'); }"
    )

    rules = {v["id"] for v in wcag_check(page).response["violations"]}

    assert "label" in rules


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_every_public_page_fits_a_375_pixel_phone_without_sideways_scrolling(
    phone: Page, name: str
) -> None:
    phone.goto(PUBLIC_PAGES[name])

    overflow = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )

    assert overflow <= 0
    screenshot(phone, f"phone-{name}")


def test_a_citizen_checks_the_status_of_their_case(page: Page, container: Container) -> None:
    tracking_number, access_code = register_complaint(container)
    page.goto("/")

    page.get_by_role("link", name="查询办理进度").click()
    page.get_by_label("流水号").fill(tracking_number)
    page.get_by_label("提取码").fill(access_code.lower())
    page.get_by_role("button", name="查询").click()

    result = page.get_by_role("region", name="办理情况")
    expect(result).to_contain_text("投诉")
    expect(result).to_contain_text("已登记")
    expect(page.get_by_role("main")).not_to_contain_text("王芳")
    screenshot(page, "status", full_page=True)


def test_a_wrong_access_code_is_told_in_chinese(page: Page, container: Container) -> None:
    tracking_number, _ = register_complaint(container)
    page.goto("/status")

    page.get_by_label("流水号").fill(tracking_number)
    page.get_by_label("提取码").fill("AAAAA-AAAAA")
    page.get_by_role("button", name="查询").click()

    expect(page.get_by_role("alert")).to_contain_text("流水号或提取码不正确")


def test_a_citizen_rates_a_window_one_star_and_a_complaint_is_opened(
    page: Page, base_url: str, container: Container, tokens: Tokens
) -> None:
    page.goto(f"/rate/{SAMPLE_WINDOW}")
    screenshot(page, "rate")

    rating = page.get_by_role("group", name="评价")
    rating.get_by_role("radio", name="非常不满意", exact=True).check()
    page.get_by_label("意见").fill("等了一个小时没人理")
    page.get_by_role("button", name="提交评价").click()

    expect(page.get_by_role("status")).to_contain_text("转为投诉件")
    run_worker_once(container)
    answer = httpx.get(f"{base_url}/api/v1/cases?channel=rating", headers=tokens.operator)
    (case,) = answer.json()["items"]
    assert case["assigned_department"] == SAMPLE_DEPARTMENT
    assert "等了一个小时没人理" in case["summary"]
