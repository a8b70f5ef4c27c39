"""Erasing a complainant's personal data over HTTP, and what every reader sees afterwards;
no personal data in the logs of a whole case's life."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from domain.actor import Actor, Role
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of
from tests.e2e.test_audit_http import every_page
from tests.e2e.test_cli import OVERSIGHT, run
from tests.factories import (
    API,
    SAMPLE_DEPARTMENT,
    SAMPLE_WINDOW,
    a_complaint_body,
    assigned_through_api,
    posted,
)
from tests.support import SettableTimeSource, command_environment, run_worker_once

NAME, PHONE, ADDRESS = "王芳", "13812345678", "和平路 8 号"
COMPLAINT = a_complaint_body(complainant={"name": NAME, "phone": PHONE, "address": ADDRESS})
ERASED = {"erased": True}


def erase(client: TestClient, case_id: str, headers: dict[str, str]) -> Any:
    return client.post(
        f"{API}/cases/{case_id}/erase-personal-data",
        json={"reason": "本人来电要求删除个人信息"},
        headers=headers,
    )


@pytest.fixture
def assigned_case(client: TestClient, tokens: Tokens) -> dict[str, Any]:
    case = posted(client, "/cases", tokens.operator, COMPLAINT)
    posted(
        client, f"/cases/{case['id']}/assign", tokens.operator, {"department": SAMPLE_DEPARTMENT}
    )
    return case


def test_before_erasure_the_department_sees_the_surname_the_phone_masked_and_no_address(
    client: TestClient, tokens: Tokens, assigned_case: dict[str, Any]
) -> None:
    url = f"{API}/cases/{assigned_case['id']}"

    seen_by_department = client.get(url, headers=tokens.department).json()["complainant"]
    seen_by_operator = client.get(url, headers=tokens.operator).json()["complainant"]

    assert seen_by_department == {
        "name": "王**",
        "phone": "138****5678",
        "address": None,
        "anonymous": False,
    }
    assert seen_by_operator["phone"] == PHONE
    assert seen_by_operator["name"] == NAME


def test_after_erasure_the_case_list_board_history_and_public_status_all_still_work(
    client: TestClient, tokens: Tokens, container: Container, assigned_case: dict[str, Any]
) -> None:
    case_id = assigned_case["id"]

    response = erase(client, case_id, tokens.inspector)
    run_worker_once(container)

    assert response.status_code == 200, response.text
    assert response.json()["complainant"] == ERASED
    for headers in (tokens.operator, tokens.inspector, tokens.department):
        case = client.get(f"{API}/cases/{case_id}", headers=headers)
        assert case.status_code == 200, case.text
        assert case.json()["complainant"] == ERASED
        assert case.json()["status"] == "assigned"
    listed = client.get(f"{API}/cases", headers=tokens.operator).json()
    assert [item["id"] for item in listed["items"]] == [case_id]
    board = client.get(f"{API}/departments/{SAMPLE_DEPARTMENT}/board", headers=tokens.department)
    assert board.status_code == 200, board.text
    assert [item["id"] for item in board.json()["items"]] == [case_id]
    history = client.get(f"{API}/cases/{case_id}/history", headers=tokens.inspector).json()
    assert history["items"][0]["fields"]["complainant"] == ERASED
    assert history["items"][-1]["type"] == "PersonalDataErased"
    assert history["items"][-1]["reason"] == "本人来电要求删除个人信息"
    public = client.post(
        f"{API}/public/case-status",
        json={
            "tracking_number": assigned_case["tracking_number"],
            "access_code": assigned_case["access_code"],
        },
    )
    assert public.status_code == 200, public.text
    assert public.json()["status"] == "assigned"


def test_the_case_can_still_be_handled_and_closed_after_erasure(
    client: TestClient, tokens: Tokens, assigned_case: dict[str, Any]
) -> None:
    case_id = assigned_case["id"]
    assert erase(client, case_id, tokens.inspector).status_code == 200

    posted(client, f"/cases/{case_id}/acknowledge", tokens.department)
    posted(
        client,
        f"/cases/{case_id}/result",
        tokens.department,
        {"outcome": "substantiated", "actions": "约谈", "answer": "已整改"},
    )
    posted(client, f"/cases/{case_id}/callback", tokens.operator, {"reached": False})
    closed = posted(client, f"/cases/{case_id}/close", tokens.operator)

    assert closed["status"] == "closed"
    assert closed["complainant"] == ERASED


def test_the_ledger_taken_before_erasure_still_verifies_after_it(
    client: TestClient, tokens: Tokens, container: Container, assigned_case: dict[str, Any]
) -> None:
    run_worker_once(container)  # the ledger hashes the registration as stored, key and all
    assert erase(client, assigned_case["id"], tokens.inspector).status_code == 200
    run_worker_once(container)

    verified = client.post(f"{API}/audit/verify", headers=tokens.inspector)

    assert verified.status_code == 200, verified.text
    assert verified.json()["ok"] is True, verified.json()


def test_erasing_twice_is_a_conflict(
    client: TestClient, tokens: Tokens, assigned_case: dict[str, Any]
) -> None:
    erase(client, assigned_case["id"], tokens.inspector)

    again = erase(client, assigned_case["id"], tokens.inspector)

    assert error_of(again) == (409, "personal_data_already_erased")


@pytest.mark.parametrize("role", ["operator", "department", "admin"])
def test_only_inspectors_may_erase(
    client: TestClient, tokens: Tokens, assigned_case: dict[str, Any], role: str
) -> None:
    response = erase(client, assigned_case["id"], getattr(tokens, role))

    assert response.status_code == 403
    seen = client.get(f"{API}/cases/{assigned_case['id']}", headers=tokens.operator).json()
    assert seen["complainant"]["name"] == NAME


def test_erasing_an_unknown_case_is_not_found(client: TestClient, tokens: Tokens) -> None:
    response = erase(client, "00000000-0000-4000-8000-000000000000", tokens.inspector)

    assert error_of(response) == (404, "case_not_found")


def test_the_key_row_keeps_only_the_moment_of_erasure(
    client: TestClient, tokens: Tokens, container: Container, assigned_case: dict[str, Any]
) -> None:
    erase(client, assigned_case["id"], tokens.inspector)

    with psycopg.connect(container.database_url) as connection:
        wrapped, erased_at = connection.execute(
            "SELECT wrapped_key, erased_at FROM personal_data_keys WHERE key_id = %s",
            (assigned_case["id"],),
        ).fetchone()  # type: ignore[misc]

    assert wrapped is None
    assert erased_at is not None


def test_the_command_line_erases_too(
    client: TestClient, tokens: Tokens, container: Container, assigned_case: dict[str, Any]
) -> None:
    result = run(
        container.database_url,
        "privacy",
        "erase",
        assigned_case["id"],
        "--reason",
        "依申请删除",
        "--by",
        "纪检组",
    )
    again = run(container.database_url, "privacy", "erase", assigned_case["id"], "--reason", "x")

    assert result.returncode == 0, result.stderr
    assert assigned_case["tracking_number"] in result.stdout
    assert again.returncode == 2
    assert "erased already" in again.stderr
    history = client.get(
        f"{API}/cases/{assigned_case['id']}/history", headers=tokens.inspector
    ).json()
    assert history["items"][-1]["actor"]["principal"] == "纪检组"


def test_a_process_started_with_another_master_key_stops_with_a_clear_message(
    container: Container,
) -> None:
    env = {**command_environment(container.database_url), "OVERSIGHT_MASTER_KEY": "A" * 43}

    result = subprocess.run(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, "token", "create", "--role", "operator"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "OVERSIGHT_MASTER_KEY is not the master key" in result.stderr
    assert "token for" not in result.stdout


@pytest.fixture
def captured_logs(container: Container) -> Iterator[io.StringIO]:
    """Every log line of the process, at DEBUG, rendered as the service renders it."""
    root = logging.getLogger()
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(root.handlers[0].formatter)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield sink
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_a_whole_case_life_over_http_logs_no_name_phone_or_address(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    time_source: SettableTimeSource,
    captured_logs: io.StringIO,
) -> None:
    case = posted(client, "/cases", tokens.operator, COMPLAINT)
    case_id = case["id"]
    steps: list[tuple[str, dict[str, str], Any]] = [
        ("assign", tokens.operator, {"department": SAMPLE_DEPARTMENT}),
        ("acknowledge", tokens.department, None),
        ("result", tokens.department, {"outcome": "resolved", "actions": "", "answer": "已办理"}),
        ("callback", tokens.operator, {"reached": True, "satisfaction": "satisfied"}),
        ("close", tokens.operator, None),
    ]
    for verb, headers, body in steps:
        time_source.advance(hours=1)
        posted(client, f"/cases/{case_id}/{verb}", headers, body)
        run_worker_once(container)
    for headers in (tokens.operator, tokens.department, tokens.inspector):
        client.get(f"{API}/cases/{case_id}", headers=headers)
    client.get(f"{API}/cases/{case_id}/history", headers=tokens.inspector)
    client.get(f"{API}/cases", params={"q": NAME}, headers=tokens.operator)
    client.post(f"{API}/cases", json={**COMPLAINT, "urgent": "x"}, headers=tokens.operator)
    client.post(f"{API}/cases", json=COMPLAINT, headers={"Authorization": "Bearer wrong"})
    erase(client, case_id, tokens.inspector)
    erase(client, case_id, tokens.inspector)

    logged = captured_logs.getvalue()

    assert '"request"' in logged  # the capture works: request lines are there
    for secret in (NAME, PHONE, ADDRESS, PHONE[-4:] + '"', "138****5678"):
        assert secret not in logged


# What a department reads of a reporter quoted in a summary, and what erasure leaves -------------

SIMA, SIMA_PHONE = "司马光华", "13812340000"
REPORT = {
    "kind": "report",
    "channel": "hotline",
    "window": SAMPLE_WINDOW,
    "staff": "S0001",
    "category": "integrity",
    "summary": f"举报人{SIMA}（{SIMA_PHONE}）反映窗口吃拿卡要",
    "details": f"{SIMA}称办理过户时被暗示另付好处费，回电 138 1234 0000",
    "complainant": {"name": SIMA, "phone": SIMA_PHONE, "address": "建设路 21 号"},
}


def phone_pattern(phone: str) -> re.Pattern[str]:
    """The number however it is spaced or punctuated: 138 1234 0000, 138-1234-0000…"""
    return re.compile(r"[\s\-().]{0,2}".join(phone))


def leaks(texts: list[tuple[str, str]], names: list[str], phones: list[str]) -> list[str]:
    found = [f"{where}: {name}" for where, text in texts for name in names if name in text]
    return found + [
        f"{where}: {phone}"
        for where, text in texts
        for phone in phones
        if phone_pattern(phone).search(text)
    ]


def text_of(response: Any) -> str:
    assert response.status_code == 200, response.text
    if "spreadsheetml" in response.headers["content-type"]:
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if "json" in response.headers["content-type"]:
        return json.dumps(response.json(), ensure_ascii=False)
    return response.text


def test_a_department_sees_neither_name_nor_phone_of_a_reporter_its_summary_quotes(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    report = assigned_through_api(client, tokens.operator, **REPORT)
    run_worker_once(container)

    seen = {
        f"{path} {params}": client.get(f"{API}{path}", params=params, headers=tokens.department)
        for path, params in (
            ("/cases", {}),
            ("/cases", {"kind": "report"}),
            (f"/departments/{SAMPLE_DEPARTMENT}/board", {}),
            (f"/cases/{report['id']}", {}),
        )
    }
    searched = client.get(f"{API}/cases", params={"q": SIMA}, headers=tokens.department)
    by_operator = client.get(f"{API}/cases", params={"q": SIMA}, headers=tokens.operator)

    texts = [(request, text_of(response)) for request, response in seen.items()]
    assert not leaks(texts, [SIMA, "司马", "光华", "138****0000"], [SIMA_PHONE])
    (listed,) = seen["/cases {}"].json()["items"]
    (on_board,) = seen[f"/departments/{SAMPLE_DEPARTMENT}/board {{}}"].json()["items"]
    assert listed["summary"] == on_board["summary"] == "举报人***（***）反映窗口吃拿卡要"
    assert searched.json()["items"] == []
    assert [item["summary"] for item in by_operator.json()["items"]] == [REPORT["summary"]]


def test_after_erasure_nothing_the_service_answers_holds_the_name_phone_or_quoting_text(
    client: TestClient, tokens: Tokens, container: Container, time_source: SettableTimeSource
) -> None:
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    rater, rater_phone = "李雷", "13987654321"
    comment = f"{rater}（139 8765 4321）反映窗口人员办事拖拉还玩手机"
    complaint = posted(
        client,
        "/cases",
        tokens.operator,
        {
            **COMPLAINT,
            "staff": "S0001",
            "summary": f"{NAME}反映被要求反复提交材料七次，电话138-1234-5678",
            "details": f"{NAME}住{ADDRESS}，要求书面答复",
        },
    )
    report = posted(client, "/cases", tokens.operator, REPORT)
    evaluation = posted(
        client, "/evaluations", {}, {"window": SAMPLE_WINDOW, "rating": 1, "comment": comment}
    )
    run_worker_once(container)  # the bad rating opens its case
    assert evaluation["opens_case"]
    (rating_case,) = client.get(f"{API}/cases?channel=rating", headers=tokens.operator).json()[
        "items"
    ]
    cases = {"complaint": complaint["id"], "report": report["id"], "rating": rating_case["id"]}
    for case_id in (complaint["id"], report["id"]):
        posted(
            client, f"/cases/{case_id}/assign", tokens.operator, {"department": SAMPLE_DEPARTMENT}
        )
    time_source.advance(hours=1)
    posted(client, f"/cases/{report['id']}/acknowledge", tokens.department)
    posted(
        client,
        f"/cases/{report['id']}/result",
        tokens.department,
        {
            "outcome": "substantiated",
            "answer": "经核实属实，已严肃处理",
            "proposed_deduction": {"rule": "integrity"},
        },
    )
    posted(client, f"/cases/{report['id']}/proposed-deduction/confirm", tokens.inspector)
    run_worker_once(container)
    before = client.get(f"{API}/cases", params={"q": rater}, headers=tokens.operator).json()
    assert [item["id"] for item in before["items"]] == [cases["rating"]]

    for case_id in cases.values():
        assert erase(client, case_id, tokens.inspector).status_code == 200
    run_worker_once(container)

    month = {"month": "2026-11"}
    answers: list[tuple[str, Any]] = []
    for role in ("operator", "inspector", "department"):
        headers = getattr(tokens, role)
        for path, params in [
            *[(f"/cases/{case_id}", {}) for case_id in cases.values()],
            ("/cases", {}),
            ("/cases", {"q": "材料七次"}),
            (f"/departments/{SAMPLE_DEPARTMENT}/board", {}),
            ("/scores", {"department": SAMPLE_DEPARTMENT, **month}),
            ("/blue-list", {"department": SAMPLE_DEPARTMENT}),
            *[
                ("/reports/monthly", {"department": SAMPLE_DEPARTMENT, "format": f, **month})
                for f in ("json", "csv", "xlsx")
            ],
        ]:
            answers.append(
                (
                    f"{role} {path} {params}",
                    client.get(f"{API}{path}", params=params, headers=headers),
                )
            )
    inspector_reads = [
        *[f"/cases/{case_id}/history" for case_id in cases.values()],
        *[f"/audit/records/{record}/history" for record in [*cases.values(), evaluation["id"]]],
        "/staff/S0001/history",
    ]
    for path in inspector_reads:
        answers.append((path, client.get(f"{API}{path}", headers=tokens.inspector)))
    feed = every_page(client, "/audit/events", tokens.inspector)
    for case in (complaint, report):
        answers.append(
            (
                f"public status of {case['tracking_number']}",
                client.post(
                    f"{API}/public/case-status",
                    json={
                        "tracking_number": case["tracking_number"],
                        "access_code": case["access_code"],
                    },
                ),
            )
        )
    texts = [(where, text_of(response)) for where, response in answers]
    texts.append(("the audit feed", json.dumps(feed, ensure_ascii=False)))
    assert [e["type"] for e in feed].count("Case.PersonalDataErased") == len(cases)

    assert not leaks(
        texts,
        [
            NAME,
            SIMA,
            rater,
            ADDRESS,
            "材料七次",
            REPORT["summary"],
            "另付好处费",
            "办事拖拉还玩手机",
        ],
        [PHONE, SIMA_PHONE, rater_phone],
    )
    for case_id in cases.values():
        seen = client.get(f"{API}/cases/{case_id}", headers=tokens.operator).json()
        assert seen["summary"] == seen["details"] == "（已删除个人信息）"
    listed = client.get(f"{API}/cases", headers=tokens.department).json()["items"]
    assert {item["summary"] for item in listed} == {"（已删除个人信息）"}
    assert {item["kind"] for item in listed} == {"complaint", "report"}
    assert container.ledger.verify().ok


def test_a_rebuild_after_erasure_writes_the_same_case_rows_as_the_live_projection(
    client: TestClient, tokens: Tokens, container: Container, assigned_case: dict[str, Any]
) -> None:
    report = posted(client, "/cases", tokens.operator, REPORT)
    for case in (assigned_case, report):
        assert erase(client, case["id"], tokens.inspector).status_code == 200
    run_worker_once(container)

    def case_rows() -> list[tuple[Any, ...]]:
        with psycopg.connect(container.database_url) as connection:
            return connection.execute("SELECT * FROM case_list ORDER BY id").fetchall()

    live = case_rows()
    container.rebuild_projections()

    assert case_rows() == live
    assert len(live) == 2
    assert "（已删除个人信息）" in repr(live)
    assert SIMA not in repr(live)
    assert NAME not in repr(live)
