"""Inspection visits (暗访巡查, §16) as the inspector's pages: the list, the form that records
a visit, and a visit's page with the records its findings became and the forms that record a
finding as a deduction, a rectification order or a case.

Each form is read into the API's own request schema (a finding's into the same
`DeductionFinding`, `OrderFinding`, `CaseFinding` as `POST /visits/{id}/findings`, with the
values read as the deduction, order and case forms read them) and runs the same verb.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from application.ports import ConsoleSession
from application.supervision import Supervision
from domain.errors import DomainError
from domain.labels import LABELS, error_message
from interfaces.http import commands
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.errors import error_response
from interfaces.http.schemas.visits import (
    CaseFinding,
    DeductionFinding,
    OrderFinding,
    VisitCreate,
    VisitListQuery,
    VisitPublic,
)
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import back_to, form_text, shown
from interfaces.web.forms import as_typed, read_form
from interfaces.web.new_records import NewRecordForm
from interfaces.web.routers import page_router
from interfaces.web.routers.deductions import FIELDS as DEDUCTION_FIELDS
from interfaces.web.routers.deductions import deduction_values
from interfaces.web.routers.intake import FIELDS as CASE_FIELDS
from interfaces.web.routers.orders import ISSUE_NAMES as ORDER_FIELDS
from interfaces.web.routers.orders import _issue_values as issue_values
from interfaces.web.session import InspectorPersonDep, acting
from interfaces.web.templating import render

router = page_router("/console/visits")

LIST = "/console/visits"
VISIT_PAGE = "/console/visits/{visit_id}"
PAGE_SIZE = 20
NAMES = {"date": "检查日期", "method": "检查方式", "windows": "检查窗口", "summary": "检查情况"}
FINDINGS: dict[str, tuple[type[BaseModel], dict[str, str]]] = {
    "deduction": (DeductionFinding, DEDUCTION_FIELDS),
    "order": (OrderFinding, ORDER_FIELDS),
    "case": (CaseFinding, CASE_FIELDS),
}
# Where each kind of record is read in the console.
RECORD_PAGES = {
    "deduction": "/console/deductions",
    "order": "/console/orders/{id}",
    "case": "/console/cases/{id}",
}
# The case fields a finding's form has (an inspector's finding has no caller).
CASE_FORM_NAMES = ("kind", "channel", "window", "staff", "category", "summary", "details")


def finding_values(kind: str, form: FormData) -> dict[str, Any]:
    """A finding form's values as its kind's schema takes them: read as the deduction, order
    and case forms read theirs, without a source (the visit is the source)."""
    if kind == "deduction":
        values = deduction_values(form)
    elif kind == "order":
        values = issue_values(form)
    else:
        values = {
            name: text for name in CASE_FORM_NAMES if (text := form_text(form, name)) is not None
        }
        values["urgent"] = form.get("urgent") is not None
    values.pop("source", None)
    return {**values, "type": kind}


@router.get("", response_class=HTMLResponse)
async def visit_list(
    request: Request,
    person: InspectorPersonDep,
    container: ContainerDep,
    query: Annotated[VisitListQuery, Query()],
) -> HTMLResponse:
    """The visits newest first, each with its findings counted by type."""
    page = await container.visits.list_visits(limit=PAGE_SIZE, cursor=query.cursor, after=None)
    return render(
        request,
        "visits/list.html",
        {"visits": page.items, "next": page.next},
        person=shown(person),
    )


async def _new_form_context(app: Supervision) -> dict[str, Any]:
    """What the visit form offers: the methods, the windows in service, today's date."""
    directory = await run_in_threadpool(app.directory)
    return {
        "methods": LABELS["visit_method"],
        "windows": [w for w in directory.windows if w.active],
        "today": app.time_source.now().date().isoformat(),
    }


def _new_form(request: Request, person: ConsoleSession, app: Supervision) -> NewRecordForm:
    return NewRecordForm(request, person, "visits/new.html", partial(_new_form_context, app))


