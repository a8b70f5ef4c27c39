"""Routes on inspection visits (暗访巡查, §16): inspectors record visits and turn each finding
into a deduction, a rectification order or a case whose source is the visit."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, status

from interfaces.http import commands
from interfaces.http.deps import ContainerDep, InspectorDep, SupervisionDep
from interfaces.http.responses import (
    COMMAND,
    COMMAND_ON_A_RECORD,
    ONE_RECORD,
    SOME_ROLES,
    VALIDATED,
)
from interfaces.http.schemas.visits import (
    FindingCreate,
    FindingRecordedPublic,
    VisitCreate,
    VisitList,
    VisitListQuery,
    VisitPublic,
)

router = APIRouter(prefix="/visits", tags=["visits"], responses=SOME_ROLES)


@router.post("", status_code=status.HTTP_201_CREATED, responses=COMMAND)
def record_visit(body: VisitCreate, app: SupervisionDep, actor: InspectorDep) -> VisitPublic:
    """Record an inspection visit (登记暗访巡查): day, method, windows visited, summary."""
    return VisitPublic.of(commands.record_visit(app, body, actor))


@router.get("", responses=VALIDATED)
async def list_visits(
    query: Annotated[VisitListQuery, Query()], container: ContainerDep, actor: InspectorDep
) -> VisitList:
    """Visits newest first, each with its findings counted by type (inspectors)."""
    page = await container.visits.list_visits(
        limit=query.limit, cursor=query.cursor, after=query.after
    )
    return VisitList.of(page)


@router.get("/{visit_id}", responses=ONE_RECORD)
def get_visit(visit_id: UUID, app: SupervisionDep, actor: InspectorDep) -> VisitPublic:
    """One visit with the records its findings became, linked (inspectors)."""
    return VisitPublic.of(app.get_visit(visit_id))


@router.post(
    "/{visit_id}/findings", status_code=status.HTTP_201_CREATED, responses=COMMAND_ON_A_RECORD
)
def record_finding(
    visit_id: UUID,
    body: Annotated[FindingCreate, Body()],
    app: SupervisionDep,
    actor: InspectorDep,
) -> FindingRecordedPublic:
    """Make a finding into a deduction, a rectification order or a case (`type`), with the
    body that record's own create route takes; its `source` is the visit."""
    return FindingRecordedPublic.of(commands.record_finding(app, visit_id, body, actor))
