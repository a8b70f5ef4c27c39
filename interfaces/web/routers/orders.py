"""Rectification orders in the console (整改通知, §7, §13): the list with its filters, the
inspector's issue form (from a case page too), and the order page with the actions open to
the signed-in person now.

The list reads the API's own list query; each form is read into the API's own request schema
and runs the same application verb as the API's route, off the event loop, as the person who
signed in. Which actions an order offers is the order's own rule
(`RectificationOrder.actions_open_to`, read through `Supervision.order_file`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from application.ports import ConsoleSession
from application.rectification import OrderFile, OrderView
from application.supervision import Supervision
from application.views import CaseView
from domain.actor import Actor, Role
from domain.labels import LABELS
from domain.rectification import ORDER_ACTION_ROLES, OrderAction, OrderSourceType
from interfaces.http import commands
from interfaces.http.deps import ContainerDep
from interfaces.http.errors import RoleNotAllowed
from interfaces.http.schemas.cases import ExtensionBody, Reason, ReminderCreate, SuperviseBody
from interfaces.http.schemas.orders import (
    AcceptBody,
    OrderCreate,
    OrderListQuery,
    RectificationReportCreate,
    RejectBody,
)
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import form_text
from interfaces.web.forms import as_typed, form_number, read_form
from interfaces.web.new_records import NewRecordForm
from interfaces.web.people import shown_person
from interfaces.web.record_actions import FormAgain, act_on_record, render_record
from interfaces.web.routers import page_router
from interfaces.web.session import InspectorPersonDep, StaffPersonDep, acting
from interfaces.web.templating import render

router = page_router("/console/orders")

LIST = "/console/orders"
NEW = "/console/orders/new"
ORDER_PAGE = "/console/orders/{order_id}"
PAGE_SIZE = 50
# The list's filters, as its query string names them (a department's list has no department).
FILTERS = (
    "status",
    "department",
    "overdue",
    "extension_requested",
    "q",
    "issued_from",
    "issued_to",
)
FILTER_NAMES = {
    "status": "状态",
    "department": "整改部门",
    "overdue": "是否超期",
    "extension_requested": "延期申请",
    "q": "关键词",
    "issued_from": "下发日期起",
    "issued_to": "下发日期止",
    "cursor": "页码",
}
# The issue form's fields: the API's field → the form's accessible name.
ISSUE_NAMES = {
    "department": "整改部门",
    "window": "窗口",
    "staff": "工作人员",
    "problem": "整改问题",
    "requirements": "整改要求",
    "working_days": "期限（工作日）",
    "source": "整改来源",
    "source.type": "整改来源",
    "source.ref": "来源编号",
}
# What the person is told when the order no longer awaits what the form asked for.
REFUSED_HINT = "请按整改通知当前状态选择可办理的操作，或刷新页面后重试。"


# The list --------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
async def order_list(
    request: Request, person: StaffPersonDep, container: ContainerDep
) -> HTMLResponse:
    """Rectification orders newest first, filtered, a page at a time; a department's own."""
    own = person.department if person.role is Role.DEPARTMENT else None
    given = {
        name: request.query_params[name].strip()
        for name in FILTERS
        if request.query_params.get(name, "").strip() and not (own and name == "department")
    }
    cursor = request.query_params.get("cursor")
    query = read_form(
        OrderListQuery,
        {**given, **({"cursor": cursor} if cursor else {}), "limit": PAGE_SIZE},
        FILTER_NAMES,
    )
    directory = await run_in_threadpool(container.supervision.directory)
    context: dict[str, Any] = {
        "given": given,
        "query_string": urlencode(given),
        "statuses": LABELS["order_status"],
        "departments": [] if own else directory.departments,
        "names": {d.id: d.name for d in directory.departments},
        "orders": [],
        "next": None,
        "problems": [],
    }
    shown = await shown_person(request, person)
    if isinstance(query, list):
        context["problems"] = query
        return render(request, "orders/list.html", context, person=shown, status_code=422)
    page = await container.queries.list_orders(
        query.criteria(),
        visible_to_department=own,
        limit=query.limit,
        cursor=query.cursor,
        now=container.supervision.time_source.now(),
        calendar=await run_in_threadpool(container.current_calendar),
        after=None,
    )
    context.update(orders=page.items, next=page.next)
    return render(request, "orders/list.html", context, person=shown)


# Issuing ---------------------------------------------------------------------------------


