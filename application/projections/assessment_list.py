"""The assessment_list read table: one row per test session (千人千题), results included."""

from __future__ import annotations

from datetime import date
from typing import Any

from application.projections import Row, WrittenOnceProjection
from domain.assessment import Assessment


class AssessmentListProjection(WrittenOnceProjection):
    """Keeps assessment_list current: a session is recorded whole, once, and never changes."""

    name = "assessment_list"
    table = "assessment_list"
    key = "id"
    topic_prefix = "oversight:Assessment."
    recording_event = Assessment.Recorded

    def recorded(self, event: Any, position: int) -> Row:
        results = [
            {**result, "passed": result["score"] >= event.pass_mark} for result in event.results
        ]
        return {
            "id": event.originator_id,
            "title": event.title,
            "held_on": date.fromisoformat(event.held_on),
            "pass_mark": event.pass_mark,
            "results": results,
            "departments": sorted({result["department"] for result in results}),
            "failed": sum(1 for result in results if not result["passed"]),
            "recorded_at": event.timestamp,
            "recorded_by": event.actor.principal,
            "position": position,
        }
