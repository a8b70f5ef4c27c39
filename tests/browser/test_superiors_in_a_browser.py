"""A superior department in a real browser (提级督办): its home lists the case escalated to
it under 下级超期件, it opens the case and directs its subordinate through the form, and reads
the subordinate's board, read only; axe on its pages; screenshots of its home, the case page
with the form, and the subordinate's board."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.factories import SAMPLE_DEPARTMENT, SAMPLE_SUPERIOR, SUPERIOR_ACTOR, escalated_case
from tests.support import SettableTimeSource, run_worker_once


@pytest.fixture
def superior(
    page: Page, container: Container, base_url: str, time_source: SettableTimeSource
) -> tuple[Page, str]:
    """The bureau signed in, with a case of its subordinate escalated to it (made first: the
    weeks it takes would end a session)."""
    case_id = escalated_case(container.supervision, time_source.set, summary="抵押登记超期未办")
    run_worker_once(container)
    sign_in_as(
        page,
        container,
        base_url,
        Role.DEPARTMENT,
        username="bureau.liu",
        name="刘主任",
        department=SAMPLE_SUPERIOR,
    )
    number = container.supervision.get_case(case_id, SUPERIOR_ACTOR).tracking_number
    return page, number


def test_a_superior_finds_the_escalated_case_directs_it_and_reads_the_subordinates_board(
    superior: tuple[Page, str], container: Container
) -> None:
    page, number = superior

    # when: its home
    page.goto("/console/")
    escalated = page.get_by_role("region", name="下级超期件（1）")
    expect(escalated.get_by_role("row").filter(has_text=number)).to_contain_text("不动产登记中心")
    screenshot(page, "superior-home", full_page=True)

    # when: it opens the case and directs it
    escalated.get_by_role("link", name=number).click()
    expect(page.get_by_role("region", name="办理过程")).to_contain_text("提级督办")
    page.get_by_label("督办意见").fill("请于三个工作日内办结，并将办理结果报本局")
    page.get_by_label("期限（工作日）").fill("3")
    screenshot(page, "superior-direction", full_page=True)
    page.get_by_role("button", name="下达督办意见").click()

    # then
    expect(page.get_by_role("status")).to_contain_text("已下达督办意见")
    expect(page.get_by_role("region", name="办理过程")).to_contain_text("上级督办意见")
    expect(page.get_by_role("region", name="办理期限")).to_contain_text("2026-12-31 17:30")
    run_worker_once(container)

    # when: the subordinate's board, through 下级部门
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="下级部门").click()
    page.get_by_role("link", name="不动产登记中心").click()

    # then: read only, with the case and no form to post (查看历史时点 only reads)
    expect(page.get_by_role("heading", level=1)).to_have_text("不动产登记中心 待办看板")
    expect(page.get_by_role("row").filter(has_text=number)).to_be_visible()
    expect(page.locator("main form[method=post]")).to_have_count(0)
    assert page.url.endswith(f"/console/boards/{SAMPLE_DEPARTMENT}")
    screenshot(page, "superior-board", full_page=True)


def test_axe_finds_no_wcag_21_aa_violation_on_the_superiors_pages(
    superior: tuple[Page, str],
) -> None:
    page, number = superior

    for url in ("/console/", "/console/boards", f"/console/boards/{SAMPLE_DEPARTMENT}"):
        page.goto(url)
        assert_accessible(page)
    page.goto("/console/")
    page.get_by_role("link", name=number).first.click()
    assert_accessible(page)
