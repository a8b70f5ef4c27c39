"""The appeal_list read table: one row per appeal of a deduction, for the inspectors' queue,
the departments' lists, the scores' marks and the deadline clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from application.projections import Row
from application.projections.task_clock import (
    Change,
    TaskListProjection,
    clock_changes,
    handed_over,
)
from domain.appeal import Appeal, AppealStatus
from domain.task_clock import ClockState


def _filed(e: Any) -> Row:
    deduction = e.deduction
    row: Row = {
        "id": e.originator_id,
        "deduction_id": e.deduction_id,
        "status": AppealStatus.OPEN.value,
        "department": e.department,
        "reasons": e.reasons,
        "evidence": e.evidence,
        "rule": deduction["rule"],
        "rule_name": deduction["rule_name"],
        "points": deduction["points"],
        "staff_id": deduction.get("staff"),
        "window_id": deduction.get("window"),
        "month": deduction["month"],
        "occurred_at": datetime.fromisoformat(deduction["occurred_at"]),
        "filed_at": e.timestamp,
        "filed_by": e.actor.principal,
        "decided_at": None,
        "decided_by": None,
        "decision_reason": None,
        "reminded_for": None,
        "reminded_at": None,
        "acknowledge_missed_for": None,
        "due_missed_for": None,
    }
    handed_over(row, e.timestamp, None, e.deadline)
    return row


def _decided(status: AppealStatus) -> Change:
    def change(row: Row, e: Any) -> None:
        row.update(
            status=status.value,
            decided_at=e.timestamp,
            decided_by=e.actor.principal,
            decision_reason=e.reason,
        )

    return change


CHANGES: dict[type, Change] = {
    **clock_changes(Appeal),
    Appeal.Upheld: _decided(AppealStatus.UPHELD),
    Appeal.Granted: _decided(AppealStatus.GRANTED),
    Appeal.HandedToSuccessor: lambda row, e: row.update(department=e.to_department),
}


class AppealListProjection(TaskListProjection):
    """Keeps appeal_list current; `next_clock_at` tells the deadline clock when to look again."""

    name = "appeal_list"
    table = "appeal_list"
    topic_prefix = "oversight:Appeal."
    opening_event = Appeal.Filed
    opened_position_column = "filed_position"
    changes = CHANGES
    awaiting_status = "never"  # an appeal is the inspectors' at once: nothing to acknowledge
    clock_statuses = (AppealStatus.OPEN.value,)

    def opened(self, event: Any) -> Row:
        return _filed(event)

    def clock_state_of(self, row: Row) -> ClockState:
        """As the appeal itself says: never escalated, so the clock never waits for that."""
        return replace(super().clock_state_of(row), escalated=True)
