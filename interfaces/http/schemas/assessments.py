"""The shapes of staff assessment (千人千题, §16) requests and answers at the HTTP edge."""

from __future__ import annotations

import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.assessments import AssessmentSummary, StaffStanding
from domain.assessment import MAX_RESULTS, MAX_TITLE, SCORE_MAX, SCORE_MIN
from interfaces.http.schemas.answers import ReadOff
from interfaces.http.schemas.cases import DIRECTORY_ID, JSON_NUMBER, Day, Strict
from interfaces.http.schemas.lists import ListPage, ListQuery, Position
from interfaces.http.schemas.office_time import OfficeTime

# Whole points from 0 to 100: a score, or the pass mark.
Score = Annotated[int, Field(ge=SCORE_MIN, le=SCORE_MAX), JSON_NUMBER]


class AssessmentResultCreate(Strict):
    """One staff member's score in the session."""

    staff: str = Field(pattern=DIRECTORY_ID, description="the staff member's id (工号)")
    score: Score = Field(description=f"whole points, {SCORE_MIN}–{SCORE_MAX}")


class AssessmentCreate(Strict):
    """A marked test session to record (录入千人千题成绩)."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    date: Day = Field(description="the day the session was held (YYYY-MM-DD), not after today")
    pass_mark: Score = Field(description=f"合格分: whole points, {SCORE_MIN}–{SCORE_MAX}")
    results: list[AssessmentResultCreate] = Field(
        min_length=1,
        max_length=MAX_RESULTS,
        description="one result per staff member; a score below the pass mark makes a "
        "retest (补考) due",
    )


class AssessmentResultPublic(ReadOff):
    """A staff member's score, with their name and department on the day of the session."""

    staff: str
    name: str
    department: str
    score: int
    passed: bool = Field(description="score ≥ pass mark; false: a retest is due")


class AssessmentPublic(BaseModel):
    """A test session (千人千题): all its results for an inspector, a department's own
    staff's for a department; `sat` and `failed` count the results shown."""

    id: UUID
    title: str
    date: datetime.date
    pass_mark: int
    results: list[AssessmentResultPublic]
    sat: int
    failed: int
    recorded_at: OfficeTime
    position: int | None = Field(
        default=None,
        description="a command's answer: the global position of its event; a list's item: "
        "its place in the list",
    )

    @classmethod
    def of(cls, summary: AssessmentSummary) -> AssessmentPublic:
        return cls(
            id=summary.id,
            title=summary.title,
            date=summary.held_on,
            pass_mark=summary.pass_mark,
            results=[AssessmentResultPublic.of(r) for r in summary.results],
            sat=summary.sat,
            failed=summary.failed,
            recorded_at=summary.recorded_at,
            position=summary.position,
        )


class AssessmentListQuery(ListQuery):
    """A page of the session list; unknown parameters are refused."""


class AssessmentList(ListPage[AssessmentPublic]):
    """A page of sessions, the most recently recorded first; `next`: the following page."""


class RetestQuery(BaseModel):
    """Whose retests: a department's staff (a department reads its own only)."""

    model_config = ConfigDict(extra="forbid")

    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    after: Position = None


class StandingPublic(BaseModel):
    """A staff member's latest result and whether a retest (补考) is due, since when."""

    model_config = ConfigDict(from_attributes=True)

    staff: str
    name: str
    department: str
    score: int = Field(description="the latest result's score")
    pass_mark: int = Field(description="that session's pass mark")
    passed: bool
    assessment_id: UUID = Field(description="the session of the latest result")
    title: str
    date: datetime.date = Field(description="the day that session was held")
    retest_due: bool
    due_since: datetime.date | None = Field(
        description="the day of the first failure of the unbroken run that makes it due"
    )

    @classmethod
    def of(cls, standing: StaffStanding) -> StandingPublic:
        fields: dict[str, Any] = {**standing.__dict__, "date": standing.held_on}
        return cls.model_validate(fields)


class RetestList(BaseModel):
    """The staff who owe a retest: their latest result failed (by department, then id)."""

    items: list[StandingPublic]
    position: int = Field(description="the event position the read side has reached")
    caught_up: bool = Field(description="false when `after` was not reached in time")
