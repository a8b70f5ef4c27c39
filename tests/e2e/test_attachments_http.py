"""Evidence files (附件, §17) over HTTP: one file per request in the multipart field `file`,
attached to a case, an order, a deduction or a visit; downloaded with its checked type and
its name, by whoever may read its record; thumbnails of photos; the limits and refusals;
erasure; verification."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from interfaces.bootstrap import Container
from interfaces.http.app import create_app
from tests import attachment_samples as samples
from tests.e2e.bodies import INSPECTION_ORDER, RUDE_REMARK
from tests.e2e.conftest import Tokens, error_of, get, sample_container
from tests.factories import (
    API,
    SAMPLE_WINDOW,
    assigned_through_api,
    posted,
    registered_through_api,
)
from tests.support import SettableTimeSource

pytestmark = pytest.mark.usefixtures("conduct_rules")


def upload(
    client: TestClient,
    path: str,
    headers: dict[str, str],
    content: bytes,
    name: str = "evidence.png",
    content_type: str = "application/octet-stream",
) -> Any:
    return client.post(
        f"{API}{path}/attachments", files={"file": (name, content, content_type)}, headers=headers
    )


def uploaded(client: TestClient, path: str, headers: dict[str, str], content: bytes, **kw: Any):
    response = upload(client, path, headers, content, **kw)
    assert response.status_code == 201, response.text
    return response.json()


VISIT = {
    "date": "2026-11-26",
    "method": "unannounced",
    "windows": [SAMPLE_WINDOW],
    "summary": "上午暗访不动产登记窗口",
}


def test_a_case_photo_is_uploaded_listed_downloaded_and_shown_small(
    client: TestClient, tokens: Tokens
) -> None:
    case = registered_through_api(client, tokens.operator)
    photo = samples.png(800, 600)
    answer = uploaded(client, f"/cases/{case['id']}", tokens.operator, photo, name="现场照片.png")
    assert answer["name"] == "现场照片.png"
    assert answer["content_type"] == "image/png"
    assert answer["size"] == len(photo)
    assert answer["sha256"] == hashlib.sha256(photo).hexdigest()

    listed = get(client, f"/cases/{case['id']}", tokens.operator)["attachments"]
    assert [a["id"] for a in listed] == [answer["id"]]
    assert (
        get(client, f"/cases/{case['id']}/attachments", tokens.inspector)[0]["id"] == (answer["id"])
    )
    history = get(client, f"/cases/{case['id']}/history", tokens.inspector)
    (added,) = [e for e in history["items"] if e["type"].endswith("AttachmentAdded")]
    assert added["fields"]["name"] == "现场照片.png"

    download = client.get(f"{API}/attachments/{answer['id']}", headers=tokens.operator)
    assert download.status_code == 200
    assert download.content == photo
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('现场照片.png')}" in disposition

    thumbnail = client.get(f"{API}/attachments/{answer['id']}/thumbnail", headers=tokens.operator)
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/jpeg"
    assert thumbnail.content.startswith(b"\xff\xd8\xff")
    assert len(thumbnail.content) < len(photo)


def test_a_pdf_has_no_thumbnail(client: TestClient, tokens: Tokens) -> None:
    case = registered_through_api(client, tokens.operator)
    answer = uploaded(client, f"/cases/{case['id']}", tokens.operator, samples.pdf(), name="a.pdf")
    response = client.get(f"{API}/attachments/{answer['id']}/thumbnail", headers=tokens.operator)
    assert error_of(response) == (404, "thumbnail_not_available")


def test_orders_deductions_and_visits_take_files_from_those_who_may(
    client: TestClient, tokens: Tokens
) -> None:
    order = posted(client, "/rectification-orders", tokens.inspector, INSPECTION_ORDER)
    report = uploaded(
        client,
        f"/rectification-orders/{order['id']}",
        tokens.department,
        samples.pdf(),
        name="整改报告.pdf",
    )
    assert (
        get(client, f"/rectification-orders/{order['id']}", tokens.inspector)["attachments"][0][
            "id"
        ]
        == report["id"]
    )
    deduction = posted(client, "/deductions", tokens.inspector, RUDE_REMARK)
    video = uploaded(
        client, f"/deductions/{deduction['id']}", tokens.inspector, samples.mp4(), name="录像.mp4"
    )
    assert video["content_type"] == "video/mp4"
    assert (
        get(client, f"/deductions/{deduction['id']}/attachments", tokens.inspector)[0]["id"]
        == video["id"]
    )
    visit = posted(client, "/visits", tokens.inspector, VISIT)
    audio = uploaded(
        client, f"/visits/{visit['id']}", tokens.inspector, samples.m4a(), name="录音.m4a"
    )
    assert audio["content_type"] == "audio/mp4"
    assert (
        get(client, f"/visits/{visit['id']}", tokens.inspector)["attachments"][0]["id"]
        == (audio["id"])
    )
    for made, kind in ((samples.wav, "audio/wav"), (samples.mp3, "audio/mpeg")):
        assert (
            uploaded(client, f"/visits/{visit['id']}", tokens.inspector, made())["content_type"]
            == kind
        )

    assert error_of(
        upload(client, f"/rectification-orders/{order['id']}", tokens.operator, samples.pdf())
    ) == (403, "attaching_not_allowed")
    assert error_of(
        upload(
            client, f"/rectification-orders/{order['id']}", tokens.other_department, samples.pdf()
        )
    ) == (403, "attaching_not_allowed")
    assert error_of(
        upload(client, f"/deductions/{deduction['id']}", tokens.operator, samples.pdf())
    ) == (403, "role_not_allowed")
    assert error_of(upload(client, f"/visits/{visit['id']}", tokens.department, samples.pdf())) == (
        403,
        "role_not_allowed",
    )


def test_a_department_reads_its_own_cases_files_and_not_anothers(
    client: TestClient, tokens: Tokens
) -> None:
    case = assigned_through_api(client, tokens.operator)
    mine = uploaded(
        client, f"/cases/{case['id']}", tokens.department, samples.jpeg(), name="回复.jpg"
    )
    assert (
        client.get(f"{API}/attachments/{mine['id']}", headers=tokens.department).status_code == 200
    )
    assert error_of(
        client.get(f"{API}/attachments/{mine['id']}", headers=tokens.other_department)
    ) == (403, "not_assigned_department")
    assert error_of(
        client.get(f"{API}/attachments/{mine['id']}/thumbnail", headers=tokens.other_department)
    ) == (403, "not_assigned_department")
    assert error_of(
        upload(client, f"/cases/{case['id']}", tokens.other_department, samples.pdf())
    ) == (403, "attaching_not_allowed")
    assert error_of(client.get(f"{API}/attachments/{mine['id']}", headers=tokens.admin))[0] == 403
    assert client.get(f"{API}/attachments/{mine['id']}").status_code == 401


def test_the_type_is_judged_from_the_content_whatever_the_name_or_declared_type_say(
    client: TestClient, tokens: Tokens
) -> None:
    case = registered_through_api(client, tokens.operator)
    refused = upload(
        client,
        f"/cases/{case['id']}",
        tokens.operator,
        samples.html(),
        name="photo.png",
        content_type="image/png",
    )
    assert error_of(refused) == (415, "unsupported_file_type")
    renamed = uploaded(
        client,
        f"/cases/{case['id']}",
        tokens.operator,
        samples.pdf(),
        name="page.html",
        content_type="text/html",
    )
    assert (renamed["content_type"], renamed["name"]) == ("application/pdf", "page.html.pdf")


def test_an_empty_file_and_a_missing_field_are_refused(client: TestClient, tokens: Tokens) -> None:
    case = registered_through_api(client, tokens.operator)
    assert error_of(upload(client, f"/cases/{case['id']}", tokens.operator, b"")) == (
        422,
        "empty_attachment",
    )
    missing = client.post(
        f"{API}/cases/{case['id']}/attachments",
        files={"other": ("a.png", samples.png(), "image/png")},
        headers=tokens.operator,
    )
    assert error_of(missing) == (422, "empty_attachment")
    assert get(client, f"/cases/{case['id']}", tokens.operator)["attachments"] == []


def test_names_lose_paths_and_control_characters_and_keep_chinese(
    client: TestClient, tokens: Tokens
) -> None:
    case = registered_through_api(client, tokens.operator)
    name = "../../王\x00芳\x07\u202e照片.png".encode()
    body = (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="'
        + name
        + b'"\r\nContent-Type: image/png\r\n\r\n'
        + samples.png()
        + b"\r\n--b0undary--\r\n"
    )
    response = client.post(
        f"{API}/cases/{case['id']}/attachments",
        content=body,
        headers={**tokens.operator, "Content-Type": "multipart/form-data; boundary=b0undary"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "王芳照片.png"
    download = client.get(f"{API}/attachments/{response.json()['id']}", headers=tokens.operator)
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"____.png\"; filename*=UTF-8''" + quote("王芳照片.png")
    )


def test_a_file_above_the_limit_is_refused_with_413_and_the_limit_allows_more_than_a_body(
    database_url: str, time_source: SettableTimeSource
) -> None:
    with (
        sample_container(database_url, time_source, max_attachment_bytes=1_500_000) as built,
        TestClient(create_app(built), raise_server_exceptions=False) as client,
    ):
        headers = _operator(built)
        case = registered_through_api(client, headers)
        big_but_allowed = samples.pdf() + b"\x00" * 1_200_000  # above the 1 MB body limit
        assert upload(client, f"/cases/{case['id']}", headers, big_but_allowed).status_code == 201
        too_big = samples.pdf() + b"\x00" * 1_500_001
        assert error_of(upload(client, f"/cases/{case['id']}", headers, too_big)) == (
            413,
            "attachment_too_large",
        )
        assert len(get(client, f"/cases/{case['id']}", headers)["attachments"]) == 1


def _operator(container: Container) -> dict[str, str]:
    from tests.factories import bearer, issued_token

    return bearer(issued_token(container.supervision, Role.OPERATOR, name="operator"))


def test_after_erasure_a_case_file_answers_410(client: TestClient, tokens: Tokens) -> None:
    case = registered_through_api(client, tokens.operator)
    answer = uploaded(
        client, f"/cases/{case['id']}", tokens.operator, samples.png(), name="王芳.png"
    )
    posted(
        client, f"/cases/{case['id']}/erase-personal-data", tokens.inspector, {"reason": "本人申请"}
    )
    assert error_of(client.get(f"{API}/attachments/{answer['id']}", headers=tokens.inspector)) == (
        410,
        "attachment_erased",
    )
    (listed,) = get(client, f"/cases/{case['id']}", tokens.inspector)["attachments"]
    assert "王芳" not in listed["name"]
    assert (
        error_of(upload(client, f"/cases/{case['id']}", tokens.operator, samples.png()))[0] == 409
    )


def test_an_unknown_file_and_record_are_404(client: TestClient, tokens: Tokens) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert error_of(client.get(f"{API}/attachments/{unknown}", headers=tokens.operator)) == (
        404,
        "attachment_not_found",
    )
    assert error_of(upload(client, f"/cases/{unknown}", tokens.operator, samples.png())) == (
        404,
        "case_not_found",
    )


@pytest.fixture
def directory_client(
    database_url: str, time_source: SettableTimeSource, tmp_path: Path
) -> Iterator[tuple[TestClient, Container, Path]]:
    with (
        sample_container(database_url, time_source, attachments_dir=tmp_path / "files") as built,
        TestClient(create_app(built), raise_server_exceptions=False) as client,
    ):
        yield client, built, tmp_path / "files"


def test_with_a_directory_the_bytes_are_files_and_verification_names_an_altered_one(
    directory_client: tuple[TestClient, Container, Path],
) -> None:
    client, container, root = directory_client
    headers = _operator(container)
    case = registered_through_api(client, headers)
    answer = uploaded(client, f"/cases/{case['id']}", headers, samples.png(), name="a.png")
    (stored,) = [p for p in root.rglob("*") if p.is_file()]
    assert samples.png() not in stored.read_bytes()  # sealed under the case's key
    inspector = _inspector(container)
    assert client.post(f"{API}/audit/verify", headers=inspector).json()["files_checked"] == 1
    stored.write_bytes(stored.read_bytes()[:-1] + b"\x01")
    report = client.post(f"{API}/audit/verify", headers=inspector).json()
    assert report["ok"] is False
    assert report["file_problems"] == [
        {
            "attachment_id": answer["id"],
            "problem": "altered",
            "position": report["file_problems"][0]["position"],
        }
    ]
    assert answer["id"] in report["message"]


def _inspector(container: Container) -> dict[str, str]:
    from tests.factories import bearer, issued_token

    return bearer(issued_token(container.supervision, Role.INSPECTOR, name="inspector"))
