"""Routes on cases: registration, routing, handling, follow-up and history (§5, §11)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from starlette.concurrency import run_in_threadpool

from interfaces.http import commands
from interfaces.http.deps import (
    CaseQueriesDep,
    CentreDep,
    ContainerDep,
    DepartmentDep,
    InspectorDep,
    PastDep,
    ReadingDep,
    StaffDep,
    SupervisionDep,
)
from interfaces.http.responses import (
    COMMAND,
    COMMAND_ON_A_RECORD,
    COMMAND_ON_A_RECORD_WITHOUT_BODY,
    ONE_RECORD,
    SOME_ROLES,
    VALIDATED,
)
from interfaces.http.routers.boards import listing_department
from interfaces.http.schemas.cases import (
    CallbackCreate,
    CaseAssign,
    CaseCreate,
    CaseHistory,
    CasePublic,
    CaseRegistered,
    ExtensionBody,
    HistoryEntryPublic,
    MergeBody,
    NoteCreate,
    Reason,
    ReminderCreate,
    ResultCreate,
    SuperviseBody,
)
from interfaces.http.schemas.lists import CaseList, CaseListQuery

router = APIRouter(prefix="/cases", tags=["cases"], responses=SOME_ROLES)


@router.post("", status_code=status.HTTP_201_CREATED, responses=COMMAND)
def register_case(body: CaseCreate, app: SupervisionDep, actor: CentreDep) -> CaseRegistered:
    """Register a case (登记); the answer carries the access code, shown only this once."""
    return CaseRegistered.of_registered(commands.register_case(app, body, actor))


@router.get("", responses=VALIDATED)
async def list_cases(
    query: Annotated[CaseListQuery, Query()],
    queries: CaseQueriesDep,
    actor: StaffDep,
    reading: ReadingDep,
) -> CaseList:
    """Cases newest first, filtered; a department sees only the cases assigned to it. As of
    an instant: the cases as they then stood, overdue at that instant."""
    own = listing_department(actor, query.department, "cases")
    page = await reading.of(queries).list_cases(
        query.criteria(),
        role=actor.role,
        visible_to_department=own,
        limit=query.limit,
        cursor=query.cursor,
        now=reading.at,
        after=reading.after(query.after),
    )
    return CaseList.of(page, as_of=reading.as_of)


@router.get("/{case_id}", responses=ONE_RECORD)
async def get_case(
    case_id: UUID, app: SupervisionDep, container: ContainerDep, actor: StaffDep, past: PastDep
) -> CasePublic:
    """One case; a department sees only cases assigned to it, reporters never. As of an
    instant: the case as it then stood (404 before it was registered), read by today's rules."""
    if past is None:
        return CasePublic.of(await run_in_threadpool(app.get_case, case_id, actor))
    version = await container.read_side_history.version_at(case_id, past.position)
    then = await run_in_threadpool(app.get_case_as_of, case_id, actor, version)
    return CasePublic.of(then, as_of=past.instant)


@router.get("/{case_id}/history", responses=ONE_RECORD)
def case_history(case_id: UUID, app: SupervisionDep, actor: InspectorDep) -> CaseHistory:
    """Every event of the case with actor, time, reason and request id (inspectors)."""
    return CaseHistory(items=[HistoryEntryPublic.of(e) for e in app.case_history(case_id, actor)])


@router.post("/{case_id}/assign", responses=COMMAND_ON_A_RECORD)
def assign_case(
    case_id: UUID, body: CaseAssign, app: SupervisionDep, actor: CentreDep
) -> CasePublic:
    """Hand the case to a department with its deadlines (派单); `final` arbitrates (审定)."""
    return CasePublic.of(commands.assign_case(app, case_id, body, actor))


@router.post("/{case_id}/acknowledge", responses=COMMAND_ON_A_RECORD_WITHOUT_BODY)
def acknowledge_case(case_id: UUID, app: SupervisionDep, actor: DepartmentDep) -> CasePublic:
    """Acknowledge a case assigned to your department (签收)."""
    return CasePublic.of(app.acknowledge_case(case_id, actor))


@router.post("/{case_id}/return", responses=COMMAND_ON_A_RECORD)
def return_case(
    case_id: UUID, body: Reason, app: SupervisionDep, actor: DepartmentDep
) -> CasePublic:
    """Return a case that is not your department's, with the reason (退单)."""
    return CasePublic.of(app.return_case(case_id, reason=body.reason, by=actor))


@router.post("/{case_id}/clock/stop", responses=COMMAND_ON_A_RECORD)
def stop_case_clock(
    case_id: UUID, body: Reason, app: SupervisionDep, actor: DepartmentDep
) -> CasePublic:
    """Stop the clock while waiting on the complainant or a third party (挂起)."""
    return CasePublic.of(app.stop_case_clock(case_id, reason=body.reason, by=actor))


@router.post("/{case_id}/clock/resume", responses=COMMAND_ON_A_RECORD_WITHOUT_BODY)
def resume_case_clock(case_id: UUID, app: SupervisionDep, actor: DepartmentDep) -> CasePublic:
    """Restart the clock; the working time it stood still is added to the due date."""
    return CasePublic.of(app.resume_case_clock(case_id, actor))


