"""The shapes of lists, boards and metrics at the HTTP edge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Generic, Self, TypeVar, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from application.queries import (
    CaseCounts,
    CaseFilter,
    DayCount,
    DepartmentMetrics,
    EscalatedItem,
    EvaluationMetrics,
    Page,
    WindowMetrics,
)
from application.surveys import SurveySatisfaction
from domain.calendar import office_midnight
from domain.case import Channel, Kind, ProposalStatus, Satisfaction, Status
from domain.labels import described, label
from interfaces.as_of import AS_OF_DESCRIPTION
from interfaces.http.schemas.answers import ReadOff, labelled
from interfaces.http.schemas.cases import (
    DIRECTORY_ID,
    LARGEST_JSON_INTEGER,
    AsOfAnswered,
    CaseLabels,
    Day,
)
from interfaces.http.schemas.office_time import OfficeTime
from interfaces.http.schemas.text import QueryText

Position = Annotated[
    int | None,
    Field(
        ge=0,
        le=LARGEST_JSON_INTEGER,
        description="wait (up to a few seconds) until the read side has seen this event "
        "position, e.g. the `position` a command answered",
    ),
]
Item = TypeVar("Item", bound=BaseModel)


class AsOfAsked(BaseModel):
    """A query of a read that can show the record as it stood at `as_of` (§14): the query
    lets the parameter through, and the route's `PastDep` reads it."""

    as_of: QueryText | None = Field(default=None, description=AS_OF_DESCRIPTION)


class ListQuery(BaseModel):
    """A page of a list and nothing else; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    after: Position = None


class ListPage(BaseModel, Generic[Item]):
    """A page of a list; `next` is the cursor of the following page. A list names the public
    shape of its items, whose own `of` makes one of each read-side item, as in
    `class CaseList(ListPage[CaseSummaryPublic])`."""

    items: list[Item]
    next: str | None
    position: int = Field(description="the event position the read side has reached")
    caught_up: bool = Field(description="false when `after` was not reached in time")

    @classmethod
    def of(cls, page: Page, **answered: Any) -> Self:
        """The page, with the fields of the list's own (`answered`) beside it."""
        (item,) = get_args(cls.model_fields["items"].annotation)
        return cls(
            items=[item.of(entry) for entry in page.items],
            next=page.next,
            position=page.position,
            caught_up=page.caught_up,
            **answered,
        )


class CaseListQuery(AsOfAsked):
    """Filters of the case list; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    kind: Kind | None = None
    channel: Channel | None = None
    overdue: bool | None = None
    urgent: bool | None = None
    extension_requested: bool | None = Field(
        default=None, description="true: an extension request awaits an inspector (延期待批)"
    )
    proposal: ProposalStatus | None = Field(
        default=None,
        description="where a deduction proposed with the result stands; `proposed`: no "
        f"inspector has decided it yet ({described('proposal_status')})",
    )
    q: QueryText | None = Field(default=None, min_length=1, max_length=100)
    registered_from: Day | None = None
    registered_to: Day | None = None
    due_from: Day | None = None
    due_to: Day | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    after: Position = None

    @model_validator(mode="after")
    def _ranges_in_order(self) -> CaseListQuery:
        for start, end in (
            (self.registered_from, self.registered_to),
            (self.due_from, self.due_to),
        ):
            if start and end and start > end:
                raise ValueError("a date range must start before it ends")
        return self

    def criteria(self) -> CaseFilter:
        return CaseFilter(
            status=self.status.value if self.status else None,
            department=self.department,
            kind=self.kind.value if self.kind else None,
            channel=self.channel.value if self.channel else None,
            overdue=self.overdue,
            urgent=self.urgent,
            text=self.q,
            registered_from=self.registered_from,
            registered_to=self.registered_to,
            due_from=self.due_from,
            due_to=self.due_to,
            extension_requested=self.extension_requested,
            proposal=self.proposal.value if self.proposal else None,
        )


class ProposalPublic(BaseModel):
    """A deduction a department proposed with its result, for an inspector to decide."""

    model_config = ConfigDict(from_attributes=True)

    status: ProposalStatus = Field(description=described("proposal_status"))
    rule: str | None = Field(description="a code from GET /conduct-rules")
    staff: str | None
    window: str | None
    points: int | None = Field(description="null: the rule's own points")

    status_label = labelled("proposal_status", "status")


class CaseSummaryPublic(CaseLabels, ReadOff):
    """One line of the case list."""

    id: UUID
    tracking_number: str
    kind: Kind
    channel: Channel
    status: Status
    department: str | None
    assigned_department: str | None
    window: str | None
    category: str | None
    urgent: bool
    summary: str
    registered_at: OfficeTime
    updated_at: OfficeTime
    acknowledge_due_at: OfficeTime | None
    due_at: OfficeTime | None
    overdue: bool
    clock_stopped: bool
    satisfaction: Satisfaction | None
    extension_requested: bool = Field(description="an extension request awaits an inspector")
    proposed_deduction: ProposalPublic | None = Field(
        validation_alias="proposal",
        description="the deduction proposed with the result (建议扣分), if any",
    )


class CaseList(ListPage[CaseSummaryPublic]):
    """A page of cases, newest first; `next` is the cursor of the following page."""

    as_of: AsOfAnswered = None


class BoardQuery(AsOfAsked):
    """Options of the deadline board."""

    model_config = ConfigDict(extra="forbid")

    after: Position = None


class BoardItemPublic(ReadOff):
    """An open task on the board: the deadline that binds it and the working time left."""

    id: UUID
    type: str = Field(description="`case` or `rectification_order` (整改通知)")
    tracking_number: str
    kind: str
    status: str
    urgent: bool
    summary: str
    binding_deadline: str = Field(description="`acknowledge` (签收) or `handle` (办结)")
    due_at: OfficeTime | None
    acknowledge_due_at: OfficeTime | None
    working_seconds_left: int | None = Field(
        description="office time left before the binding deadline; negative once it passed"
    )
    reminded: bool
    overdue: bool
    clock_stopped: bool
    extension_requested: bool
    supervised: bool
    public_notice: bool
    reminders: int = Field(
        default=0,
        description="reminders sent by hand (人工催办) to this department on the task; "
        "`reminded` is the clock's own reminder (催办提醒)",
    )
    last_reminded_at: OfficeTime | None = Field(default=None, description="the last one's time")
    last_reminder_message: str | None = Field(default=None, description="the last one's message")

    type_label = labelled("task_type", "type")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return label("kind" if self.type == "case" else "task_type", self.kind)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return label("status" if self.type == "case" else "order_status", self.status)

    binding_deadline_label = labelled("binding_deadline", "binding_deadline")


class EscalatedItemPublic(BoardItemPublic):
    """Open work escalated to this department (下级超期件): held by `department`, one of
    its subordinates, escalated at `escalated_at`."""

    department: str
    escalated_at: OfficeTime

    @classmethod
    def of_escalated(cls, escalated: EscalatedItem) -> EscalatedItemPublic:
        return cls.model_validate(
            {
                **asdict(escalated.item),
                "department": escalated.department,
                "escalated_at": escalated.escalated_at,
            }
        )


class Board(BaseModel):
    """A department's open tasks, the most pressing first."""

    department: str
    items: list[BoardItemPublic]
    position: int
    caught_up: bool
    # Superiors and escalation (提级督办): the subordinates' work escalated to this
    # department (下级超期件), and whether the caller reads this board as its superior.
    escalated: list[EscalatedItemPublic] = []
    read_only: bool = False
    as_of: AsOfAnswered = None


