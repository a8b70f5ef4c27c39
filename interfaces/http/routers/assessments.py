"""Routes on staff assessments (千人千题, §16): inspectors record test sessions and read them
all; a department reads the sessions its staff sat (its own staff's results only) and which
of its staff owe a retest (补考)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status

from application.assessments import reader_department
from domain.actor import Actor, Role
from interfaces.http import commands
from interfaces.http.deps import ContainerDep, InspectorDep, SupervisionDep, roles
from interfaces.http.responses import COMMAND, ONE_RECORD, SOME_ROLES, VALIDATED
from interfaces.http.routers.discipline import readers_department
from interfaces.http.schemas.assessments import (
    AssessmentCreate,
    AssessmentList,
    AssessmentListQuery,
    AssessmentPublic,
    RetestList,
    RetestQuery,
    StandingPublic,
)

router = APIRouter(prefix="/assessments", tags=["assessments"])
ReaderDep = Annotated[Actor, Depends(roles(Role.DEPARTMENT, Role.INSPECTOR))]


@router.post("", status_code=status.HTTP_201_CREATED, responses={**COMMAND, **SOME_ROLES})
def record_assessment(
    body: AssessmentCreate, app: SupervisionDep, actor: InspectorDep
) -> AssessmentPublic:
    """Record a marked test session (录入千人千题成绩): a score below the pass mark makes a
    retest (补考) due for that staff member, until a later session's result of theirs passes."""
    return AssessmentPublic.of(commands.record_assessment(app, body, actor))


@router.get("", responses={**SOME_ROLES, **VALIDATED})
async def list_assessments(
    query: Annotated[AssessmentListQuery, Query()], container: ContainerDep, actor: ReaderDep
) -> AssessmentList:
    """Sessions, the most recently recorded first; a department sees those its staff sat,
    with its own staff's results only."""
    page = await container.assessments.list_assessments(
        department=reader_department(actor),
        limit=query.limit,
        cursor=query.cursor,
        after=query.after,
    )
    return AssessmentList.of(page)


# Before /{assessment_id}: routes are matched in order, and this word is no session's id.
@router.get("/retests-due", responses={**SOME_ROLES, **VALIDATED})
async def list_retests_due(
    query: Annotated[RetestQuery, Query()], container: ContainerDep, actor: ReaderDep
) -> RetestList:
    """The staff who owe a retest (补考): their latest result is below its pass mark. An
    inspector may name a department; a department reads its own staff only."""
    department = await readers_department(container, actor, query.department)
    standings, position, caught_up = await container.assessments.standings(
        department=department, as_of=None, after=query.after
    )
    return RetestList(
        items=[StandingPublic.of(s) for s in standings if s.retest_due],
        position=position,
        caught_up=caught_up,
    )


@router.get("/{assessment_id}", responses={**ONE_RECORD, **SOME_ROLES})
def get_assessment(assessment_id: UUID, app: SupervisionDep, actor: ReaderDep) -> AssessmentPublic:
    """One session; a department sees its own staff's results (a session none of its staff
    sat is refused)."""
    return AssessmentPublic.of(app.get_assessment(assessment_id, actor))
