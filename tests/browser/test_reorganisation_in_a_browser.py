"""An administrator reorganises departments in a real browser (机构改革): a file that drops a
department with open work is refused naming the work; the file that retires it into a
successor is imported, and the directory page shows it 已撤并 → 承接部门. Screenshots of
both; axe on the refusal."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.factories import INSPECTOR, assigned_case
from tests.reorganisation import DEEDS, TAXATION, reorganised, written


def test_an_administrator_is_refused_a_drop_then_retires_the_department_into_a_successor(
    page: Page, container: Container, base_url: str, tmp_path: Path
) -> None:
    # given: an open case of 不动产登记中心, and an administrator on the directory page
    case_id = assigned_case(container.supervision)
    number = container.supervision.get_case(case_id, INSPECTOR).tracking_number
    sign_in_as(page, container, base_url, Role.ADMIN, username="wang.admin", name="王管理")
    page.goto("/console/admin/directory")

    # when: they upload a file that simply leaves the department out
    dropped = written(reorganised(drop_departments=[DEEDS]), tmp_path / "dropped.yaml")
    page.get_by_label("目录文件").set_input_files(dropped)
    page.get_by_role("button", name="导入目录").click()

    # then: refused, naming the department and its open case, in Chinese
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("仍有未办结的工单或整改通知")
    expect(alert).to_contain_text(f"部门 不动产登记中心（{DEEDS}） 仍有未办结事项：{number}")
    assert_accessible(page)
    screenshot(page, "admin-directory-reorganisation-refused")
    assert container.supervision.directory().department(DEEDS).active

    # when: they upload the file that keeps it with `successor: taxation`
    retired = written(reorganised(retire={DEEDS: TAXATION}), tmp_path / "retired.yaml")
    page.get_by_label("目录文件").set_input_files(retired)
    page.get_by_role("button", name="导入目录").click()

    # then: imported, the case handed over, and the department listed as retired into 税务局
    expect(page.get_by_text("1 件在办事项已移交承接部门")).to_be_visible()
    retired_table = page.get_by_role("region", name="已撤并部门（1）")
    expect(retired_table.get_by_role("row", name=f"{DEEDS} 不动产登记中心 已撤并")).to_contain_text(
        f"→ 税务局（{TAXATION}）"
    )
    # the top of the page down to the retired departments: the flash message and the table
    box = retired_table.bounding_box()
    assert box is not None
    end = box["y"] + box["height"] + 16
    screenshot(
        page,
        "admin-directory-reorganised",
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": end},
    )
    assert container.supervision.get_case(case_id, INSPECTOR).assigned_department == TAXATION
