"""Evidence files (附件, §17) in a real browser: an operator chooses a photo on the case page
(选择文件), presses 上传附件 and sees it listed with its thumbnail drawn; a file of a type not
accepted is refused in Chinese; axe-core's WCAG 2.1 AA rules on the page with its files."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from domain.actor import Actor, Role
from domain.labels import error_message
from interfaces.bootstrap import Container
from tests import attachment_samples as samples
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.factories import registered_case

OPERATOR = Actor("operator-li", Role.OPERATOR, name="李小红")


def test_an_operator_uploads_a_photo_on_the_case_page_and_sees_its_thumbnail(
    page: Page, base_url: str, container: Container, tmp_path: Path
) -> None:
    case_id = registered_case(container.supervision, OPERATOR)
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(samples.png(640, 480, "teal"))
    sign_in_as(page, container, base_url, Role.OPERATOR, name="李小红")

    page.goto(f"/console/cases/{case_id}")
    page.get_by_label("选择文件").set_input_files(str(photo))
    page.get_by_role("button", name="上传附件").click()

    expect(page.get_by_role("status")).to_contain_text("已上传附件：现场照片.png")
    thumbnail = page.get_by_role("img", name="现场照片.png 的缩略图")
    expect(thumbnail).to_be_visible()
    # Drawn: the browser decoded the JPEG the service made (a broken image has no width).
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.attachment-thumbnail')]"
        ".every(image => image.complete && image.naturalWidth > 0)"
    )
    expect(page.get_by_role("link", name="现场照片.png", exact=True)).to_be_visible()
    assert_accessible(page)
    page.locator("#attachments").scroll_into_view_if_needed()
    screenshot(page, "case-attachments", full_page=True)


def test_a_file_of_a_type_not_accepted_is_refused_in_chinese(
    page: Page, base_url: str, container: Container, tmp_path: Path
) -> None:
    case_id = registered_case(container.supervision, OPERATOR)
    disguised = tmp_path / "照片.png"
    disguised.write_bytes(samples.html())
    sign_in_as(page, container, base_url, Role.OPERATOR, name="李小红")

    page.goto(f"/console/cases/{case_id}")
    page.get_by_label("选择文件").set_input_files(str(disguised))
    page.get_by_role("button", name="上传附件").click()

    expect(page.get_by_text(error_message("unsupported_file_type"))).to_be_visible()
    expect(page.get_by_text("尚无附件。")).to_be_visible()
