"""An administrator reads the outbox (外发消息) in a real browser: the list, the state filter,
a dead message's attempts and 重新发送; axe on the list; a screenshot of the dead messages."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, from_the_navigation, screenshot
from tests.outbox_rows import add_attempt, insert_delivered_sms, insert_message


def test_an_administrator_filters_the_outbox_and_resends_a_dead_message(
    admin: Page, container: Container
) -> None:
    # given: a delivered SMS to a citizen, a dead e-mail to a department with its tries
    url = container.database_url
    insert_delivered_sms(url)
    dead = insert_message(url, subject="新派单：诉求 HL20261127-0002")
    add_attempt(url, dead, 1, "SMTP 服务器拒绝连接")
    add_attempt(url, dead, 2, "连接超时")
    page = admin

    # when: the outbox, from the navigation, then only what failed
    from_the_navigation(page, "外发消息")
    expect(page.get_by_role("heading", name="外发消息", exact=True)).to_be_visible()
    expect(page.get_by_text("138****5678")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("状态").select_option(label="发送失败")
    page.get_by_role("button", name="筛选").click()

    # then: the dead message alone
    expect(page.get_by_role("link", name="新派单：诉求 HL20261127-0002")).to_be_visible()
    expect(page.get_by_text("138****5678")).to_have_count(0)
    screenshot(page, "admin-outbox", full_page=True)

    # when: its page, its tries, 重新发送
    page.get_by_role("link", name="新派单：诉求 HL20261127-0002").click()
    expect(page.get_by_role("cell", name="连接超时")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="重新发送").click()

    # then: back in the queue, with the same key, and no button any more
    expect(page.get_by_text("已重新加入发送队列。")).to_be_visible()
    expect(page.get_by_text("待发送")).to_be_visible()
    expect(page.get_by_role("button", name="重新发送")).to_have_count(0)
