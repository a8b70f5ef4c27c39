"""Routes on the working-day calendar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from application.deadlines import preview_deadlines
from interfaces.http.deps import ContainerDep, SignedInDep, SupervisionDep
from interfaces.http.responses import SIGNED_IN, VALIDATED
from interfaces.http.schemas.administration import CalendarYearList, CalendarYearPublic
from interfaces.http.schemas.calendar import DeadlineComputation, TaskKind
from interfaces.http.schemas.cases import DeadlinePublic, Moment

router = APIRouter(prefix="/calendar", tags=["calendar"], responses={**SIGNED_IN, **VALIDATED})


@router.get("/deadline")
def compute_deadline(
    container: ContainerDep,
    _: SignedInDep,
    kind: TaskKind,
    start: Annotated[
        Moment,
        Query(description="when the task is assigned, with its UTC offset (2000 to 2099)"),
    ],
    urgent: bool = False,
) -> DeadlineComputation:
    """The acknowledge-by and due dates a task assigned at `start` gets, and why."""
    calendar = container.current_calendar()
    preview = preview_deadlines(container.policy, calendar, kind.value, start, urgent)
    return DeadlineComputation(
        kind=kind,
        start=start,
        urgent=urgent,
        acknowledge_due_at=preview.acknowledge.due_at,
        due_at=preview.handling.due_at if preview.handling else None,
        provisional=preview.provisional,
        explanation=preview.explanation,
        acknowledge_deadline=DeadlinePublic.of(preview.acknowledge),  # type: ignore[arg-type]
        deadline=DeadlinePublic.of(preview.handling),
    )


@router.get("/years")
def list_calendar_years(app: SupervisionDep, _: SignedInDep) -> CalendarYearList:
    """The years the working-day calendar knows, oldest first: days off, make-up working
    days, and whether an administrator published the year (`oversight calendar load`) or the
    maintained library knew it. Deadlines in any other year are provisional."""
    return CalendarYearList(items=[CalendarYearPublic.of(year) for year in app.calendar_years()])
