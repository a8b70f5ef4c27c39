"""Scores, lists and the monthly report at the console (§6, §13): a month's scorecards per
department, the blue list of a day and the red list of a month (printable), and the monthly
report with its XLSX and CSV files.

The same reads, the same query schemas and the same department scoping as the API's
`/scores`, `/blue-list`, `/red-list` and `/reports/monthly`; a department reads its own only.
Each page reads the record as it stood at `as_of` when asked (查看历史时点, §14), as the API
does: the month or day is then that instant's unless chosen, and may not be later.
"""

from __future__ import annotations

from typing import Literal, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.ports import ConsoleSession
from application.scores import MonthlyReport, monthly_report_as_of
from domain.actor import Role
from domain.directory import Department
from domain.scorecard import (
    day_of,
    month_of,
    require_past_or_current_day,
    require_past_or_current_month,
)
from interfaces.choices import ReportFormat
from interfaces.http.deps import ContainerDep
from interfaces.http.routers.discipline import (
    known_department,
    readers_department,
    report_attachment,
)
from interfaces.http.schemas.discipline import BlueListQuery, RedListQuery, ReportQuery
from interfaces.reports import (
    REVOKED,
    SUMMARY_HEADERS,
    SURVEY_HEADERS,
    month_title,
    summary_row,
    survey_rows,
)
from interfaces.web.appeal_forms import appealable_deductions
from interfaces.web.errors import error_page
from interfaces.web.forms import read_form
from interfaces.web.past import Moment, MomentDep
from interfaces.web.routers import page_router
from interfaces.web.session import StaffPersonDep, acting
from interfaces.web.templating import render

router = page_router("/console")

Query = TypeVar("Query", bound=BaseModel)

# The filters of the pages, as their forms name them.
FIELDS = {"month": "月份", "date": "日期", "day": "日期", "department": "部门"}


def _query(request: Request, schema: type[Query], names: tuple[str, ...]) -> Query | list[str]:
    """The API's query schema read from the page's filters (an empty filter is no filter),
    or one Chinese line per wrong filter."""
    given = {name: request.query_params[name] for name in names if request.query_params.get(name)}
    return read_form(schema, given, FIELDS)


def _month(month: str | None, moment: Moment) -> str:
    """The month asked for (the instant shown's by default), refused when still to come then."""
    return require_past_or_current_month(month or month_of(moment.at), moment.at)


def _refused(request: Request, problems: list[str]) -> HTMLResponse:
    return error_page(request, 422, "；".join(problems))


async def _choices(container: ContainerDep, role: Role) -> list[Department]:
    """The departments a filter offers: every one to the centre, none to a department."""
    if role is Role.DEPARTMENT:
        return []
    directory = await run_in_threadpool(container.supervision.directory)
    return list(directory.departments)


@router.get("/scores", response_class=HTMLResponse)
async def scorecards(
    request: Request, person: StaffPersonDep, container: ContainerDep, moment: MomentDep
) -> HTMLResponse:
    """A department's month: its windows' and staff's scores and every deduction, revoked
    ones marked (the centre chooses the department; a department sees its own)."""
    query = _query(request, ReportQuery, ("month", "department"))
    if isinstance(query, list):
        return _refused(request, query)
    month = _month(query.month, moment)
    department = await readers_department(container, acting(request, person), query.department)
    departments = await _choices(container, person.role)
    if department is None and departments:
        department = departments[0].id
    report = moment.checked(
        await moment.of(container.scores).monthly_report(
            month, department=department, after=moment.after(), with_revoked=True
        )
    )
    appealable = {}
    # An appeal is made now: the past shows how each deduction stood, with no form.
    if person.role is Role.DEPARTMENT and report.departments and moment.past is None:
        by = acting(request, person)
        appealable = await run_in_threadpool(
            appealable_deductions, container.supervision, report.departments[0], by
        )
    return render(
        request,
        "scores/scorecards.html",
        {
            "moment": moment,
            "month": month,
            "month_title": month_title(month),
            "department": department,
            "departments": departments,
            "report": report.departments[0] if report.departments else None,
            "revoked": REVOKED,
            "appealable": appealable,
        },
    )


