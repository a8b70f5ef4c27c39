"""Routes of escalation (提级督办): the superior department directs escalated work."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from interfaces.http.deps import DepartmentDep, SupervisionDep
from interfaces.http.responses import COMMAND_ON_A_RECORD, SOME_ROLES
from interfaces.http.schemas.cases import CasePublic
from interfaces.http.schemas.escalation import DirectionBody
from interfaces.http.schemas.orders import OrderPublic

router = APIRouter(tags=["superiors and escalation"], responses=SOME_ROLES)


@router.post("/cases/{case_id}/escalation/direct", responses=COMMAND_ON_A_RECORD)
def direct_case(
    case_id: UUID, body: DirectionBody, app: SupervisionDep, actor: DepartmentDep
) -> CasePublic:
    """The superior department directs a case escalated to it (下达督办意见): a supervision
    note and a new due date for the subordinate, 1 to 30 working days from now."""
    return CasePublic.of(
        app.direct_case(case_id, note=body.note, working_days=body.working_days, by=actor)
    )


@router.post("/rectification-orders/{order_id}/escalation/direct", responses=COMMAND_ON_A_RECORD)
def direct_order(
    order_id: UUID, body: DirectionBody, app: SupervisionDep, actor: DepartmentDep
) -> OrderPublic:
    """The superior department directs a rectification order escalated to it, as a case."""
    return OrderPublic.of(
        app.direct_order(order_id, note=body.note, working_days=body.working_days, by=actor)
    )
