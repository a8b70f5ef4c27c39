"""The shapes of superiors and escalation (提级督办) at the HTTP edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from domain.task import MAX_DIRECTION_WORKING_DAYS
from interfaces.http.schemas.cases import JSON_NUMBER, LARGEST_JSON_INTEGER, Strict


class DirectionBody(Strict):
    """The superior's direction to its subordinate (下达督办意见): a supervision note and a
    new due date, `working_days` counted from the working day after it."""

    note: str = Field(min_length=1, max_length=2_000, description="督办意见")
    # Any whole number passes here; one outside 1..30 is refused with `direction_out_of_range`.
    working_days: Annotated[
        int, Field(ge=-LARGEST_JSON_INTEGER, le=LARGEST_JSON_INTEGER), JSON_NUMBER
    ] = Field(description=f"期限（工作日）: 1 to {MAX_DIRECTION_WORKING_DAYS}")
