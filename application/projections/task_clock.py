"""The clock columns every task's read table shares (case_list, order_list).

Cases and rectification orders run on one clock (domain/task.py); their read tables keep the
same clock columns, changed by the same events, so that the worker's deadline clock and the
boards read both tables alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from application.projections import Row, RowPerRecord
from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline
from domain.task import Task
from domain.task_clock import ClockState, next_alarm

Change = Callable[[Row, Any], None]

# Neither a stopped clock nor an extension request outlives a hand-over, an answer, a report,
# a return or a merge.
NO_STOP_NOR_REQUEST: Row = {"clock_stopped": False, "extension_requested": False}


def provisional(*deadlines: Deadline | None) -> bool:
    """Whether any of the deadlines rests on an unpublished calendar year."""
    return any(d is not None and d.provisional for d in deadlines)


def due_of(deadline: Deadline | None) -> datetime | None:
    return deadline.due_at if deadline is not None else None


def handed_over(
    row: Row, at: datetime, acknowledge_deadline: Deadline | None, deadline: Deadline | None
) -> None:
    """The task reached the department with fresh deadlines: the clock starts over."""
    row.update(
        handling_started_at=at,
        acknowledge_due_at=due_of(acknowledge_deadline),
        due_at=due_of(deadline),
        provisional=provisional(acknowledge_deadline, deadline),
        **NO_STOP_NOR_REQUEST,
        supervised_at=None,
        public_notice_at=None,
        escalated_at=None,
        escalated_to=None,
    )


def new_deadline(row: Row, e: Any) -> None:
    # These follow acknowledgement, so the acknowledge deadline no longer binds.
    row.update(
        due_at=due_of(e.deadline),
        provisional=provisional(e.deadline),
        extension_requested=False,
    )


def _clock_resumed(row: Row, e: Any) -> None:
    row.update(due_at=e.deadline.due_at, provisional=provisional(e.deadline), clock_stopped=False)


def _deadlines_recomputed(row: Row, e: Any) -> None:
    row.update(
        acknowledge_due_at=due_of(e.acknowledge_deadline),
        due_at=due_of(e.deadline),
        provisional=provisional(e.acknowledge_deadline, e.deadline),
    )


def _escalated(row: Row, e: Any) -> None:
    row.update(escalated_at=e.timestamp, escalated_to=e.superior)


def _directed(row: Row, e: Any) -> None:
    # The superior's due date (提级督办), which binds an acknowledgement still owed too.
    row.update(
        acknowledge_due_at=due_of(e.acknowledge_deadline),
        due_at=due_of(e.deadline),
        provisional=provisional(e.acknowledge_deadline, e.deadline),
    )


def clock_changes(task: type[Task]) -> dict[type, Change]:
    """How each of the shared clock events of one sort of task changes its row."""
    return {
        task.ClockStopped: lambda row, _: row.update(clock_stopped=True),
        task.ClockResumed: _clock_resumed,
        task.ExtensionRequested: lambda row, _: row.update(extension_requested=True),
        task.ExtensionGranted: new_deadline,
        task.ExtensionRefused: lambda row, _: row.update(extension_requested=False),
        task.Supervised: lambda row, e: row.update(supervised_at=e.timestamp),
        task.Reminded: lambda row, e: row.update(reminded_for=e.due_at, reminded_at=e.timestamp),
        task.AcknowledgeDeadlineMissed: lambda row, e: row.update(acknowledge_missed_for=e.due_at),
        task.DeadlineMissed: lambda row, e: row.update(due_missed_for=e.due_at),
        task.PublicNoticeFlagged: lambda row, e: row.update(public_notice_at=e.timestamp),
        task.DeadlinesRecomputed: _deadlines_recomputed,
        task.Escalated: _escalated,
        task.Directed: _directed,
    }


def clock_state(row: Row, *, awaiting: bool, handling: bool) -> ClockState:
    """The clock's facts as a task's read row holds them."""
    return ClockState(
        awaiting_acknowledgement=awaiting,
        handling=handling,
        acknowledge_due_at=row["acknowledge_due_at"],
        due_at=row["due_at"],
        handling_started_at=row["handling_started_at"],
        clock_stopped=row["clock_stopped"],
        acknowledge_missed_for=row["acknowledge_missed_for"],
        due_missed_for=row["due_missed_for"],
        reminded_for=row["reminded_for"],
        supervised_at=row["supervised_at"],
        public_notice_flagged=row["public_notice_at"] is not None,
        escalated=row.get("escalated_at") is not None,
    )


class TaskListProjection(RowPerRecord):
    """A read table of tasks with a clock: one row per task, opened by its first event.

    `next_clock_at` tells the deadline clock when to look at the task again.
    """

    key = "id"
    opening_event: type
    opened_position_column: str
    changes: dict[type, Change]
    # The status in which the department has yet to acknowledge the task, and those in which
    # its clock runs.
    awaiting_status: str
    clock_statuses: tuple[str, ...]

    def __init__(self, calendar: Callable[[], WorkingCalendar]) -> None:
        self._calendar = calendar

    def opened(self, event: Any) -> Row:
        """The row of a task as its first event opens it."""
        raise NotImplementedError

    def clock_state_of(self, row: Row) -> ClockState:
        """The clock's facts as the read table holds them."""
        return clock_state(
            row,
            awaiting=row["status"] == self.awaiting_status,
            handling=row["status"] in self.clock_statuses,
        )

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if isinstance(event, self.opening_event):
            row = self.opened(event)
            row[self.opened_position_column] = position
        elif row is None:
            return None  # unreachable in order: a task's events follow its first one
        else:
            row = dict(row)
            change = self.changes.get(type(event))
            if change is not None:
                change(row, event)
        row["updated_at"] = event.timestamp
        row["last_position"] = position
        row["next_clock_at"] = next_alarm(self.clock_state_of(row), self._calendar())
        return row
