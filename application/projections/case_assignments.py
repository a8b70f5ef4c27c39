"""The case_assignments read table: every department that held a case, and how it did.

The department metrics judge each assignment (派单) on its own, so a department that let an
acknowledgement deadline pass still owes the miss after the case was returned and handed
to another. case_list keeps only the case's last department; this table keeps them all.

One row per case ever assigned. Its `assignments` lists the case's assignments in order,
each a mapping of moments (ISO 8601 text) and facts, as they stood while that department
held the case:

- `department`, `position` (of the `Assigned` event) and `assigned_at`;
- `acknowledge_due_at` and `due_at`: the deadlines in force (moved by extensions, a resumed
  clock, recomputation, a reopening), `due_at` null for praise;
- `acknowledged_at`, `clock_stopped_at` (while the clock stands still), `answered_at` and
  `closed_at` (cleared by a reopening), `satisfaction` (the callback on its answer);
- `left_at` and `left_by` (`returned`, `reassigned`, `merged` or `handed_over`, to a
  retired department's successor): when and how the case
  left the department; null while it holds the case.

Events after the case left a department never change that department's entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from application.projections import Row, RowPerRecord
from domain.case import Case
from domain.deadlines import Deadline

Assignment = dict[str, Any]


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _due(deadline: Deadline | None) -> str | None:
    return _moment(deadline.due_at) if deadline is not None else None


def _left(assignment: Assignment, at: datetime, how: str) -> None:
    assignment.update(left_at=_moment(at), left_by=how)


def _new_assignment(e: Any, position: int) -> Assignment:
    return {
        "department": e.department,
        "position": position,
        "assigned_at": _moment(e.timestamp),
        "acknowledge_due_at": _due(e.acknowledge_deadline),
        "due_at": _due(e.deadline),
        "acknowledged_at": None,
        "clock_stopped_at": None,
        "answered_at": None,
        "closed_at": None,
        "satisfaction": None,
        "left_at": None,
        "left_by": None,
    }


def _callback(assignment: Assignment, e: Any) -> None:
    if e.reached:
        assignment["satisfaction"] = e.satisfaction


def _reopened(assignment: Assignment, e: Any) -> None:
    # Back to the same department with a new handling deadline; it is judged on that one.
    assignment.update(
        due_at=_due(e.deadline),
        clock_stopped_at=None,
        answered_at=None,
        closed_at=None,
        satisfaction=None,
    )


def _recomputed(assignment: Assignment, e: Any) -> None:
    assignment.update(acknowledge_due_at=_due(e.acknowledge_deadline), due_at=_due(e.deadline))


# How each event changes the entry of the department holding the case.
CHANGES: dict[type, Callable[[Assignment, Any], None]] = {
    Case.Acknowledged: lambda a, e: a.update(acknowledged_at=_moment(e.timestamp)),
    Case.ClockStopped: lambda a, e: a.update(clock_stopped_at=_moment(e.timestamp)),
    Case.ClockResumed: lambda a, e: a.update(due_at=_due(e.deadline), clock_stopped_at=None),
    Case.ExtensionGranted: lambda a, e: a.update(due_at=_due(e.deadline)),
    Case.DeadlinesRecomputed: _recomputed,
    Case.ResultPosted: lambda a, e: a.update(
        answered_at=_moment(e.timestamp), clock_stopped_at=None
    ),
    Case.CallbackRecorded: _callback,
    Case.Closed: lambda a, e: a.update(closed_at=_moment(e.timestamp)),
    Case.Reopened: _reopened,
    Case.Returned: lambda a, e: _left(a, e.timestamp, "returned"),
    Case.Merged: lambda a, e: _left(a, e.timestamp, "merged"),
}


class CaseAssignmentsProjection(RowPerRecord):
    """Keeps case_assignments current: each case's assignments, one entry per department
    that held it."""

    name = "case_assignments"
    table = "case_assignments"
    key = "case_id"
    topic_prefix = "oversight:Case."

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if isinstance(event, Case.Assigned):
            return self._assigned(row, event, position)
        if isinstance(event, Case.HandedToSuccessor):
            return self._handed_to_successor(row, event, position)
        change = CHANGES.get(type(event))
        if row is None or change is None:
            return row  # no assignment yet, or nothing an assignment keeps
        assignments = [dict(entry) for entry in row["assignments"]]
        holding = assignments[-1]
        if holding["left_at"] is not None:
            return row  # the case is with no department (returned)
        change(holding, event)
        return {**row, "assignments": assignments}

    def _handed_to_successor(self, row: Row | None, e: Any, position: int) -> Row | None:
        """The retired department leaves the case (`handed_over`); the successor holds it
        from now on, under the deadlines the case had."""
        if row is None or row["assignments"][-1]["left_at"] is not None:
            return row  # not assigned: nobody held it
        assignments = [dict(entry) for entry in row["assignments"]]
        holding = assignments[-1]
        taken = {**holding, "department": e.to_department, "position": position}
        taken["assigned_at"] = _moment(e.timestamp)
        _left(holding, e.timestamp, "handed_over")
        return {**row, "assignments": [*assignments, taken]}

    def _assigned(self, row: Row | None, e: Any, position: int) -> Row:
        assignments = [dict(entry) for entry in row["assignments"]] if row is not None else []
        if assignments and assignments[-1]["left_at"] is None:
            _left(assignments[-1], e.timestamp, "reassigned")
        assignments.append(_new_assignment(e, position))
        return {
            "case_id": e.originator_id,
            "first_assigned_at": row["first_assigned_at"] if row is not None else e.timestamp,
            "last_assigned_at": e.timestamp,
            "assignments": assignments,
        }