class MetricsQuery(BaseModel):
    """The period of the metrics: assignments from `from` up to and including `to`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Day = Field(alias="from")
    end: Day = Field(alias="to")

    @model_validator(mode="after")
    def _in_order(self) -> MetricsQuery:
        if self.start > self.end:
            raise ValueError("`from` must not be after `to`")
        if (self.end - self.start).days > 366:
            raise ValueError("the period is at most one year")
        return self

    def moments(self) -> tuple[datetime, datetime]:
        """The period as moments: from midnight of `from` to the midnight after `to`."""
        return office_midnight(self.start), office_midnight(self.end + timedelta(days=1))

    def day_ends(self, now: datetime) -> list[tuple[date, datetime]]:
        """Each day of the period that has begun, with the moment its count is taken: the
        midnight after it, or `now` for today."""
        days = (self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1))
        return [
            (day, min(office_midnight(day + timedelta(days=1)), now))
            for day in days
            if office_midnight(day) <= now
        ]


class MetricsAsOfQuery(MetricsQuery, AsOfAsked):
    """The period of the metrics (valid time: when acts happened), counted as the record
    stood at `as_of` (record time) when it is given."""


class OrderMetricsPublic(ReadOff):
    """A department's rectification orders issued in the period, and their two rates."""

    issued: int
    open: int = Field(description="issued or in progress")
    reported: int = Field(description="reported, waiting for verification")
    closed: int
    overdue: int
    rejections: int = Field(description="reports rejected (验收不通过), counted each time")
    acknowledged_on_time_rate: float | None = Field(description="签收及时率")
    reported_on_time_rate: float | None = Field(
        description="按时整改率: the latest report came by the deadline then in force"
    )
    acknowledged_on_time: int
    acknowledge_judged: int
    reported_on_time: int
    report_judged: int


class DepartmentMetricsPublic(BaseModel):
    """A department's counts and its three rates (null when nothing could be judged yet)."""

    department: str
    assigned: int
    open: int
    answered: int
    closed: int
    overdue: int
    acknowledged_on_time_rate: float | None = Field(description="签收及时率")
    completed_on_time_rate: float | None = Field(description="按时办结率")
    satisfied_rate: float | None = Field(description="满意率 (from callbacks)")
    acknowledged_on_time: int
    acknowledge_judged: int
    completed_on_time: int
    completion_judged: int
    satisfied: int
    called_back: int
    orders: OrderMetricsPublic = Field(description="rectification orders issued in the period")
    ratings: int = Field(description="ratings (好差评) of the department's windows in the period")
    rating_average: float | None = Field(description="their average, 1–5; null without any")
    bad_ratings: int = Field(description="ratings of 1 or 2 (差评)")
    reminders: int = Field(
        default=0,
        description="reminders sent by hand (人工催办) to the department in the period, "
        "on its cases and rectification orders together",
    )

    @classmethod
    def of(cls, metrics: DepartmentMetrics) -> DepartmentMetricsPublic:
        cases = {
            name: getattr(metrics, name)
            for name in cls.model_fields
            if name != "orders" and hasattr(metrics, name)
        }
        return cls.model_validate(
            {
                **cases,
                "orders": OrderMetricsPublic.of(metrics.orders),
                "ratings": metrics.rated.ratings,
                "rating_average": metrics.rated.rating_average,
                "bad_ratings": metrics.rated.bad_ratings,
            }
        )


