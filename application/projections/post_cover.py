"""The read tables of A/B post cover (AB岗, §16), from the PostCover events of each window.

- absence_list: one row per absence (cancelled ones kept, marked), for the day's coverage;
- cover_gap_list: one row per gap proposed (window and office day), for the inspectors and
  the monthly report;
- post_cover_list: one row per window with absences, its `next_gap_at` telling the worker's
  clock when the window next has a gap to propose.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from application.projections import Row, RowPerRecord
from domain.post_cover import GapStatus, PostCover
from domain.scorecard import month_of


def gap_key(window: str, day: str) -> str:
    """A gap's row: the window and the office day (ISO)."""
    return f"{window}/{day}"


class AbsenceListProjection:
    """Keeps absence_list current: recorded, cancelled."""

    name = "absence_list"
    table = "absence_list"
    key = "id"
    topic_prefix = "oversight:PostCover.Absence"

    def key_of(self, event: Any) -> Any:
        return event.absence_id

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if isinstance(event, PostCover.AbsenceRecorded):
            return {
                "id": event.absence_id,
                "post_cover_id": event.originator_id,
                "staff": event.staff,
                "post": event.post,
                "starts_at": event.starts_at,
                "ends_at": event.ends_at,
                "reason": event.reason,
                "covered_by": event.covered_by,
                "recorded_at": event.timestamp,
                "recorded_by": event.actor.principal,
                "cancelled_at": None,
                "position": position,
            }
        if row is None:
            return None
        if isinstance(event, PostCover.AbsenceWithdrawn):
            return {**row, "cancelled_at": event.timestamp, "position": position}
        return row


class CoverGapListProjection:
    """Keeps cover_gap_list current: proposed, confirmed, dismissed."""

    name = "cover_gap_list"
    table = "cover_gap_list"
    key = "id"
    topic_prefix = "oversight:PostCover.Gap"

    def key_of(self, event: Any) -> Any:
        return gap_key(event.window, event.day)

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if isinstance(event, PostCover.GapProposed):
            return {
                "id": gap_key(event.window, event.day),
                "window_id": event.window,
                "department": event.department,
                "day": date.fromisoformat(event.day),
                "month": month_of(event.starts_at),
                "starts_at": event.starts_at,
                "rule": event.rule,
                "status": GapStatus.PROPOSED.value,
                "proposed_at": event.timestamp,
                "decided_at": None,
                "decided_by": None,
                "deduction_id": None,
                "reason": None,
                "position": position,
            }
        if row is None:
            return None
        changed: Row = {
            "decided_at": event.timestamp,
            "decided_by": event.actor.principal,
            "position": position,
        }
        if isinstance(event, PostCover.GapConfirmed):
            changed.update(status=GapStatus.CONFIRMED.value, deduction_id=event.deduction_id)
        elif isinstance(event, PostCover.GapDismissed):
            changed.update(status=GapStatus.DISMISSED.value, reason=event.reason)
        else:
            return row
        return {**row, **changed}


class PostCoverListProjection(RowPerRecord):
    """Keeps post_cover_list current: each window's next moment for the clock."""

    name = "post_cover_list"
    table = "post_cover_list"
    key = "id"
    topic_prefix = "oversight:PostCover."

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if isinstance(event, PostCover.Opened):
            return {
                "id": event.originator_id,
                "window_id": event.window,
                "department": event.department,
                "next_gap_at": event.next_gap_at,
                "position": position,
            }
        if row is None or not isinstance(event, PostCover.Event):
            return row
        return {**row, "next_gap_at": event.next_gap_at, "position": position}