@router.get("/blue-list", response_class=HTMLResponse)
async def blue_list(
    request: Request, person: StaffPersonDep, container: ContainerDep, moment: MomentDep
) -> HTMLResponse:
    """A day's deductions in force (蓝榜) with their evidence and source, printable; a
    department sees its own."""
    query = _query(request, BlueListQuery, ("date", "department"))
    if isinstance(query, list):
        return _refused(request, query)
    day = require_past_or_current_day(query.day or day_of(moment.at), moment.at)
    department = await readers_department(container, acting(request, person), query.department)
    listing = moment.checked(
        await moment.of(container.scores).blue_list(
            day, department=department, after=moment.after()
        )
    )
    return render(
        request,
        "scores/blue_list.html",
        {
            "moment": moment,
            "day": day,
            "lines": listing.items,
            "department": department,
            "departments": await _choices(container, person.role),
        },
    )


@router.get("/red-list", response_class=HTMLResponse)
async def red_list(
    request: Request, person: StaffPersonDep, container: ContainerDep, moment: MomentDep
) -> HTMLResponse:
    """The month's windows and staff with full marks (红榜), of one department or all, printable."""
    query = _query(request, RedListQuery, ("month", "department"))
    if isinstance(query, list):
        return _refused(request, query)
    month = _month(query.month, moment)
    department = await known_department(container, query.department)
    listing = moment.checked(
        await moment.of(container.scores).red_list(
            month, after=moment.after(), department=department
        )
    )
    directory = await run_in_threadpool(container.supervision.directory)
    return render(
        request,
        "scores/red_list.html",
        {
            "moment": moment,
            "month": month,
            "month_title": month_title(month),
            "windows": [i for i in listing.items if i.subject == "window"],
            "staff": [i for i in listing.items if i.subject == "staff"],
            "department": department,
            # The red list is public (§3): every department may read every department's.
            "departments": directory.departments,
        },
    )


@router.get("/reports/monthly", response_class=HTMLResponse)
async def monthly_report(
    request: Request, person: StaffPersonDep, container: ContainerDep, moment: MomentDep
) -> HTMLResponse:
    """The monthly report as the API answers it: a summary, then each department's scores and
    deductions in force, with the XLSX and CSV files to download."""
    asked = await _asked_report(request, person, container, moment)
    if isinstance(asked, list):
        return _refused(request, asked)
    month, department, report = asked
    # The files are of the instant the page shows.
    query_string = urlencode(
        {"month": month, **({"department": department} if department else {}), **moment.query}
    )
    return render(
        request,
        "scores/monthly_report.html",
        {
            "moment": moment,
            "month": month,
            "month_title": month_title(month),
            "department": department,
            "departments": await _choices(container, person.role),
            "report": report,
            "summary_headers": SUMMARY_HEADERS,
            "summary": [summary_row(d) for d in report.departments],
            "query_string": query_string,
            "survey_headers": SURVEY_HEADERS,
            "survey_rows": list(survey_rows(report)),
        },
    )


@router.get("/reports/monthly.{file_format}", response_class=Response)
async def monthly_report_file(
    request: Request,
    file_format: Literal["xlsx", "csv"],
    person: StaffPersonDep,
    container: ContainerDep,
    moment: MomentDep,
) -> Response:
    """The monthly report's file, the same bytes as the API's `format=xlsx` or `format=csv`."""
    asked = await _asked_report(request, person, container, moment)
    if isinstance(asked, list):
        return _refused(request, asked)
    _, department, report = asked
    return await report_attachment(report, department, ReportFormat(file_format))


async def _asked_report(
    request: Request, person: ConsoleSession, container: ContainerDep, moment: Moment
) -> tuple[str, str | None, MonthlyReport] | list[str]:
    """The month, department and report the filters ask for (a department: its own), read
    as the API's report reads it at the instant shown; or what is wrong with the filters."""
    query = _query(request, ReportQuery, ("month", "department"))
    if isinstance(query, list):
        return query
    month = _month(query.month, moment)
    department = await readers_department(container, acting(request, person), query.department)
    report = await monthly_report_as_of(container.scores, month, moment, department=department)
    return month, department, report
