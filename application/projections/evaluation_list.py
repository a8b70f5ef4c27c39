"""The evaluation_list read table: one row per evaluation, for satisfaction per window."""

from __future__ import annotations

from typing import Any

from application.projections import Row, WrittenOnceProjection
from domain.evaluation import Evaluation


class EvaluationListProjection(WrittenOnceProjection):
    """Keeps evaluation_list current (evaluations are never changed once given)."""

    name = "evaluation_list"
    table = "evaluation_list"
    key = "id"
    topic_prefix = "oversight:Evaluation."
    recording_event = Evaluation.Rated

    def recorded(self, event: Any, position: int) -> Row:
        return {
            "id": event.originator_id,
            "window_id": event.window,
            "department": event.department,
            "staff_id": event.staff,
            "rating": event.rating,
            "service_item": event.service_item,
            "rated_at": event.timestamp,
            "position": position,
        }
