"""What the read side answers: lists, boards and metrics from the projected tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, Self, TypeVar
from uuid import UUID

from application.base import StorageUnavailable
from domain.actor import Role
from domain.calendar import WorkingCalendar
from domain.errors import Invalid

# The last position the notification log can reach: PostgreSQL's bigint. No cursor, `after`
# or other position a caller gives may go past it, or the database would refuse the query.
LAST_POSITION = 2**63 - 1


class InvalidCursor(Invalid):
    """A page cursor that this service did not hand out."""

    code = "invalid_cursor"


class ReplicaBehind(StorageUnavailable):
    """The read replica has not yet replayed what the primary has projected past `after`: a
    read that must show the client's own write waits for it, and past the bound asks again."""

    code = "replica_behind"


class InvalidAsOf(Invalid):
    """An `as_of` that is neither an instant with its offset nor a date."""

    code = "invalid_as_of"


class AsOfInFuture(Invalid):
    """An `as_of` after now: the record cannot say yet how it will stand."""

    code = "as_of_in_future"


class PastNotProjected(StorageUnavailable):
    """The read side has not yet got as far as the instant asked for; ask again shortly."""

    code = "as_of_not_projected"


@dataclass(frozen=True)
class Past:
    """An instant of record time (§14), and the log position of the record as it stood then:
    the last of the events recorded by the instant (0: none yet)."""

    instant: datetime
    position: int


class ReadsThePast(Protocol):
    """Queries that can read the record as it stood at a log position."""

    def as_of(self, position: int) -> Self: ...


PastReadable = TypeVar("PastReadable", bound=ReadsThePast)


class Projected(Protocol):
    """An answer of the read side, saying whether it got as far as the position awaited."""

    @property
    def caught_up(self) -> bool: ...


Answer = TypeVar("Answer", bound=Projected)


@dataclass(frozen=True)
class Reading:
    """A read of the record as it stands `now`, or as it stood at `past` (§14): which
    queries answer, which position they wait for, and the instant time is counted at."""

    now: datetime
    past: Past | None = None

    @property
    def as_of(self) -> datetime | None:
        """The instant the answer reflects, to state in it; None when it reflects now."""
        return self.past.instant if self.past is not None else None

    @property
    def at(self) -> datetime:
        """When time left, overdue flags and the default day or month are counted."""
        return self.past.instant if self.past is not None else self.now

    def of(self, queries: PastReadable) -> PastReadable:
        """`queries`, reading the record as it stood at the instant asked for."""
        return queries.as_of(self.past.position) if self.past is not None else queries

    def after(self, asked: int | None = None) -> int | None:
        """The position to wait for: the past's own, or the one the caller asked for now."""
        return self.past.position if self.past is not None else asked

    def checked(self, answer: Answer) -> Answer:
        """The answer, unless it is of the past and the read side had not got there: the
        past does not change, so an answer short of it would be wrong rather than late."""
        if self.past is not None and not answer.caught_up:
            raise PastNotProjected(
                "the read side has not yet got as far as that instant; retry in a moment"
            )
        return answer

    async def read(
        self,
        queries: PastReadable,
        read: Callable[[PastReadable, int | None], Awaitable[Answer]],
        after: int | None = None,
    ) -> Answer:
        """`read` on the queries and position of this reading, its answer `checked`."""
        return self.checked(await read(self.of(queries), self.after(after)))


