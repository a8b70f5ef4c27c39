"""A/B post cover (AB岗, §16) as pages: the department's 请假与AB岗 (record an absence, the
day's coverage of its windows, cancel an absence) and the inspectors' AB岗在岗 (every
window's coverage on a day, and the month's cover gaps to confirm or dismiss).

Each form is read into the API's own request schema and runs the same application verb as the
API's route, off the event loop, as the person who signed in.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from application.post_cover import office_day_bounds
from application.supervision import Supervision
from domain.calendar import OFFICE_TZ
from interfaces.bootstrap import Container
from interfaces.http import commands
from interfaces.http.deps import ContainerDep
from interfaces.http.schemas.cases import Reason
from interfaces.http.schemas.post_cover import AbsenceCreate, CoverageQuery
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import form_text, read_reason
from interfaces.web.forms import as_typed, read_form
from interfaces.web.people import shown_person
from interfaces.web.record_actions import FormAgain, act_on_record
from interfaces.web.routers import page_router
from interfaces.web.session import DepartmentPersonDep, InspectorPersonDep, acting
from interfaces.web.templating import render

router = page_router()

DEPARTMENT_PAGE = "/console/posts"
INSPECTOR_PAGE = "/console/posts/coverage"
NAMES = {
    "staff": "请假人员",
    "from_": "开始",
    "from": "开始",
    "to": "结束",
    "reason": "请假事由",
    "covered_by": "顶岗人员（B岗）",
}
REFUSED_HINT = "请核对后重新提交。"
ABSENCE_FIELDS = ("staff", "from", "to", "reason", "covered_by")


def _today(app: Supervision) -> date:
    return app.time_source.now().astimezone(OFFICE_TZ).date()


async def _coverage(
    container: Container, day: date, department: str | None
) -> tuple[Any, list[Any]]:
    start, end = office_day_bounds(day)
    absences = await container.post_cover.absences_between(start, end, department=department)
    gaps = await container.post_cover.gaps_between(day, day, department=department)
    coverage = await run_in_threadpool(
        container.supervision.coverage, day, absences=absences, gaps=gaps, department=department
    )
    return coverage, absences


async def _department_page(
    request: Request,
    person: Any,
    container: Container,
    day: date,
    values: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    coverage, absences = await _coverage(container, day, person.department)
    directory = await run_in_threadpool(container.supervision.directory)
    holders = [
        s for s in directory.staff if s.department == person.department and s.post is not None
    ]
    return render(
        request,
        "post_cover/department.html",
        {
            "coverage": coverage,
            "absences": absences,
            "holders": sorted(holders, key=lambda s: (s.window or "", s.post or "")),
            "names": {s.id: s.name for s in directory.staff},
            "values": values or {},
            "problems": problems or [],
        },
        person=await shown_person(request, person),
        status_code=status_code,
    )


def _day_of(query: CoverageQuery, app: Supervision) -> date:
    return query.date or _today(app)


@router.get(DEPARTMENT_PAGE, response_class=HTMLResponse)
async def department_posts(
    request: Request,
    person: DepartmentPersonDep,
    container: ContainerDep,
    query: Annotated[CoverageQuery, Query()],
) -> HTMLResponse:
    """请假与AB岗: record an absence, and the day's coverage of the department's windows."""
    return await _department_page(request, person, container, _day_of(query, container.supervision))


@router.post(f"{DEPARTMENT_PAGE}/absences", response_class=HTMLResponse, response_model=None)
async def record_absence(
    request: Request,
    form: CsrfFormDep,
    person: DepartmentPersonDep,
    container: ContainerDep,
) -> HTMLResponse | RedirectResponse:
    """Record an absence as the signed-in department (登记请假)."""
    app = container.supervision
    typed = as_typed(form)
    fields = {name: text for name in ABSENCE_FIELDS if (text := form_text(form, name))}
    actor = acting(request, person)

    def run(body: AbsenceCreate) -> object:
        return commands.record_absence(app, body, actor)

    async def read() -> BaseModel | list[str]:
        return read_form(AbsenceCreate, fields, NAMES)

    async def page_again(again: FormAgain) -> HTMLResponse:
        return await _department_page(
            request, person, container, _today(app), typed, again.problems, again.status_code
        )

    return await act_on_record(
        request,
        "record",
        form,
        read=read,
        run=run,
        page_again=page_again,
        refused_hint=REFUSED_HINT,
        after=DEPARTMENT_PAGE,
        done="已登记请假。",
    )


@router.post(
    f"{DEPARTMENT_PAGE}/{{window_id}}/absences/{{absence_id:uuid}}/cancel",
    response_class=HTMLResponse,
    response_model=None,
)
async def cancel_absence(
    request: Request,
    window_id: str,
    absence_id: UUID,
    form: CsrfFormDep,
    person: DepartmentPersonDep,
    container: ContainerDep,
) -> HTMLResponse | RedirectResponse:
    """Cancel an absence of the department's (撤销请假)."""
    app = container.supervision
    actor = acting(request, person)

    async def read() -> BaseModel | list[str]:
        return Reason(reason="撤销")  # nothing to read: the form is the button

    async def page_again(again: FormAgain) -> HTMLResponse:
        return await _department_page(
            request, person, container, _today(app), None, again.problems, again.status_code
        )

    return await act_on_record(
        request,
        "cancel",
        form,
        read=read,
        run=lambda _: app.cancel_absence(window_id, str(absence_id), actor),
        page_again=page_again,
        refused_hint=REFUSED_HINT,
        after=DEPARTMENT_PAGE,
        done="已撤销请假。",
    )


