"""Routes of the audit trail (§8): histories, the event feed, checkpoints, verification.

Every route is for discipline inspectors; any other role gets 403 `role_not_allowed`.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from domain.errors import NotFound
from interfaces.http.deps import ContainerDep, InspectorDep, SupervisionDep
from interfaces.http.responses import (
    COMMAND,
    COMMAND_WITHOUT_BODY,
    ONE_RECORD,
    SOME_ROLES,
    VALIDATED,
)
from interfaces.http.schemas.audit import (
    AuditEventList,
    AuditEventsQuery,
    CheckpointCheckPublic,
    CheckpointList,
    CheckpointPublic,
    CheckpointUpload,
    PageQuery,
    PublicKeyPublic,
    RecordHistoryPublic,
    VerificationPublic,
)
from interfaces.http.schemas.cases import DIRECTORY_ID

router = APIRouter(tags=["audit"], responses=SOME_ROLES)


class StaffNotFound(NotFound):
    """The directory has never listed this staff member."""

    code = "staff_not_found"


@router.get("/audit/events", responses=VALIDATED)
async def audit_events(
    query: Annotated[AuditEventsQuery, Query()],
    container: ContainerDep,
    _: InspectorDep,
) -> AuditEventList:
    """Every event, newest first, filtered by time, actor, department and type (审计日志)."""
    page = await container.audit_events.events(
        query.criteria(), limit=query.limit, cursor=query.cursor
    )
    return AuditEventList.of(page)


@router.get("/audit/records/{record_id}/history", responses=ONE_RECORD)
def record_history(
    record_id: UUID, app: SupervisionDep, actor: InspectorDep
) -> RecordHistoryPublic:
    """Every event of any record — case, rectification order, scorecard, directory… — as
    stored, with actor, time, reason and request id."""
    return RecordHistoryPublic.of(app.record_history(record_id, actor))


@router.get("/staff/{staff_id}/history", responses=ONE_RECORD)
async def staff_history(
    staff_id: Annotated[str, Path(pattern=DIRECTORY_ID)],
    page: Annotated[PageQuery, Query()],
    container: ContainerDep,
    _: InspectorDep,
) -> AuditEventList:
    """Every event that concerned a staff member, newest first: directory changes about them,
    cases naming them, deductions on their scorecards."""
    directory = await run_in_threadpool(container.supervision.directory)
    if directory.staff_member(staff_id) is None:
        raise StaffNotFound(f"the directory has never listed staff member {staff_id!r}")
    found = await container.audit_events.staff_history(
        staff_id, limit=page.limit, cursor=page.cursor
    )
    return AuditEventList.of(found)


@router.get("/audit/checkpoints")
def list_checkpoints(container: ContainerDep, _: InspectorDep) -> CheckpointList:
    """Every signed checkpoint of the ledger, oldest first, to export and keep elsewhere."""
    return CheckpointList(items=[CheckpointPublic.of(c) for c in container.ledger.checkpoints()])


@router.post("/audit/checkpoints/verify", responses=COMMAND)
def verify_checkpoint(
    body: CheckpointUpload, container: ContainerDep, _: InspectorDep
) -> CheckpointCheckPublic:
    """Check a checkpoint kept elsewhere: signed by this service's key, and the event store
    still leads to its chain hash. A forged or foreign one is refused with the reason."""
    return CheckpointCheckPublic.of(container.ledger.check_checkpoint(body.exported()))


@router.post("/audit/verify", responses=COMMAND_WITHOUT_BODY)
def verify_ledger(container: ContainerDep, _: InspectorDep) -> VerificationPublic:
    """Recompute the chain from the event store and compare it with the ledger and every
    checkpoint; names the first bad position and what is wrong there. May take a while."""
    return VerificationPublic.of(container.verify_ledger_and_files())


@router.get("/audit/public-key")
def public_key(container: ContainerDep, _: InspectorDep) -> PublicKeyPublic:
    """The Ed25519 public key that checks the checkpoints (base64 and PEM)."""
    return PublicKeyPublic.of(container.ledger.public_key())
