"""The shapes of A/B post cover (AB岗, §16) requests and answers at the HTTP edge."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.labels import described
from domain.post_cover import EARLIEST_YEAR, LATEST_YEAR, MAX_REASON, GapStatus
from interfaces.http.schemas.answers import ReadOff, labelled
from interfaces.http.schemas.cases import DAY_PATTERN, Day, Strict
from interfaces.http.schemas.lists import Position
from interfaces.http.schemas.office_time import OfficeTime

DIRECTORY_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
# A date (a whole office day) or a moment, with or without an offset (else the centre's time).
DAY_OR_MOMENT = (
    r"^\d{4}-\d{2}-\d{2}"
    r"([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
MONTH = r"^(20\d\d|2100)-(0[1-9]|1[0-2])$"
FIRST_DAY, LAST_DAY = date(EARLIEST_YEAR, 1, 1), date(LATEST_YEAR, 12, 31)


# The office day of a gap, in a path: written YYYY-MM-DD as the OpenAPI says.
DAY_IN_PATH: dict[str, Any] = {
    "description": "the office day, YYYY-MM-DD",
    "json_schema_extra": {"pattern": DAY_PATTERN},
}


def written_as_day(value: object) -> object:
    """A day as the path writes it, refused otherwise (2000 to 2099)."""
    if not isinstance(value, str) or not re.fullmatch(DAY_PATTERN, value):
        raise ValueError("a day written YYYY-MM-DD, from 2000 to 2099")
    return value


class AbsenceCreate(Strict):
    """An absence of a post holder (请假) and who covers it (the window's B holder)."""

    model_config = ConfigDict(populate_by_name=False)

    staff: str = Field(pattern=DIRECTORY_ID, description="the absent staff member's id")
    from_: str = Field(
        alias="from",
        pattern=DAY_OR_MOMENT,
        description="the first day (2026-12-07: from its start) or moment "
        "(2026-12-07T13:30:00+08:00; without an offset, the centre's time)",
    )
    to: str = Field(
        pattern=DAY_OR_MOMENT,
        description="the last day (2026-12-08: to its end, included) or the moment of return",
    )
    reason: str = Field(min_length=1, max_length=MAX_REASON, description="请假事由")
    covered_by: str | None = Field(
        default=None,
        pattern=DIRECTORY_ID,
        description="the cover: the window's B holder, for an A holder's absence; none for a "
        "B holder's (refused `cover_not_b_holder` / `cover_for_b_post`)",
    )


class AbsencePublic(ReadOff):
    """An absence as recorded."""

    id: str
    window: str
    department: str
    staff: str
    post: str = Field(description="A or B")
    starts_at: OfficeTime
    ends_at: OfficeTime
    reason: str
    covered_by: str | None
    cancelled: bool
    position: int | None = Field(default=None, description="where the command's last event is")


class GapPublic(ReadOff):
    """A cover gap proposed for one window and office day (AB岗未落实), and its decision."""

    window: str
    department: str
    day: date
    starts_at: OfficeTime = Field(description="the first moment neither post was on duty")
    status: GapStatus = Field(description=f"状态: {described('cover_gap_status')}")
    deduction_id: str | None
    reason: str | None = Field(description="why it was dismissed")
    position: int | None = None

    status_label = labelled("cover_gap_status", "status")


class HolderPublic(BaseModel):
    """A post's holder on the day and the absence that takes them off it."""

    model_config = ConfigDict(from_attributes=True)

    staff: str
    name: str
    absence: AbsencePublic | None


class PostCoveragePublic(BaseModel):
    """One window's posts on the day: the holder on duty (A, else B, else none)."""

    model_config = ConfigDict(from_attributes=True)

    window: str
    window_name: str
    department: str
    a_holder: HolderPublic | None
    b_holder: HolderPublic | None
    on_duty: str | None = Field(description="the staff member on duty: the A holder, else B")
    uncovered: bool = Field(description="some moment of office hours had neither post on duty")
    gap: GapPublic | None


class CoveragePublic(ReadOff):
    """Each post's holder on duty on one day."""

    day: date
    working_day: bool
    posts: list[PostCoveragePublic]


class CoverageQuery(BaseModel):
    """Which day, and (inspectors) which department's windows."""

    model_config = ConfigDict(extra="forbid")

    date: Day | None = Field(default=None, description="the day (default: today)")
    department: str | None = Field(
        default=None, pattern=DIRECTORY_ID, description="inspectors: one department's windows"
    )
    after: Position = None


class GapListQuery(BaseModel):
    """The gaps proposed for a month's office days."""

    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=MONTH, description="YYYY-MM")
    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    after: Position = None