class RecordTime(Protocol):
    """Where in the notification log the record stood at an instant."""

    async def past(self, instant: datetime) -> Past: ...


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a list shows; None means "any"."""

    status: str | None = None
    department: str | None = None
    kind: str | None = None
    channel: str | None = None
    overdue: bool | None = None
    urgent: bool | None = None
    text: str | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    extension_requested: bool | None = None
    proposal: str | None = None  # a ProposalStatus value


@dataclass(frozen=True)
class Proposal:
    """A deduction a department proposed with its result (建议扣分), and where it stands."""

    status: str
    rule: str | None
    staff: str | None
    window: str | None
    points: int | None


@dataclass(frozen=True)
class CaseSummary:
    """One line of a case list."""

    id: UUID
    tracking_number: str
    kind: str
    channel: str
    status: str
    department: str | None
    assigned_department: str | None
    window: str | None
    category: str | None
    urgent: bool
    summary: str
    registered_at: datetime
    updated_at: datetime
    acknowledge_due_at: datetime | None
    due_at: datetime | None
    overdue: bool
    clock_stopped: bool
    satisfaction: str | None
    position: int
    extension_requested: bool = False
    proposal: Proposal | None = None


@dataclass(frozen=True)
class OrderFilter:
    """Which rectification orders a list shows; None means "any"."""

    status: str | None = None
    department: str | None = None
    window: str | None = None
    staff: str | None = None
    overdue: bool | None = None
    extension_requested: bool | None = None
    text: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None


@dataclass(frozen=True)
class OrderHeading:
    """What names a rectification order wherever it is shown, in the list or on its page."""

    id: UUID
    tracking_number: str
    status: str
    department: str
    window: str | None
    staff: str | None
    problem: str


@dataclass(frozen=True)
class OrderSummary(OrderHeading):
    """One line of the list of rectification orders, with the deadline that binds it now
    (`binding_deadline`: acknowledge or handle, None once reported or closed) and the office
    time left before it (negative once past)."""

    source_type: str
    source_ref: str | None
    issued_at: datetime
    issued_by: str
    acknowledge_due_at: datetime | None
    due_at: datetime | None
    binding_deadline: str | None
    working_seconds_left: int | None
    overdue: bool
    clock_stopped: bool
    extension_requested: bool
    supervised: bool
    reports: int
    rejections: int
    closed_at: datetime | None
    position: int


@dataclass(frozen=True)
class CallerCase:
    """An earlier case of the same caller, as the intake desk lists it."""

    id: UUID
    tracking_number: str
    kind: str
    status: str
    registered_at: datetime


@dataclass(frozen=True)
class RoutingItem:
    """A case waiting for a department: never assigned, or returned (with the reason)."""

    case: CaseSummary
    department: str | None  # the suggested one: the window's or staff member's
    return_reason: str | None
    returned_by: str | None
    final: bool


@dataclass(frozen=True)
class Page:
    """A page of a list, and the cursor of the next one (None on the last page)."""

    items: list[Any]
    next: str | None
    position: int
    caught_up: bool


@dataclass(frozen=True)
class BoardItem:
    """An open task on a department's deadline board."""

    id: UUID
    type: str
    tracking_number: str
    kind: str
    status: str
    urgent: bool
    summary: str
    binding_deadline: str
    due_at: datetime | None
    acknowledge_due_at: datetime | None
    working_seconds_left: int | None
    reminded: bool
    overdue: bool
    clock_stopped: bool
    extension_requested: bool
    supervised: bool
    public_notice: bool
    # Reminders sent by hand (人工催办) to this department on the task, and the last one.
    reminders: int = 0
    last_reminded_at: datetime | None = None
    last_reminder_message: str | None = None


@dataclass(frozen=True)
class EscalatedItem:
    """Open work escalated (提级督办): to a superior's board (下级超期件) or the inspectors."""

    item: BoardItem
    department: str
    escalated_at: datetime


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class OrderMetrics:
    """One department's rectification orders issued over a period (整改通知)."""

    issued: int = 0
    open: int = 0
    reported: int = 0
    closed: int = 0
    overdue: int = 0
    rejections: int = 0
    acknowledged_on_time: int = 0
    acknowledge_judged: int = 0
    reported_on_time: int = 0
    report_judged: int = 0

    @property
    def acknowledged_on_time_rate(self) -> float | None:
        return _rate(self.acknowledged_on_time, self.acknowledge_judged)

    @property
    def reported_on_time_rate(self) -> float | None:
        return _rate(self.reported_on_time, self.report_judged)


@dataclass(frozen=True)
class EvaluationMetrics:
    """Evaluations (好差评) over a period: how many, the sum of their ratings, and how many were
    bad (rated 1–2)."""

    ratings: int = 0
    rating_total: int = 0
    bad_ratings: int = 0
    # How many ratings gave 1, 2, 3, 4 and 5 (非常不满意 … 非常满意).
    by_rating: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    @property
    def rating_average(self) -> float | None:
        return round(self.rating_total / self.ratings, 2) if self.ratings else None


@dataclass(frozen=True)
class WindowMetrics(EvaluationMetrics):
    """One window's evaluations over a period."""

    window: str = ""
    department: str = ""


