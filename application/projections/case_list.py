"""The case_list read table: one row per case, for lists, boards, metrics, public status.

A row keeps the summary twice: whole, for operators and inspectors, and as a department may
read it (`department_summary`: the complainant's name masked, phone numbers masked, a
reporter's identity withheld; DESIGN §3). Only `Case.Registered` knows the complainant, so
both are written then; an erasure replaces both with the words that stand in for erased
text, and a rebuild, reading the erased event, writes the same.

The complainant's phone is kept only as a keyed digest of its digits (`phone_digest`, made by
the `phone_digest` function the projection is given): enough to find a caller's earlier
cases, never the number; an erasure clears it, and a rebuild reads no phone in an erased event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from application.projections import Row
from application.projections.task_clock import (
    NO_STOP_NOR_REQUEST,
    TaskListProjection,
    clock_changes,
    handed_over,
    new_deadline,
)
from domain.actor import Role
from domain.calendar import WorkingCalendar
from domain.case import Case, ProposalStatus, Status
from domain.personal_data import ERASED_TEXT, personal_text
from domain.privacy import phone_digits, stand_ins_for_role, with_stand_ins

CLOCK_STATUSES = (Status.ASSIGNED.value, Status.IN_PROGRESS.value)
# A deduction proposed with a result (建议扣分), and where it stands (ProposalStatus).
NO_PROPOSAL: Row = {
    "proposal_status": None,
    "proposal_rule": None,
    "proposal_staff": None,
    "proposal_window": None,
    "proposal_points": None,
}


def _registered(e: Any, phone_digest: Callable[[str], str]) -> Row:
    summary = personal_text(e.summary) or ""
    complainant = e.complainant if isinstance(e.complainant, dict) else {}
    phone = complainant.get("phone")
    digits = phone_digits(phone) if isinstance(phone, str) else None
    return {
        "id": e.originator_id,
        "tracking_number": e.tracking_number,
        "access_code_hash": e.access_code_hash,
        "kind": e.kind,
        "channel": e.channel,
        "status": Status.REGISTERED.value,
        "department": e.department,
        "assigned_department": None,
        "window_id": e.window,
        "staff_id": e.staff,
        "category": e.category,
        "urgent": e.urgent,
        "final": False,
        "summary": summary,
        "department_summary": with_stand_ins(
            summary, stand_ins_for_role(Role.DEPARTMENT, e.kind, e.complainant)
        ),
        "registered_at": e.timestamp,
        "assigned_at": None,
        "acknowledged_at": None,
        "handling_started_at": None,
        "acknowledge_due_at": None,
        "due_at": None,
        "provisional": False,
        "clock_stopped": False,
        "extension_requested": False,
        "reminded_for": None,
        "reminded_at": None,
        "acknowledge_missed_for": None,
        "due_missed_for": None,
        "supervised_at": None,
        "public_notice_at": None,
        "answered_at": None,
        "closed_at": None,
        "outcome": None,
        "satisfaction": None,
        "reopenings": 0,
        "merged_into": None,
        "public_timeline": [],
        "phone_digest": phone_digest(digits) if digits else None,
        "return_reason": None,
        "returned_by": None,
        **NO_PROPOSAL,
    }


def _assigned(row: Row, e: Any) -> None:
    row.update(
        status=Status.ASSIGNED.value,
        department=e.department,
        assigned_department=e.department,
        urgent=e.urgent,
        final=e.final,
        assigned_at=e.timestamp,
        acknowledged_at=None,
    )
    handed_over(row, e.timestamp, e.acknowledge_deadline, e.deadline)


def _acknowledged(row: Row, e: Any) -> None:
    row.update(status=Status.IN_PROGRESS.value, acknowledged_at=e.timestamp)


def _returned(row: Row, e: Any) -> None:
    row.update(
        status=Status.RETURNED.value,
        return_reason=e.reason,
        returned_by=row["assigned_department"],
        assigned_department=None,
        acknowledge_due_at=None,
        due_at=None,
        provisional=False,
        **NO_STOP_NOR_REQUEST,
    )


def _result_posted(row: Row, e: Any) -> None:
    row.update(
        status=Status.ANSWERED.value,
        answered_at=e.timestamp,
        outcome=e.outcome,
        **NO_STOP_NOR_REQUEST,
    )
    # As the case itself keeps it: a result proposing nothing leaves an earlier proposal be.
    proposal = e.proposed_deduction
    if proposal is not None:
        row.update(
            proposal_status=ProposalStatus.PROPOSED.value,
            proposal_rule=proposal.get("rule"),
            proposal_staff=proposal.get("staff"),
            proposal_window=proposal.get("window"),
            proposal_points=proposal.get("points"),
        )
    _add_to_timeline(row, "answer", e.answer, e.timestamp)


def _callback(row: Row, e: Any) -> None:
    if e.reached:
        row["satisfaction"] = e.satisfaction


def _reopened(row: Row, e: Any) -> None:
    new_deadline(row, e)
    row.update(
        status=Status.IN_PROGRESS.value,
        handling_started_at=e.timestamp,
        answered_at=None,
        closed_at=None,
        outcome=None,
        satisfaction=None,
        supervised_at=None,
        public_notice_at=None,
        reopenings=row["reopenings"] + 1,
    )
    _add_to_timeline(row, "reopened", None, e.timestamp)


def _note_added(row: Row, e: Any) -> None:
    if e.public:
        _add_to_timeline(row, "note", e.text, e.timestamp)


def _add_to_timeline(row: Row, kind: str, text: str | None, at: Any) -> None:
    row["public_timeline"] = [
        *row["public_timeline"],
        {"type": kind, "text": text, "at": at.isoformat()},
    ]


CHANGES: dict[type, Callable[[Row, Any], None]] = {
    **clock_changes(Case),
    Case.Assigned: _assigned,
    Case.Acknowledged: _acknowledged,
    Case.Returned: _returned,
    Case.ResultPosted: _result_posted,
    Case.CallbackRecorded: _callback,
    Case.Closed: lambda row, e: row.update(status=Status.CLOSED.value, closed_at=e.timestamp),
    Case.Reopened: _reopened,
    Case.Merged: lambda row, e: row.update(
        status=Status.MERGED.value,
        merged_into=e.into,
        **NO_STOP_NOR_REQUEST,
    ),
    Case.NoteAdded: _note_added,
    Case.ProposedDeductionConfirmed: lambda row, _: row.update(
        proposal_status=ProposalStatus.CONFIRMED.value
    ),
    Case.ProposedDeductionDismissed: lambda row, _: row.update(
        proposal_status=ProposalStatus.DISMISSED.value
    ),
    Case.PersonalDataErased: lambda row, _: row.update(
        summary=ERASED_TEXT, department_summary=ERASED_TEXT, phone_digest=None
    ),
    # Reorganisation: the case goes on, deadlines and all, at the successor.
    Case.HandedToSuccessor: lambda row, e: row.update(
        {
            column: e.to_department
            for column in ("department", "assigned_department")
            if row[column] == e.from_department
        }
    ),
}


class CaseListProjection(TaskListProjection):
    """Keeps case_list current; `next_clock_at` tells the deadline clock when to look again."""

    name = "case_list"
    table = "case_list"
    topic_prefix = "oversight:Case."
    opening_event = Case.Registered
    opened_position_column = "registered_position"
    changes = CHANGES
    awaiting_status = Status.ASSIGNED.value
    clock_statuses = CLOCK_STATUSES

    def __init__(
        self, calendar: Callable[[], WorkingCalendar], phone_digest: Callable[[str], str]
    ) -> None:
        super().__init__(calendar)
        self._phone_digest = phone_digest

    def opened(self, event: Any) -> Row:
        return _registered(event, self._phone_digest)
