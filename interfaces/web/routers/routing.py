"""The routing queue (§13): cases waiting for a department — never assigned, or returned
with the department's reason — each with a 承办部门 picker suggesting the window's
department and a 派单 button; a returned case may be assigned for good (审定)."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from interfaces.http import commands
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.schemas.cases import CaseAssign
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import (
    form_text,
    run_form_from_queue,
    shown,
)
from interfaces.web.routers import page_router
from interfaces.web.session import CentrePersonDep, acting
from interfaces.web.templating import render

router = page_router("/console/routing")

QUEUE = "/console/routing"
FIELDS = {"department": "承办部门", "final": "审定", "note": "派单说明", "urgent": "紧急"}
QUEUE_LENGTH = 200


@router.get("", response_class=HTMLResponse)
async def routing_queue(
    request: Request, person: CentrePersonDep, app: SupervisionDep, container: ContainerDep
) -> HTMLResponse:
    """Unassigned and returned cases, oldest first, each with its assign form."""
    items = await container.queries.routing_queue(
        now=app.time_source.now(), role=person.role, limit=QUEUE_LENGTH
    )
    directory = await run_in_threadpool(app.directory)
    return render(
        request,
        "desk/routing.html",
        {
            "unassigned": [item for item in items if item.case.status == "registered"],
            "returned": [item for item in items if item.case.status == "returned"],
            "departments": directory.departments,
            "names": {d.id: d.name for d in directory.departments},
        },
        person=shown(person),
    )


@router.post("/{case_id}/assign", response_class=RedirectResponse)
async def assign(
    request: Request,
    case_id: UUID,
    form: CsrfFormDep,
    person: CentrePersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """Hand the case to the chosen department (派单), as the API's assign does."""
    values: dict[str, object] = {"department": form_text(form, "department")}
    if form.get("final") is not None:
        values["final"] = True
    if (note := form_text(form, "note")) is not None:
        values["note"] = note
    by = acting(request, person)
    return await run_form_from_queue(
        request,
        QUEUE,
        CaseAssign,
        values,
        FIELDS,
        lambda body: commands.assign_case(app, case_id, body, by),
        "已派单。",
    )
