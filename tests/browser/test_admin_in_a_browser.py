"""An administrator in a real browser: creates an account and reads its one-time password,
once; opens the printable QR code sheet, every window's code found by its accessible name;
axe on the accounts page; screenshots of each administrator's page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, defined, screenshot
from tests.factories import ADMIN, SAMPLE_DEPARTMENT


def test_an_administrator_creates_an_account_and_reads_its_password_once(
    admin: Page, container: Container
) -> None:
    # given: two colleagues' accounts, one disabled, on the accounts page, which axe finds clean
    page = admin
    container.accounts.create_account(
        username="li.hua", name="李华", role=Role.OPERATOR, department=None, by=ADMIN
    )
    container.accounts.create_account(
        username="deeds",
        name="不动产登记窗口",
        role=Role.DEPARTMENT,
        department=SAMPLE_DEPARTMENT,
        by=ADMIN,
    )
    container.accounts.disable_account("deeds", by=ADMIN)
    page.goto("/console/admin/accounts")
    assert_accessible(page)
    screenshot(page, "admin-accounts", full_page=True)

    # when: the create form, by its accessible names
    page.get_by_label("用户名").fill("chen.jing")
    page.get_by_label("姓名").fill("陈静")
    page.get_by_label("角色").select_option(label="承办部门")
    page.get_by_label("所属部门").select_option(value=SAMPLE_DEPARTMENT)
    page.get_by_role("button", name="创建账号").click()

    # then: the one-time password, large, on the next page, and not in its address
    expect(page.get_by_role("heading", name="初始密码", exact=True)).to_be_visible()
    receipt = page.get_by_role("region", name="账号 chen.jing（陈静，承办部门）")
    password = defined(receipt.aria_snapshot(), "初始密码")
    assert len(password) >= 10
    assert password not in page.url
    screenshot(page, "admin-account-created", full_page=True)
    account = next(
        a for a in container.accounts.list_accounts(viewer=ADMIN) if a.username == "chen.jing"
    )
    assert account.department == SAMPLE_DEPARTMENT

    # and: a reload shows it no more
    page.reload()
    expect(page.get_by_text("初始密码只显示一次，现已不再显示。")).to_be_visible()
    assert password not in page.content()


def test_an_administrator_opens_the_qr_sheet_with_a_code_per_window(
    admin: Page, container: Container
) -> None:
    # given: the directory's windows
    windows = container.supervision.directory().windows

    # when
    page = admin
    page.goto("/console/admin/qr-codes")

    # then: every window's code, by its accessible name, its name and number printed under it
    for window in windows:
        expect(
            page.get_by_role("img", name=f"{window.name} {window.id}", exact=True)
        ).to_be_visible()
    expect(page.get_by_role("img")).to_have_count(len(windows))
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    # and: as printed on A4
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="主导航")).to_be_hidden()
    screenshot(page, "admin-qr-codes")


def test_the_directory_calendar_and_tokens_pages_as_an_administrator_sees_them(
    admin: Page, container: Container
) -> None:
    # given: a token issued, and one revoked
    page = admin
    container.supervision.issue_token(
        role=Role.DEPARTMENT, department=SAMPLE_DEPARTMENT, name="部门对接系统", by=ADMIN
    )
    old = container.supervision.issue_token(
        role=Role.OPERATOR, department=None, name="旧报表脚本", by=ADMIN
    )
    container.supervision.revoke_token(old.id, reason="停用", by=ADMIN)

    # when / then: each page, by its headings and controls
    page.goto("/console/admin/directory")
    expect(page.get_by_role("heading", name="机构目录", exact=True)).to_be_visible()
    expect(page.get_by_label("目录文件")).to_be_visible()
    expect(page.get_by_role("button", name="导入目录")).to_be_visible()
    screenshot(page, "admin-directory")

    page.goto("/console/admin/calendar")
    expect(page.get_by_label("年份", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="载入")).to_be_visible()
    screenshot(page, "admin-calendar", full_page=True)

    page.goto("/console/admin/tokens")
    expect(page.get_by_role("cell", name="部门对接系统")).to_be_visible()
    expect(page.get_by_role("cell", name="已吊销")).to_be_visible()
    page.get_by_text("吊销", exact=True).first.click()
    expect(page.get_by_label("吊销原因")).to_be_visible()
    screenshot(page, "admin-tokens", full_page=True)
