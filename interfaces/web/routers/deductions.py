"""Deductions at the console (§6, §13): the deduction form (扣分事项 with the rule's text and
points, 工作人员 and 窗口 pickers searching by number or name, 发生时间, 证据, 来源, button
记录扣分), read into the API's own `DeductionCreate`; and the list of deductions with the
API's filters and pages, where an inspector revokes one with the reason (撤销); asked with
`as_of` (查看历史时点, §14), the list is as the record stood then, with nothing to revoke."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, QueryParams

from application.ports import ConsoleSession
from application.supervision import Supervision
from domain.actor import Role
from domain.calendar import OFFICE_TZ
from domain.conduct import ConductRule
from domain.labels import LABELS
from domain.scorecard import SourceType, deduction_id_for_key
from interfaces.bootstrap import Container
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.schemas.discipline import DeductionCreate, DeductionsQuery
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import (
    back_to,
    form_text,
    reason_or_back,
    refused_or_done,
    run_and_go_back,
    shown,
)
from interfaces.web.forms import read_form
from interfaces.web.past import MomentDep
from interfaces.web.people import shown_person
from interfaces.web.routers import page_router
from interfaces.web.session import InspectorPersonDep, StaffPersonDep, acting
from interfaces.web.templating import render

router = page_router("/console/deductions")

LIST = "/console/deductions"
FORM = "/console/deductions/new"
FIELDS = {
    "rule": "扣分事项",
    "staff": "工作人员",
    "window": "窗口",
    "occurred_at": "发生时间",
    "evidence": "证据",
    "source": "来源",
    "source.type": "来源",
    "source.ref": "来源编号",
    "points": "扣分分值",
}
FILTER_FIELDS = {
    "from": "发生日期起",
    "occurred_from": "发生日期起",
    "to": "发生日期止",
    "occurred_to": "发生日期止",
    "department": "部门",
    "window": "窗口",
    "staff": "工作人员",
    "rule": "扣分事项",
    "revoked": "状态",
    "cursor": "页码",
}
FILTERS = ("from", "to", "department", "window", "staff", "rule", "revoked")
REVOKE_FIELDS = {"reason": "撤销理由"}
PAGE_SIZE = 50
# The sources an inspector names on the form (a rating's deduction comes from its case).
FORM_SOURCES = (
    SourceType.CASE,
    SourceType.PATROL,
    SourceType.UNANNOUNCED_VISIT,
    SourceType.RECTIFICATION_ORDER,
    SourceType.OTHER,
)
# What a browser's datetime-local control sends: a moment in the office's time, no offset.
LOCAL_MOMENT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$")
OFFICE_OFFSET = "+08:00"
# More digits than any points the API takes: left as text for the schema to refuse.
MAX_POINT_DIGITS = 6


def office_moment(typed: str | None) -> str | None:
    """The form's 发生时间 as the API writes a moment: the browser's local time of the office
    (Asia/Shanghai, no daylight saving) with its offset; anything else as typed."""
    if typed is None or not LOCAL_MOMENT.match(typed):
        return typed
    return f"{typed}:00{OFFICE_OFFSET}" if typed.count(":") == 1 else f"{typed}{OFFICE_OFFSET}"


def deduction_values(form: FormData) -> dict[str, Any]:
    """The form's values as `DeductionCreate` takes them."""
    points = form_text(form, "points")
    source: dict[str, Any] = {"type": form_text(form, "source_type") or SourceType.OTHER.value}
    if (ref := form_text(form, "source_ref")) is not None:
        source["ref"] = ref
    values: dict[str, Any] = {
        "rule": form_text(form, "rule") or "",
        "staff": form_text(form, "staff"),
        "window": form_text(form, "window"),
        "occurred_at": office_moment(form_text(form, "occurred_at")) or "",
        "evidence": form_text(form, "evidence") or "",
        "source": source,
        "points": int(points)
        if points and points.isascii() and points.isdigit() and len(points) <= MAX_POINT_DIGITS
        else points,
    }
    return {name: value for name, value in values.items() if value is not None}


