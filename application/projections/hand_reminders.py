"""The case_reminders and order_reminders read tables: one row per reminder sent by hand.

A reminder by hand (人工催办) is a `RemindedByHand` event on a case or a rectification order
(domain/task.py). Each table keeps one sort of task's, so each projection reads one stable
topic alone; the metrics and the boards read both tables alike.
"""

from __future__ import annotations

from typing import Any

from application.projections import Row
from domain.case import Case
from domain.rectification import RectificationOrder
from domain.task import Task


def row_key(task_id: Any, version: int) -> str:
    """A row is one reminder: the task's event at this version."""
    return f"{task_id}/{version}"


class HandRemindersProjection:
    """Keeps one table of reminders by hand current from one sort of task's events."""

    key = "id"

    def __init__(self, task: type[Task], table: str) -> None:
        self.event_class = task.RemindedByHand
        self.name = self.table = table
        self.topic_prefix = task.RemindedByHand.TOPIC

    def key_of(self, event: Any) -> Any:
        return row_key(event.originator_id, event.originator_version)

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if not isinstance(event, self.event_class):
            return row
        return {
            "id": row_key(event.originator_id, event.originator_version),
            "task_id": event.originator_id,
            "department": event.department,
            "message": event.message,
            "sent_at": event.timestamp,
            "sent_by_role": event.actor.role.value,
            "sent_by_name": event.actor.name,
            "position": position,
        }


def case_reminders() -> HandRemindersProjection:
    """Reminders sent by hand on cases."""
    return HandRemindersProjection(Case, "case_reminders")


def order_reminders() -> HandRemindersProjection:
    """Reminders sent by hand on rectification orders."""
    return HandRemindersProjection(RectificationOrder, "order_reminders")
