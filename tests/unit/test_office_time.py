"""Answers write every moment with the centre's offset, typed or kept inside recorded data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from pydantic import BaseModel

from interfaces.http.schemas.office_time import OfficeTime, Recorded


class Answer(BaseModel):
    at: OfficeTime
    due_at: OfficeTime | None
    notes: list[Recorded]


def test_a_typed_moment_is_written_with_the_centres_offset_whatever_it_was_recorded_in() -> None:
    answer = Answer(
        at=datetime(2026, 11, 27, 2, 0, tzinfo=UTC),
        due_at=datetime(2026, 12, 18, 4, 30, 0, 250_000, tzinfo=timezone(timedelta(hours=-5))),
        notes=[],
    )

    written = json.loads(answer.model_dump_json())

    assert written["at"] == "2026-11-27T10:00:00+08:00"
    assert written["due_at"] == "2026-12-18T17:30:00.250000+08:00"


def test_a_moment_inside_recorded_data_is_written_the_same_way_and_other_text_as_it_was() -> None:
    note = {
        "at": "2026-11-27T02:00:00+00:00",
        "deadline": {"counted_from": "2026-11-27T02:00:00Z", "amount": 15},
        "seen": [datetime(2026, 11, 27, 2, 0, tzinfo=UTC)],
        "text": "回电时间 2026-11-27T02:00:00+00:00，未接通",
        "day": "2026-11-27",
    }

    written = json.loads(Answer(at=datetime.now(UTC), due_at=None, notes=[note]).model_dump_json())

    assert written["notes"] == [
        {
            "at": "2026-11-27T10:00:00+08:00",
            "deadline": {"counted_from": "2026-11-27T10:00:00+08:00", "amount": 15},
            "seen": ["2026-11-27T10:00:00+08:00"],
            "text": "回电时间 2026-11-27T02:00:00+00:00，未接通",
            "day": "2026-11-27",
        }
    ]
