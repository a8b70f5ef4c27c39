"""Evidence files (附件, §17) in the console: the upload form on the case, order, visit and
deduction pages, the list with download links and thumbnails, refusals in Chinese."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from domain.labels import error_message
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from interfaces.http.app import create_app
from interfaces.web.csrf import FORM_TOKEN_FIELD
from tests import attachment_samples as samples
from tests.e2e.conftest import sample_container
from tests.factories import (
    INSPECTOR,
    SAMPLE_DEPARTMENT,
    a_deduction,
    assign,
    recorded_visit,
    registered_case,
)
from tests.support import SettableTimeSource, run_worker_once
from tests.web_support import (
    ORIGIN,
    assert_error_page,
    assert_shows,
    form_token,
    post_form,
    signed_in,
)


def upload_form(client: TestClient, page: str, content: bytes, name: str = "现场照片.png") -> Any:
    """Post the page's upload form with one file, as the browser does from the page."""
    token = form_token(client, page)
    return client.post(
        f"{page.split('#')[0].removesuffix('/attachments')}/attachments",
        data={FORM_TOKEN_FIELD: token},
        files={"file": (name, content, "application/octet-stream")},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )


def test_an_operator_uploads_a_photo_on_the_case_page_and_sees_it_with_its_thumbnail(
    client: TestClient, container: Container
) -> None:
    case_id = registered_case(container.supervision)
    signed_in(client, container, Role.OPERATOR)
    page = f"/console/cases/{case_id}"
    assert "上传附件" in client.get(page).text
    assert "选择文件" in client.get(page).text

    answer = upload_form(client, page, samples.png(400, 300))

    assert answer.status_code == 303
    assert answer.headers["location"] == f"{page}#attachments"
    shown = client.get(page).text
    assert "已上传附件：现场照片.png" in shown
    (file,) = container.supervision.attachments("case", case_id, INSPECTOR)
    assert f'href="/console/attachments/{file.id}"' in shown
    assert f'src="/console/attachments/{file.id}/thumbnail"' in shown
    assert client.get(f"/console/attachments/{file.id}").content == samples.png(400, 300)
    thumbnail = client.get(f"/console/attachments/{file.id}/thumbnail")
    assert thumbnail.headers["content-type"] == "image/jpeg"
    assert "附件" in shown  # the timeline's entry and the section's heading


@pytest.mark.parametrize(
    ("content", "code"),
    [(samples.html(), "unsupported_file_type"), (b"", "empty_attachment")],
)
def test_a_refused_file_is_told_in_chinese_on_the_page(
    client: TestClient, container: Container, content: bytes, code: str
) -> None:
    case_id = registered_case(container.supervision)
    signed_in(client, container, Role.OPERATOR)
    page = f"/console/cases/{case_id}"

    answer = upload_form(client, page, content, name="photo.png")

    assert answer.status_code == 303
    assert error_message(code) in client.get(page).text
    assert container.supervision.attachments("case", case_id, INSPECTOR) == []


def test_an_upload_without_the_form_token_is_refused(client: TestClient, container: Container):
    case_id = registered_case(container.supervision)
    signed_in(client, container, Role.OPERATOR)
    answer = client.post(
        f"/console/cases/{case_id}/attachments",
        files={"file": ("a.png", samples.png(), "image/png")},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    assert answer.status_code == 403


def test_another_department_can_neither_upload_to_nor_read_a_case_file(
    client: TestClient, container: Container
) -> None:
    app = container.supervision
    case_id = registered_case(app)
    assign(app, case_id)
    app.attach_file("case", case_id, name="a.png", data=samples.png(), by=INSPECTOR)
    (file,) = app.attachments("case", case_id, INSPECTOR)
    signed_in(client, container, Role.DEPARTMENT, department="taxation")
    assert client.get(f"/console/attachments/{file.id}").status_code == 403


def test_the_department_uploads_its_report_on_the_order_page(
    client: TestClient, container: Container
) -> None:
    from tests.factories import issued_order

    order_id = issued_order(container.supervision)
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    page = f"/console/orders/{order_id}"
    assert upload_form(client, page, samples.pdf(), name="整改报告.pdf").status_code == 303
    assert "整改报告.pdf" in client.get(page).text


def test_an_inspector_uploads_on_the_visit_and_deduction_pages(
    client: TestClient, container: Container
) -> None:
    app = container.supervision
    app.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    visit = recorded_visit(app)
    deduction = app.record_deduction(a_deduction(), INSPECTOR)
    signed_in(client, container, Role.INSPECTOR)
    for page in (f"/console/visits/{visit.id}", f"/console/deductions/{deduction.id}/attachments"):
        assert upload_form(client, page, samples.mp3(), name="录音.mp3").status_code == 303
        assert "录音.mp3" in client.get(page).text
    run_worker_once(container)  # the deduction list is read from the read side
    listed = client.get("/console/deductions").text
    assert f"/console/deductions/{deduction.id}/attachments" in listed


def test_a_file_over_the_limit_is_refused_on_a_chinese_page(
    database_url: str, time_source: SettableTimeSource
) -> None:
    with (
        sample_container(database_url, time_source, max_attachment_bytes=50_000) as built,
        TestClient(create_app(built), raise_server_exceptions=False) as client,
    ):
        case_id = registered_case(built.supervision)
        signed_in(client, built, Role.OPERATOR)
        page = f"/console/cases/{case_id}"

        answer = upload_form(client, page, samples.pdf() + b"\x00" * 200_000, name="大文件.pdf")

        assert_error_page(answer, 413)
        assert error_message("attachment_too_large") in answer.text
        assert built.supervision.attachments("case", case_id, INSPECTOR) == []


def test_the_audit_page_names_an_evidence_file_whose_stored_bytes_were_removed(
    client: TestClient, container: Container, database_url: str
) -> None:
    app = container.supervision
    view = app.attach_file(
        "case", registered_case(app), name="a.png", data=samples.png(), by=INSPECTOR
    )
    signed_in(client, container, Role.INSPECTOR)
    clean = post_form(client, "/console/audit/verify", {})
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("DELETE FROM attachment_blobs")
    tampered = post_form(client, "/console/audit/verify", {})

    assert "校验通过" in clean.text
    assert "核对附件 1 个" in clean.text
    assert_shows(
        tampered, "校验未通过：1 个附件的存储内容缺失或被篡改。", f"附件 {view.id}", "存储内容缺失"
    )
