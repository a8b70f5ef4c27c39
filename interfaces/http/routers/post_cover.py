"""Routes on A/B post cover (AB岗, §16): a department records its post holders' absences
(the B holder covering an A holder); departments (their own windows) and inspectors read
each post's holder on duty on a day; inspectors confirm or dismiss the cover gaps the clock
proposed as deductions under `ab_post_not_covered`."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BeforeValidator

from application.post_cover import office_day_bounds
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from interfaces.http import commands
from interfaces.http.deps import (
    ContainerDep,
    DepartmentDep,
    InspectorDep,
    SupervisionDep,
    roles,
)
from interfaces.http.responses import (
    COMMAND,
    COMMAND_ON_A_RECORD,
    COMMAND_ON_A_RECORD_WITHOUT_BODY,
    SOME_ROLES,
    VALIDATED,
)
from interfaces.http.schemas.cases import Reason
from interfaces.http.schemas.post_cover import (
    DAY_IN_PATH,
    DIRECTORY_ID,
    AbsenceCreate,
    AbsencePublic,
    CoveragePublic,
    CoverageQuery,
    GapListQuery,
    GapPublic,
    written_as_day,
)

absences_router = APIRouter(prefix="/absences", tags=["post cover"])
router = APIRouter(prefix="/posts", tags=["post cover"])

DepartmentOrInspectorDep = Annotated[Actor, Depends(roles(Role.DEPARTMENT, Role.INSPECTOR))]
WindowId = Annotated[str, Path(pattern=DIRECTORY_ID, description="the window's id")]
GapDay = Annotated[date, BeforeValidator(written_as_day), Path(**DAY_IN_PATH)]


@absences_router.post("", status_code=status.HTTP_201_CREATED, responses={**COMMAND, **SOME_ROLES})
def record_absence(body: AbsenceCreate, app: SupervisionDep, actor: DepartmentDep) -> AbsencePublic:
    """Record an absence of one of your post holders (请假); an A holder's cover is the
    window's B holder."""
    return AbsencePublic.of(commands.record_absence(app, body, actor))


@router.post(
    "/{window_id}/absences/{absence_id}/cancel",
    responses={**COMMAND_ON_A_RECORD_WITHOUT_BODY, **SOME_ROLES},
)
def cancel_absence(
    window_id: WindowId, absence_id: UUID, app: SupervisionDep, actor: DepartmentDep
) -> AbsencePublic:
    """Cancel an absence of one of your post holders (撤销请假)."""
    return AbsencePublic.of(app.cancel_absence(window_id, str(absence_id), actor))


@router.get("/coverage", responses={**SOME_ROLES, **VALIDATED})
async def post_coverage(
    query: Annotated[CoverageQuery, Query()],
    container: ContainerDep,
    actor: DepartmentOrInspectorDep,
) -> CoveragePublic:
    """Each post's holder on duty on a day (default today): your department's windows, or
    (inspectors) every window or one department's."""
    day = query.date or container.supervision.time_source.now().astimezone(OFFICE_TZ).date()
    if actor.role is Role.DEPARTMENT:
        department: str | None = actor.department
    else:
        department = query.department
    start, end = office_day_bounds(day)
    absences = await container.post_cover.absences_between(
        start, end, department=department, after=query.after
    )
    gaps = await container.post_cover.gaps_between(day, day, department=department)
    coverage = await run_in_threadpool(
        container.supervision.coverage,
        day,
        absences=absences,
        gaps=gaps,
        department=department,
    )
    return CoveragePublic.of(coverage)


@router.get("/gaps", responses={**SOME_ROLES, **VALIDATED})
async def list_cover_gaps(
    query: Annotated[GapListQuery, Query()], container: ContainerDep, actor: InspectorDep
) -> list[GapPublic]:
    """The cover gaps proposed for a month's office days (AB岗未落实), by day."""
    year, month = (int(part) for part in query.month.split("-"))
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1)
    gaps = await container.post_cover.gaps_between(
        first, last, department=query.department, after=query.after
    )
    return [GapPublic.of(gap) for gap in gaps if gap.day < last]


@router.post(
    "/{window_id}/gaps/{day}/confirm",
    responses={**COMMAND_ON_A_RECORD_WITHOUT_BODY, **SOME_ROLES},
)
def confirm_cover_gap(
    window_id: WindowId, day: GapDay, app: SupervisionDep, actor: InspectorDep
) -> GapPublic:
    """Confirm a cover gap's proposed deduction: it goes on the window's scorecard."""
    return GapPublic.of(app.confirm_cover_gap(window_id, day, actor))


@router.post("/{window_id}/gaps/{day}/dismiss", responses={**COMMAND_ON_A_RECORD, **SOME_ROLES})
def dismiss_cover_gap(
    window_id: WindowId, day: GapDay, body: Reason, app: SupervisionDep, actor: InspectorDep
) -> GapPublic:
    """Dismiss a cover gap's proposed deduction, with the reason (不予扣分)."""
    return GapPublic.of(app.dismiss_cover_gap(window_id, day, reason=body.reason, by=actor))
