"""Appeals at the console (申诉, §15): the department appeals a deduction from its scores page
(申诉理由, 证据, 提交申诉) and follows its appeals; the inspectors' appeal page lists the open
appeals with their decision deadlines, each with 维持扣分 and 撤销扣分 and a 理由.

The same verbs, request schemas and list read as the API's `/deductions/{id}/appeal`,
`/appeals` and `/appeals/{id}/uphold|grant`.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from application.appeals import AppealFilter, AppealSummary
from application.ports import ConsoleSession
from domain.actor import Role
from domain.appeal import AppealStatus
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.schemas.appeals import AppealCreate
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import (
    back_to,
    form_text,
    problems_back_to,
    reason_or_back,
    refused_or_done,
    run_and_go_back,
)
from interfaces.web.forms import read_form
from interfaces.web.people import shown_person
from interfaces.web.routers import page_router
from interfaces.web.session import DepartmentPersonDep, InspectorPersonDep, acting, people
from interfaces.web.templating import render

router = page_router("/console")

APPEALS = "/console/appeals"
SCORES = "/console/scores"
LIST_LENGTH = 100
# The form's fields, as the page names them.
APPEAL_FIELDS = {"reasons": "申诉理由", "evidence": "证据"}
DECISION_FIELDS = {"reason": "理由"}
DECISIONS = {"uphold": "维持扣分", "grant": "撤销扣分"}

AppealReaderPersonDep = Annotated[ConsoleSession, Depends(people(Role.DEPARTMENT, Role.INSPECTOR))]


@router.get("/appeals", response_class=HTMLResponse)
async def appeals_page(
    request: Request, person: AppealReaderPersonDep, container: ContainerDep
) -> HTMLResponse:
    """The inspectors' open appeals, due first, with their decision forms, and the appeals
    decided lately; a department's own appeals and how each stands."""
    own = person.department if person.role is Role.DEPARTMENT else None

    async def listed(status: AppealStatus | None) -> list[AppealSummary]:
        criteria = AppealFilter(status=status.value if status else None, department=own)
        page = await container.appeals.list_appeals(
            criteria, limit=LIST_LENGTH, cursor=None, after=None
        )
        return list(page.items)

    waiting = sorted(
        await listed(AppealStatus.OPEN), key=lambda a: (a.due_at is None, a.due_at, a.filed_at)
    )
    every = await listed(None)
    directory = await run_in_threadpool(container.supervision.directory)
    calendar = await run_in_threadpool(container.current_calendar)
    now = container.supervision.time_source.now()
    return render(
        request,
        "appeals/list.html",
        {
            "waiting": waiting,
            "decided": [a for a in every if a.status != AppealStatus.OPEN.value],
            "deciding": person.role is Role.INSPECTOR,
            "names": {d.id: d.name for d in directory.departments},
            "staff_names": {s.id: s.name for s in directory.staff},
            "left": {
                a.id: calendar.working_seconds_left(now, a.due_at) for a in waiting if a.due_at
            },
        },
        person=await shown_person(request, person),
    )


@router.post("/deductions/{deduction_id:uuid}/appeal", response_class=RedirectResponse)
async def appeal_deduction(
    request: Request,
    deduction_id: UUID,
    form: CsrfFormDep,
    person: DepartmentPersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """Appeal a deduction of the department's staff member or window (提交申诉)."""
    values = {name: form_text(form, name) for name in APPEAL_FIELDS}
    body = read_form(
        AppealCreate, {k: v for k, v in values.items() if v is not None}, APPEAL_FIELDS
    )
    if isinstance(body, list):
        return problems_back_to(request, SCORES, body)
    by = acting(request, person)
    outcome = await refused_or_done(
        lambda: app.appeal_deduction(
            deduction_id, reasons=body.reasons, evidence=body.evidence, by=by
        )
    )
    if isinstance(outcome, str):
        return back_to(request, SCORES, outcome, refused=True)
    return back_to(request, APPEALS, "已提交申诉，等待纪检督查审定。", refused=False)


@router.post("/appeals/{appeal_id:uuid}/{decision}", response_class=RedirectResponse)
async def decide_appeal(
    request: Request,
    appeal_id: UUID,
    decision: Literal["uphold", "grant"],
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """Uphold the deduction (维持扣分) or grant the appeal (撤销扣分), with the reason."""
    body = reason_or_back(request, form, APPEALS, DECISION_FIELDS)
    if isinstance(body, RedirectResponse):
        return body
    by = acting(request, person)
    verb = app.uphold_appeal if decision == "uphold" else app.grant_appeal
    return await run_and_go_back(
        request,
        APPEALS,
        lambda: verb(appeal_id, reason=body.reason, by=by),
        lambda _: f"已审定申诉：{DECISIONS[decision]}。",
    )
