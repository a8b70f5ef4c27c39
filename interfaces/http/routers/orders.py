"""Routes on rectification orders (整改通知, §7): issue, acknowledge, report, verify, clock."""

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
    ExtensionBody,
    HistoryEntryPublic,
    Reason,
    ReminderCreate,
    SuperviseBody,
)
from interfaces.http.schemas.orders import (
    AcceptBody,
    OrderCreate,
    OrderHistory,
    OrderList,
    OrderListQuery,
    OrderPublic,
    RectificationReportCreate,
    RejectBody,
)

router = APIRouter(
    prefix="/rectification-orders", tags=["rectification orders"], responses=SOME_ROLES
)


@router.post("", status_code=status.HTTP_201_CREATED, responses=COMMAND)
def issue_order(body: OrderCreate, app: SupervisionDep, actor: InspectorDep) -> OrderPublic:
    """Issue a rectification order to a department (下发整改通知), due in working days."""
    return OrderPublic.of(commands.issue_order(app, body, actor))


@router.get("", responses=VALIDATED)
async def list_orders(
    query: Annotated[OrderListQuery, Query()],
    container: ContainerDep,
    queries: CaseQueriesDep,
    actor: StaffDep,
) -> OrderList:
    """Rectification orders newest first, filtered (status, department, window, staff,
    overdue, extension requested, issue dates, text in the problem or number), a page at a
    time; a department lists only the orders issued to it."""
    own = listing_department(actor, query.department, "orders")
    page = await queries.list_orders(
        query.criteria(),
        visible_to_department=own,
        limit=query.limit,
        cursor=query.cursor,
        now=container.supervision.time_source.now(),
        calendar=await run_in_threadpool(container.current_calendar),
        after=query.after,
    )
    return OrderList.of(page)


@router.get("/{order_id}", responses=ONE_RECORD)
def get_order(order_id: UUID, app: SupervisionDep, actor: StaffDep) -> OrderPublic:
    """One order; a department reads only the orders issued to it."""
    return OrderPublic.of(app.get_order(order_id, actor))


@router.get("/{order_id}/history", responses=ONE_RECORD)
def order_history(order_id: UUID, app: SupervisionDep, actor: InspectorDep) -> OrderHistory:
    """Every event of the order with actor, time, reason and request id (inspectors)."""
    return OrderHistory(
        items=[HistoryEntryPublic.of(e) for e in app.order_history(order_id, actor)]
    )


@router.post("/{order_id}/acknowledge", responses=COMMAND_ON_A_RECORD_WITHOUT_BODY)
def acknowledge_order(order_id: UUID, app: SupervisionDep, actor: DepartmentDep) -> OrderPublic:
    """Acknowledge an order issued to your department (签收)."""
    return OrderPublic.of(app.acknowledge_order(order_id, actor))


@router.post("/{order_id}/report", responses=COMMAND_ON_A_RECORD)
def report_rectification(
    order_id: UUID, body: RectificationReportCreate, app: SupervisionDep, actor: DepartmentDep
) -> OrderPublic:
    """Report what your department did to rectify (整改报告); the inspector verifies it."""
    return OrderPublic.of(
        app.report_rectification(order_id, measures=body.measures, evidence=body.evidence, by=actor)
    )


@router.post("/{order_id}/clock/stop", responses=COMMAND_ON_A_RECORD)
def stop_order_clock(
    order_id: UUID, body: Reason, app: SupervisionDep, actor: DepartmentDep
) -> OrderPublic:
    """Stop the order's clock while waiting on a third party (挂起)."""
    return OrderPublic.of(app.stop_order_clock(order_id, reason=body.reason, by=actor))


@router.post("/{order_id}/clock/resume", responses=COMMAND_ON_A_RECORD_WITHOUT_BODY)
def resume_order_clock(order_id: UUID, app: SupervisionDep, actor: DepartmentDep) -> OrderPublic:
    """Restart the order's clock; the working time it stood still is added to the due date."""
    return OrderPublic.of(app.resume_order_clock(order_id, actor))


@router.post("/{order_id}/extension", responses=COMMAND_ON_A_RECORD)
def request_order_extension(
    order_id: UUID, body: ExtensionBody, app: SupervisionDep, actor: DepartmentDep
) -> OrderPublic:
    """Ask for more working days, before the deadline passes (申请延期)."""
    return OrderPublic.of(
        app.request_order_extension(
            order_id, working_days=body.working_days, reason=body.reason, by=actor
        )
    )


@router.post("/{order_id}/extension/grant", responses=COMMAND_ON_A_RECORD_WITHOUT_BODY)
def grant_order_extension(order_id: UUID, app: SupervisionDep, actor: InspectorDep) -> OrderPublic:
    """Grant the requested extension (批准延期)."""
    return OrderPublic.of(app.grant_order_extension(order_id, actor))


@router.post("/{order_id}/extension/refuse", responses=COMMAND_ON_A_RECORD)
def refuse_order_extension(
    order_id: UUID, body: Reason, app: SupervisionDep, actor: InspectorDep
) -> OrderPublic:
    """Refuse the requested extension, with the reason (不予延期)."""
    return OrderPublic.of(app.refuse_order_extension(order_id, reason=body.reason, by=actor))


@router.post("/{order_id}/accept", responses=COMMAND_ON_A_RECORD)
def accept_rectification(
    order_id: UUID, app: SupervisionDep, actor: InspectorDep, body: AcceptBody | None = None
) -> OrderPublic:
    """Accept the reported rectification (验收通过); the order is closed."""
    note = body.note if body is not None else None
    return OrderPublic.of(app.accept_rectification(order_id, note=note, by=actor))


@router.post("/{order_id}/reject", responses=COMMAND_ON_A_RECORD)
def reject_rectification(
    order_id: UUID, body: RejectBody, app: SupervisionDep, actor: InspectorDep
) -> OrderPublic:
    """Reject the reported rectification (验收不通过): reasons and new working days."""
    return OrderPublic.of(
        app.reject_rectification(
            order_id, reasons=body.reasons, working_days=body.working_days, by=actor
        )
    )


@router.post("/{order_id}/supervise", responses=COMMAND_ON_A_RECORD)
def supervise_order(
    order_id: UUID, body: SuperviseBody, app: SupervisionDep, actor: InspectorDep
) -> OrderPublic:
    """Escalate an order whose deadline passed (督办)."""
    return OrderPublic.of(app.supervise_order(order_id, note=body.note, by=actor))


@router.post("/{order_id}/remind", responses=COMMAND_ON_A_RECORD)
def remind_order(
    order_id: UUID, body: ReminderCreate, app: SupervisionDep, actor: CentreDep
) -> OrderPublic:
    """Remind the order's department, with a message (人工催办)."""
    return OrderPublic.of(app.remind_order(order_id, message=body.message, by=actor))
