"""The public pages (§13): home, the status query, the rating form, the red and blue lists.

No sign-in; the same application services as the API's public routes, the same schemas for
what a form may hold, the same per-client limit on everything that reads or records. The red
and blue lists may be read as they stood at `as_of` (查看历史时点, §14): as published then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from application.public_status import CaseStatusNotFound, TooManyRequests
from domain.actor import Actor, Role
from domain.directory import Department, Window
from domain.labels import LABELS, error_message
from domain.scorecard import (
    day_of,
    month_of,
    require_past_or_current_day,
    require_past_or_current_month,
)
from interfaces.http.deps import (
    ContainerDep,
    PublicClientDep,
    PublicStatusDep,
    SupervisionDep,
)
from interfaces.http.schemas.cases import DIRECTORY_ID
from interfaces.http.schemas.discipline import BlueListQuery, RedListQuery
from interfaces.http.schemas.evaluations import EvaluationCreate
from interfaces.http.schemas.public import CaseStatusQuery
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.errors import error_page
from interfaces.web.flash import flash
from interfaces.web.forms import read_form
from interfaces.web.past import MomentDep
from interfaces.web.routers import page_router
from interfaces.web.templating import render

router = page_router()

STATUS_FIELDS = {"tracking_number": "流水号", "access_code": "提取码"}
RATING_FIELDS = {"rating": "评价", "comment": "意见", "window": "窗口"}
# The rating form's choices, worst first as the scale reads: (value, 非常不满意 … 非常满意).
RATINGS = tuple((value, text) for value, text in LABELS["rating"].items())
UNKNOWN_WINDOW = "未找到该窗口，请核对窗口上的二维码，或从首页选择窗口。"


class RedListPageQuery(RedListQuery):
    """The API's query of the red list, and the instant the page shows (`MomentDep` reads it)."""

    as_of: str | None = None


class BlueListPageQuery(BlueListQuery):
    """The API's query of the blue list, and the instant the page shows (`MomentDep` reads it)."""

    as_of: str | None = None


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, app: SupervisionDep) -> HTMLResponse:
    """The three public services: the status query, rating a window, the red and blue lists."""
    windows = await run_in_threadpool(app.list_windows)
    return render(request, "public/home.html", {"windows": windows})


@router.get("/status", response_class=HTMLResponse)
async def status_form(request: Request) -> HTMLResponse:
    """The status query form (流水号, 提取码)."""
    return render(request, "public/status.html", {"values": {}})


@router.post("/status", response_class=HTMLResponse)
async def status_answer(
    request: Request, form: CsrfFormDep, public_status: PublicStatusDep, client: PublicClientDep
) -> HTMLResponse:
    """The public view of the case the pair opens; one answer for a wrong and an unknown pair."""
    values = {name: form.get(name, "") for name in STATUS_FIELDS}
    query = read_form(CaseStatusQuery, values, STATUS_FIELDS)
    shown = {"tracking_number": values["tracking_number"]}
    if isinstance(query, list):
        return _status_refused(request, shown, query, 422)
    try:
        found = await public_status.case_status(
            query.tracking_number, query.access_code, client=client
        )
    except CaseStatusNotFound as missing:
        return _status_refused(request, shown, [error_message(missing.code)], 404)
    except TooManyRequests as busy:
        message = f"{error_message(busy.code)}请在 {busy.retry_after} 秒后再试。"
        return _status_refused(
            request, shown, [message], 429, {"Retry-After": str(busy.retry_after)}
        )
    return render(request, "public/status.html", {"values": shown, "found": found})


def _status_refused(
    request: Request,
    shown: dict[str, object],
    problems: list[str],
    status_code: int,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "public/status.html",
        {"values": shown, "problems": problems},
        status_code=status_code,
        headers=headers,
    )


