"""The dashboard (§13), for operators and inspectors: for a chosen period, the three rates by
department, the cases overdue on each day, the cases by kind and by category, and each
window's ratings; every chart beside the table of its numbers, each table also as CSV.

The numbers are the API's metrics (`/metrics/departments`, `/metrics/overdue-per-day`,
`/metrics/cases`, `/metrics/windows`), read from the same queries; the charts are drawn in
the browser by `static/dashboard.js` from a JSON block of each chart (no inline script).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.queries import CaseQueries
from application.surveys import SurveyQueries
from domain.directory import Directory
from interfaces.http.deps import CaseQueriesDep, ContainerDep
from interfaces.http.schemas.lists import MetricsQuery
from interfaces.web.dashboard import (
    Chart,
    categories_chart,
    kinds_chart,
    overdue_chart,
    rates_chart,
    ratings_chart,
    satisfaction_chart,
)
from interfaces.web.desk import problems_back_to, shown
from interfaces.web.periods import asked_period, period_given
from interfaces.web.routers import page_router
from interfaces.web.session import CentrePersonDep
from interfaces.web.templating import render

router = page_router("/console/dashboard")

DASHBOARD = "/console/dashboard"


@dataclass(frozen=True)
class Reading:
    """What a chart reads: the period, the directory (for names) and the read side."""

    period: MetricsQuery
    directory: Directory
    queries: CaseQueries
    now: datetime
    surveys: SurveyQueries | None = None

    @property
    def moments(self) -> tuple[datetime, datetime]:
        return self.period.moments()


async def _rates(reading: Reading) -> Chart:
    start, end = reading.moments
    departments = reading.directory.departments
    metrics = await reading.queries.department_metrics(
        [d.id for d in departments], start=start, end=end, now=reading.now
    )
    return rates_chart(metrics, {d.id: d.name for d in departments})


async def _overdue(reading: Reading) -> Chart:
    return overdue_chart(
        await reading.queries.overdue_per_day(reading.period.day_ends(reading.now))
    )


async def _kinds(reading: Reading) -> Chart:
    start, end = reading.moments
    return kinds_chart(await reading.queries.case_counts(start=start, end=end))


async def _categories(reading: Reading) -> Chart:
    start, end = reading.moments
    return categories_chart(await reading.queries.case_counts(start=start, end=end))


async def _ratings(reading: Reading) -> Chart:
    start, end = reading.moments
    windows = reading.directory.windows
    metrics = await reading.queries.window_metrics(
        [(w.id, w.department) for w in windows], start=start, end=end
    )
    return ratings_chart(metrics, {w.id: w.name for w in windows})


async def _satisfaction(reading: Reading) -> Chart:
    start, end = reading.moments
    windows = reading.directory.windows
    metrics = await reading.queries.window_metrics(
        [(w.id, w.department) for w in windows], start=start, end=end
    )
    surveys = (
        await reading.surveys.satisfaction(reading.period.start, reading.period.end)
        if reading.surveys is not None
        else {}
    )
    return satisfaction_chart(metrics, surveys, {w.id: w.name for w in windows})


# Every chart of the dashboard by the name its CSV is downloaded under, in the page's order.
CHARTS: dict[str, Callable[[Reading], Awaitable[Chart]]] = {
    "rates": _rates,
    "overdue": _overdue,
    "kinds": _kinds,
    "categories": _categories,
    "ratings": _ratings,
    # Satisfaction surveys (满意度调查, §16) beside the online ratings.
    "satisfaction": _satisfaction,
}


async def _reading(
    period: MetricsQuery, container: ContainerDep, queries: CaseQueriesDep
) -> Reading:
    directory = await run_in_threadpool(container.supervision.directory)
    return Reading(
        period,
        directory,
        queries,
        container.supervision.time_source.now(),
        surveys=container.surveys,
    )


@router.get("", response_class=HTMLResponse)
async def dashboard(
    request: Request, person: CentrePersonDep, container: ContainerDep, queries: CaseQueriesDep
) -> HTMLResponse:
    """The period picker and the charts, each with its table and its CSV download."""
    period = asked_period(request, container)
    given = period_given(request, period)
    if isinstance(period, list):
        context = {"problems": period, "given": given, "charts": [], "query_string": ""}
        return render(
            request, "dashboard/page.html", context, person=shown(person), status_code=422
        )
    reading = await _reading(period, container, queries)
    charts = [await read(reading) for read in CHARTS.values()]
    return render(
        request,
        "dashboard/page.html",
        {
            "problems": [],
            "given": given,
            "query_string": urlencode(given),
            "charts": charts,
        },
        person=shown(person),
    )


@router.get("/{chart}.csv", response_class=Response)
async def chart_csv(
    request: Request,
    chart: str,
    _: CentrePersonDep,
    container: ContainerDep,
    queries: CaseQueriesDep,
) -> Response:
    """One chart's table as CSV (UTF-8 with BOM, for Excel), over the same period."""
    read = CHARTS.get(chart)
    if read is None:
        raise HTTPException(status_code=404)
    period = asked_period(request, container)
    if isinstance(period, list):
        return problems_back_to(request, DASHBOARD, period)
    found = await read(await _reading(period, container, queries))
    filename = f"dashboard-{found.name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    return Response(
        found.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
