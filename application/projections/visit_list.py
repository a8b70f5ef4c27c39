"""The visit_list read table: one row per inspection visit (暗访巡查), its findings counted."""

from __future__ import annotations

from datetime import date
from typing import Any

from application.projections import Row, RowPerRecord
from domain.visit import FindingType, Visit

# The column counting each type of finding.
FINDING_COLUMNS = {
    FindingType.DEDUCTION.value: "deductions",
    FindingType.ORDER.value: "orders",
    FindingType.CASE.value: "cases",
}


class VisitListProjection(RowPerRecord):
    """Keeps visit_list current: a visit recorded, a finding noted on it."""

    name = "visit_list"
    table = "visit_list"
    key = "id"
    topic_prefix = "oversight:Visit."

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if isinstance(event, Visit.Recorded):
            return {
                "id": event.originator_id,
                "day": date.fromisoformat(event.day),
                "month": event.day[:7],
                "method": event.method,
                "windows": list(event.windows),
                "departments": list(event.departments),
                "summary": event.summary,
                "recorded_at": event.timestamp,
                "recorded_by": event.actor.name or event.actor.principal,
                "deductions": 0,
                "orders": 0,
                "cases": 0,
                "updated_at": event.timestamp,
                "listed_position": position,
                "position": position,
            }
        if row is None or not isinstance(event, Visit.FindingRecorded):
            return row
        column = FINDING_COLUMNS[event.finding_type]
        return {
            **row,
            column: row[column] + 1,
            "updated_at": event.timestamp,
            "position": position,
        }
