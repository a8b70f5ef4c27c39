"""The callback queue (§13): answered cases awaiting the centre — record the complainant's
satisfaction (回访), then close (办结) or send back to the department (重办), with the API's
verbs."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from application.queries import CaseFilter, CaseSummary
from application.supervision import Supervision
from domain.actor import Actor
from domain.labels import LABELS
from domain.privacy import mask_phone
from interfaces.http import commands
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.schemas.cases import CallbackNotReached, CallbackReached
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import (
    centre_cases,
    form_text,
    reason_or_back,
    run_form_from_queue,
    run_from_queue,
    shown,
)
from interfaces.web.routers import page_router
from interfaces.web.session import CentrePersonDep, acting
from interfaces.web.templating import render

router = page_router("/console/callbacks")

QUEUE = "/console/callbacks"
FIELDS = {
    "reached": "是否联系上",
    "satisfaction": "满意度",
    "comment": "回访记录",
    "reason": "重办理由",
}
QUEUE_LENGTH = 50


@dataclass(frozen=True)
class AwaitingCallback:
    """An answered case and whom to call back (their phone masked in the list)."""

    case: CaseSummary
    caller: str | None
    phone: str | None
    result: str | None
    called_back: bool


@router.get("", response_class=HTMLResponse)
async def callback_queue(
    request: Request, person: CentrePersonDep, app: SupervisionDep, container: ContainerDep
) -> HTMLResponse:
    """Answered cases, newest first, with the department's answer and the callback forms."""
    answered = CaseFilter(status="answered")
    now = app.time_source.now()
    page = await centre_cases(container.queries, answered, person.role, QUEUE_LENGTH, now)
    by = acting(request, person)
    items = await run_in_threadpool(_with_callers, app, page.items, by)
    return render(
        request,
        "desk/callbacks.html",
        {"items": items, "satisfactions": LABELS["satisfaction"]},
        person=shown(person),
    )


def _with_callers(app: Supervision, cases: list[CaseSummary], by: Actor) -> list[AwaitingCallback]:
    items = []
    for summary in cases:
        case = app.get_case(summary.id, by)
        complainant = case.complainant or {}
        items.append(
            AwaitingCallback(
                case=summary,
                caller=complainant.get("name"),
                phone=mask_phone(complainant.get("phone")),
                result=(case.result or {}).get("answer"),
                called_back=bool(case.callbacks),
            )
        )
    return items


@router.post("/{case_id}/callback", response_class=RedirectResponse)
async def record_callback(
    request: Request, case_id: UUID, form: CsrfFormDep, person: CentrePersonDep, app: SupervisionDep
) -> RedirectResponse:
    """Record the callback and the complainant's satisfaction (回访)."""
    reached = form.get("reached") == "true"
    values = {
        "reached": reached,
        "satisfaction": form_text(form, "satisfaction"),
        "comment": form_text(form, "comment"),
    }
    schema = CallbackReached if reached else CallbackNotReached
    by = acting(request, person)
    return await run_form_from_queue(
        request,
        QUEUE,
        schema,
        values,
        FIELDS,
        lambda body: commands.record_callback(app, case_id, body, by),
        "已记录回访。",
    )


@router.post("/{case_id}/close", response_class=RedirectResponse)
async def close(
    request: Request, case_id: UUID, _: CsrfFormDep, person: CentrePersonDep, app: SupervisionDep
) -> RedirectResponse:
    """Close the answered case (办结)."""
    by = acting(request, person)
    return await run_from_queue(request, QUEUE, lambda: app.close_case(case_id, by), "已办结。")


@router.post("/{case_id}/reopen", response_class=RedirectResponse)
async def reopen(
    request: Request, case_id: UUID, form: CsrfFormDep, person: CentrePersonDep, app: SupervisionDep
) -> RedirectResponse:
    """Send the case back to its department with the reason (重办)."""
    body = reason_or_back(request, form, QUEUE, FIELDS)
    if isinstance(body, RedirectResponse):
        return body
    by = acting(request, person)
    return await run_from_queue(
        request,
        QUEUE,
        lambda: app.reopen_case(case_id, reason=body.reason, by=by),
        "已退回承办部门重办。",
    )
