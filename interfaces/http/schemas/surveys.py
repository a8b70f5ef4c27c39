"""The shapes of satisfaction survey (满意度调查, §16) requests and answers at the HTTP edge."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.surveys import WindowSatisfaction
from domain.labels import described
from domain.survey import MAX_FORMS, MAX_PROVIDER, SurveySource
from interfaces.http.schemas.answers import RecordPosition, labelled
from interfaces.http.schemas.cases import DIRECTORY_ID, JSON_NUMBER, Day, Strict
from interfaces.http.schemas.lists import ListPage, Position, SatisfactionPublic
from interfaces.http.schemas.office_time import OfficeTime

FormCount = Annotated[int, Field(ge=0, le=MAX_FORMS), JSON_NUMBER]


class SurveyCounts(Strict):
    """How many forms gave each rating level: exactly the keys "1" to "5"."""

    one: FormCount = Field(alias="1", description="非常不满意")
    two: FormCount = Field(alias="2", description="不满意")
    three: FormCount = Field(alias="3", description="一般")
    four: FormCount = Field(alias="4", description="满意")
    five: FormCount = Field(alias="5", description="非常满意")

    def levels(self) -> tuple[int, int, int, int, int]:
        return self.one, self.two, self.three, self.four, self.five


class SurveyBatchCreate(Strict):
    """A batch of satisfaction forms at one window over a period (录入调查结果)."""

    source: SurveySource = Field(description=f"调查来源: {described('survey_source')}")
    provider: str | None = Field(
        default=None,
        max_length=MAX_PROVIDER,
        description="测评机构: required for `third_party`, refused for `paper`",
    )
    start: Day = Field(alias="from", description="the first day of collection")
    end: Day = Field(alias="to", description="the last day of collection (not after today)")
    window: str = Field(pattern=DIRECTORY_ID, description="the window's id in the directory")
    counts: SurveyCounts = Field(
        description='forms per rating level, {"1": n, …, "5": n}: whole numbers ≥ 0, at '
        f"least one form and at most {MAX_FORMS} in all"
    )


class SurveyBatchPublic(BaseModel):
    """A recorded batch, with its sample size (`forms`) and satisfaction (`average`, 1–5)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    source: SurveySource
    provider: str | None
    window: str
    department: str
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    counts: dict[str, int] = Field(description='forms per rating level, {"1": n, …, "5": n}')
    forms: int = Field(description="the sample size: forms in all")
    average: float | None = Field(description="the average level, 1–5, two decimals")
    bad: int = Field(description="forms at level 1 or 2 (差评)")
    recorded_at: OfficeTime
    recorded_by: str
    position: RecordPosition = None

    source_label = labelled("survey_source", "source")

    @classmethod
    def of(cls, batch: Any) -> SurveyBatchPublic:
        return cls(
            id=batch.id,
            source=batch.source,
            provider=batch.provider,
            window=batch.window,
            department=batch.department,
            start=batch.start,
            end=batch.end,
            counts={str(level): n for level, n in enumerate(batch.by_rating, 1)},
            forms=batch.forms,
            average=batch.average,
            bad=batch.bad,
            recorded_at=batch.recorded_at,
            recorded_by=batch.recorded_by,
            position=batch.position,
        )


class SurveyListQuery(BaseModel):
    """A page of the survey list; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    window: str | None = Field(default=None, pattern=DIRECTORY_ID)
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    after: Position = None


class SurveyList(ListPage[SurveyBatchPublic]):
    """A page of batches, the last recorded first; `next` is the cursor of the following page."""


class WindowSatisfactionPublic(BaseModel):
    """A window's month in the monthly report: its online ratings and its surveys side by
    side, each with its source and sample size."""

    window: str
    department: str
    satisfaction: list[SatisfactionPublic]

    @classmethod
    def of(cls, window: WindowSatisfaction) -> WindowSatisfactionPublic:
        return cls(
            window=window.window,
            department=window.department,
            satisfaction=[
                SatisfactionPublic.online(window.online),
                *(SatisfactionPublic.of_survey(survey) for survey in window.surveys),
            ],
        )