@dataclass(frozen=True)
class DayCount:
    """How many of something one day of the centre's calendar had."""

    day: date
    count: int


@dataclass(frozen=True)
class CaseCounts:
    """Cases registered in a period, counted by kind and by category (None: no category),
    each list largest first."""

    by_kind: list[tuple[str, int]]
    by_category: list[tuple[str | None, int]]


@dataclass(frozen=True)
class DepartmentMetrics:
    """One department's counts and rates over a period."""

    department: str
    assigned: int
    open: int
    answered: int
    closed: int
    overdue: int
    acknowledged_on_time: int
    acknowledge_judged: int
    completed_on_time: int
    completion_judged: int
    satisfied: int
    called_back: int
    orders: OrderMetrics = field(default_factory=OrderMetrics)
    rated: EvaluationMetrics = field(default_factory=EvaluationMetrics)
    # Reminders sent by hand (人工催办) to the department in the period, cases and orders.
    reminders: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def acknowledged_on_time_rate(self) -> float | None:
        return self._rate(self.acknowledged_on_time, self.acknowledge_judged)

    @property
    def completed_on_time_rate(self) -> float | None:
        return self._rate(self.completed_on_time, self.completion_judged)

    @property
    def satisfied_rate(self) -> float | None:
        return self._rate(self.satisfied, self.called_back)


class CaseQueries(Protocol):
    """The read side's case queries (asyncpg over the projected tables); a list or board
    shows each summary as a reader in `role` may read it (DESIGN §3)."""

    def as_of(self, position: int) -> Self:
        """These queries, reading the record as it stood at log `position` (§14)."""
        ...

    async def open_provisional_tasks(self) -> int: ...

    async def task_id_of(self, tracking_number: str) -> UUID | None:
        """The case or rectification order this tracking number was given to, if any."""
        ...

    async def list_cases(
        self,
        criteria: CaseFilter,
        *,
        role: Role,
        visible_to_department: str | None,
        limit: int,
        cursor: str | None,
        now: datetime,
        after: int | None,
    ) -> Page: ...

    async def list_orders(
        self,
        criteria: OrderFilter,
        *,
        visible_to_department: str | None,
        limit: int,
        cursor: str | None,
        now: datetime,
        calendar: WorkingCalendar,
        after: int | None,
    ) -> Page:
        """Rectification orders newest first, filtered; only one department's when given."""
        ...

    async def board(
        self,
        department: str,
        *,
        role: Role,
        now: datetime,
        calendar: WorkingCalendar,
        after: int | None,
    ) -> Page: ...

    async def cases_of_caller(self, phone_digest: str, *, limit: int) -> list[CallerCase]:
        """The cases whose complainant's phone has this keyed digest, newest first."""
        ...

    async def open_cases_at_window(
        self, window: str, *, since: datetime, now: datetime, role: Role, limit: int
    ) -> list[CaseSummary]:
        """Cases at this window registered since `since` and not closed or merged, newest
        first: the likely duplicates of a new case there."""
        ...

    async def routing_queue(self, *, now: datetime, role: Role, limit: int) -> list[RoutingItem]:
        """Cases waiting for a department (registered or returned), oldest first."""
        ...

    async def department_metrics(
        self, departments: list[str], *, start: datetime, end: datetime, now: datetime
    ) -> list[DepartmentMetrics]: ...

    async def window_metrics(
        self, windows: list[tuple[str, str]], *, start: datetime, end: datetime
    ) -> list[WindowMetrics]:
        """Evaluations per (window, department), given from `start` until `end`."""
        ...

    async def overdue_per_day(self, day_ends: list[tuple[date, datetime]]) -> list[DayCount]:
        """For each (day, moment its count is taken), the cases that a department then held
        past a deadline it had not met."""
        ...

    async def case_counts(self, *, start: datetime, end: datetime) -> CaseCounts:
        """Cases registered from `start` until `end`, by kind and by category."""
        ...

    async def escalated_work(
        self,
        superior: str | None,
        *,
        role: Role,
        now: datetime,
        calendar: WorkingCalendar,
        after: int | None,
    ) -> list[EscalatedItem]:
        """Open work escalated to `superior` (下级超期件), or to the inspectors when None."""
        ...
