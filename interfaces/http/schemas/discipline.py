"""The shapes of the conduct catalogue, deductions, scores, lists and reports at the HTTP edge."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from application.queries import Page
from application.scores import (
    DeductionEntry,
    DeductionFilter,
    DeductionLine,
    DepartmentReport,
    MonthlyReport,
)
from domain.conduct import AppliesTo, ConductRule
from domain.labels import described
from domain.scorecard import DeductionRequest, SourceType, SubjectKind
from interfaces.as_of import AS_OF_DESCRIPTION
from interfaces.choices import ReportFormat
from interfaces.http.schemas.answers import ReadOff
from interfaces.http.schemas.appeals import AppealMarkPublic
from interfaces.http.schemas.assessments import StandingPublic
from interfaces.http.schemas.cases import DIRECTORY_ID, Day, Moment, Points, Strict
from interfaces.http.schemas.items import ItemMetricsPublic
from interfaces.http.schemas.lists import Position
from interfaces.http.schemas.notices import NoticePublic
from interfaces.http.schemas.office_time import OfficeTime
from interfaces.http.schemas.post_cover import GapPublic
from interfaces.http.schemas.sources import refuse_visit_source
from interfaces.http.schemas.surveys import WindowSatisfactionPublic
from interfaces.http.schemas.text import QueryText
from interfaces.http.schemas.visit_items import VisitItemPublic

# The instant an as-of answer reflects (§14); a present read states none.
AS_OF_STATED = (
    "the instant of record time this answer reflects (the `as_of` asked for); null when it "
    "reads the present"
)

# ASCII digits (pydantic's `\d` takes any script's), in the years of `Day` and `Moment`.
MONTH = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
RULE_CODE = r"^[a-z][a-z0-9_]{0,49}$"


# The catalogue -------------------------------------------------------------------


class ConductRulePublic(BaseModel):
    """A rule of conduct (扣分事项) and what breaking it costs."""

    code: str
    name: str = Field(description="the rule in Chinese, as lists and reports print it")
    name_en: str
    points: int = Field(description="default points per occurrence")
    applies_to: AppliesTo = Field(description=f"适用对象: {described('applies_to')}")
    all_remaining: bool = Field(description="costs every point left (扣完为止); points are 100")

    @classmethod
    def of(cls, rule: ConductRule) -> ConductRulePublic:
        return cls(
            code=rule.code,
            name=rule.name_zh,
            name_en=rule.name_en,
            points=rule.points,
            applies_to=rule.applies_to,
            all_remaining=rule.all_remaining,
        )


class ConductRuleList(BaseModel):
    """The rules in force."""

    items: list[ConductRulePublic]


# Deductions ----------------------------------------------------------------------


class DeductionSource(Strict):
    """Where the inspector learnt of the act, and its reference (e.g. a tracking number)."""

    type: SourceType = Field(description=f"扣分来源: {described('source_type')}")
    ref: str | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("type")
    @classmethod
    def _not_a_visit(cls, value: SourceType) -> SourceType:
        return refuse_visit_source(value)


class DeductionCreate(Strict):
    """A deduction (扣分): a rule, the staff member and/or window, when, and the evidence."""

    rule: str = Field(pattern=RULE_CODE, description="a code from GET /conduct-rules")
    staff: str | None = Field(
        default=None,
        pattern=DIRECTORY_ID,
        description="the staff member; alone under a rule for both, their window pays too",
    )
    window: str | None = Field(default=None, pattern=DIRECTORY_ID)
    occurred_at: Moment = Field(
        description="when it happened, ISO 8601 with an offset; not in the future"
    )
    evidence: str = Field(min_length=1, max_length=2_000, description="依据")
    source: DeductionSource = Field(default_factory=lambda: DeductionSource(type=SourceType.OTHER))
    points: Points | None = Field(
        default=None, description="the rule's default points unless given"
    )

    def request(self) -> DeductionRequest:
        return DeductionRequest(
            **self.model_dump(exclude={"source"}),
            source_type=self.source.type,
            source_ref=self.source.ref,
        )


class CardScorePublic(ReadOff):
    """A scorecard's standing once the command took effect."""

    subject: SubjectKind
    id: str
    month: str
    score: int
    deducted: int


class DeductionPublic(ReadOff):
    """A deduction as recorded (or revoked), the cards carrying it and the event position."""

    id: UUID
    rule: str
    rule_name: str
    points: int
    all_remaining: bool
    occurred_at: OfficeTime
    month: str = Field(description="the scorecards' month, YYYY-MM in Asia/Shanghai")
    revoked: bool
    cards: list[CardScorePublic]
    position: int = Field(description="the global position of the last event; pass as `after`")


# Reading: scores, lists and the report -------------------------------------------------


class AsOfQuery(BaseModel):
    """The parameters of a read that answers as of an instant too (§14): `as_of` is read by
    the route's `PastDep`, and named here so that a query refusing unknown parameters takes
    it."""

    as_of: QueryText | None = Field(default=None, description=AS_OF_DESCRIPTION)


