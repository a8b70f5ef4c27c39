"""Over HTTP: text already stored that PostgreSQL or a spreadsheet cannot hold breaks nothing.

Such text is refused at the entrance now, so these tests record it straight through the
application's verbs, as stores written before the refusal hold it.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.scorecard import SourceType
from domain.text import REPLACEMENT
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, position
from tests.factories import API, INSPECTOR, OPERATOR, SAMPLE_DEPARTMENT, a_deduction, registration
from tests.support import run_worker_once

DEPARTMENT = Actor("clerk-1", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
HYPERLINK = '=HYPERLINK("http://example.invalid","点此查看")'


def test_a_case_holding_nul_reaches_lists_boards_public_status_and_the_audit_feed(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    app = container.supervision
    registered = registration(app, OPERATOR, summary="排队\x00过长")
    case_id = registered.case.id
    app.assign_case(
        case_id, department=SAMPLE_DEPARTMENT, urgent=None, final=False, note=None, by=OPERATOR
    )
    app.acknowledge_case(case_id, DEPARTMENT)
    app.add_case_note(case_id, text="已联系\x00申请人\x07", public=True, by=DEPARTMENT)
    run_worker_once(container)

    listed = client.get(f"{API}/cases", headers=tokens.operator).json()["items"]
    board = client.get(f"{API}/departments/{SAMPLE_DEPARTMENT}/board", headers=tokens.department)
    public = client.post(
        f"{API}/public/case-status",
        json={
            "tracking_number": registered.case.tracking_number,
            "access_code": registered.access_code,
        },
    )
    feed = client.get(f"{API}/audit/events", headers=tokens.inspector).json()["items"]

    assert [item["summary"] for item in listed] == [f"排队{REPLACEMENT}过长"]
    assert board.status_code == 200
    assert f"排队{REPLACEMENT}过长" in board.text
    assert public.status_code == 200, public.text
    note = f"已联系{REPLACEMENT}申请人{REPLACEMENT}"
    assert [entry["text"] for entry in public.json()["timeline"]] == [note]
    notes = [item for item in feed if item["type"] == "Case.NoteAdded"]
    assert [item["changes"]["text"] for item in notes] == [note]
    assert client.get("/readyz").json() == {"status": "ready", "position": position(container)}


@pytest.fixture
def deductions(container: Container) -> list[str]:
    """Deductions whose evidence holds BEL, VT, NUL and a formula, as stored before."""
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    evidence = ["暗访\x07录像", "暗访\x0b录像", "暗访\x00录像", HYPERLINK]
    for text in evidence:
        container.supervision.record_deduction(
            a_deduction(
                rule="harsh_attitude",
                occurred_at=datetime(2026, 11, 3, 10, 15, tzinfo=OFFICE_TZ),
                evidence=text,
                source_type=SourceType.UNANNOUNCED_VISIT,
                points=1,
            ),
            INSPECTOR,
        )
    run_worker_once(container)
    return evidence


def report(client: TestClient, tokens: Tokens, report_format: str) -> Any:
    response = client.get(
        f"{API}/reports/monthly",
        params={"month": "2026-11", "format": report_format, "department": SAMPLE_DEPARTMENT},
        headers=tokens.inspector,
    )
    assert response.status_code == 200, response.text
    return response


def test_the_xlsx_report_holds_control_characters_and_formulas_as_text(
    client: TestClient, tokens: Tokens, deductions: list[str]
) -> None:
    content = report(client, tokens, "xlsx").content

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if "worksheets/" in n]
    assert not any(re.search(r"<f[ >]", sheet) for sheet in sheets)
    book = load_workbook(io.BytesIO(content))
    cells = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    assert cells.count(f"暗访{REPLACEMENT}录像") == 3
    assert HYPERLINK in cells


def test_the_csv_report_holds_control_characters_and_quotes_formulas(
    client: TestClient, tokens: Tokens, deductions: list[str]
) -> None:
    text = report(client, tokens, "csv").content.decode("utf-8-sig")

    assert text.count(f"暗访{REPLACEMENT}录像") == 6  # on the window's lines and the staff's
    assert f"'{HYPERLINK}".replace('"', '""') in text
    assert not re.search(r"[\x00\x07\x0b]", text)


def test_the_json_report_holds_the_text_as_the_read_tables_do(
    client: TestClient, tokens: Tokens, deductions: list[str]
) -> None:
    (department,) = report(client, tokens, "json").json()["departments"]

    assert sorted(d["evidence"] for d in department["deductions"]) == sorted(
        [HYPERLINK, *[f"暗访{REPLACEMENT}录像"] * 3]
    )