async def _new_form_context(app: Supervision) -> dict[str, Any]:
    """What the issue form offers: the directory's departments, windows and staff, and the
    sources an order is issued from."""
    directory = await run_in_threadpool(app.directory)
    return {
        "departments": directory.departments,
        "windows": directory.windows,
        "staff": directory.staff,
        "names": {d.id: d.name for d in directory.departments},
        # A visit is named by the visit's own page (POST /visits/{id}/findings).
        "sources": {k: v for k, v in LABELS["order_source"].items() if k != "visit"},
    }


def _new_form(request: Request, person: ConsoleSession, app: Supervision) -> NewRecordForm:
    return NewRecordForm(request, person, "orders/new.html", partial(_new_form_context, app))


def _from_case(case: CaseView) -> dict[str, Any]:
    """The issue form filled from a case: its department, window and staff, and the case
    itself as the source."""
    return {
        "department": case.department or "",
        "window": case.window or "",
        "staff": case.staff or "",
        "source_type": OrderSourceType.CASE.value,
        "source_ref": case.tracking_number,
    }


@router.get("/new", response_class=HTMLResponse)
async def new_order(
    request: Request, person: InspectorPersonDep, container: ContainerDep, case: UUID | None = None
) -> HTMLResponse:
    """The inspector's issue form (下发整改通知); `?case=` fills it from that case."""
    app = container.supervision
    values: dict[str, Any] = {}
    if case is not None:
        found = await run_in_threadpool(app.get_case, case, acting(request, person))
        values = _from_case(found)
    return await _new_form(request, person, app).page(values)


def _issue_values(form: FormData) -> dict[str, Any]:
    """The issue form's values as `OrderCreate` takes them: the source nested, the term a
    number, the empty pickers left out."""
    values: dict[str, Any] = {
        name: form_text(form, name)
        for name in ("department", "window", "staff", "problem", "requirements")
        if form_text(form, name) is not None
    }
    days = form_text(form, "working_days")
    if days is not None:
        values["working_days"] = form_number(days)
    values["source"] = {
        name: form_text(form, f"source_{name}")
        for name in ("type", "ref")
        if form_text(form, f"source_{name}") is not None
    }
    return values


@router.post("/new", response_class=HTMLResponse, response_model=None)
async def issue_order(
    request: Request, form: CsrfFormDep, person: InspectorPersonDep, container: ContainerDep
) -> HTMLResponse | RedirectResponse:
    """Issue the order as the signed-in inspector, then show it."""
    app = container.supervision
    typed = as_typed(form)
    return await _new_form(request, person, app).submit(
        typed,
        read_form(OrderCreate, _issue_values(form), ISSUE_NAMES),
        lambda body: commands.issue_order(app, body, acting(request, person)),
        lambda order: (
            ORDER_PAGE.format(order_id=order.id),
            f"已下发整改通知 {order.tracking_number}。",
        ),
    )


# The order page --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderCommand:
    """One action's form: its fields (name → accessible name), the API's schema that reads
    them (None for a bare button), the application verb it runs, and what the person is told
    once it is done."""

    fields: Mapping[str, str]
    schema: type[BaseModel] | None
    run: Callable[[Supervision, UUID, Any, Actor], OrderView]
    done: str