@router.get("/new", response_class=HTMLResponse)
async def new_visit(
    request: Request, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The form that records a visit (登记暗访巡查)."""
    return await _new_form(request, person, app).page({"method": "unannounced", "windows": []})


@router.post("/new", response_class=HTMLResponse, response_model=None)
async def record_visit(
    request: Request, form: CsrfFormDep, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse | RedirectResponse:
    """Record the visit as the signed-in inspector, then show it."""
    windows = [w for w in form.getlist("windows") if isinstance(w, str)]
    values: dict[str, Any] = {
        name: text for name in ("date", "method", "summary") if (text := form_text(form, name))
    }
    values["windows"] = windows
    return await _new_form(request, person, app).submit(
        values,
        read_form(VisitCreate, values, NAMES),
        lambda body: commands.record_visit(app, body, acting(request, person)),
        lambda visit: (VISIT_PAGE.format(visit_id=visit.id), "已登记暗访巡查。"),
    )


async def _render_visit(
    request: Request,
    person: Any,
    app: Supervision,
    visit_id: UUID,
    *,
    kind: str = "deduction",
    values: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    visit = VisitPublic.of(await run_in_threadpool(app.get_visit, visit_id))
    rules = await run_in_threadpool(app.list_conduct_rules)
    directory = await run_in_threadpool(app.directory)
    outcomes = [
        {
            "type": outcome.type.value,
            "label": outcome.type_label,
            "id": outcome.id,
            "page": RECORD_PAGES[outcome.type.value].format(id=outcome.id),
        }
        for outcome in visit.outcomes
    ]
    return render(
        request,
        "visits/page.html",
        {
            "visit": visit,
            "outcomes": outcomes,
            "kind": kind,
            "values": values or {},
            "problems": problems or [],
            "rules": rules,
            "directory": directory,
            "names": {d.id: d.name for d in directory.departments},
            "finding_types": LABELS["finding_type"],
            "case_kinds": LABELS["kind"],
            "channels": LABELS["channel"],
        },
        person=shown(person),
        status_code=status_code,
    )


@router.get("/{visit_id:uuid}", response_class=HTMLResponse)
async def visit_page(
    request: Request, visit_id: UUID, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """One visit: what it found, linked, and the form that records a finding."""
    return await _render_visit(request, person, app, visit_id)


@router.post("/{visit_id:uuid}/findings", response_class=HTMLResponse, response_model=None)
async def record_finding(
    request: Request,
    visit_id: UUID,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
) -> HTMLResponse | RedirectResponse:
    """Record a finding as a deduction, an order or a case (记录发现问题), then back to the
    visit's page; a refusal shows the page again with the form as typed."""
    kind = form_text(form, "type") or ""
    typed = as_typed(form)

    async def page_again(problems: list[str], status_code: int) -> HTMLResponse:
        return await _render_visit(
            request,
            person,
            app,
            visit_id,
            kind=kind if kind in FINDINGS else "deduction",
            values=typed,
            problems=problems,
            status_code=status_code,
        )

    if kind not in FINDINGS:
        return await page_again(["处理方式：请选择扣分、整改通知或工单。"], 422)
    schema, names = FINDINGS[kind]
    body = read_form(schema, finding_values(kind, form), names)
    if isinstance(body, list):
        return await page_again(body, 422)
    try:
        await run_in_threadpool(
            commands.record_finding,
            app,
            visit_id,
            body,
            acting(request, person),  # type: ignore[arg-type]
        )
    except DomainError as refused:
        status_code = error_response(refused).status_code
        if status_code == 404:
            raise
        return await page_again([error_message(refused.code)], status_code)
    done = f"已记录发现问题：{LABELS['finding_type'][kind]}。"
    return back_to(request, VISIT_PAGE.format(visit_id=visit_id), done, refused=False)
