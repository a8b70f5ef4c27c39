"""The survey_list read table: one row per satisfaction survey batch (满意度调查, §16)."""

from __future__ import annotations

from datetime import date
from typing import Any

from application.projections import Row, WrittenOnceProjection
from domain.survey import SurveyBatch


class SurveyListProjection(WrittenOnceProjection):
    """Keeps survey_list current: a batch is recorded once and never changes."""

    name = "survey_list"
    table = "survey_list"
    key = "id"
    topic_prefix = "oversight:SurveyBatch."
    recording_event = SurveyBatch.Recorded

    def recorded(self, event: Any, position: int) -> Row:
        one, two, three, four, five = event.counts
        return {
            "id": event.originator_id,
            "source": event.source,
            "provider": event.provider,
            "window_id": event.window,
            "department": event.department,
            "period_start": date.fromisoformat(event.period_start),
            "period_end": date.fromisoformat(event.period_end),
            "rated_1": one,
            "rated_2": two,
            "rated_3": three,
            "rated_4": four,
            "rated_5": five,
            "recorded_at": event.timestamp,
            "recorded_by": event.actor.name or event.actor.principal,
            "position": position,
        }