@router.post("/{case_id}/extension", responses=COMMAND_ON_A_RECORD)
def request_extension(
    case_id: UUID, body: ExtensionBody, app: SupervisionDep, actor: DepartmentDep
) -> CasePublic:
    """Ask for more working days, before the deadline passes (申请延期)."""
    return CasePublic.of(
        app.request_extension(case_id, working_days=body.working_days, reason=body.reason, by=actor)
    )


@router.post("/{case_id}/extension/grant", responses=COMMAND_ON_A_RECORD_WITHOUT_BODY)
def grant_extension(case_id: UUID, app: SupervisionDep, actor: InspectorDep) -> CasePublic:
    """Grant the requested extension (批准延期)."""
    return CasePublic.of(app.grant_extension(case_id, actor))


@router.post("/{case_id}/extension/refuse", responses=COMMAND_ON_A_RECORD)
def refuse_extension(
    case_id: UUID, body: Reason, app: SupervisionDep, actor: InspectorDep
) -> CasePublic:
    """Refuse the requested extension, with the reason (不予延期)."""
    return CasePublic.of(app.refuse_extension(case_id, reason=body.reason, by=actor))


@router.post("/{case_id}/result", responses=COMMAND_ON_A_RECORD)
def post_result(
    case_id: UUID, body: ResultCreate, app: SupervisionDep, actor: DepartmentDep
) -> CasePublic:
    """Post your department's findings, actions and answer (办理结果/答复); a substantiated
    complaint may come with a proposed deduction for an inspector to decide (建议扣分)."""
    proposal = body.proposed_deduction
    return CasePublic.of(
        app.post_result(
            case_id,
            outcome=body.outcome,
            actions=body.actions,
            answer=body.answer,
            by=actor,
            proposed_deduction=proposal.model_dump() if proposal is not None else None,
        )
    )


@router.post("/{case_id}/proposed-deduction/confirm", responses=COMMAND_ON_A_RECORD_WITHOUT_BODY)
def confirm_proposed_deduction(
    case_id: UUID, app: SupervisionDep, actor: InspectorDep
) -> CasePublic:
    """Confirm the deduction the department proposed: it is recorded on the scorecards."""
    return CasePublic.of(app.confirm_proposed_deduction(case_id, actor))


@router.post("/{case_id}/proposed-deduction/dismiss", responses=COMMAND_ON_A_RECORD)
def dismiss_proposed_deduction(
    case_id: UUID, body: Reason, app: SupervisionDep, actor: InspectorDep
) -> CasePublic:
    """Dismiss the deduction the department proposed, with the reason (不予扣分)."""
    return CasePublic.of(app.dismiss_proposed_deduction(case_id, reason=body.reason, by=actor))


@router.post("/{case_id}/callback", responses=COMMAND_ON_A_RECORD)
def record_callback(
    case_id: UUID, body: CallbackCreate, app: SupervisionDep, actor: CentreDep
) -> CasePublic:
    """Record the callback to the complainant and their satisfaction (回访)."""
    return CasePublic.of(commands.record_callback(app, case_id, body, actor))


@router.post("/{case_id}/close", responses=COMMAND_ON_A_RECORD_WITHOUT_BODY)
def close_case(case_id: UUID, app: SupervisionDep, actor: CentreDep) -> CasePublic:
    """Close an answered case (办结)."""
    return CasePublic.of(app.close_case(case_id, actor))


@router.post("/{case_id}/reopen", responses=COMMAND_ON_A_RECORD)
def reopen_case(case_id: UUID, body: Reason, app: SupervisionDep, actor: CentreDep) -> CasePublic:
    """Send the case back to its department with a new deadline (重办): 30 days, twice at most."""
    return CasePublic.of(app.reopen_case(case_id, reason=body.reason, by=actor))


@router.post("/{case_id}/merge", responses=COMMAND_ON_A_RECORD)
def merge_case(case_id: UUID, body: MergeBody, app: SupervisionDep, actor: CentreDep) -> CasePublic:
    """Merge this duplicate into the first case about the same facts (重复件)."""
    return CasePublic.of(app.merge_case(case_id, into=body.into, by=actor))


@router.post("/{case_id}/notes", responses=COMMAND_ON_A_RECORD)
def add_case_note(
    case_id: UUID, body: NoteCreate, app: SupervisionDep, actor: CentreDep
) -> CasePublic:
    """Add a public or internal note."""
    return CasePublic.of(app.add_case_note(case_id, text=body.text, public=body.public, by=actor))


@router.post("/{case_id}/supervise", responses=COMMAND_ON_A_RECORD)
def supervise_case(
    case_id: UUID, body: SuperviseBody, app: SupervisionDep, actor: InspectorDep
) -> CasePublic:
    """Escalate a case whose deadline passed (督办)."""
    return CasePublic.of(app.supervise_case(case_id, note=body.note, by=actor))


@router.post("/{case_id}/remind", responses=COMMAND_ON_A_RECORD)
def remind_case(
    case_id: UUID, body: ReminderCreate, app: SupervisionDep, actor: CentreDep
) -> CasePublic:
    """Remind the department handling the case, with a message (人工催办)."""
    return CasePublic.of(app.remind_case(case_id, message=body.message, by=actor))
