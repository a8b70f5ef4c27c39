"""The administrator's calendar page (§5.2): the years the working-day calendar knows, and
the load of a year's published schedule from a file in the format of `oversight calendar
load`, read by the same reader; the answer says how many open deadlines rest on the
provisional calendar, which the worker now recomputes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from interfaces.bootstrap import parse_calendar_file
from interfaces.http.deps import ContainerDep
from interfaces.http.schemas.cases import Strict
from interfaces.web.admin import admin_router, answer_import, imported
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import form_text, shown
from interfaces.web.forms import read_form
from interfaces.web.session import AdminPersonDep, acting
from interfaces.web.templating import render

router = admin_router("calendar")

PAGE = "/console/admin/calendar"
FIELDS = {"year": "年份"}


class CalendarYearChoice(Strict):
    """The year a schedule file is loaded for (as `oversight calendar load YEAR`)."""

    year: int = Field(ge=2000, le=2100)


@router.get("", response_class=HTMLResponse)
async def calendar_page(
    request: Request, person: AdminPersonDep, container: ContainerDep
) -> HTMLResponse:
    """The years the calendar knows, and the form to load a published year."""
    return await _page(request, person, container, [])


@router.post("/load", response_class=HTMLResponse, response_model=None)
async def load_calendar_year(
    request: Request, form: CsrfFormDep, person: AdminPersonDep, container: ContainerDep
) -> Response:
    """Record the uploaded year's schedule (载入); open provisional deadlines are recomputed."""
    choice = read_form(CalendarYearChoice, {"year": form_text(form, "year") or ""}, FIELDS)
    if isinstance(choice, list):
        return await _page(request, person, container, choice, status_code=422)
    by = acting(request, person)
    outcome = await imported(
        form,
        lambda text, name: parse_calendar_file(text, choice.year, name),
        lambda schedule: container.supervision.publish_calendar_year(
            year=choice.year,
            holidays=schedule.holidays,
            makeup_workdays=schedule.makeup_workdays,
            source=schedule.source,
            by=by,
        ),
    )
    waiting = await container.queries.open_provisional_tasks()
    return await answer_import(
        request,
        outcome,
        lambda problems: _page(request, person, container, problems, status_code=422),
        PAGE,
        lambda schedule, published: _loaded(choice.year, schedule, published.recorded, waiting),
    )


def _loaded(year: int, schedule: Any, recorded: bool, waiting: int) -> str:
    if not recorded:
        return f"{year} 年的这份安排已经载入，未作变更。"
    return (
        f"已载入 {year} 年节假日安排：{len(set(schedule.holidays))} 个放假日、"
        f"{len(schedule.makeup_workdays)} 个调休上班日。"
        f"按临时日历计算期限的未办结工单和整改通知共 {waiting} 项，后台正按新日历重新计算。"
    )


async def _page(
    request: Request,
    person: AdminPersonDep,
    container: ContainerDep,
    problems: list[str],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    years = await run_in_threadpool(container.supervision.calendar_years)
    return render(
        request,
        "admin/calendar.html",
        {"years": years, "problems": problems, "next_year": _next_year(container)},
        person=shown(person),
        status_code=status_code,
    )


def _next_year(container: ContainerDep) -> int:
    """The year an administrator most likely loads: next year's schedule comes in November."""
    return container.supervision.time_source.now().year + 1