@router.get("/rate/{window}", response_class=HTMLResponse)
async def rating_form(request: Request, window: str, app: SupervisionDep) -> HTMLResponse:
    """The rating form of one window (the target of the QR code printed at the window)."""
    found = await _open_window(app, window)
    if found is None:
        return error_page(request, 404, UNKNOWN_WINDOW)
    return render(request, "public/rate.html", {**found.context(), "values": {}})


@router.post("/rate/{window}", response_class=HTMLResponse, response_model=None)
async def rate_window(
    request: Request,
    window: str,
    form: CsrfFormDep,
    app: SupervisionDep,
    client: PublicClientDep,
) -> HTMLResponse | RedirectResponse:
    """Record a rating; a 1 or 2 goes to a complaint for the window's department, as the API's."""
    found = await _open_window(app, window)
    if found is None:
        return error_page(request, 404, UNKNOWN_WINDOW)
    rating = form.get("rating")
    values = {
        "window": window,
        # A radio's value is text; the schema takes the number the API takes.
        "rating": int(rating) if rating in {value for value, _ in RATINGS} else rating,
        "comment": form.get("comment") or None,
    }
    given = {name: value for name, value in values.items() if value is not None}
    body = read_form(EvaluationCreate, given, RATING_FIELDS)
    if isinstance(body, list):
        return render(
            request,
            "public/rate.html",
            {**found.context(), "values": values, "problems": body},
            status_code=422,
        )
    public = Actor(principal="public", role=Role.PUBLIC, request_id=request.state.request_id)
    rated = await run_in_threadpool(
        lambda: app.record_evaluation(
            window=body.window,
            staff=None,
            rating=body.rating,
            comment=body.comment,
            service_item=None,
            by=public,
            client=client,
        )
    )
    thanks = f"感谢您对{found.window.name}的评价。"
    if rated.opens_case:
        thanks += "您的意见已转为投诉件，由承办部门核实处理。"
    answer = RedirectResponse("/", status_code=303)
    flash(request, answer, thanks)
    return answer


@dataclass(frozen=True)
class RatedWindow:
    """The window a rating form is for, and the department that runs it."""

    window: Window
    department: Department | None

    def context(self) -> dict[str, object]:
        return {"window": self.window, "department": self.department, "ratings": RATINGS}


async def _open_window(app: SupervisionDep, window_id: str) -> RatedWindow | None:
    """The open window with this id and its department, or None."""
    if not re.fullmatch(DIRECTORY_ID, window_id):
        return None
    directory = await run_in_threadpool(app.directory)
    window = directory.window(window_id)
    if window is None or not window.active:
        return None
    return RatedWindow(window, directory.department(window.department))


@router.get("/red-list", response_class=HTMLResponse)
async def red_list(
    request: Request,
    query: Annotated[RedListPageQuery, Query()],
    container: ContainerDep,
    _: PublicClientDep,
    moment: MomentDep,
) -> HTMLResponse:
    """The month's windows and staff with full marks (红榜), printable."""
    month = require_past_or_current_month(query.month or month_of(moment.at), moment.at)
    listing = moment.checked(
        await moment.of(container.scores).red_list(month, after=moment.after())
    )
    return render(
        request,
        "public/red_list.html",
        {
            "moment": moment,
            "month": month,
            "windows": [i for i in listing.items if i.subject == "window"],
            "staff": [i for i in listing.items if i.subject == "staff"],
        },
    )


@router.get("/blue-list", response_class=HTMLResponse)
async def blue_list(
    request: Request,
    query: Annotated[BlueListPageQuery, Query()],
    container: ContainerDep,
    _: PublicClientDep,
    moment: MomentDep,
) -> HTMLResponse:
    """A day's deductions in force (蓝榜), printable: who, which rule, how many points."""
    day = require_past_or_current_day(query.day or day_of(moment.at), moment.at)
    listing = moment.checked(
        await moment.of(container.scores).blue_list(day, department=None, after=moment.after())
    )
    return render(
        request, "public/blue_list.html", {"moment": moment, "day": day, "lines": listing.items}
    )