async def _render_form(
    request: Request,
    person: ConsoleSession,
    app: Supervision,
    *,
    values: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rules = await run_in_threadpool(app.list_conduct_rules)
    directory = await run_in_threadpool(app.directory)
    values = values or {}
    return render(
        request,
        "deductions/form.html",
        {
            "rules": rules,
            "chosen": _rule(rules, values.get("rule")),
            "staff": directory.staff,
            "windows": directory.windows,
            "names": {d.id: d.name for d in directory.departments},
            "sources": [(s.value, LABELS["source_type"][s.value]) for s in FORM_SOURCES],
            "values": values,
            "problems": problems or [],
            # The form's own key: sent twice (a double click, a resend), it records once.
            "request_key": values.get("request_key") or _signer(request).new_token(),
        },
        person=shown(person),
        status_code=status_code,
    )


def _signer(request: Request) -> Any:
    """The service's signer of cookies and form tokens (the composition root's)."""
    container: Container = request.app.state.container
    return container.cookie_signer


def _deduction_id(request: Request, form: FormData) -> UUID | None:
    """The deduction id the form's key stands for, when the key is one this service made."""
    key = form_text(form, "request_key")
    if not isinstance(key, str) or _signer(request).unsign(key) is None:
        return None
    return deduction_id_for_key(key)


def _rule(rules: tuple[ConductRule, ...], code: Any) -> ConductRule | None:
    """The rule chosen (the first one before any is)."""
    return next((rule for rule in rules if rule.code == code), rules[0] if rules else None)


@router.get("/new", response_class=HTMLResponse)
async def deduction_form(
    request: Request, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The deduction form (记录扣分)."""
    return await _render_form(request, person, app)


@router.get("/new/rule", response_class=HTMLResponse)
async def rule_details(
    request: Request, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The chosen rule's text and points, for the form to show as the rule changes (htmx)."""
    rules = await run_in_threadpool(app.list_conduct_rules)
    return render(
        request,
        "deductions/_rule.html",
        {"chosen": _rule(rules, request.query_params.get("rule"))},
        person=shown(person),
    )


@router.post("/new", response_class=HTMLResponse, response_model=None)
async def record_deduction(
    request: Request, form: CsrfFormDep, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse | RedirectResponse:
    """Record the deduction as `POST /deductions` does; refusals stay on the form."""
    typed = {name: form_text(form, name) or "" for name in form if name != "csrf_token"}
    body = read_form(DeductionCreate, deduction_values(form), FIELDS)
    if isinstance(body, list):
        return await _render_form(
            request, person, app, values=typed, problems=body, status_code=422
        )
    by = acting(request, person)
    deduction_id = _deduction_id(request, form)
    outcome = await refused_or_done(
        lambda: app.record_deduction(body.request(), by, deduction_id=deduction_id)
    )
    if isinstance(outcome, str):
        return await _render_form(
            request, person, app, values=typed, problems=[outcome], status_code=422
        )
    points = "扣完为止" if outcome.all_remaining else f"{outcome.points} 分"
    on_day = outcome.occurred_at.astimezone(OFFICE_TZ).date().isoformat()
    return back_to(
        request,
        f"{LIST}?{urlencode({'from': on_day, 'to': on_day})}",
        f"已记录扣分：{outcome.rule_name}，{points}。",
        refused=False,
    )


@router.get("", response_class=HTMLResponse)
async def deduction_list(
    request: Request,
    person: StaffPersonDep,
    app: SupervisionDep,
    container: ContainerDep,
    moment: MomentDep,
) -> HTMLResponse:
    """Deductions, the last recorded first, filtered, a page at a time; a department sees
    its own only; an inspector revokes one with the reason."""
    given = _filters(request.query_params)
    own = person.department if person.role is Role.DEPARTMENT else None
    values: dict[str, Any] = {k: v for k, v in given.items() if not (own and k == "department")}
    if cursor := request.query_params.get("cursor"):
        values["cursor"] = cursor
    query = read_form(DeductionsQuery, {**values, "limit": PAGE_SIZE}, FILTER_FIELDS)
    directory = await run_in_threadpool(app.directory)
    rules = await run_in_threadpool(app.list_conduct_rules)
    context: dict[str, Any] = {
        "moment": moment,
        "given": given,
        # What the pages and (now: the past has no writes) a revocation's way back keep.
        "query_string": urlencode({**given, **moment.query}),
        "departments": [] if own else directory.departments,
        "rules": rules,
        "deductions": [],
        "next": None,
        "problems": [],
        "may_revoke": person.role is Role.INSPECTOR and moment.past is None,
    }
    shown_as = await shown_person(request, person)
    if isinstance(query, list):
        context["problems"] = query
        return render(request, "deductions/list.html", context, person=shown_as, status_code=422)
    department = own or query.department
    if department is not None and directory.department(department) is None:
        context["problems"] = [f"{FILTER_FIELDS['department']}：没有该部门。"]
        return render(request, "deductions/list.html", context, person=shown_as, status_code=422)
    page = await moment.of(container.scores).deductions(
        query.criteria(department), limit=query.limit, cursor=query.cursor, after=moment.after()
    )
    context.update(deductions=moment.checked(page).items, next=page.next)
    return render(request, "deductions/list.html", context, person=shown_as)


@router.post("/{deduction_id}/revoke", response_class=RedirectResponse)
async def revoke_deduction(
    request: Request,
    deduction_id: UUID,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """Withdraw the deduction from every card carrying it, with the reason (撤销)."""
    back = _list_with(_filters(QueryParams(form_text(form, "query") or "")))
    body = reason_or_back(request, form, back, REVOKE_FIELDS)
    if isinstance(body, RedirectResponse):
        return body
    by = acting(request, person)
    return await run_and_go_back(
        request,
        back,
        lambda: app.revoke_deduction(deduction_id, reason=body.reason, by=by),
        lambda revoked: f"已撤销扣分：{revoked.rule_name}。",
    )


def _filters(params: QueryParams) -> dict[str, str]:
    """The list's filters given, without the empty ones."""
    return {name: params[name].strip() for name in FILTERS if params.get(name, "").strip()}


def _list_with(filters: dict[str, str]) -> str:
    """The list with these filters: where a revocation goes back to."""
    return f"{LIST}?{urlencode(filters)}" if filters else LIST