class ScoresQuery(AsOfQuery):
    """Which scores to list; the month defaults to the current one."""

    model_config = ConfigDict(extra="forbid")

    month: str | None = Field(default=None, pattern=MONTH, description="YYYY-MM")
    subject: SubjectKind | None = Field(default=None, description=described("subject"))
    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    after: Position = None


class BlueListQuery(AsOfQuery):
    """Which day's blue list; the day defaults to today (Asia/Shanghai)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    day: Day | None = Field(default=None, alias="date", description="YYYY-MM-DD")
    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    after: Position = None


class RedListQuery(AsOfQuery):
    """Which month's red list; the month defaults to the current one."""

    model_config = ConfigDict(extra="forbid")

    month: str | None = Field(default=None, pattern=MONTH, description="YYYY-MM")
    department: str | None = Field(
        default=None, pattern=DIRECTORY_ID, description="only this department's windows and staff"
    )
    after: Position = None


class ReportQuery(AsOfQuery):
    """Which month's report, for which department, in which format."""

    model_config = ConfigDict(extra="forbid")

    month: str | None = Field(default=None, pattern=MONTH, description="YYYY-MM")
    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    format: ReportFormat = Field(default=ReportFormat.JSON, description=described("report_format"))
    revoked: bool = Field(
        default=False,
        description="also list the revoked deductions, each marked (scores count only those "
        "in force)",
    )
    after: Position = None


class ScorePublic(ReadOff):
    """A window's or staff member's score in the month (100 when nothing was deducted)."""

    subject: SubjectKind
    id: str
    name: str
    department: str
    department_name: str | None
    window: str | None = Field(description="a staff member's window")
    score: int = Field(description="100 less the deductions in force, never below 0")
    deducted: int = Field(description="points taken: 100 − score (扣完为止)")
    deductions: int = Field(description="how many deductions are in force")
    under_appeal: int = Field(
        default=0, description="how many of them are under appeal (申诉中), awaiting decision"
    )


class ScoreList(BaseModel):
    """Every window's and staff member's score in the month."""

    month: str
    items: list[ScorePublic]
    position: int
    caught_up: bool
    as_of: OfficeTime | None = Field(default=None, description=AS_OF_STATED)


class SourcePublic(BaseModel):
    type: SourceType
    ref: str | None


class DeductionLinePublic(BaseModel):
    """One deduction: where, who, which rule, how many points, on what evidence; in force
    unless `revoked`."""

    id: UUID
    occurred_at: OfficeTime
    department: str
    department_name: str | None
    window: str | None
    window_name: str | None
    staff: str | None
    staff_name: str | None
    charged: list[SubjectKind] = Field(description="whose scorecards it costs")
    rule: str
    rule_name: str
    points: int
    all_remaining: bool
    evidence: str
    source: SourcePublic
    revoked: bool = Field(description="withdrawn (撤销): it no longer counts")
    revoked_at: OfficeTime | None = Field(description="when it was withdrawn")
    appeal: AppealMarkPublic | None = Field(
        default=None, description="its appeal (申诉), if appealed: open (申诉中) or the outcome"
    )

    @classmethod
    def of(cls, line: DeductionLine) -> DeductionLinePublic:
        return cls(
            id=line.id,
            occurred_at=line.occurred_at,
            department=line.department,
            department_name=line.department_name,
            window=line.window,
            window_name=line.window_name,
            staff=line.staff,
            staff_name=line.staff_name,
            charged=[SubjectKind(kind) for kind in line.charged],
            rule=line.rule,
            rule_name=line.rule_name,
            points=line.points,
            all_remaining=line.all_remaining,
            evidence=line.evidence,
            source=SourcePublic(type=SourceType(line.source_type), ref=line.source_ref),
            revoked=line.revoked,
            revoked_at=line.revoked_at,
            appeal=AppealMarkPublic.of(line.appeal_id, line.appeal_status, line.appeal_reason),
        )


class BlueList(BaseModel):
    """A day's deductions in force (蓝榜), in the order they happened."""

    date: date
    items: list[DeductionLinePublic]
    position: int
    caught_up: bool
    as_of: OfficeTime | None = Field(default=None, description=AS_OF_STATED)


