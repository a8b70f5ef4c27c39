"""The signed-in person's home (`/console/`, §13): a department's inbox, the operator's
counts and links, a simple page of links for the other roles.

The inbox is the department's board (the API's `GET /departments/{id}/board`): its open cases
by working time left. Its rows are a fragment the page polls, which also sets the tab's title
to the count of cases still to acknowledge; bulk acknowledgement runs the acknowledge verb once
per chosen case and says how each went. Asked with `as_of` (查看历史时点, §14), the inbox is
the board as it stood then, read only and not polled.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from application.ports import ConsoleSession
from application.queries import BoardItem, CaseFilter
from domain.actor import Role
from domain.case import Status
from domain.errors import DomainError
from domain.labels import error_message
from interfaces.bootstrap import Container
from interfaces.http.deps import ContainerDep
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import back_to, centre_cases
from interfaces.web.past import Moment, MomentDep, moment_asked
from interfaces.web.people import shown_person
from interfaces.web.routers import page_router
from interfaces.web.routers.superiors import superior_desk
from interfaces.web.session import DepartmentPersonDep, PersonDep, acting
from interfaces.web.templating import render, templates

router = page_router()

HOME = "/console/"
# How often the inbox asks for new cases (the brief of §13: within 10 seconds).
POLL_SECONDS = 10
# One flash line per case: a cookie holds about this many.
MOST_AT_ONCE = 20
# The operator's desk counts up to this many of each; more reads as "200+".
COUNTED_UP_TO = 200
# The operator's counts: (what, the case list's filter, where the work is done).
OPERATOR_COUNTS = (
    ("待派单", CaseFilter(status=Status.REGISTERED.value), "/console/routing"),
    ("退单待处理", CaseFilter(status=Status.RETURNED.value), "/console/routing"),
    ("待回访", CaseFilter(status=Status.ANSWERED.value), "/console/callbacks"),
    ("已超期", CaseFilter(overdue=True), "/console/cases?overdue=true"),
)


@router.get(HOME, response_class=HTMLResponse)
async def home(request: Request, person: PersonDep, container: ContainerDep) -> HTMLResponse:
    """The person's home: a department's inbox, the operator's desk, or the role's links."""
    shown = await shown_person(request, person)
    if person.role is Role.DEPARTMENT:
        # Only the inbox reads the past: the other homes are links and counts of now.
        moment = await moment_asked(request, container)
        inbox = await _inbox(container, person, moment)
        return render(
            request,
            "home/department.html",
            {
                "inbox": inbox,
                "waiting": _waiting(inbox),
                "poll_seconds": POLL_SECONDS,
                "moment": moment,
                # A superior's own: its subordinates' boards and the work escalated to it.
                **await superior_desk(container, person, moment),
            },
            person=shown,
        )
    if person.role is Role.OPERATOR:
        counts = [
            (what, await _count(container, criteria, person), link)
            for what, criteria, link in OPERATOR_COUNTS
        ]
        return render(request, "home/operator.html", {"counts": counts}, person=shown)
    return render(request, "home/links.html", {}, person=shown)


@router.get("/console/inbox", response_class=HTMLResponse)
async def inbox_rows(
    request: Request, person: DepartmentPersonDep, container: ContainerDep, moment: MomentDep
) -> HTMLResponse:
    """The inbox's rows, polled by the page; its <title> gives the tab the count to acknowledge."""
    inbox = await _inbox(container, person, moment)
    return templates.TemplateResponse(
        request,
        "home/inbox_fragment.html",
        {"inbox": inbox, "waiting": _waiting(inbox), "moment": moment},
    )


@router.post("/console/inbox/acknowledge", response_model=None)
async def acknowledge_chosen(
    request: Request, person: DepartmentPersonDep, form: CsrfFormDep, container: ContainerDep
) -> RedirectResponse:
    """Acknowledge every chosen case (批量签收), one line per case saying how it went."""
    chosen = list(dict.fromkeys(str(value) for value in form.getlist("case")))
    if not chosen:
        return back_to(request, HOME, "请先勾选要签收的工单。", refused=True)
    if len(chosen) > MOST_AT_ONCE:
        return back_to(request, HOME, f"一次最多签收 {MOST_AT_ONCE} 件，请分批签收。", refused=True)
    now = Moment(container.supervision.time_source.now())
    numbers = {str(item.id): item.tracking_number for item in await _inbox(container, person, now)}
    actor = acting(request, person)
    lines, refused = [], 0
    for value in chosen:
        number = numbers.get(value, "所选工单")
        try:
            case_id = UUID(value)
            done = await run_in_threadpool(container.supervision.acknowledge_case, case_id, actor)
            lines.append(f"{done.tracking_number}：已签收")
        except ValueError:
            refused += 1
            lines.append(f"{number}：{error_message('case_not_found')}")
        except DomainError as error:
            refused += 1
            lines.append(f"{number}：{error_message(error.code)}")
    return back_to(request, HOME, "\n".join(lines), refused=refused > 0)


async def _inbox(container: Container, person: ConsoleSession, moment: Moment) -> list[BoardItem]:
    """The department's open cases at the instant shown, least working time left first (no
    deadline last)."""
    calendar = await run_in_threadpool(container.current_calendar)
    page = moment.checked(
        await moment.of(container.queries).board(
            str(person.department),
            role=person.role,
            now=moment.at,
            calendar=calendar,
            after=moment.after(),
        )
    )
    cases = [item for item in page.items if item.type == "case"]
    return sorted(
        cases,
        key=lambda item: (item.working_seconds_left is None, item.working_seconds_left or 0),
    )


def _waiting(inbox: list[BoardItem]) -> int:
    """How many of the inbox's cases are new: assigned and not yet acknowledged."""
    return sum(1 for item in inbox if item.status == Status.ASSIGNED.value)


async def _count(container: Container, criteria: CaseFilter, person: ConsoleSession) -> str:
    now = container.supervision.time_source.now()
    page = await centre_cases(container.queries, criteria, person.role, COUNTED_UP_TO, now)
    return f"{COUNTED_UP_TO}+" if page.next else str(len(page.items))