COMMANDS: dict[OrderAction, OrderCommand] = {
    OrderAction.ACKNOWLEDGE: OrderCommand(
        {}, None, lambda app, order_id, _, by: app.acknowledge_order(order_id, by), "已签收。"
    ),
    OrderAction.STOP_CLOCK: OrderCommand(
        {"reason": "挂起理由"},
        Reason,
        lambda app, order_id, body, by: app.stop_order_clock(order_id, reason=body.reason, by=by),
        "已挂起计时。",
    ),
    OrderAction.RESUME_CLOCK: OrderCommand(
        {}, None, lambda app, order_id, _, by: app.resume_order_clock(order_id, by), "已恢复计时。"
    ),
    OrderAction.REQUEST_EXTENSION: OrderCommand(
        {"working_days": "延期工作日数", "reason": "延期理由"},
        ExtensionBody,
        lambda app, order_id, body, by: app.request_order_extension(
            order_id, working_days=body.working_days, reason=body.reason, by=by
        ),
        "已申请延期，等待纪检督查审批。",
    ),
    OrderAction.REPORT: OrderCommand(
        {"measures": "整改措施", "evidence": "整改佐证材料"},
        RectificationReportCreate,
        lambda app, order_id, body, by: app.report_rectification(
            order_id, measures=body.measures, evidence=body.evidence, by=by
        ),
        "已报告整改情况，等待纪检督查验收。",
    ),
    OrderAction.GRANT_EXTENSION: OrderCommand(
        {},
        None,
        lambda app, order_id, _, by: app.grant_order_extension(order_id, by),
        "已批准延期。",
    ),
    OrderAction.REFUSE_EXTENSION: OrderCommand(
        {"reason": "驳回延期理由"},
        Reason,
        lambda app, order_id, body, by: app.refuse_order_extension(
            order_id, reason=body.reason, by=by
        ),
        "已驳回延期申请。",
    ),
    OrderAction.ACCEPT: OrderCommand(
        {"note": "验收意见"},
        AcceptBody,
        lambda app, order_id, body, by: app.accept_rectification(order_id, note=body.note, by=by),
        "已验收通过，整改通知办结。",
    ),
    OrderAction.REJECT: OrderCommand(
        {"reasons": "驳回原因", "working_days": "重新整改期限（工作日）"},
        RejectBody,
        lambda app, order_id, body, by: app.reject_rectification(
            order_id, reasons=body.reasons, working_days=body.working_days, by=by
        ),
        "已驳回，整改部门须在新的期限内重新整改。",
    ),
    OrderAction.SUPERVISE: OrderCommand(
        {"note": "督办意见"},
        SuperviseBody,
        lambda app, order_id, body, by: app.supervise_order(order_id, note=body.note, by=by),
        "已督办。",
    ),
    # Reminders by hand (人工催办)
    OrderAction.REMIND: OrderCommand(
        {"message": "催办内容"},
        ReminderCreate,
        lambda app, order_id, body, by: app.remind_order(order_id, message=body.message, by=by),
        "已催办，整改部门将在整改通知中看到。",
    ),
}


def _action_values(action: OrderAction, form: FormData) -> dict[str, object]:
    """The form's values as the API's schema takes them: a number of days as a number."""
    values: dict[str, object] = {
        name: text for name in COMMANDS[action].fields if (text := form_text(form, name))
    }
    if isinstance(days := values.get("working_days"), str):
        values["working_days"] = form_number(days)
    return values


def _with_moments(records: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """An order's reports or rejections with their recorded moments (ISO text) as times."""
    return [
        {**record, **{k: datetime.fromisoformat(record[k]) for k in keys if record.get(k)}}
        for record in records
    ]


async def _render_order(
    request: Request,
    person: Any,
    app: Supervision,
    order_file: OrderFile,
    again: FormAgain | None = None,
) -> HTMLResponse:
    order = order_file.order
    return await render_record(
        request,
        person,
        "orders/page.html",
        order_file,
        order,
        await run_in_threadpool(app.directory),
        LABELS["order_action"],
        again,
        {
            "order": order,
            "reports": _with_moments(order.reports, "at"),
            "rejections": _with_moments(order.rejections, "at", "due_at"),
            # Superiors and escalation (提级督办): the superior's direction form.
            "may_direct": await run_in_threadpool(
                app.may_direct, order.id, acting(request, person)
            ),
        },
    )


@router.get("/{order_id:uuid}", response_class=HTMLResponse)
async def order_page(
    request: Request, order_id: UUID, person: StaffPersonDep, container: ContainerDep
) -> HTMLResponse:
    """One order: its facts, due dates, reports and rejections, the timeline, and the
    actions open to this person now."""
    app = container.supervision
    order_file = await run_in_threadpool(app.order_file, order_id, acting(request, person))
    return await _render_order(request, person, app, order_file)


@router.post("/{order_id:uuid}/{action}", response_class=HTMLResponse, response_model=None)
async def act_on_order(
    request: Request,
    order_id: UUID,
    action: OrderAction,
    form: CsrfFormDep,
    person: StaffPersonDep,
    container: ContainerDep,
) -> HTMLResponse | RedirectResponse:
    """Take one action on the order (its button on the order page), as the signed-in person."""
    if person.role not in ORDER_ACTION_ROLES[action]:
        raise RoleNotAllowed(f"{action.value} is not for {person.role.value}")
    app, actor, command = container.supervision, acting(request, person), COMMANDS[action]

    async def read() -> Any:
        if command.schema is None:
            return None
        return read_form(command.schema, _action_values(action, form), command.fields)

    async def page_again(again: FormAgain) -> HTMLResponse:
        order_file = await run_in_threadpool(app.order_file, order_id, actor)
        return await _render_order(request, person, app, order_file, again)

    return await act_on_record(
        request,
        action,
        form,
        read=read,
        run=lambda body: command.run(app, order_id, body, actor),
        page_again=page_again,
        refused_hint=REFUSED_HINT,
        after=ORDER_PAGE.format(order_id=order_id),
        done=command.done,
    )
