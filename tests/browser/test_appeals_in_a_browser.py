"""An appeal in a real browser (申诉, §15): the department appeals a deduction from its scores
page, an inspector grants it on the appeal page with a reason, and the department's scores
come back to full marks; axe on both pages; screenshots."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import Browser, Page, expect

from domain.actor import Role
from domain.calendar import OFFICE_TZ
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.browser.conftest import (
    DESKTOP,
    assert_accessible,
    from_the_navigation,
    screenshot,
    sign_in_as,
    visitor,
)
from tests.factories import ADMIN, INSPECTOR, SAMPLE_DEPARTMENT, a_deduction
from tests.support import run_worker_once


def test_a_department_appeals_a_deduction_and_an_inspector_grants_it(
    page: Page, browser: Browser, container: Container, base_url: str
) -> None:
    # given: 韩蕾 (S0001) rude on 26 November, recorded on the 27th (5 points, her window's too)
    app = container.supervision
    app.load_conduct_rules(default_conduct_rules(), ADMIN)
    app.record_deduction(
        a_deduction(
            rule="harsh_attitude",
            occurred_at=datetime(2026, 11, 26, 15, tzinfo=OFFICE_TZ),
            evidence="暗访录像：言语生硬",
        ),
        INSPECTOR,
    )
    run_worker_once(container)
    sign_in_as(
        page,
        container,
        base_url,
        Role.DEPARTMENT,
        username="deeds",
        name="不动产登记窗口",
        department=SAMPLE_DEPARTMENT,
    )

    # when: from its scores page, the department opens the deduction's 申诉 form and sends it
    from_the_navigation(page, "本部门考评")
    row = page.get_by_role("row").filter(has_text="暗访录像：言语生硬")
    row.get_by_text("申诉（").click()
    row.get_by_label("申诉理由").fill("当事人系在向群众解释政策，语气并无不当")
    row.get_by_label("证据").fill("现场录音一段")
    screenshot(page, "appeal-form", full_page=True)
    row.get_by_role("button", name="提交申诉").click()

    # then: its appeal page says so, and lists the appeal as waiting
    expect(page.get_by_role("status")).to_contain_text("已提交申诉")
    run_worker_once(container)
    page.reload()
    expect(page.get_by_role("heading", name="待审定的申诉（1）")).to_be_visible()
    assert_accessible(page)

    # when: an inspector, in another browser, grants it with a reason
    with visitor(browser, base_url, viewport=DESKTOP) as inspector:
        sign_in_as(
            inspector, container, base_url, Role.INSPECTOR, username="zhou.jian", name="周检"
        )
        from_the_navigation(inspector, "申诉审定")
        appeal = inspector.get_by_role("article").filter(has_text="当事人系在向群众解释政策")
        expect(appeal).to_contain_text("审定期限")
        assert_accessible(inspector)
        screenshot(inspector, "appeals", full_page=True)
        appeal.get_by_label("理由").fill("录像显示系解释政策，不属态度生硬")
        appeal.get_by_role("button", name="撤销扣分").click()

        # then: decided, the outcome and the reason listed
        expect(inspector.get_by_role("status")).to_contain_text("已审定申诉：撤销扣分")
        run_worker_once(container)
        inspector.reload()
        expect(inspector.get_by_role("heading", name="待审定的申诉（0）")).to_be_visible()
        decided = inspector.get_by_role("row").filter(has_text="录像显示系解释政策")
        expect(decided).to_contain_text("撤销扣分")

    # then: the department's scores are back to 100, the deduction marked revoked by appeal
    page.goto("/console/scores")
    staff = page.get_by_role("row").filter(has_text="韩蕾")
    expect(staff.get_by_role("cell", name="100", exact=True).first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="暗访录像：言语生硬")).to_contain_text(
        "撤销扣分"
    )
