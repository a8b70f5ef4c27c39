"""The deductions read table: one row per deduction and scorecard, for scores, lists, reports."""

from __future__ import annotations

from typing import Any

from application.projections import Row
from domain.scorecard import Scorecard, day_of


def row_key(deduction_id: Any, card_id: Any) -> str:
    """A row is one deduction on one card (a staff member's or a window's)."""
    return f"{deduction_id}/{card_id}"


def _recorded(e: Any, position: int) -> Row:
    return {
        "id": row_key(e.deduction_id, e.originator_id),
        "deduction_id": e.deduction_id,
        "card_id": e.originator_id,
        "subject_kind": e.subject_kind,
        "subject_id": e.subject_id,
        "month": e.month,
        "department": e.department,
        "window_id": e.window,
        "staff_id": e.staff,
        "rule": e.rule,
        "rule_name": e.rule_name,
        "points": e.points,
        "all_remaining": e.all_remaining,
        "occurred_at": e.occurred_at,
        "occurred_on": day_of(e.occurred_at),
        "evidence": e.evidence,
        "source_type": e.source.get("type"),
        "source_ref": e.source.get("ref"),
        "revoked": False,
        "revoked_at": None,
        "revoke_reason": None,
        "recorded_at": e.timestamp,
        "recorded_by": e.actor.principal,
        "recorded_position": position,
        "last_position": position,
    }


class DeductionsProjection:
    """Keeps `deductions` current from the scorecards' DeductionRecorded/Revoked events."""

    name = "deductions"
    table = "deductions"
    key = "id"
    topic_prefix = "oversight:Scorecard.Deduction"

    def key_of(self, event: Any) -> Any:
        return row_key(event.deduction_id, event.originator_id)

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if isinstance(event, Scorecard.DeductionRecorded):
            return _recorded(event, position)
        if row is None:
            return None  # unreachable in order: a revocation follows its recording
        if isinstance(event, Scorecard.DeductionRevoked):
            return {
                **row,
                "revoked": True,
                "revoked_at": event.timestamp,
                "revoke_reason": event.reason,
                "last_position": position,
            }
        return row
