"""Notices (通报) as pages through the ASGI client: the public list and notice without signing
in (no complainant anywhere), the inspector's list with drafts, the form that publishes, a
draft's page (保存草稿, 发布通报), the withdrawal, and refusals said in Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from domain.labels import error_message
from interfaces.bootstrap import Container
from tests.factories import INSPECTOR, SAMPLE_WINDOW
from tests.notice_story import (
    COMPLAINANT_NAME,
    COMPLAINANT_PHONE,
    a_kept_and_a_withdrawn_notice,
    a_notice_draft,
)
from tests.web_support import assert_shows, post_form, signed_in

FORM = {
    "title": "关于窗口服务的通报",
    "text": "该窗口未落实一次性告知，予以通报批评。",
    "kind": "criticism",
    "subject_type": "window",
    "subject_id": SAMPLE_WINDOW,
}
NOTICE_URL = re.compile(r"/console/notices/([0-9a-f-]{36})$")


def published_through_the_form(client: TestClient, **fields: str) -> str:
    answer = post_form(client, "/console/notices/new", {**FORM, **fields})
    assert answer.status_code == 303, answer.text
    found = NOTICE_URL.search(answer.headers["location"])
    assert found
    return found.group(1)


def test_the_public_list_and_notice_need_no_sign_in_and_mark_a_withdrawn_notice(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    kept, gone = a_kept_and_a_withdrawn_notice(
        container.supervision, text="态度生硬。", subject_type="window", subject_id=SAMPLE_WINDOW
    )
    catch_up()

    listed = client.get("/notices")
    one = client.get(f"/notices/{gone.id}")

    assert listed.status_code == one.status_code == 200
    assert_shows(listed, '<html lang="zh-CN">', "通报表扬", "通报批评")
    assert listed.text.index("通报批评") < listed.text.index("通报表扬")  # newest first
    assert "已撤回" in listed.text
    assert "对象认定有误" in one.text
    assert f"/notices/{kept.id}" in listed.text
    assert 'href="/notices"' in client.get("/").text


def test_a_draft_is_no_public_page(client: TestClient, container: Container) -> None:
    draft = a_notice_draft(container.supervision)

    answer = client.get(f"/notices/{draft}")

    assert answer.status_code == 404
    assert error_message("notice_not_found") in answer.text


def test_no_public_page_or_report_shows_the_people_of_a_notices_case(
    container: Container,
    catch_up: Callable[[], object],
    supervised_case_id: UUID,
    inspector: TestClient,
) -> None:
    notice_id = published_through_the_form(
        inspector,
        subject_type="case",
        subject_id=str(supervised_case_id),
        title="关于推诿扯皮的通报",
    )
    catch_up()
    number = container.supervision.get_case(supervised_case_id, INSPECTOR).tracking_number

    pages = [
        inspector.get("/notices"),
        inspector.get(f"/notices/{notice_id}"),
        inspector.get(f"/console/notices/{notice_id}"),
        inspector.get("/console/notices"),
        inspector.get("/console/reports/monthly"),
    ]

    for page in pages:
        assert page.status_code == 200
        assert COMPLAINANT_NAME not in page.text
        assert COMPLAINANT_PHONE not in page.text
        assert number in page.text


def test_an_inspector_publishes_through_the_form_and_withdraws_with_a_reason(
    catch_up: Callable[[], object], inspector: TestClient
) -> None:
    form = inspector.get("/console/notices/new").text
    for name in ("标题", "正文", "类型", "对象类型", "对象", "发布通报"):
        assert f">{name}<" in form

    notice_id = published_through_the_form(inspector)
    page = inspector.get(f"/console/notices/{notice_id}").text
    assert "已发布通报。" in page
    assert "撤回通报" in page

    withdrawn = post_form(
        inspector,
        f"/console/notices/{notice_id}/withdraw",
        {"reason": "已整改到位"},
        from_page=f"/console/notices/{notice_id}",
    )
    catch_up()

    assert withdrawn.status_code == 303
    assert "已撤回" in inspector.get(f"/console/notices/{notice_id}").text
    assert "已撤回" in inspector.get("/notices").text


@pytest.mark.usefixtures("notice_drafted_by_the_flag")
def test_an_inspector_edits_then_publishes_the_draft_the_flag_proposed(
    catch_up: Callable[[], object], inspector: TestClient
) -> None:
    listing = inspector.get("/console/notices").text
    found = re.search(r'href="/console/notices/([0-9a-f-]{36})"', listing)
    assert found
    assert "待发布草稿" in listing
    page = f"/console/notices/{found.group(1)}"
    assert "督办后仍超期未办结" in inspector.get(page).text

    saved = post_form(inspector, page, {**FORM, "title": "改后的标题", "action": "edit"})
    assert saved.status_code == 303
    assert "已保存草稿。" in inspector.get(page).text
    published = post_form(inspector, page, {**FORM, "title": "最终标题", "action": "publish"})
    catch_up()

    assert published.status_code == 303
    assert "最终标题" in inspector.get("/notices").text


@pytest.mark.parametrize(
    ("fields", "status", "said"),
    [
        ({"subject_id": "W-Z99"}, 422, error_message("notice_subject_not_found")),
        ({"title": ""}, 422, "标题"),
        ({"text": "正文\u0000"}, 422, "正文"),
        ({"subject_type": "planet"}, 422, "对象类型"),
        ({"title": "标" * 101}, 422, "标题"),
    ],
)
def test_a_refused_form_comes_back_in_chinese_as_typed(
    fields: dict[str, str], status: int, said: str, inspector: TestClient
) -> None:
    answer = post_form(inspector, "/console/notices/new", {**FORM, **fields})

    assert answer.status_code == status
    assert said in answer.text
    assert "请修改以下内容" in answer.text


def test_what_a_notices_state_forbids_is_said_on_its_page(inspector: TestClient) -> None:
    notice_id = published_through_the_form(inspector)
    page = f"/console/notices/{notice_id}"

    again = post_form(inspector, page, {**FORM, "action": "publish"})
    empty = post_form(inspector, f"{page}/withdraw", {"reason": " "}, from_page=page)

    assert again.status_code == 409
    assert error_message("notice_not_draft") in again.text
    assert empty.status_code == 422
    assert "撤回理由" in empty.text


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.DEPARTMENT, Role.ADMIN])
def test_only_inspectors_get_the_notice_desk(
    client: TestClient, container: Container, role: Role
) -> None:
    department = "real-estate-registration" if role is Role.DEPARTMENT else None
    signed_in(client, container, role, department=department)

    for path in ("/console/notices", "/console/notices/new"):
        answer = client.get(path)
        assert answer.status_code == 403
        assert "无法完成操作" in answer.text


def test_the_form_takes_a_case_by_its_tracking_number_as_staff_know_it(
    client: TestClient,
    container: Container,
    catch_up: Callable[[], object],
    supervised_case_id: UUID,
) -> None:
    catch_up()
    number = container.supervision.get_case(supervised_case_id, INSPECTOR).tracking_number
    signed_in(client, container, Role.INSPECTOR)

    notice_id = published_through_the_form(
        client, subject_type="case", subject_id=number.lower(), title="关于推诿扯皮的通报"
    )

    notice = client.get(f"/console/notices/{notice_id}").text
    assert number in notice


def test_an_unknown_tracking_number_is_refused_in_chinese_on_the_form(
    inspector: TestClient,
) -> None:
    refused = post_form(
        inspector,
        "/console/notices/new",
        {**FORM, "subject_type": "case", "subject_id": "HL20991231-0001"},
    )

    assert refused.status_code == 422
    assert error_message("notice_subject_not_found") in refused.text


def test_an_inspector_goes_from_a_case_page_to_a_notice_form_filled_with_its_number(
    client: TestClient, container: Container, supervised_case_id: UUID
) -> None:
    number = container.supervision.get_case(supervised_case_id, INSPECTOR).tracking_number
    signed_in(client, container, Role.INSPECTOR)

    page = client.get(f"/console/cases/{supervised_case_id}").text
    link = f"/console/notices/new?subject_type=case&amp;subject_id={number}"
    assert link in page
    form = client.get(link.replace("&amp;", "&")).text
    assert f'value="{number}"' in form
