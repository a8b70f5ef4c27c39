"""Rows are written with what PostgreSQL can hold: U+FFFD in place of the rest, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from uuid import uuid4

from domain.text import REPLACEMENT
from infrastructure.projection_runner import storable_row

R = REPLACEMENT


class Label(StrEnum):
    ODD = "a\x00b"


def test_text_anywhere_in_a_row_is_made_storable_jsonb_keys_and_arrays_included() -> None:
    row = {
        "summary": "排队\x00过长",
        "staff_ids": ["S\x01", "S2"],
        "changes": {"note\x00": ["a\x1b", {"deep": "\ud800"}], "n": 3},
        "pair": ("x\ufffe", "y"),
        "label": Label.ODD,
    }

    assert storable_row(row) == {
        "summary": f"排队{R}过长",
        "staff_ids": [f"S{R}", "S2"],
        "changes": {f"note{R}": [f"a{R}", {"deep": R}], "n": 3},
        "pair": [f"x{R}", "y"],
        "label": f"a{R}b",
    }


def test_values_that_are_not_text_and_text_people_type_are_left_as_they_are() -> None:
    moment, record_id = datetime(2026, 11, 27, tzinfo=UTC), uuid4()
    row = {
        "at": moment,
        "id": record_id,
        "points": -5,
        "urgent": True,
        "none": None,
        "text": "第一行\r\n第二行\t完 👍",
    }

    written = storable_row(row)

    assert written == row
    assert written["text"] is row["text"]
