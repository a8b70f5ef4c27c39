"""A department never learns who reported its staff, and sees phones masked, on every console
page it can open (DESIGN §3, §13).

The pages are found in the app's own routes, so a page added later is walked too: every GET
route under /console/ without a path parameter, and those whose parameters name something
this test has (a case, the department). Text, HTML fragments and spreadsheets alike are read.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook

from domain.actor import Actor, Role
from domain.case import Kind
from domain.privacy import mask_phone
from interfaces.bootstrap import Container
from tests.factories import SAMPLE_DEPARTMENT, SAMPLE_WINDOW, assigned_case
from tests.web_support import signed_in

OPERATOR = Actor("operator-1", Role.OPERATOR, name="李小红")
DEEDS = Actor("deeds", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
REPORTER = {"name": "李建国", "phone": "13998765432", "address": "建设路 21 号 3 单元"}
COMPLAINANT = {"name": "王芳", "phone": "13812345678"}
MASKED_COMPLAINANT_PHONE = "138****5678"
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def a_report_about_its_staff_and_a_complaint(container: Container) -> tuple[UUID, UUID]:
    """A 举报 about staff member S0001 naming the reporter in its text, acknowledged, and a
    complaint with a phone number, both assigned to the sample department."""
    app = container.supervision
    report = assigned_case(
        app,
        OPERATOR,
        kind=Kind.REPORT,
        window=SAMPLE_WINDOW,
        staff="S0001",
        summary=f"举报人{REPORTER['name']}（{REPORTER['phone']}）举报窗口工作人员索要好处费",
        details=f"来电人{REPORTER['name']}称过户时被暗示另付费用；住{REPORTER['address']}",
        complainant=REPORTER,
    )
    app.add_case_note(
        report, text=f"举报人{REPORTER['name']}再次来电，要求保密", public=False, by=OPERATOR
    )
    app.acknowledge_case(report, DEEDS)
    complaint = assigned_case(
        app,
        OPERATOR,
        summary="窗口工作人员态度生硬",
        details=f"回访电话{COMPLAINANT['phone']}",
        complainant=COMPLAINANT,
    )
    return report, complaint


def console_pages(routes: list[Any], known: dict[str, list[str]]) -> Iterator[str]:
    """Every console page a GET may open: the route's path with each parameter filled by
    each value `known` has for it; a route naming something unknown is left out."""
    for route in iter_route_contexts(routes):
        if "GET" in (route.methods or ()) and route.path.startswith("/console/"):
            yield from _filled(route.path, known)


def _filled(path: str, known: dict[str, list[str]]) -> Iterator[str]:
    found = PARAMETER.search(path)
    if found is None:
        yield path
        return
    for value in known.get(found.group(1), []):
        yield from _filled(path[: found.start()] + value + path[found.end() :], known)


def text_of(answer: Response) -> str:
    """What a person could read in an answer: its text, or every cell of a spreadsheet."""
    if answer.headers.get("content-type", "").startswith(SPREADSHEET):
        book = load_workbook(io.BytesIO(answer.content), read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return answer.text


def test_no_console_page_shows_a_department_its_reporter_or_a_whole_phone(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # Given a report about the department's staff and a complaint with a phone, both its own
    report, complaint = a_report_about_its_staff_and_a_complaint(container)
    catch_up()
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    known = {
        "case_id": [str(report), str(complaint)],
        "department_id": [SAMPLE_DEPARTMENT],
        "department": [SAMPLE_DEPARTMENT],
    }
    pages = sorted(set(console_pages(client.app.routes, known)))  # type: ignore[attr-defined]
    assert len(pages) > 10, pages

    # When the department opens every page it can reach
    seen = {page: text_of(client.get(page)) for page in pages}

    # Then none names the reporter, in any form, nor shows a whole phone
    secrets = {
        "the reporter's name": REPORTER["name"],
        "the reporter's phone": REPORTER["phone"],
        "the reporter's masked phone": str(mask_phone(REPORTER["phone"])),
        "the reporter's address": REPORTER["address"],
        "the complainant's phone": COMPLAINANT["phone"],
    }
    leaks = [
        f"{page}: {what}"
        for page, text in seen.items()
        for what, secret in secrets.items()
        if secret in text
    ]
    assert not leaks, "\n".join(leaks)
    # The walk reached the pages that show the cases, and the complaint's phone shows masked
    assert {"/console/", f"/console/cases/{report}", f"/console/cases/{complaint}"} <= set(seen)
    assert "/console/templates" in seen
    assert "索要好处费" in seen[f"/console/cases/{report}"]
    assert MASKED_COMPLAINANT_PHONE in seen[f"/console/cases/{complaint}"]
