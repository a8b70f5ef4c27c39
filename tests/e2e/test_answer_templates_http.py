"""Answer templates over HTTP (答复模板): a department keeps its own, the centre reads them,
and what the record cannot hold is refused with a code, never a 500."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import Tokens, error_of
from tests.factories import API, OTHER_DEPARTMENT, SAMPLE_DEPARTMENT

TEMPLATES = f"{API}/departments/{SAMPLE_DEPARTMENT}/answer-templates"
APOLOGY = {"category": "服务态度", "title": "致歉", "text": "经核实，已批评教育，向您致歉。"}


def created(client: TestClient, tokens: Tokens, **fields: Any) -> dict[str, Any]:
    answer = client.post(TEMPLATES, json={**APOLOGY, **fields}, headers=tokens.department)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_department_creates_edits_and_retires_a_template_and_lists_the_live_ones(
    client: TestClient, tokens: Tokens
) -> None:
    # Given two templates of the department
    first = created(client, tokens)
    second = created(client, tokens, category="办事效率", title="说明办理时限")

    # When it edits the first and retires the second
    edited = client.post(
        f"{TEMPLATES}/{first['id']}/edit",
        json={**APOLOGY, "text": "已整改，向您致歉。"},
        headers=tokens.department,
    )
    retired = client.post(f"{TEMPLATES}/{second['id']}/retire", headers=tokens.department)

    # Then the list holds the edited one only, as the centre reads it too
    assert edited.status_code == 200
    assert edited.json()["text"] == "已整改，向您致歉。"
    assert edited.json()["updated_at"].endswith("+08:00")
    assert retired.json()["retired"] is True
    for reader in (tokens.department, tokens.operator, tokens.inspector):
        listed = client.get(TEMPLATES, headers=reader).json()["items"]
        assert [(t["id"], t["text"]) for t in listed] == [(first["id"], "已整改，向您致歉。")]


def test_the_list_is_filtered_by_category(client: TestClient, tokens: Tokens) -> None:
    created(client, tokens)
    created(client, tokens, category="办事效率", title="说明办理时限")

    attitude = client.get(TEMPLATES, params={"category": "服务态度"}, headers=tokens.department)
    unknown = client.get(TEMPLATES, params={"category": "没有"}, headers=tokens.department)

    assert [t["title"] for t in attitude.json()["items"]] == ["致歉"]
    assert unknown.json()["items"] == []


def test_another_department_neither_reads_nor_changes_the_templates(
    client: TestClient, tokens: Tokens
) -> None:
    template = created(client, tokens)
    other = tokens.other_department

    assert client.get(TEMPLATES, headers=other).json()["error"]["code"] == (
        "answer_templates_not_yours"
    )
    refused = client.post(f"{TEMPLATES}/{template['id']}/retire", headers=other)
    assert error_of(refused) == (403, "not_template_keeper")
    own_book = f"{API}/departments/{OTHER_DEPARTMENT}/answer-templates"
    assert client.post(own_book, json=APOLOGY, headers=other).status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**APOLOGY, "title": "致\x00歉"}, 422, "invalid_character"),
        ({**APOLOGY, "text": "答复\x1b"}, 422, "invalid_character"),
        ({**APOLOGY, "title": "长" * 61}, 422, "invalid_request"),
        ({**APOLOGY, "text": "长" * 10_001}, 422, "invalid_request"),
        ({**APOLOGY, "title": "   "}, 422, "invalid_request"),
        ({**APOLOGY, "category": "没有的分类"}, 422, "unknown_category"),
        ({**APOLOGY, "category": 7}, 422, "invalid_request"),
        ({**APOLOGY, "extra": 1}, 422, "invalid_request"),
        ({"title": "致歉"}, 422, "invalid_request"),
    ],
)
def test_a_template_the_record_cannot_hold_is_refused_with_a_code(
    client: TestClient, tokens: Tokens, body: dict[str, Any], status: int, code: str
) -> None:
    answer = client.post(TEMPLATES, json=body, headers=tokens.department)

    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code


def test_unknown_templates_departments_and_malformed_ids_are_refused_with_a_code(
    client: TestClient, tokens: Tokens
) -> None:
    created(client, tokens)
    dept = tokens.department

    unknown = client.post(f"{TEMPLATES}/{uuid4()}/retire", headers=dept)
    malformed = client.post(f"{TEMPLATES}/not-a-uuid/retire", headers=dept)
    no_department = client.get(
        f"{API}/departments/no-such-department/answer-templates", headers=dept
    )
    bad_department = client.get(f"{API}/departments/-bad%00/answer-templates", headers=dept)
    taken = client.post(TEMPLATES, json=APOLOGY, headers=dept)

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (
        404,
        "answer_template_not_found",
    )
    assert malformed.status_code == 422
    assert no_department.status_code == 403  # a department reads its own book only
    assert bad_department.status_code == 422
    assert (taken.status_code, taken.json()["error"]["code"]) == (
        409,
        "answer_template_title_taken",
    )


def test_a_retired_template_is_neither_edited_nor_retired_again(
    client: TestClient, tokens: Tokens
) -> None:
    template = created(client, tokens)
    url = f"{TEMPLATES}/{template['id']}"
    client.post(f"{url}/retire", headers=tokens.department)

    again = client.post(f"{url}/retire", headers=tokens.department)
    edited = client.post(f"{url}/edit", json=APOLOGY, headers=tokens.department)

    assert (
        again.json()["error"]["code"]
        == edited.json()["error"]["code"]
        == ("answer_template_retired")
    )
    assert again.status_code == edited.status_code == 409


def test_the_centre_asking_for_an_unknown_department_is_told_so(
    client: TestClient, tokens: Tokens
) -> None:
    answer = client.get(
        f"{API}/departments/no-such-department/answer-templates", headers=tokens.inspector
    )

    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "unknown_department")
