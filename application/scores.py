"""What the read side answers about discipline: scores, blue and red lists, monthly reports."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol, Self
from uuid import UUID

from application.assessments import StaffStanding
from application.items import ItemMetrics
from application.notices import NoticeSummary
from application.post_cover import GapView
from application.queries import Page, Reading
from application.surveys import WindowSatisfaction
from application.visits import VisitSummary


@dataclass(frozen=True)
class SubjectScore:
    """A window's or staff member's month: 100 less the deductions in force, never below 0."""

    subject: str
    id: str
    name: str
    department: str
    department_name: str | None
    window: str | None
    score: int
    deducted: int
    deductions: int
    active: bool
    # Deductions in force on the card whose appeal (申诉) waits for the inspectors' decision.
    under_appeal: int = 0


@dataclass(frozen=True)
class DeductionLine:
    """One act deducted for, with whom it cost (`charged`: the cards it is on); a revoked one
    (`revoked`) no longer counts and is read only where asked for."""

    id: UUID
    occurred_at: datetime
    month: str
    department: str
    department_name: str | None
    window: str | None
    window_name: str | None
    staff: str | None
    staff_name: str | None
    charged: tuple[str, ...]
    rule: str
    rule_name: str
    points: int
    all_remaining: bool
    evidence: str
    source_type: str
    source_ref: str | None
    revoked: bool = False
    revoked_at: datetime | None = None
    # The deduction's appeal (申诉), if it was appealed: open (申诉中), upheld or granted.
    appeal_id: UUID | None = None
    appeal_status: str | None = None
    appeal_reason: str | None = None


@dataclass(frozen=True)
class DeductionEntry(DeductionLine):
    """A deduction as the list of deductions shows it: in force or revoked, and when recorded."""

    revoke_reason: str | None = None
    recorded_at: datetime | None = None
    position: int = 0


@dataclass(frozen=True)
class DeductionFilter:
    """Which deductions the list shows; None means "any"."""

    occurred_from: date | None = None
    occurred_to: date | None = None
    department: str | None = None
    window: str | None = None
    staff: str | None = None
    rule: str | None = None
    revoked: bool | None = None


@dataclass(frozen=True)
class Honoured:
    """A window or staff member on the red list (红榜): names and departments only."""

    subject: str
    name: str
    department: str
    department_name: str | None
    window: str | None


@dataclass(frozen=True)
class DepartmentReport:
    """One department's month: its windows' and staff's scores and every deduction."""

    id: str
    name: str
    windows: tuple[SubjectScore, ...]
    staff: tuple[SubjectScore, ...]
    deductions: tuple[DeductionLine, ...]


@dataclass(frozen=True)
class Listing:
    """Items read from the projected tables, and how far the read side had got."""

    items: list[Any]
    position: int
    caught_up: bool


@dataclass(frozen=True)
class MonthlyReport:
    """Every department's month (or one department's), for its leadership."""

    month: str
    departments: tuple[DepartmentReport, ...]
    position: int
    caught_up: bool
    # The notices (通报, §15) published in the month, withdrawn ones marked, oldest first.
    notices: tuple[NoticeSummary, ...] = ()
    # The windows with a satisfaction survey (满意度调查, §16) whose collection ended in the
    # month: the surveys beside the month's online ratings, by department and window.
    surveys: tuple[WindowSatisfaction, ...] = ()
    # The cover gaps (AB岗, §16) proposed for the month's office days, by day.
    cover_gaps: tuple[GapView, ...] = ()
    # Staff assessments (千人千题, §16): each staff member's latest result as of the month's
    # end and whether a retest is due, by department then staff id.
    assessments: tuple[StaffStanding, ...] = ()
    # The items of the catalogue (事项, §16) that cases or ratings of the month named, by code.
    items: tuple[ItemMetrics, ...] = ()
    # The inspection visits (暗访巡查, §16) of the month, oldest first.
    visits: tuple[VisitSummary, ...] = ()
    # The instant of record time the report reflects (§14), which it states: the `as_of`
    # asked for (`as_of_asked`), or else the moment it was made. Set by `monthly_report_as_of`.
    as_of: datetime | None = None
    as_of_asked: bool = False

    @property
    def stated_as_of(self) -> datetime:
        """The instant the report reflects, which each of its forms states."""
        if self.as_of is None:
            raise ValueError("a monthly report states its as_of: read it by monthly_report_as_of")
        return self.as_of


class ScoreQueries(Protocol):
    """The read side's discipline queries (asyncpg over the projected tables)."""

    def as_of(self, position: int) -> Self:
        """These queries, reading the record as it stood at log `position` (§14)."""
        ...

    async def scores(
        self, month: str, *, subject: str | None, department: str | None, after: int | None
    ) -> Listing: ...

    async def blue_list(
        self, day: date, *, department: str | None, after: int | None
    ) -> Listing: ...

    async def red_list(
        self, month: str, *, after: int | None, department: str | None = None
    ) -> Listing: ...

    async def deductions(
        self, criteria: DeductionFilter, *, limit: int, cursor: str | None, after: int | None
    ) -> Page:
        """Deductions, in force or revoked, the last recorded first, a page at a time."""
        ...

    async def monthly_report(
        self,
        month: str,
        *,
        department: str | None,
        after: int | None,
        with_revoked: bool = False,
    ) -> MonthlyReport: ...


async def monthly_report_as_of(
    scores: ScoreQueries,
    month: str,
    reading: Reading,
    *,
    department: str | None,
    with_revoked: bool = False,
    after: int | None = None,
) -> MonthlyReport:
    """The month's report as the record stood at the reading's past, or as it stands now when
    no instant is asked for; either way the report states the instant it reflects.

    Made now, it reads the present tables: once the projections had caught up with now,
    that is what the report asked as of now answers, ever after."""
    report = await reading.read(
        scores,
        lambda queries, awaited: queries.monthly_report(
            month, department=department, after=awaited, with_revoked=with_revoked
        ),
        after,
    )
    return replace(report, as_of=reading.at, as_of_asked=reading.past is not None)