class SatisfactionPublic(BaseModel):
    """One source's satisfaction at a window over the period: the online ratings (好差评),
    paper forms, or one third party's results; each with its sample size."""

    source: str = Field(description=f"`online`, or 调查来源: {described('survey_source')}")
    provider: str | None = Field(description="a third party's name; null otherwise")
    sample_size: int = Field(description="ratings, or forms, counted")
    average: float | None = Field(description="the average level, 1–5; null without any")
    bad: int = Field(description="ratings or forms at level 1 or 2 (差评)")
    by_rating: list[int] = Field(description="how many gave 1, 2, 3, 4 and 5, in that order")
    batches: int | None = Field(description="survey batches counted; null for online ratings")

    source_label = labelled("survey_source", "source")

    @classmethod
    def online(cls, metrics: EvaluationMetrics) -> SatisfactionPublic:
        return cls(
            source="online",
            provider=None,
            sample_size=metrics.ratings,
            average=metrics.rating_average,
            bad=metrics.bad_ratings,
            by_rating=list(metrics.by_rating),
            batches=None,
        )

    @classmethod
    def of_survey(cls, survey: SurveySatisfaction) -> SatisfactionPublic:
        return cls(
            source=survey.source,
            provider=survey.provider,
            sample_size=survey.forms,
            average=survey.average,
            bad=survey.bad,
            by_rating=list(survey.by_rating),
            batches=survey.batches,
        )


class WindowMetricsPublic(BaseModel):
    """A window's ratings (好差评) in the period."""

    window: str
    department: str
    ratings: int
    rating_average: float | None = Field(description="1–5; null without any rating")
    bad_ratings: int = Field(description="ratings of 1 or 2 (差评)")
    by_rating: list[int] = Field(
        description="the distribution: how many ratings gave 1, 2, 3, 4 and 5, in that order"
    )
    satisfaction: list[SatisfactionPublic] = Field(
        default_factory=list,
        description="satisfaction side by side, each with its source and sample size: the "
        "online ratings first, then the surveys (满意度调查) whose collection ended in the "
        "period, paper forms together and a third party's per provider",
    )

    @classmethod
    def of(
        cls, metrics: WindowMetrics, surveys: Sequence[SurveySatisfaction] = ()
    ) -> WindowMetricsPublic:
        shown = cls.model_validate(metrics, from_attributes=True)
        shown.satisfaction = [
            SatisfactionPublic.online(metrics),
            *(SatisfactionPublic.of_survey(survey) for survey in surveys),
        ]
        return shown


class PeriodPublic(BaseModel):
    """The period a list of metrics covers, as its query named it (`from`, `to`)."""

    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")


class WindowMetricsList(PeriodPublic):
    """Every active window's ratings over the period."""

    items: list[WindowMetricsPublic]
    as_of: AsOfAnswered = None


class MetricsList(PeriodPublic):
    """Every department's metrics over the period."""

    items: list[DepartmentMetricsPublic]
    as_of: AsOfAnswered = None


class DayCountPublic(BaseModel):
    """One day of the period and the cases overdue at its end."""

    day: date
    overdue: int

    @classmethod
    def of(cls, count: DayCount) -> DayCountPublic:
        return cls(day=count.day, overdue=count.count)


class OverduePerDayList(PeriodPublic):
    """The cases overdue at the end of each day of the period (today: now), oldest first."""

    items: list[DayCountPublic]


class KindCountPublic(BaseModel):
    """Cases of one kind (诉求类型)."""

    kind: Kind
    label: str = Field(description="the kind in Chinese")
    cases: int


class CategoryCountPublic(BaseModel):
    """Cases of one category (分类); null for the cases registered without one."""

    category: str | None
    cases: int


class CaseCountsPublic(PeriodPublic):
    """The cases registered in the period, by kind and by category, largest first."""

    by_kind: list[KindCountPublic]
    by_category: list[CategoryCountPublic]

    @classmethod
    def of(cls, period: MetricsQuery, counts: CaseCounts) -> CaseCountsPublic:
        return cls(
            start=period.start,
            end=period.end,
            by_kind=[
                KindCountPublic(kind=Kind(kind), label=label("kind", kind), cases=cases)
                for kind, cases in counts.by_kind
            ],
            by_category=[
                CategoryCountPublic(category=category, cases=cases)
                for category, cases in counts.by_category
            ],
        )
