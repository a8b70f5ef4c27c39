"""Staff signing in at the console in a real browser: the first password changed, the second
factor set up from the page, the header naming the person, and axe's WCAG 2.1 AA rules."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import ADMIN
from tests.support import SettableTimeSource

NEW_PASSWORD = "my-own-password-2026"
SECRET_AS_SHOWN = re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{4})+$")


def one_time_password(container: Container, username: str, role: Role) -> str:
    """The account's one-time password, as `oversight account create` prints it."""
    issued = container.accounts.create_account(
        username=username, name="张伟", role=role, department=None, by=ADMIN
    )
    return issued.password


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/console/sign-in")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def change_first_password(page: Page, one_time: str) -> None:
    page.get_by_label("当前密码").fill(one_time)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()


def test_an_operator_signs_in_changes_the_first_password_and_is_named_in_the_header(
    page: Page, container: Container
) -> None:
    one_time = one_time_password(container, "zhang.wei", Role.OPERATOR)

    page.goto("/console/sign-in")
    assert_accessible(page)
    screenshot(page, "sign-in")
    sign_in(page, "zhang.wei", one_time)
    expect(page).to_have_url(re.compile(r"/console/password$"))
    assert_accessible(page)
    screenshot(page, "change-password")
    change_first_password(page, one_time)

    expect(page).to_have_url(re.compile(r"/console/$"))
    page.goto("/console/password")
    header = page.get_by_role("banner")
    expect(header.get_by_text("张伟")).to_be_visible()
    expect(header.get_by_text("话务员")).to_be_visible()
    expect(header.get_by_role("link", name="修改密码")).to_be_visible()
    header.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/console/sign-in$"))
    expect(page.get_by_role("status")).to_have_text("已退出。")


def test_an_inspector_sets_up_the_second_factor_from_the_secret_on_the_page(
    page: Page, container: Container, time_source: SettableTimeSource
) -> None:
    one_time = one_time_password(container, "wang.jian", Role.INSPECTOR)
    sign_in(page, "wang.jian", one_time)
    change_first_password(page, one_time)

    expect(page).to_have_url(re.compile(r"/console/second-factor$"))
    expect(page.get_by_role("img", name="二维码：请用验证器应用扫描")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "second-factor")
    secret = page.get_by_text(SECRET_AS_SHOWN).inner_text().replace(" ", "")
    page.get_by_label("动态口令").fill(pyotp.TOTP(secret).at(time_source.now()))
    page.get_by_role("button", name="绑定").click()

    expect(page).to_have_url(re.compile(r"/console/$"))
