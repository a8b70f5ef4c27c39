"""The superior department's pages (§15, 上级主管部门): its subordinates' boards, read only, the
work escalated to it (下级超期件), and the direction it gives on an escalated case or order
(下达督办意见) through the API's own verb and request schema. The boards and the escalated work
read the record as it stood at `as_of` when asked (查看历史时点, §14)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from application.ports import ConsoleSession
from application.queries import EscalatedItem
from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.routers.boards import NotYourDepartment
from interfaces.http.schemas.escalation import DirectionBody
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import form_text, run_form_from_queue
from interfaces.web.forms import form_number
from interfaces.web.past import Moment, MomentDep
from interfaces.web.people import shown_person
from interfaces.web.routers import page_router
from interfaces.web.session import DepartmentPersonDep, StaffPersonDep, acting
from interfaces.web.templating import render

router = page_router()

BOARDS = "/console/boards"
DIRECTION_FIELDS = {"note": "督办意见", "working_days": "期限（工作日）"}


async def escalated_to(
    container: Container, superior: str | None, role: Role, moment: Moment
) -> list[EscalatedItem]:
    """The open work escalated to `superior` (or to the inspectors, None) at the instant
    shown, most pressing first."""
    calendar = await run_in_threadpool(container.current_calendar)
    return await moment.of(container.queries).escalated_work(
        superior,
        role=role,
        now=moment.at,
        calendar=calendar,
        after=moment.after(),
    )


async def superior_desk(
    container: Container, person: ConsoleSession, moment: Moment
) -> dict[str, Any]:
    """What a department's home adds when it is a superior: its subordinates (id → name, as
    the directory has them now) and the work escalated to it at the instant shown."""
    department = str(person.department)
    directory = await run_in_threadpool(container.supervision.directory)
    names = {d.id: d.name for d in directory.departments}
    return {
        "subordinates": {key: names.get(key, key) for key in directory.subordinates_of(department)},
        "escalated": await escalated_to(container, department, person.role, moment),
        "department_names": names,
    }


@router.get(BOARDS, response_class=HTMLResponse)
async def subordinates_page(
    request: Request, person: DepartmentPersonDep, container: ContainerDep, moment: MomentDep
) -> HTMLResponse:
    """The departments below this one, each a link to its board, and the work escalated to it."""
    return render(
        request,
        "superiors/boards.html",
        {"moment": moment, **await superior_desk(container, person, moment)},
        person=await shown_person(request, person),
    )


@router.get(BOARDS + "/{department_id}", response_class=HTMLResponse)
async def board_page(
    request: Request,
    department_id: str,
    person: StaffPersonDep,
    app: SupervisionDep,
    container: ContainerDep,
    moment: MomentDep,
) -> HTMLResponse:
    """A department's board, read only: for its superiors, and for the centre's staff."""
    viewer = acting(request, person)
    if not await run_in_threadpool(app.may_read_board, viewer, department_id):
        raise NotYourDepartment("a department reads its own board and its subordinates' only")
    directory = await run_in_threadpool(app.directory)
    department = directory.active_department(department_id)
    calendar = await run_in_threadpool(container.current_calendar)
    page = moment.checked(
        await moment.of(container.queries).board(
            department_id,
            role=person.role,
            now=moment.at,
            calendar=calendar,
            after=moment.after(),
        )
    )
    return render(
        request,
        "superiors/board.html",
        {
            "moment": moment,
            "department": department,
            "superior": directory.department(department.superior) if department.superior else None,
            "items": page.items,
            "escalated": await escalated_to(container, department_id, person.role, moment),
            "department_names": {d.id: d.name for d in directory.departments},
        },
        person=await shown_person(request, person),
    )


def _direction(form: FormData) -> dict[str, object]:
    """The direction form's values as the API's body takes them: the days as a number."""
    values: dict[str, object] = {name: form_text(form, name) for name in DIRECTION_FIELDS}
    if isinstance(days := values["working_days"], str):
        values["working_days"] = form_number(days)
    return values


async def _directed(
    request: Request,
    form: FormData,
    page: str,
    direct: Callable[..., Any],
    record_id: UUID,
    by: Actor,
    done: str,
) -> RedirectResponse:
    """Read the form into the API's body, run `direct` on the record by `by`, back to `page`."""
    return await run_form_from_queue(
        request,
        page,
        DirectionBody,
        _direction(form),
        DIRECTION_FIELDS,
        lambda body: direct(record_id, note=body.note, working_days=body.working_days, by=by),
        done,
    )


@router.post("/console/cases/{case_id:uuid}/escalation/direct", response_class=RedirectResponse)
async def direct_case(
    request: Request,
    case_id: UUID,
    form: CsrfFormDep,
    person: DepartmentPersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """The superior's direction on an escalated case (下达督办意见), back to the case page."""
    return await _directed(
        request,
        form,
        f"/console/cases/{case_id}",
        app.direct_case,
        case_id,
        acting(request, person),
        "已下达督办意见，承办部门的办理期限已更新。",
    )


@router.post("/console/orders/{order_id:uuid}/escalation/direct", response_class=RedirectResponse)
async def direct_order(
    request: Request,
    order_id: UUID,
    form: CsrfFormDep,
    person: DepartmentPersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """The superior's direction on an escalated rectification order, back to the order page."""
    return await _directed(
        request,
        form,
        f"/console/orders/{order_id}",
        app.direct_order,
        order_id,
        acting(request, person),
        "已下达督办意见，承办部门的整改期限已更新。",
    )