class DeductionsQuery(BaseModel):
    """Filters of the list of deductions; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    occurred_from: Day | None = Field(default=None, alias="from", description="YYYY-MM-DD")
    occurred_to: Day | None = Field(default=None, alias="to", description="YYYY-MM-DD")
    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    window: str | None = Field(default=None, pattern=DIRECTORY_ID)
    staff: str | None = Field(default=None, pattern=DIRECTORY_ID)
    rule: str | None = Field(default=None, pattern=RULE_CODE)
    revoked: bool | None = Field(default=None, description="false: in force; true: revoked")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    after: Position = None

    @model_validator(mode="after")
    def _in_order(self) -> DeductionsQuery:
        if self.occurred_from and self.occurred_to and self.occurred_from > self.occurred_to:
            raise ValueError("`from` must not be after `to`")
        return self

    def criteria(self, department: str | None) -> DeductionFilter:
        return DeductionFilter(
            occurred_from=self.occurred_from,
            occurred_to=self.occurred_to,
            department=department,
            window=self.window,
            staff=self.staff,
            rule=self.rule,
            revoked=self.revoked,
        )


class DeductionEntryPublic(DeductionLinePublic):
    """A deduction in the list: in force or revoked (with the reason), and when recorded."""

    revoke_reason: str | None
    recorded_at: OfficeTime | None

    @classmethod
    def of_entry(cls, entry: DeductionEntry) -> DeductionEntryPublic:
        return cls(
            **DeductionLinePublic.of(entry).model_dump(),
            revoke_reason=entry.revoke_reason,
            recorded_at=entry.recorded_at,
        )


class DeductionEntryList(BaseModel):
    """A page of deductions, the last recorded first; `next` is the following page's cursor."""

    items: list[DeductionEntryPublic]
    next: str | None
    position: int
    caught_up: bool

    @classmethod
    def of(cls, page: Page) -> DeductionEntryList:
        return cls(
            items=[DeductionEntryPublic.of_entry(item) for item in page.items],
            next=page.next,
            position=page.position,
            caught_up=page.caught_up,
        )


class HonouredPublic(ReadOff):
    """A window or staff member on the red list: names and departments only."""

    name: str
    department: str
    department_name: str | None
    window: str | None = Field(description="the window's number (a staff member's window)")


class RedList(BaseModel):
    """The month's windows and staff members with no deduction in force (红榜, full marks)."""

    month: str
    windows: list[HonouredPublic]
    staff: list[HonouredPublic]
    position: int
    caught_up: bool
    as_of: OfficeTime | None = Field(default=None, description=AS_OF_STATED)


class DepartmentReportPublic(BaseModel):
    """One department's month: every window's and staff member's score and every deduction."""

    id: str
    name: str
    windows: list[ScorePublic]
    staff: list[ScorePublic]
    deductions: list[DeductionLinePublic]

    @classmethod
    def of(cls, report: DepartmentReport) -> DepartmentReportPublic:
        return cls(
            id=report.id,
            name=report.name,
            windows=[ScorePublic.of(s) for s in report.windows],
            staff=[ScorePublic.of(s) for s in report.staff],
            deductions=[DeductionLinePublic.of(d) for d in report.deductions],
        )


class MonthlyReportPublic(BaseModel):
    """The monthly report of the double-hundred system, per department."""

    month: str
    departments: list[DepartmentReportPublic]
    position: int
    caught_up: bool
    as_of: OfficeTime = Field(
        description="the instant of record time the report reflects (§14): the `as_of` asked "
        "for, or else the moment the report was made; asked again with this `as_of`, the "
        "report is the same whatever was recorded since"
    )
    as_of_requested: bool = Field(
        description="true: `as_of` is the instant asked for; false: none was, and `as_of` is "
        "the moment the report was made"
    )
    notices: list[NoticePublic] = Field(
        default_factory=list,
        description="the notices (通报) published in the month, withdrawn ones marked, "
        "oldest first",
    )
    surveys: list[WindowSatisfactionPublic] = Field(
        default_factory=list,
        description="the windows with a satisfaction survey (满意度调查) whose collection ended "
        "in the month: the online ratings first, then each survey source, with sample sizes",
    )
    cover_gaps: list[GapPublic] = Field(
        default_factory=list,
        description="the A/B post cover gaps (AB岗未落实) proposed for the month's office days, "
        "by day, with the decision on each",
    )
    assessments: list[StandingPublic] = Field(
        default_factory=list,
        description="staff assessments (千人千题): each staff member's latest result as of the "
        "month's end and whether a retest (补考) is due, by department then staff id",
    )
    items: list[ItemMetricsPublic] = Field(
        default_factory=list,
        description="the items of the catalogue (事项清单) that the month's cases or ratings "
        "named, by code: cases by category, bad ratings, complaints of several trips",
    )
    visits: list[VisitItemPublic] = Field(
        default_factory=list,
        description="the inspection visits (暗访巡查) of the month, oldest first, each with its "
        "findings counted by type",
    )

    @classmethod
    def of(cls, report: MonthlyReport) -> MonthlyReportPublic:
        return cls(
            month=report.month,
            departments=[DepartmentReportPublic.of(d) for d in report.departments],
            position=report.position,
            caught_up=report.caught_up,
            as_of=report.stated_as_of,
            as_of_requested=report.as_of_asked,
            notices=[NoticePublic.of(n) for n in report.notices],
            surveys=[WindowSatisfactionPublic.of(w) for w in report.surveys],
            cover_gaps=[GapPublic.of(g) for g in report.cover_gaps],
            assessments=[StandingPublic.of(s) for s in report.assessments],
            items=[ItemMetricsPublic.of(m) for m in report.items],
            visits=[VisitItemPublic.of(v) for v in report.visits],
        )