# The inspectors' view -----------------------------------------------------------------------


async def _inspector_page(
    request: Request,
    person: Any,
    container: Container,
    day: date,
    department: str | None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    coverage, _ = await _coverage(container, day, department)
    last = day.replace(day=monthrange(day.year, day.month)[1])
    gaps = await container.post_cover.gaps_between(day.replace(day=1), last, department=department)
    directory = await run_in_threadpool(container.supervision.directory)
    return render(
        request,
        "post_cover/inspector.html",
        {
            "coverage": coverage,
            "gaps": gaps,
            "departments": directory.departments,
            "department": department or "",
            "window_names": {w.id: w.name for w in directory.windows},
            "problems": problems or [],
        },
        person=await shown_person(request, person),
        status_code=status_code,
    )


@router.get(INSPECTOR_PAGE, response_class=HTMLResponse)
async def inspector_coverage(
    request: Request,
    person: InspectorPersonDep,
    container: ContainerDep,
    query: Annotated[CoverageQuery, Query()],
) -> HTMLResponse:
    """AB岗在岗: every window's (or one department's) posts on a day, and the month's gaps."""
    return await _inspector_page(
        request, person, container, _day_of(query, container.supervision), query.department
    )


async def _decide_gap(
    request: Request,
    person: Any,
    container: Container,
    form: Any,
    action: str,
    day: str,
    body: BaseModel | list[str],
    run: Callable[[Any, date], object],
    done: str,
) -> HTMLResponse | RedirectResponse:
    """Run the decision on the cover gap of `day` (as the path writes it) with the form's
    `body`, then back to the coverage page saying `done`; else the page with what was wrong."""
    app = container.supervision
    when = _gap_day(day)

    async def read() -> BaseModel | list[str]:
        return body if when else ["日期格式应为 2026-12-07。"]

    async def page_again(again: FormAgain) -> HTMLResponse:
        return await _inspector_page(
            request, person, container, _today(app), None, again.problems, again.status_code
        )

    return await act_on_record(
        request,
        action,
        form,
        read=read,
        run=lambda checked: run(checked, when),
        page_again=page_again,
        refused_hint=REFUSED_HINT,
        after=INSPECTOR_PAGE,
        done=done,
    )


def _gap_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.post(
    f"{INSPECTOR_PAGE}/{{window_id}}/gaps/{{day}}/confirm",
    response_class=HTMLResponse,
    response_model=None,
)
async def confirm_cover_gap(
    request: Request,
    window_id: str,
    day: str,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    container: ContainerDep,
) -> HTMLResponse | RedirectResponse:
    """Confirm a cover gap's proposed deduction (确认扣分)."""
    app, actor = container.supervision, acting(request, person)
    return await _decide_gap(
        request,
        person,
        container,
        form,
        "confirm",
        day,
        Reason(reason="确认"),
        lambda _, when: app.confirm_cover_gap(window_id, when, actor),
        "已确认扣分。",
    )


@router.post(
    f"{INSPECTOR_PAGE}/{{window_id}}/gaps/{{day}}/dismiss",
    response_class=HTMLResponse,
    response_model=None,
)
async def dismiss_cover_gap(
    request: Request,
    window_id: str,
    day: str,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    container: ContainerDep,
) -> HTMLResponse | RedirectResponse:
    """Dismiss a cover gap's proposed deduction, with the reason (不予扣分)."""
    app, actor = container.supervision, acting(request, person)
    return await _decide_gap(
        request,
        person,
        container,
        form,
        "dismiss",
        day,
        read_reason(form, {"reason": "不予扣分理由"}),
        lambda checked, when: app.dismiss_cover_gap(
            window_id, when, reason=checked.reason, by=actor
        ),
        "已作不予扣分处理。",
    )
