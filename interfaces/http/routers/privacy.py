"""Routes on complainants' personal data: erasure (DESIGN §4, §10)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from interfaces.http.deps import InspectorDep, SupervisionDep
from interfaces.http.responses import COMMAND_ON_A_RECORD, SOME_ROLES
from interfaces.http.schemas.cases import CasePublic, Reason

router = APIRouter(prefix="/cases", tags=["personal data"], responses=SOME_ROLES)


@router.post("/{case_id}/erase-personal-data", responses=COMMAND_ON_A_RECORD)
def erase_personal_data(
    case_id: UUID, body: Reason, app: SupervisionDep, actor: InspectorDep
) -> CasePublic:
    """Erase the complainant's name, phone and address for good (inspectors), with a reason.

    The case's data key is destroyed, so the personal data in its stored events can no
    longer be read; the case, lists, boards, history and public status go on working and
    show `complainant: {"erased": true}`. Erasing twice answers 409
    `personal_data_already_erased`.
    """
    return CasePublic.of(app.erase_personal_data(case_id, reason=body.reason, by=actor))
