"""Routes of appeals (申诉, §15): a department appeals a deduction, the inspectors decide."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status

from domain.actor import Actor, Role
from interfaces.http.deps import (
    ContainerDep,
    DepartmentDep,
    InspectorDep,
    SupervisionDep,
    roles,
)
from interfaces.http.responses import COMMAND_ON_A_RECORD, ONE_RECORD, SOME_ROLES, VALIDATED
from interfaces.http.routers.boards import listing_department
from interfaces.http.schemas.appeals import AppealCreate, AppealList, AppealListQuery, AppealPublic
from interfaces.http.schemas.cases import Reason, SuperviseBody

router = APIRouter(tags=["appeals"], responses=SOME_ROLES)

# The appealing departments read their own appeals; the inspectors read and decide all.
AppealReaderDep = Annotated[Actor, Depends(roles(Role.DEPARTMENT, Role.INSPECTOR))]


@router.post(
    "/deductions/{deduction_id}/appeal",
    status_code=status.HTTP_201_CREATED,
    responses=COMMAND_ON_A_RECORD,
)
def appeal_deduction(
    deduction_id: UUID, body: AppealCreate, app: SupervisionDep, actor: DepartmentDep
) -> AppealPublic:
    """Appeal a deduction of your department's staff member or window (申诉), within 5
    working days of its recording, once; the inspectors decide within 5 working days."""
    return AppealPublic.of(
        app.appeal_deduction(deduction_id, reasons=body.reasons, evidence=body.evidence, by=actor)
    )


@router.get("/appeals", responses=VALIDATED)
async def list_appeals(
    query: Annotated[AppealListQuery, Query()], container: ContainerDep, actor: AppealReaderDep
) -> AppealList:
    """Appeals, the last filed first, filtered by state, department and overdue; a department
    lists its own."""
    own = listing_department(actor, query.department, "appeals")
    page = await container.appeals.list_appeals(
        query.criteria(own or query.department),
        limit=query.limit,
        cursor=query.cursor,
        after=query.after,
    )
    return AppealList.of(page)


@router.get("/appeals/{appeal_id}", responses=ONE_RECORD)
def get_appeal(appeal_id: UUID, app: SupervisionDep, actor: AppealReaderDep) -> AppealPublic:
    """One appeal; a department reads its own."""
    return AppealPublic.of(app.get_appeal(appeal_id, actor))


@router.post("/appeals/{appeal_id}/uphold", responses=COMMAND_ON_A_RECORD)
def uphold_appeal(
    appeal_id: UUID, body: Reason, app: SupervisionDep, actor: InspectorDep
) -> AppealPublic:
    """Uphold the deduction (维持扣分), with the reason: it stands."""
    return AppealPublic.of(app.uphold_appeal(appeal_id, reason=body.reason, by=actor))


@router.post("/appeals/{appeal_id}/grant", responses=COMMAND_ON_A_RECORD)
def grant_appeal(
    appeal_id: UUID, body: Reason, app: SupervisionDep, actor: InspectorDep
) -> AppealPublic:
    """Grant the appeal (撤销扣分), with the reason: the deduction is revoked on every card
    carrying it, in the same save as the decision."""
    return AppealPublic.of(app.grant_appeal(appeal_id, reason=body.reason, by=actor))


@router.post("/appeals/{appeal_id}/supervise", responses=COMMAND_ON_A_RECORD)
def supervise_appeal(
    appeal_id: UUID, body: SuperviseBody, app: SupervisionDep, actor: InspectorDep
) -> AppealPublic:
    """Supervise an appeal whose decision deadline passed (督办)."""
    return AppealPublic.of(app.supervise_appeal(appeal_id, note=body.note, by=actor))
