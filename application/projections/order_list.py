"""The order_list read table: one row per rectification order, for boards, metrics, the clock."""

from __future__ import annotations

from typing import Any

from application.projections import Row
from application.projections.task_clock import (
    NO_STOP_NOR_REQUEST,
    Change,
    TaskListProjection,
    clock_changes,
    handed_over,
)
from domain.rectification import OrderStatus, RectificationOrder

CLOCK_STATUSES = (OrderStatus.ISSUED.value, OrderStatus.IN_PROGRESS.value)


def _issued(e: Any) -> Row:
    row: Row = {
        "id": e.originator_id,
        "tracking_number": e.tracking_number,
        "status": OrderStatus.ISSUED.value,
        "department": e.department,
        "window_id": e.window,
        "staff_id": e.staff,
        "problem": e.problem,
        "source_type": e.source_type,
        "source_ref": e.source_ref,
        "working_days": e.working_days,
        "issued_at": e.timestamp,
        "issued_by": e.actor.principal,
        "acknowledged_at": None,
        "reminded_for": None,
        "reminded_at": None,
        "acknowledge_missed_for": None,
        "due_missed_for": None,
        "first_reported_at": None,
        "reported_at": None,
        "reported_due_at": None,
        "reports": 0,
        "rejections": 0,
        "closed_at": None,
    }
    handed_over(row, e.timestamp, e.acknowledge_deadline, e.deadline)
    return row


def _reported(row: Row, e: Any) -> None:
    row.update(
        status=OrderStatus.REPORTED.value,
        first_reported_at=row["first_reported_at"] or e.timestamp,
        reported_at=e.timestamp,
        reported_due_at=row["due_at"],
        reports=row["reports"] + 1,
        **NO_STOP_NOR_REQUEST,
    )


def _rejected(row: Row, e: Any) -> None:
    # The acknowledgement was due once (and kept or missed); a rejection leaves that alone.
    acknowledge_due_at = row["acknowledge_due_at"]
    handed_over(row, e.timestamp, None, e.deadline)
    row.update(
        status=OrderStatus.IN_PROGRESS.value,
        rejections=row["rejections"] + 1,
        acknowledge_due_at=acknowledge_due_at,
    )


CHANGES: dict[type, Change] = {
    **clock_changes(RectificationOrder),
    RectificationOrder.Acknowledged: lambda row, e: row.update(
        status=OrderStatus.IN_PROGRESS.value, acknowledged_at=e.timestamp
    ),
    RectificationOrder.RectificationReported: _reported,
    RectificationOrder.Accepted: lambda row, e: row.update(
        status=OrderStatus.CLOSED.value, closed_at=e.timestamp
    ),
    RectificationOrder.Rejected: _rejected,
    # Reorganisation: the order goes on, deadlines and all, at the successor.
    RectificationOrder.HandedToSuccessor: lambda row, e: row.update(department=e.to_department),
}


class OrderListProjection(TaskListProjection):
    """Keeps order_list current; `next_clock_at` tells the deadline clock when to look again."""

    name = "order_list"
    table = "order_list"
    topic_prefix = "oversight:RectificationOrder."
    opening_event = RectificationOrder.Issued
    opened_position_column = "issued_position"
    changes = CHANGES
    awaiting_status = OrderStatus.ISSUED.value
    clock_statuses = CLOCK_STATUSES

    def opened(self, event: Any) -> Row:
        return _issued(event)
