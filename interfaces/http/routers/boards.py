"""Routes on departments' deadline boards and metrics (read side)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from domain.actor import Actor, Role
from domain.errors import Forbidden
from interfaces.http.deps import CaseQueriesDep, CentreDep, ContainerDep, ReadingDep, StaffDep
from interfaces.http.responses import SOME_ROLES, VALIDATED
from interfaces.http.schemas.cases import DIRECTORY_ID
from interfaces.http.schemas.lists import (
    Board,
    BoardItemPublic,
    BoardQuery,
    CaseCountsPublic,
    DayCountPublic,
    DepartmentMetricsPublic,
    EscalatedItemPublic,
    MetricsAsOfQuery,
    MetricsList,
    MetricsQuery,
    OverduePerDayList,
    WindowMetricsList,
    WindowMetricsPublic,
)

router = APIRouter(tags=["boards and metrics"], responses={**SOME_ROLES, **VALIDATED})


class NotYourDepartment(Forbidden):
    """A department reads its own board and lists only."""

    code = "not_your_department"


def listing_department(actor: Actor, asked: str | None, records: str) -> str | None:
    """The department whose `records` alone the caller may list (None: the centre's staff
    list every department's); a department asking for another's is refused."""
    own = actor.department if actor.role is Role.DEPARTMENT else None
    if own is not None and asked not in (None, own):
        raise NotYourDepartment(f"a department lists its own {records} only")
    return own


@router.get("/departments/{department_id}/board")
async def department_board(
    department_id: Annotated[str, Path(pattern=DIRECTORY_ID)],
    options: Annotated[BoardQuery, Query()],
    container: ContainerDep,
    queries: CaseQueriesDep,
    actor: StaffDep,
    reading: ReadingDep,
) -> Board:
    """A department's open cases and rectification orders by due date, with working time
    left and reminder/overdue flags; under `escalated` (下级超期件), its subordinates' work
    escalated to it. A department reads its own board and, read only (`read_only`), those of
    the departments below it, directly or through others; as of an instant, by today's
    rules, with time left counted at that instant."""
    app = container.supervision
    if not await run_in_threadpool(app.may_read_board, actor, department_id):
        raise NotYourDepartment("a department reads its own board and its subordinates' only")
    directory = await run_in_threadpool(app.directory)
    directory.active_department(department_id)
    calendar = await run_in_threadpool(container.current_calendar)
    read = reading.of(queries)
    page = await read.board(
        department_id,
        role=actor.role,
        now=reading.at,
        calendar=calendar,
        after=reading.after(options.after),
    )
    escalated = await read.escalated_work(
        department_id, role=actor.role, now=reading.at, calendar=calendar, after=None
    )
    return Board(
        department=department_id,
        items=[BoardItemPublic.of(item) for item in page.items],
        position=page.position,
        caught_up=page.caught_up,
        escalated=[EscalatedItemPublic.of_escalated(item) for item in escalated],
        read_only=actor.role is Role.DEPARTMENT and actor.department != department_id,
        as_of=reading.as_of,
    )


@router.get("/metrics/departments")
async def department_metrics(
    period: Annotated[MetricsAsOfQuery, Query()],
    container: ContainerDep,
    queries: CaseQueriesDep,
    _: CentreDep,
    reading: ReadingDep,
) -> MetricsList:
    """Per department: counts, and the rates acknowledged on time, completed on time, satisfied;
    as of an instant, what had been recorded by then, overdue counted at that instant."""
    departments = await run_in_threadpool(container.supervision.list_departments)
    start, end = period.moments()
    metrics = await reading.of(queries).department_metrics(
        [d.id for d in departments], start=start, end=end, now=reading.at
    )
    return MetricsList(
        start=period.start,
        end=period.end,
        items=[DepartmentMetricsPublic.of(m) for m in metrics],
        as_of=reading.as_of,
    )


@router.get("/metrics/windows")
async def window_metrics(
    period: Annotated[MetricsAsOfQuery, Query()],
    container: ContainerDep,
    queries: CaseQueriesDep,
    _: CentreDep,
    reading: ReadingDep,
) -> WindowMetricsList:
    """Per active window: its ratings (好差评) in the period, their average and the bad ones;
    under `satisfaction`, the same beside its satisfaction surveys (满意度调查) whose
    collection ended in the period, each with its source and sample size; as of an instant,
    what had been recorded by then."""
    windows = await run_in_threadpool(container.supervision.list_windows)
    start, end = period.moments()
    metrics = await reading.of(queries).window_metrics(
        [(w.id, w.department) for w in windows], start=start, end=end
    )
    surveys = await reading.of(container.surveys).satisfaction(period.start, period.end)
    return WindowMetricsList(
        start=period.start,
        end=period.end,
        items=[WindowMetricsPublic.of(m, surveys.get(m.window, ())) for m in metrics],
        as_of=reading.as_of,
    )


@router.get("/metrics/overdue-per-day")
async def overdue_per_day(
    period: Annotated[MetricsQuery, Query()],
    container: ContainerDep,
    queries: CaseQueriesDep,
    _: CentreDep,
) -> OverduePerDayList:
    """For each day of the period up to today: the cases a department held past a deadline
    (签收 or 办结) at the day's end, as the department metrics count `overdue`."""
    now = container.supervision.time_source.now()
    counts = await queries.overdue_per_day(period.day_ends(now))
    return OverduePerDayList(
        start=period.start, end=period.end, items=[DayCountPublic.of(c) for c in counts]
    )


@router.get("/metrics/cases")
async def case_counts(
    period: Annotated[MetricsQuery, Query()], queries: CaseQueriesDep, _: CentreDep
) -> CaseCountsPublic:
    """The cases registered in the period, by kind (诉求类型) and by category (分类)."""
    start, end = period.moments()
    return CaseCountsPublic.of(period, await queries.case_counts(start=start, end=end))
