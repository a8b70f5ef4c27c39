"""A simulated campaign of the centre's work, done through the application's own verbs.

`oversight demo` runs one on the sample directory so that a newcomer finds a living system —
boards with open and overdue cases, months of scores, blue and red lists, rectification
orders, ratings — and benchmarks use it to load realistic data
(`interfaces.bootstrap.load_demo_campaign`).

The campaign owns the application's clock and moves it forward action by action, in the
order things happen, over every day up to its end: operators register and route cases
(some to the wrong department, some duplicates), departments acknowledge, return, stop their
clock, ask for more time and answer, operators call back, close and reopen, inspectors grant
or refuse extensions, supervise, deduct points (and revoke a few), issue and verify
rectification orders, erase a complainant's data on request, and citizens rate the windows.
Between those steps it does the worker's part at the right moments: it records each
reminder, missed deadline and public-notice flag when it falls due (`observe_task_clock`,
watched through the same `next_alarm` the read tables keep), and opens the case a bad rating
calls for (`open_case_for_rating`, what RatingCasePolicy calls). Nothing refused by the
domain is caught: a refusal here is a bug of the simulation.

Volume. At scale 1 the operators register 50 cases a working day (a tenth of that on days
off, online and on the duty hotline), citizens leave 100 ratings (about 6 in 100 bad, each
opening a complaint), inspectors record 4 patrol deductions and issue nearly one inspection
order a day, besides what supervision, bad ratings and substantiated complaints bring. A
real centre of the sample directory's size (30 departments, 61 windows) takes 150–250 cases
a working day through its hotline; 50 already fills every department's board, every month's
scores and every list, while the default 100 days (about 4,000 cases, 6,900 ratings, 640
deductions, 140 orders: 41,000 events) load in about five minutes on a small machine.
Everything scales linearly with `scale` (0.05 makes a test-sized campaign).

Departments differ: each draws a sloppiness (most near 0.1, a few above 0.4) that makes it
acknowledge and answer late more often, shirk cases back, draw complaints and bad ratings,
and its staff break rules more often; so scores, blue and red lists and metrics differ.

Randomness comes only from `random.Random(seed)`: the same seed, scale and dates give the
same campaign, step for step (the ids and access codes the application draws itself aside).
"""

from __future__ import annotations

import heapq
import itertools
import random
import string
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from uuid import UUID

from application.ratings import ANONYMOUS
from application.rectification import OrderView
from application.supervision import Supervision
from application.views import CaseView
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ, WorkingCalendar
from domain.case import (
    DEDUCTIBLE_KINDS,
    MAX_REOPENINGS,
    Case,
    Channel,
    Kind,
    Outcome,
    Satisfaction,
    Status,
)
from domain.conduct import ConductRule
from domain.directory import DirectorySpec, StaffMember, Window
from domain.errors import Conflict
from domain.evaluation import Evaluation, rating_case_id
from domain.rectification import OrderSourceType, OrderStatus, RectificationOrder
from domain.scorecard import Deduction, DeductionRequest, SourceType
from domain.task import Task
from domain.task_clock import next_alarm, office_day_seconds

T = TypeVar("T")

DEFAULT_SEED = 2026
DEFAULT_DAYS = 100

# Volume at scale 1 (see the module's docstring for why these figures).
CASES_PER_WORKING_DAY = 50
DAY_OFF_SHARE = 0.1  # of a working day's cases arrive on a weekend or holiday
RATINGS_PER_WORKING_DAY = 100
PATROL_DEDUCTIONS_PER_WORKING_DAY = 4
INSPECTION_ORDERS_PER_WORKING_DAY = 0.8
# Mondays bring the weekend's backlog, Fridays are quieter (Monday first).
WEEKDAY_LOAD = (1.25, 1.05, 1.0, 0.95, 0.8, 1.0, 1.0)

KIND_MIX = {
    Kind.COMPLAINT: 55,
    Kind.CONSULTATION: 15,
    Kind.REQUEST: 9,
    Kind.REPORT: 8,
    Kind.SUGGESTION: 7,
    Kind.PRAISE: 6,
}
CHANNEL_MIX = {Channel.HOTLINE: 55, Channel.ONLINE: 25, Channel.WALK_IN: 15, Channel.LETTER: 5}
# The hall is closed on days off: cases come online or through the duty hotline.
DAY_OFF_CHANNEL_MIX = {Channel.ONLINE: 60, Channel.HOTLINE: 40}
URGENT_KINDS = frozenset({Kind.COMPLAINT, Kind.REQUEST, Kind.REPORT})
URGENT_SHARE = 0.05
DUPLICATE_SHARE = 0.03  # of complaints: the same citizen calling again about an open case
ANONYMOUS_REPORT_SHARE = 0.3  # 举报 often comes without a name
INTERNAL_NOTE_SHARE = 0.06
RATING_MIX = {5: 72, 4: 18, 3: 6.8, 2: 2, 1: 1.2}

# Routing and the departments' handling; `…_SLOPPINESS` is added times a department's sloppiness.
MISROUTED_SHARE = 0.06
ARBITRATED_SHARE = 0.4  # of reassignments after a return: final (审定), no second return
SHIRKING_SLOPPINESS = 0.15
LATE_ACKNOWLEDGEMENT_SHARE = 0.03
LATE_ACKNOWLEDGEMENT_SLOPPINESS = 0.35
LATE_RESULT_SHARE = 0.03
LATE_RESULT_SLOPPINESS = 0.3
CLOCK_STOP_SHARE = 0.06
EXTENSION_SHARE = 0.05
EXTENSION_SLOPPINESS = 0.1
EXTENSION_WORKING_DAYS = (3, 5, 5, 7, 10, 15)
EXTENSION_GRANTED_SHARE = 0.75
COMPLICATED_KINDS = frozenset({Kind.COMPLAINT, Kind.REPORT, Kind.REQUEST, Kind.SUGGESTION})
# How far into the time left a department answers on time, per kind (share of office time).
ON_TIME_ANSWER = {
    Kind.CONSULTATION: (0.02, 0.6),
    Kind.REQUEST: (0.1, 0.9),
    Kind.SUGGESTION: (0.2, 0.95),
    Kind.COMPLAINT: (0.15, 0.95),
    Kind.REPORT: (0.25, 0.95),
}
OUTCOME_MIX = {
    Kind.COMPLAINT: {
        Outcome.SUBSTANTIATED: 30,
        Outcome.PARTLY_SUBSTANTIATED: 20,
        Outcome.UNSUBSTANTIATED: 35,
        Outcome.RESOLVED: 15,
    },
    Kind.REPORT: {
        Outcome.SUBSTANTIATED: 15,
        Outcome.PARTLY_SUBSTANTIATED: 15,
        Outcome.UNSUBSTANTIATED: 70,
    },
}
PROPOSAL_SHARE = 0.8  # of substantiated complaints naming someone, less for sloppy departments
PROPOSAL_CONFIRMED_SHARE = 0.85

# The centre's follow-up.
CALLBACK_REACHED_SHARE = 0.85
CALLBACK_ATTEMPTS = 2
SATISFACTION_MIX = {
    Satisfaction.VERY_SATISFIED: 38,
    Satisfaction.SATISFIED: 42,
    Satisfaction.NEUTRAL: 13,
    Satisfaction.DISSATISFIED: 5,
    Satisfaction.VERY_DISSATISFIED: 2,
}
DISSATISFIED = frozenset({Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED})
REOPEN_WHEN_DISSATISFIED_SHARE = 0.6
REOPEN_AFTER_CLOSING_SHARE = 0.02
# Well inside the 30 days a closed case may be reopened, even across a week-long holiday.
REOPEN_AFTER_CLOSING_DAYS = (2, 14)
ERASURE_SHARE = 0.01

# The inspectors.
SUPERVISION_SHARE = 0.75
PUBLIC_SUPERVISION_NOTE_SHARE = 0.5
OVERDUE_DEDUCTION_SHARE = 0.5
ORDER_AFTER_SUPERVISION_SHARE = 0.1
ORDER_AFTER_SUPERVISION_SLOPPINESS = 0.4
ORDER_AFTER_BAD_RATING_SHARE = 0.05
WINDOW_FINDING_SHARE = 0.25  # of patrol findings: about a window, not a person
UNANNOUNCED_VISIT_SHARE = 0.3
REVOCATION_SHARE = 0.05
ORDER_TERMS = (None, None, None, 5, 15)  # working days; None: the policy's default
ORDER_CLOCK_STOP_SHARE = 0.05
ORDER_EXTENSION_SHARE = 0.2
# Inspectors hold departments to the terms they set themselves more strictly.
ORDER_EXTENSION_GRANTED_SHARE = 0.6
ORDER_REJECTED_SHARE = 0.25
# Rectifying takes more than answering: orders run late more often than cases.
LATE_REPORT_SHARE = 0.1
LATE_REPORT_SLOPPINESS = 0.4
ORDER_RETRY_WORKING_DAYS = 5

CASE_HANDLING = frozenset({Status.ASSIGNED.value, Status.IN_PROGRESS.value})
ORDER_HANDLING = frozenset({OrderStatus.ISSUED.value, OrderStatus.IN_PROGRESS.value})
RECENT_COMPLAINTS = 60  # the open complaints a duplicate may repeat
NOTIFICATION_PAGE = 1_000
# At one moment, the system notices a deadline passing before anyone acts on it.
ALARM_FIRST, ACTION_NEXT = 0, 1

ADMIN = Actor(principal="demo-admin", role=Role.ADMIN)
PUBLIC = Actor(principal="public", role=Role.PUBLIC)
OPERATORS = tuple(Actor(principal=f"operator-{n:02d}", role=Role.OPERATOR) for n in range(1, 7))
INSPECTORS = tuple(Actor(principal=f"inspector-{n:02d}", role=Role.INSPECTOR) for n in range(1, 4))

DayDone = Callable[[date, int, int], None]


class StoreHoldsCases(Conflict):
    """A campaign fills an event store without cases; this one has some already."""

    code = "store_holds_cases"


class SimulatedClock:
    """The application's clock during a campaign: it stands still until the campaign moves it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(f"a simulated clock needs a timezone-aware start, got {start!r}")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance_to(self, moment: datetime) -> None:
        """Move on to `moment`; time never runs backwards, or the log would contradict it."""
        if moment < self._now:
            raise ValueError(f"the simulated clock is at {self._now}, not going back to {moment}")
        self._now = moment


def campaign_start(end: datetime, days: int) -> datetime:
    """Midnight (centre time) of the first of `days` days whose last is the day of `end`."""
    if days < 1:
        raise ValueError(f"a campaign lasts at least one day, not {days}")
    first = end.astimezone(OFFICE_TZ).date() - timedelta(days=days - 1)
    return datetime.combine(first, time(0), tzinfo=OFFICE_TZ)


@dataclass(frozen=True)
class CampaignReport:
    """What a campaign recorded: its period, its events by topic, and a case to look up."""

    start: datetime
    end: datetime
    events_by_topic: Mapping[str, int]
    rating_cases: int  # of the cases, those bad ratings opened
    # A tracking number and its access code, for trying the public status query.
    public_query: tuple[str, str] | None

    def count(self, topic: str) -> int:
        return self.events_by_topic.get(topic, 0)

    @property
    def first_day(self) -> date:
        return self.start.astimezone(OFFICE_TZ).date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).astimezone(OFFICE_TZ).date()

    @property
    def events(self) -> int:
        return sum(self.events_by_topic.values())

    @property
    def cases(self) -> int:
        return self.count(Case.Registered.TOPIC)

    @property
    def deductions(self) -> int:
        return self.count(Deduction.Recorded.TOPIC)

    @property
    def revoked_deductions(self) -> int:
        return self.count(Deduction.Revoked.TOPIC)

    @property
    def orders(self) -> int:
        return self.count(RectificationOrder.Issued.TOPIC)

    @property
    def ratings(self) -> int:
        return self.count(Evaluation.Rated.TOPIC)


@dataclass(frozen=True)
class _Department:
    """A department as the campaign plays it: its windows and habits."""

    id: str
    windows: tuple[Window, ...]
    sloppiness: float  # 0 diligent … 1 careless
    desk: Actor


@dataclass
class _CaseJourney:
    """What the campaign knows of one case: its latest view, and where it truly belongs."""

    view: CaseView
    home: str
    # As registered: the views a department gets back mask it, and a duplicate repeats it.
    complainant: dict[str, Any]
    complicated: bool = False  # its clock was stopped or more time asked once already
    callbacks: int = 0
    supervision_decided_for: datetime | None = None  # the missed deadline it was considered for

    @property
    def id(self) -> UUID:
        return self.view.id

    @property
    def reachable(self) -> bool:
        """Whether the operators can call the complainant back: not an anonymous one."""
        return not self.complainant.get("anonymous")


@dataclass
class _OrderJourney:
    """What the campaign knows of one rectification order."""

    view: OrderView
    complicated: bool = False
    supervision_decided_for: datetime | None = None

    @property
    def id(self) -> UUID:
        return self.view.id


class Campaign:
    """Drives a Supervision through simulated days, every step one of its own verbs."""

    def __init__(
        self,
        supervision: Supervision,
        clock: SimulatedClock,
        *,
        until: datetime,
        directory: DirectorySpec,
        rules: tuple[ConductRule, ...],
        scale: float = 1.0,
        seed: int = DEFAULT_SEED,
    ) -> None:
        if scale <= 0:
            raise ValueError(f"a campaign's scale is positive, not {scale}")
        if until <= clock.now():
            raise ValueError("a campaign ends after it starts")
        self.supervision = supervision
        self.clock = clock
        self.until = until
        self.directory_spec = directory
        self.rule_set = rules
        self.scale = scale
        self.rng = random.Random(seed)  # noqa: S311 -- a simulation, not a secret
        self._queue: list[tuple[datetime, int, int, Callable[..., None], tuple[Any, ...]]] = []
        self._sequence = itertools.count()
        self._alarms: dict[UUID, datetime] = {}
        self._cases: dict[UUID, _CaseJourney] = {}
        self._orders: dict[UUID, _OrderJourney] = {}
        self._recent_complaints: deque[_CaseJourney] = deque(maxlen=RECENT_COMPLAINTS)
        self._departments: dict[str, _Department] = {}
        self._windows: dict[str, Window] = {}
        self._staff_at: dict[str, list[StaffMember]] = {}
        self._staff_risk: dict[str, float] = {}
        self._rules: dict[str, ConductRule] = {}
        self._calendar: WorkingCalendar = supervision.known_calendar
        self._rating_cases = 0
        self._public_query: tuple[str, str] | None = None

    # The run --------------------------------------------------------------------------------

    def run(self, on_day: DayDone | None = None) -> CampaignReport:
        """Simulate every day up to the end; `on_day(day, done, total)` after each one."""
        self._refuse_store_with_cases()
        start = self.clock.now()
        first_position = self.supervision.recorder.max_notification_id() or 0
        self._set_up()
        days = self._days()
        for done, day in enumerate(days, start=1):
            self._calendar = self.supervision.calendar
            self._plan(day)
            self._run_until(min(self._midnight_after(day), self.until))
            if on_day is not None:
                on_day(day, done, len(days))
        self.clock.advance_to(self.until)
        events = self._topics_after(first_position)
        return CampaignReport(
            start, self.until, dict(events), self._rating_cases, self._public_query
        )

    def _refuse_store_with_cases(self) -> None:
        recorder = self.supervision.recorder
        if recorder.select_notifications(None, 1, topics=[Case.Registered.TOPIC]):
            raise StoreHoldsCases(
                "this event store holds cases already; a demo campaign fills a new database"
            )

    def _set_up(self) -> None:
        """The sample directory and conduct catalogue, and each department's habits."""
        self.supervision.import_directory(self.directory_spec, ADMIN)
        self.supervision.load_conduct_rules(self.rule_set, ADMIN)
        self._rules = {rule.code: rule for rule in self.supervision.list_conduct_rules()}
        windows = self.supervision.list_windows()
        staff = self.supervision.list_staff()
        self._windows = {window.id: window for window in windows}
        for member in staff:
            if member.window is not None:
                self._staff_at.setdefault(member.window, []).append(member)
        for department in self.supervision.list_departments():
            self._departments[department.id] = _Department(
                id=department.id,
                windows=tuple(w for w in windows if w.department == department.id),
                # Most departments are careful; a long tail is not.
                sloppiness=self.rng.betavariate(1.3, 6.0),
                desk=Actor(f"desk-{department.id}", Role.DEPARTMENT, department=department.id),
            )
        for member in staff:
            habit = self.rng.expovariate(1.0)
            # A few people collect most of a department's deductions.
            if self.rng.random() < 0.08:
                habit *= 4
            self._staff_risk[member.id] = habit * (
                0.2 + self._departments[member.department].sloppiness
            )

    def _days(self) -> list[date]:
        first = self.clock.now().astimezone(OFFICE_TZ).date()
        last = (self.until - timedelta(microseconds=1)).astimezone(OFFICE_TZ).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def _midnight_after(self, day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=OFFICE_TZ)

    def _plan(self, day: date) -> None:
        """Put the day's arrivals on the schedule: cases, ratings, patrols, inspections."""
        working = self._calendar.is_working_day(day)
        load = WEEKDAY_LOAD[day.weekday()] * self.rng.uniform(0.85, 1.15)
        if working:
            cases = self._how_many(CASES_PER_WORKING_DAY * load)
        else:
            cases = self._how_many(CASES_PER_WORKING_DAY * DAY_OFF_SHARE)
        for _ in range(cases):
            self._at_arrival(day, self._new_case, working)
        if not working:
            return
        for _ in range(self._how_many(RATINGS_PER_WORKING_DAY * load)):
            self._at_arrival(day, self._rate)
        for _ in range(self._how_many(PATROL_DEDUCTIONS_PER_WORKING_DAY)):
            self._at_arrival(day, self._patrol_finding)
        for _ in range(self._how_many(INSPECTION_ORDERS_PER_WORKING_DAY)):
            self._at_arrival(day, self._inspection_order)

    def _how_many(self, expected_at_scale_one: float) -> int:
        """A whole count whose average is the expectation at this scale."""
        expected = expected_at_scale_one * self.scale
        whole = int(expected)
        return whole + (1 if self.rng.random() < expected - whole else 0)

    def _at_arrival(self, day: date, action: Callable[..., None], *args: Any) -> None:
        hours = self._calendar.office_hours
        opens = datetime.combine(day, hours.opens, tzinfo=hours.tz)
        closes = datetime.combine(day, hours.closes, tzinfo=hours.tz)
        # Nothing arrives in the last quarter hour: the hall stops taking numbers.
        moment = opens + timedelta(
            seconds=self.rng.uniform(0, (closes - opens).total_seconds() - 900)
        )
        if moment >= self.clock.now():  # a campaign starting mid-day skips the hours before
            self._at(moment, action, *args)

    def _run_until(self, limit: datetime) -> None:
        while self._queue and self._queue[0][0] < limit:
            moment, _, _, action, args = heapq.heappop(self._queue)
            self.clock.advance_to(moment)
            action(*args)

    def _at(self, moment: datetime, action: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._queue, (moment, ACTION_NEXT, next(self._sequence), action, args))

    def _topics_after(self, position: int) -> Counter[str]:
        topics: Counter[str] = Counter()
        while True:
            page = self.supervision.recorder.select_notifications(
                position, NOTIFICATION_PAGE, inclusive_of_start=False
            )
            topics.update(notification.topic for notification in page)
            if len(page) < NOTIFICATION_PAGE:
                return topics
            position = page[-1].id

    # Time ----------------------------------------------------------------------------------

    @property
    def _now(self) -> datetime:
        return self.clock.now()

    def _office_days(self, low: float, high: float) -> int:
        return int(self.rng.uniform(low, high) * office_day_seconds(self._calendar))

    def _office_time_later(self, low_days: float, high_days: float) -> datetime:
        """A moment of office time some working days from now (at least a second ahead)."""
        seconds = max(1, self._office_days(low_days, high_days))
        return self._calendar.add_working_seconds(self._now, seconds)

    def _before(self, due: datetime, low: float, high: float) -> datetime:
        """A moment within the office time left until `due`, at a share of it in [low, high)."""
        left = self._calendar.working_seconds_between(self._now, due)
        return self._calendar.add_working_seconds(
            self._now, int(left * self.rng.uniform(low, high))
        )

    def _after(self, due: datetime, low_days: float, high_days: float) -> datetime:
        """A moment of office time some working days after `due` (or after now, if later)."""
        seconds = max(1, self._office_days(low_days, high_days))
        return self._calendar.add_working_seconds(max(due, self._now), seconds)

    def _late_by(self, due: datetime) -> datetime:
        """When a late answer comes: mostly within days; a few so late they are published."""
        roll = self.rng.random()
        if roll < 0.7:
            return self._after(due, 0.05, 1.5)
        if roll < 0.9:
            return self._after(due, 1.5, 5)
        return self._after(due, 6, 10)

    def _acknowledgement_at(self, due: datetime, sloppiness: float) -> datetime:
        late = LATE_ACKNOWLEDGEMENT_SHARE + LATE_ACKNOWLEDGEMENT_SLOPPINESS * sloppiness
        if self.rng.random() < late:
            return self._after(due, 0.05, 1.2)
        return self._before(due, 0.02, 0.7)

    # The deadline clock, as the worker runs it ----------------------------------------------

    def _watch(self, task_id: UUID, handling: bool) -> Task | None:
        """Note when the clock must next look at a task (the read tables' `next_clock_at`)."""
        if not handling:
            self._alarms.pop(task_id, None)
            return None
        task: Task = self.supervision.repository.get(task_id)
        moment = next_alarm(task.clock_state, self._calendar)
        if moment is None:
            self._alarms.pop(task_id, None)
            return task
        # An alarm already due (a reminder after an extension) is observed at once.
        moment = max(moment, self._now)
        if self._alarms.get(task_id) == moment:
            return task  # already on the schedule
        self._alarms[task_id] = moment
        heapq.heappush(
            self._queue,
            (moment, ALARM_FIRST, next(self._sequence), self._observe, (task_id, moment)),
        )
        return task

    def _observe(self, task_id: UUID, moment: datetime) -> None:
        if self._alarms.get(task_id) != moment:
            return  # the task changed since, and its next alarm with it
        self.supervision.observe_task_clock(task_id)
        task = self._watch(task_id, handling=True)
        if task is not None and task.is_overdue(self._now):
            self._consider_supervision(task_id, task)

    def _consider_supervision(self, task_id: UUID, task: Task) -> None:
        """An inspector sees the missed deadline on the board, and usually escalates it."""
        missed = task.acknowledge_deadline if task.awaiting_acknowledgement else task.deadline
        assert missed is not None  # an overdue task has the deadline it is overdue for
        journey: _CaseJourney | _OrderJourney = self._cases.get(task_id) or self._orders[task_id]
        if journey.supervision_decided_for == missed.due_at:
            return
        journey.supervision_decided_for = missed.due_at
        if self.rng.random() < SUPERVISION_SHARE:
            if isinstance(journey, _CaseJourney):
                self._at(self._office_time_later(0.1, 1), self._supervise_case, journey)
            else:
                self._at(self._office_time_later(0.1, 1), self._supervise_order, journey)

    def _still_overdue(self, task_id: UUID) -> bool:
        task: Task = self.supervision.repository.get(task_id)
        return task.is_overdue(self._now)

    # Who acts --------------------------------------------------------------------------------

    def _operator(self) -> Actor:
        return self.rng.choice(OPERATORS)

    def _inspector(self) -> Actor:
        return self.rng.choice(INSPECTORS)

    def _sloppiness(self, department: str) -> float:
        return self._departments[department].sloppiness

    def _desk(self, department: str | None) -> Actor:
        assert department is not None  # only an assigned case or an order has a desk to act
        return self._departments[department].desk

    def _pick_department(self, complaint: bool) -> _Department:
        """Busy departments (many windows) get more cases; careless ones more complaints."""
        departments = list(self._departments.values())
        weights = [len(d.windows) * (1 + 2 * d.sloppiness if complaint else 1) for d in departments]
        return self.rng.choices(departments, weights=weights)[0]

    def _another_department(self, department: str) -> str:
        others = [d for d in self._departments.values() if d.id != department]
        return self.rng.choices(others, weights=[len(d.windows) for d in others])[0].id

    def _weighted(self, mix: Mapping[T, float]) -> T:
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]

    # Cases: registration and routing ---------------------------------------------------------

    def _new_case(self, working_day: bool) -> None:
        kind = self._weighted(KIND_MIX)
        channel = self._weighted(CHANNEL_MIX if working_day else DAY_OFF_CHANNEL_MIX)
        if kind is Kind.COMPLAINT and self.rng.random() < DUPLICATE_SHARE:
            original = self._open_complaint_to_repeat()
            if original is not None:
                self._register_duplicate(original, channel)
                return
        department = self._pick_department(complaint=kind in DEDUCTIBLE_KINDS)
        window, staff = self._named(kind, department)
        category, summary = self._topic(kind)
        complainant = self._complainant(kind)
        urgent = working_day and kind in URGENT_KINDS and self.rng.random() < URGENT_SHARE
        registered = self.supervision.register_case(
            kind=kind,
            channel=channel,
            department=department.id,
            window=window.id if window else None,
            staff=staff.id if staff else None,
            category=category,
            urgent=urgent,
            summary=summary,
            details=self._details(summary, window),
            complainant=complainant,
            by=self._operator(),
        )
        self._public_query = (registered.case.tracking_number, registered.access_code)
        journey = _CaseJourney(registered.case, home=department.id, complainant=complainant)
        self._cases[journey.id] = journey
        if kind is Kind.COMPLAINT and journey.reachable:
            self._recent_complaints.append(journey)
        if self.rng.random() < INTERNAL_NOTE_SHARE:
            journey.view = self.supervision.add_case_note(
                journey.id, text=self.rng.choice(INTERNAL_NOTES), public=False, by=self._operator()
            )
        self._at(self._routing_time(urgent), self._assign, journey)

    def _routing_time(self, urgent: bool) -> datetime:
        if urgent:
            return self._calendar.add_working_seconds(self._now, self.rng.randint(60, 900))
        return self._calendar.add_working_seconds(self._now, self.rng.randint(300, 5400))

    def _named(
        self, kind: Kind, department: _Department
    ) -> tuple[Window | None, StaffMember | None]:
        """The window and staff member a case names, if any (a complaint usually does)."""
        naming_window = {
            Kind.COMPLAINT: 0.8,
            Kind.PRAISE: 0.7,
            Kind.REPORT: 0.5,
        }.get(kind, 0.25)
        naming_staff = {Kind.COMPLAINT: 0.5, Kind.PRAISE: 0.7, Kind.REPORT: 0.8}.get(kind, 0.0)
        if self.rng.random() >= naming_window:
            return None, None
        window = self.rng.choice(department.windows)
        posted = self._staff_at.get(window.id, [])
        staff = self.rng.choice(posted) if posted and self.rng.random() < naming_staff else None
        return window, staff

    def _topic(self, kind: Kind) -> tuple[str, str]:
        category = self._weighted(CATEGORY_MIX[kind])
        return category, self.rng.choice(SUMMARIES[kind, category])

    def _details(self, summary: str, window: Window | None) -> str:
        place = f"在{window.name}（{window.id}）办理业务时，" if window else ""
        return f"来电人称{place}{summary}。{self.rng.choice(DETAIL_ENDINGS)}"

    def _complainant(self, kind: Kind) -> dict[str, Any]:
        if kind is Kind.REPORT and self.rng.random() < ANONYMOUS_REPORT_SHARE:
            return dict(ANONYMOUS)
        phone = "1" + self.rng.choice("3578") + "".join(self.rng.choices(string.digits, k=9))
        address = None
        if self.rng.random() < 0.5:
            address = (
                f"{self.rng.choice(DISTRICTS)}{self.rng.choice(STREETS)}"
                f"{self.rng.randint(1, 300)}号"
            )
        return {
            "name": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES),
            "phone": phone,
            "address": address,
            "anonymous": False,
        }

    def _open_complaint_to_repeat(self) -> _CaseJourney | None:
        candidates = [
            journey
            for journey in self._recent_complaints
            if journey.view.status not in (Status.CLOSED.value, Status.MERGED.value)
        ]
        return self.rng.choice(candidates) if candidates else None

    def _register_duplicate(self, original: _CaseJourney, channel: Channel) -> None:
        """The same citizen about the same facts again: registered, then merged (重复件)."""
        view = original.view
        registered = self.supervision.register_case(
            kind=Kind.COMPLAINT,
            channel=channel,
            department=original.home,
            window=view.window,
            staff=view.staff,
            category=view.category,
            urgent=False,
            summary=view.summary,
            details=f"{view.details}（再次来电反映）",
            complainant=dict(original.complainant),
            by=self._operator(),
        )
        duplicate = _CaseJourney(
            registered.case, home=original.home, complainant=original.complainant
        )
        self._cases[duplicate.id] = duplicate
        moment = self._calendar.add_working_seconds(self._now, self.rng.randint(120, 2400))
        self._at(moment, self._merge_duplicate, duplicate, original)

    def _merge_duplicate(self, duplicate: _CaseJourney, original: _CaseJourney) -> None:
        if original.view.status in (Status.CLOSED.value, Status.MERGED.value):
            # Closed meanwhile: the operator treats the call as a new case after all.
            self._assign(duplicate)
            return
        duplicate.view = self.supervision.merge_case(
            duplicate.id, into=original.id, by=self._operator()
        )

    def _assign(self, journey: _CaseJourney) -> None:
        department = journey.home
        if self.rng.random() < MISROUTED_SHARE:
            department = self._another_department(journey.home)
        view = self.supervision.assign_case(
            journey.id,
            department=department,
            urgent=None,
            final=False,
            note=None,
            by=self._operator(),
        )
        self._case_changed(journey, view)
        self._at_acknowledgement(journey)

    def _at_acknowledgement(self, journey: _CaseJourney) -> None:
        view = journey.view
        assert view.acknowledge_deadline is not None  # just assigned: it has both
        assert view.assigned_department is not None
        moment = self._acknowledgement_at(
            view.acknowledge_deadline.due_at, self._sloppiness(view.assigned_department)
        )
        self._at(moment, self._department_takes, journey)

    def _case_changed(self, journey: _CaseJourney, view: CaseView) -> None:
        journey.view = view
        self._watch(view.id, handling=view.status in CASE_HANDLING)

    # Cases: the department --------------------------------------------------------------------

    def _department_takes(self, journey: _CaseJourney) -> None:
        """The assigned department acknowledges, or returns a case that is not (it says) its."""
        view = journey.view
        desk = self._desk(view.assigned_department)
        shirks = (
            view.kind != Kind.PRAISE.value
            and not view.final
            and self.rng.random() < SHIRKING_SLOPPINESS * self._sloppiness(journey.home)
        )
        if view.assigned_department != journey.home or shirks:
            reason = (
                MISROUTED_REASON if view.assigned_department != journey.home else SHIRKING_REASON
            )
            self._case_changed(
                journey, self.supervision.return_case(journey.id, reason=reason, by=desk)
            )
            # A shirked case comes back as final (审定); a misrouted one usually not.
            final = shirks or self.rng.random() < ARBITRATED_SHARE
            self._at(self._office_time_later(0.02, 0.5), self._reassign, journey, final)
            return
        self._case_changed(journey, self.supervision.acknowledge_case(journey.id, by=desk))
        self._plan_handling(journey)

    def _reassign(self, journey: _CaseJourney, final: bool) -> None:
        view = self.supervision.assign_case(
            journey.id,
            department=journey.home,
            urgent=None,
            final=final,
            note=ARBITRATION_NOTE if final else None,
            by=self._operator(),
        )
        self._case_changed(journey, view)
        self._at_acknowledgement(journey)

    def _plan_handling(self, journey: _CaseJourney) -> None:
        """What the department does next with a case in hand, and when."""
        view = journey.view
        kind = Kind(view.kind)
        if kind is Kind.PRAISE:
            # Praise is forwarded, not handled: the centre closes it once taken.
            self._at(self._office_time_later(0.05, 0.5), self._close, journey)
            return
        assert view.deadline is not None  # every kind but praise is handled by a deadline
        due = view.deadline.due_at
        first_look = not journey.complicated
        journey.complicated = True
        if first_look and kind in COMPLICATED_KINDS:
            roll = self.rng.random()
            if roll < CLOCK_STOP_SHARE:
                self._at(self._before(due, 0.1, 0.5), self._stop_clock, journey)
                return
            asking = EXTENSION_SHARE + EXTENSION_SLOPPINESS * self._sloppiness(journey.home)
            if roll < CLOCK_STOP_SHARE + asking:
                self._at(self._before(due, 0.5, 0.85), self._ask_extension, journey)
                return
        late = LATE_RESULT_SHARE + LATE_RESULT_SLOPPINESS * self._sloppiness(journey.home)
        if self.rng.random() < late:
            moment = self._late_by(due)
        else:
            moment = self._before(due, *ON_TIME_ANSWER[kind])
        self._at(moment, self._post_result, journey)

    def _stop_clock(self, journey: _CaseJourney) -> None:
        view = self.supervision.stop_case_clock(
            journey.id, reason=self.rng.choice(CLOCK_STOP_REASONS), by=self._desk(journey.home)
        )
        self._case_changed(journey, view)
        self._at(self._office_time_later(0.5, 4), self._resume_clock, journey)

    def _resume_clock(self, journey: _CaseJourney) -> None:
        view = self.supervision.resume_case_clock(journey.id, by=self._desk(journey.home))
        self._case_changed(journey, view)
        self._plan_handling(journey)

    def _ask_extension(self, journey: _CaseJourney) -> None:
        view = self.supervision.request_extension(
            journey.id,
            working_days=self.rng.choice(EXTENSION_WORKING_DAYS),
            reason=self.rng.choice(EXTENSION_REASONS),
            by=self._desk(journey.home),
        )
        self._case_changed(journey, view)
        self._at(self._office_time_later(0.1, 1), self._decide_extension, journey)

    def _decide_extension(self, journey: _CaseJourney) -> None:
        if self.rng.random() < EXTENSION_GRANTED_SHARE:
            view = self.supervision.grant_extension(journey.id, by=self._inspector())
        else:
            view = self.supervision.refuse_extension(
                journey.id, reason=EXTENSION_REFUSAL, by=self._inspector()
            )
        self._case_changed(journey, view)
        self._plan_handling(journey)

    def _post_result(self, journey: _CaseJourney) -> None:
        kind = Kind(journey.view.kind)
        outcome = self._weighted(OUTCOME_MIX[kind]) if kind in OUTCOME_MIX else Outcome.RESOLVED
        proposal = self._proposal(journey, outcome)
        actions, answer = ANSWERS[outcome]
        view = self.supervision.post_result(
            journey.id,
            outcome=outcome,
            actions=actions,
            answer=answer,
            by=self._desk(journey.home),
            proposed_deduction=proposal,
        )
        self._case_changed(journey, view)
        if proposal is not None:
            self._at(self._office_time_later(0.3, 3), self._decide_proposal, journey)
        if journey.reachable:
            self._at(self._office_time_later(0.2, 2), self._call_back, journey)
        else:
            self._at(self._office_time_later(0.2, 1.5), self._close, journey)

    def _proposal(self, journey: _CaseJourney, outcome: Outcome) -> dict[str, Any] | None:
        """The deduction a department proposes with a substantiated complaint, if it does."""
        view = journey.view
        proposes = PROPOSAL_SHARE * (1 - self._sloppiness(journey.home) / 2)
        if (
            outcome is not Outcome.SUBSTANTIATED
            or Kind(view.kind) not in DEDUCTIBLE_KINDS
            or view.reopenings  # one proposal per case: a second result keeps the first's
            or not (view.window or view.staff)
            or self.rng.random() >= proposes
        ):
            return None
        rule = self._rule_for(view.category, staff=bool(view.staff), window=bool(view.window))
        return None if rule is None else {"rule": rule.code}

    def _rule_for(self, category: str | None, *, staff: bool, window: bool) -> ConductRule | None:
        """The rule for what the case is about, else 被有效投诉, if it costs someone it names."""
        fitting = [
            self._rules[code]
            for code in (*RULES_BY_CATEGORY.get(category or "", ()), SUBSTANTIATED_COMPLAINT)
            if code in self._rules
            and (
                (staff and self._rules[code].charges_staff)
                or (window and self._rules[code].charges_window)
            )
        ]
        specific = [rule for rule in fitting if rule.code != SUBSTANTIATED_COMPLAINT]
        if specific:
            return self.rng.choice(specific)
        return fitting[0] if fitting else None

    # Cases: the centre's follow-up -------------------------------------------------------------

    def _call_back(self, journey: _CaseJourney) -> None:
        journey.callbacks += 1
        operator = self._operator()
        if self.rng.random() >= CALLBACK_REACHED_SHARE:
            view = self.supervision.record_callback(
                journey.id, reached=False, satisfaction=None, comment=UNREACHED, by=operator
            )
            self._case_changed(journey, view)
            if journey.callbacks < CALLBACK_ATTEMPTS:
                self._at(self._office_time_later(0.5, 1.5), self._call_back, journey)
            else:
                self._at(self._office_time_later(0.05, 0.5), self._close, journey)
            return
        satisfaction = self._satisfaction(journey)
        view = self.supervision.record_callback(
            journey.id,
            reached=True,
            satisfaction=satisfaction,
            comment=self.rng.choice(CALLBACK_COMMENTS[satisfaction in DISSATISFIED]),
            by=operator,
        )
        self._case_changed(journey, view)
        reopens = (
            satisfaction in DISSATISFIED
            and view.reopenings < MAX_REOPENINGS
            and self.rng.random() < REOPEN_WHEN_DISSATISFIED_SHARE
        )
        if reopens:
            self._at(self._office_time_later(0.05, 0.5), self._reopen, journey, DISSATISFIED_REASON)
        else:
            self._at(self._office_time_later(0.05, 0.5), self._close, journey)

    def _satisfaction(self, journey: _CaseJourney) -> Satisfaction:
        """Careless departments leave more complainants dissatisfied."""
        sloppiness = self._sloppiness(journey.home)
        mix = dict(SATISFACTION_MIX)
        mix[Satisfaction.DISSATISFIED] *= 1 + 4 * sloppiness
        mix[Satisfaction.VERY_DISSATISFIED] *= 1 + 4 * sloppiness
        return self._weighted(mix)

    def _close(self, journey: _CaseJourney) -> None:
        view = self.supervision.close_case(journey.id, by=self._operator())
        self._case_changed(journey, view)
        if not journey.reachable:
            return
        if view.reopenings < MAX_REOPENINGS and self.rng.random() < REOPEN_AFTER_CLOSING_SHARE:
            days = self.rng.randint(*REOPEN_AFTER_CLOSING_DAYS)
            moment = self._calendar.add_working_seconds(
                self._now + timedelta(days=days), self.rng.randint(60, 3600)
            )
            self._at(moment, self._reopen, journey, RECURRED_REASON)
        if self.rng.random() < ERASURE_SHARE:
            self._at(self._office_time_later(1, 10), self._erase, journey)

    def _reopen(self, journey: _CaseJourney, reason: str) -> None:
        view = self.supervision.reopen_case(journey.id, reason=reason, by=self._operator())
        self._case_changed(journey, view)
        self._plan_handling(journey)

    def _erase(self, journey: _CaseJourney) -> None:
        view = self.supervision.erase_personal_data(
            journey.id,
            reason=f"当事人申请删除个人信息（申请编号 DEL-{self.rng.randint(1000, 9999)}）",
            by=self._inspector(),
        )
        self._case_changed(journey, view)

    def _decide_proposal(self, journey: _CaseJourney) -> None:
        inspector = self._inspector()
        if self.rng.random() >= PROPOSAL_CONFIRMED_SHARE:
            view = self.supervision.dismiss_proposed_deduction(
                journey.id, reason=self.rng.choice(DISMISSAL_REASONS), by=inspector
            )
            self._case_changed(journey, view)
            return
        view = self.supervision.confirm_proposed_deduction(journey.id, by=inspector)
        self._case_changed(journey, view)
        assert view.proposed_deduction is not None  # just confirmed, under this id
        self._maybe_revoke(UUID(view.proposed_deduction["deduction_id"]))

    # Cases: supervision -----------------------------------------------------------------------

    def _supervise_case(self, journey: _CaseJourney) -> None:
        if not self._still_overdue(journey.id):
            return  # the department acted meanwhile: nothing left to escalate
        inspector = self._inspector()
        view = self.supervision.supervise_case(
            journey.id, note=self.rng.choice(SUPERVISION_NOTES), by=inspector
        )
        self._case_changed(journey, view)
        if self.rng.random() < PUBLIC_SUPERVISION_NOTE_SHARE:
            journey.view = self.supervision.add_case_note(
                journey.id, text=PUBLIC_SUPERVISION_NOTE, public=True, by=inspector
            )
        if (
            view.status == Status.IN_PROGRESS.value
            and view.deadline is not None
            and (view.window or view.staff)
            and "overdue" in self._rules
            and self.rng.random() < OVERDUE_DEDUCTION_SHARE
        ):
            self._deduct(
                DeductionRequest(
                    rule="overdue",
                    staff=view.staff,
                    window=view.window,
                    occurred_at=view.deadline.due_at,
                    evidence=f"工单 {view.tracking_number} 超过办理时限未办结，经督办核实",
                    source_type=SourceType.CASE,
                    source_ref=view.tracking_number,
                    points=None,
                ),
                inspector,
            )
        ordering = ORDER_AFTER_SUPERVISION_SHARE + ORDER_AFTER_SUPERVISION_SLOPPINESS * (
            self._sloppiness(journey.home)
        )
        if view.assigned_department == journey.home and self.rng.random() < ordering:
            department = self._departments[journey.home]
            window = view.window if view.window in {w.id for w in department.windows} else None
            self._issue_order(
                department,
                window=window,
                problem=f"工单 {view.tracking_number} 超过办理时限，经督办仍未办结",
                source_type=OrderSourceType.CASE,
                source_ref=view.tracking_number,
            )

    # Discipline ----------------------------------------------------------------------------

    def _patrol_finding(self) -> None:
        """An inspector's patrol or unannounced visit finds a breach and deducts for it."""
        source = (
            SourceType.UNANNOUNCED_VISIT
            if self.rng.random() < UNANNOUNCED_VISIT_SHARE
            else SourceType.PATROL
        )
        staff: str | None = None
        window: str | None = None
        if self.rng.random() < WINDOW_FINDING_SHARE:
            windows = list(self._windows.values())
            chosen = self.rng.choices(
                windows, weights=[0.2 + self._sloppiness(w.department) for w in windows]
            )[0]
            window = chosen.id
            codes = WINDOW_FINDINGS
        else:
            staff = self.rng.choices(
                list(self._staff_risk), weights=list(self._staff_risk.values())
            )[0]
            codes = STAFF_FINDINGS
        rules = [self._rules[code] for code in codes if code in self._rules]
        if not rules:
            return
        rule = self.rng.choice(rules)
        occurred_at = self._now - timedelta(minutes=self.rng.randint(2, 40))
        what = "暗访" if source is SourceType.UNANNOUNCED_VISIT else "巡查"
        self._deduct(
            DeductionRequest(
                rule=rule.code,
                staff=staff,
                window=window,
                occurred_at=occurred_at,
                evidence=f"{what}发现：{rule.name_zh}（{occurred_at.astimezone(OFFICE_TZ):%H:%M}，现场拍照留存）",
                source_type=source,
                source_ref=None,
                points=None,
            ),
            self._inspector(),
        )

    def _deduct(self, request: DeductionRequest, inspector: Actor) -> None:
        answer = self.supervision.record_deduction(request, inspector)
        self._maybe_revoke(answer.id)

    def _maybe_revoke(self, deduction_id: UUID) -> None:
        if self.rng.random() < REVOCATION_SHARE:
            self._at(self._office_time_later(1, 5), self._revoke, deduction_id)

    def _revoke(self, deduction_id: UUID) -> None:
        self.supervision.revoke_deduction(
            deduction_id, reason=self.rng.choice(REVOCATION_REASONS), by=self._inspector()
        )

    # Ratings ---------------------------------------------------------------------------------

    def _rate(self) -> None:
        """A citizen rates an encounter at a window; a bad rating opens a complaint."""
        window = self.rng.choice(list(self._windows.values()))
        posted = self._staff_at.get(window.id, [])
        staff = self.rng.choice(posted) if posted and self.rng.random() < 0.8 else None
        careless = self._sloppiness(window.department) * 4 + (
            self._staff_risk[staff.id] if staff else 0
        )
        mix = {
            rating: weight * (1 + careless if rating <= 2 else 1)
            for rating, weight in RATING_MIX.items()
        }
        rating = self._weighted(mix)
        comment = None
        if rating <= 2:
            comment = self.rng.choice(BAD_RATING_COMMENTS)
        elif rating == 5 and self.rng.random() < 0.2:
            comment = self.rng.choice(GOOD_RATING_COMMENTS)
        evaluation = self.supervision.rate_service(
            window=window.id,
            staff=staff.id if staff else None,
            rating=rating,
            comment=comment,
            service_item=self.rng.choice(SERVICE_ITEMS),
            by=PUBLIC,
        )
        if not evaluation.opens_case:
            return
        # What RatingCasePolicy does in the worker, at once: the complaint, assigned.
        self.supervision.open_case_for_rating(evaluation.id)
        view = self.supervision.get_case(rating_case_id(evaluation.id), self._operator())
        journey = _CaseJourney(view, home=evaluation.department, complainant=dict(ANONYMOUS))
        self._cases[journey.id] = journey
        self._rating_cases += 1
        self._case_changed(journey, view)
        self._at_acknowledgement(journey)
        if self.rng.random() < ORDER_AFTER_BAD_RATING_SHARE:
            self._issue_order(
                self._departments[evaluation.department],
                window=window.id,
                problem=f"窗口 {window.id} 收到差评：{comment}",
                source_type=OrderSourceType.EVALUATION,
                source_ref=str(evaluation.id),
            )

    # Rectification orders -----------------------------------------------------------------------

    def _inspection_order(self) -> None:
        departments = list(self._departments.values())
        department = self.rng.choices(
            departments, weights=[0.1 + d.sloppiness for d in departments]
        )[0]
        window = self.rng.choice(department.windows).id if self.rng.random() < 0.6 else None
        self._issue_order(
            department,
            window=window,
            problem=self.rng.choice(INSPECTION_PROBLEMS),
            source_type=OrderSourceType.INSPECTION,
            source_ref=f"巡查记录 {self._now.astimezone(OFFICE_TZ):%Y%m%d}",
        )

    def _issue_order(
        self,
        department: _Department,
        *,
        window: str | None,
        problem: str,
        source_type: OrderSourceType,
        source_ref: str,
    ) -> None:
        view = self.supervision.issue_order(
            department=department.id,
            window=window,
            staff=None,
            problem=problem,
            requirements=self.rng.choice(ORDER_REQUIREMENTS),
            working_days=self.rng.choice(ORDER_TERMS),
            source_type=source_type,
            source_ref=source_ref,
            by=self._inspector(),
        )
        journey = _OrderJourney(view)
        self._orders[journey.id] = journey
        self._order_changed(journey, view)
        assert view.acknowledge_deadline is not None  # an issued order awaits acknowledgement
        moment = self._acknowledgement_at(view.acknowledge_deadline.due_at, department.sloppiness)
        self._at(moment, self._acknowledge_order, journey)

    def _order_changed(self, journey: _OrderJourney, view: OrderView) -> None:
        journey.view = view
        self._watch(view.id, handling=view.status in ORDER_HANDLING)

    def _order_desk(self, journey: _OrderJourney) -> Actor:
        return self._desk(journey.view.department)

    def _acknowledge_order(self, journey: _OrderJourney) -> None:
        view = self.supervision.acknowledge_order(journey.id, by=self._order_desk(journey))
        self._order_changed(journey, view)
        self._plan_rectification(journey)

    def _plan_rectification(self, journey: _OrderJourney) -> None:
        assert journey.view.deadline is not None  # an order in hand is due by a date
        due = journey.view.deadline.due_at
        sloppiness = self._sloppiness(journey.view.department)
        if not journey.complicated:
            journey.complicated = True
            roll = self.rng.random()
            if roll < ORDER_CLOCK_STOP_SHARE:
                self._at(self._before(due, 0.1, 0.5), self._stop_order_clock, journey)
                return
            if roll < ORDER_CLOCK_STOP_SHARE + ORDER_EXTENSION_SHARE:
                self._at(self._before(due, 0.5, 0.85), self._ask_order_extension, journey)
                return
        if self.rng.random() < LATE_REPORT_SHARE + LATE_REPORT_SLOPPINESS * sloppiness:
            moment = self._late_by(due)
        else:
            moment = self._before(due, 0.3, 0.95)
        self._at(moment, self._report_rectification, journey)

    def _stop_order_clock(self, journey: _OrderJourney) -> None:
        view = self.supervision.stop_order_clock(
            journey.id, reason=ORDER_CLOCK_STOP_REASON, by=self._order_desk(journey)
        )
        self._order_changed(journey, view)
        self._at(self._office_time_later(1, 5), self._resume_order_clock, journey)

    def _resume_order_clock(self, journey: _OrderJourney) -> None:
        view = self.supervision.resume_order_clock(journey.id, by=self._order_desk(journey))
        self._order_changed(journey, view)
        self._plan_rectification(journey)

    def _ask_order_extension(self, journey: _OrderJourney) -> None:
        view = self.supervision.request_order_extension(
            journey.id,
            working_days=self.rng.choice(EXTENSION_WORKING_DAYS),
            reason=self.rng.choice(EXTENSION_REASONS),
            by=self._order_desk(journey),
        )
        self._order_changed(journey, view)
        self._at(self._office_time_later(0.1, 1), self._decide_order_extension, journey)

    def _decide_order_extension(self, journey: _OrderJourney) -> None:
        if self.rng.random() < ORDER_EXTENSION_GRANTED_SHARE:
            view = self.supervision.grant_order_extension(journey.id, by=self._inspector())
        else:
            view = self.supervision.refuse_order_extension(
                journey.id, reason=EXTENSION_REFUSAL, by=self._inspector()
            )
        self._order_changed(journey, view)
        self._plan_rectification(journey)

    def _report_rectification(self, journey: _OrderJourney) -> None:
        view = self.supervision.report_rectification(
            journey.id,
            measures=self.rng.choice(RECTIFICATION_MEASURES),
            evidence=self.rng.choice(RECTIFICATION_EVIDENCE),
            by=self._order_desk(journey),
        )
        self._order_changed(journey, view)
        self._at(self._office_time_later(1, 4), self._verify_rectification, journey)

    def _verify_rectification(self, journey: _OrderJourney) -> None:
        inspector = self._inspector()
        if not journey.view.rejections and self.rng.random() < ORDER_REJECTED_SHARE:
            view = self.supervision.reject_rectification(
                journey.id,
                reasons=self.rng.choice(REJECTION_REASONS),
                working_days=ORDER_RETRY_WORKING_DAYS,
                by=inspector,
            )
            self._order_changed(journey, view)
            self._plan_rectification(journey)
            return
        view = self.supervision.accept_rectification(journey.id, note=ACCEPTANCE_NOTE, by=inspector)
        self._order_changed(journey, view)

    def _supervise_order(self, journey: _OrderJourney) -> None:
        if not self._still_overdue(journey.id):
            return  # the department acted meanwhile: nothing left to escalate
        view = self.supervision.supervise_order(
            journey.id, note=self.rng.choice(SUPERVISION_NOTES), by=self._inspector()
        )
        self._order_changed(journey, view)


# What people write -------------------------------------------------------------------------
# Invented texts in the centre's language; a campaign picks among them.

CATEGORY_MIX: dict[Kind, dict[str, float]] = {
    Kind.COMPLAINT: {
        "service_attitude": 25,
        "efficiency_delay": 20,
        "one_time_notification": 12,
        "shirking": 10,
        "work_discipline": 10,
        "business_competence": 10,
        "procedure_systems": 8,
        "hall_environment": 5,
    },
    Kind.REPORT: {"integrity": 55, "work_discipline": 45},
    Kind.REQUEST: {"procedure_systems": 60, "policy_other": 40},
    Kind.CONSULTATION: {"policy_other": 100},
    Kind.SUGGESTION: {"hall_environment": 50, "procedure_systems": 50},
    Kind.PRAISE: {"service_attitude": 100},
}

SUMMARIES: dict[tuple[Kind, str], Sequence[str]] = {
    (Kind.COMPLAINT, "service_attitude"): (
        "窗口工作人员态度生硬，言语不耐烦",
        "工作人员对群众咨询不予理睬",
        "办事时被工作人员大声呵斥",
    ),
    (Kind.COMPLAINT, "efficiency_delay"): (
        "承诺时限内未办结，也无人说明原因",
        "排队等候两个多小时仍未办理",
        "办件超期，多次催问无人答复",
    ),
    (Kind.COMPLAINT, "one_time_notification"): (
        "未一次性告知所需材料，往返跑了三趟",
        "补正材料的要求前后多次变化",
    ),
    (Kind.COMPLAINT, "shirking"): (
        "窗口之间互相推诿，不知道该找谁",
        "被要求到其他部门开证明，去了又被退回",
    ),
    (Kind.COMPLAINT, "work_discipline"): (
        "上班时间窗口无人",
        "工作人员办公时间玩手机",
        "窗口未到下班时间就停止受理",
    ),
    (Kind.COMPLAINT, "business_competence"): (
        "工作人员业务不熟，答复前后不一致",
        "材料审核标准因人而异",
    ),
    (Kind.COMPLAINT, "procedure_systems"): (
        "网上办事系统提交时一直报错",
        "预约系统长期无号可约",
    ),
    (Kind.COMPLAINT, "hall_environment"): ("大厅叫号系统故障，秩序混乱", "等候区座位严重不足"),
    (Kind.REPORT, "integrity"): (
        "工作人员暗示需要“好处费”才能加快办理",
        "窗口人员与中介勾连，帮助插队办理",
        "工作人员收受办事群众礼品",
    ),
    (Kind.REPORT, "work_discipline"): (
        "工作人员长期迟到早退，由他人代为打卡",
        "窗口人员上班期间擅自离岗办私事",
    ),
    (Kind.REQUEST, "procedure_systems"): (
        "证件丢失急需补办，请求加急办理",
        "网上申报材料被退回，请求人工协助",
    ),
    (Kind.REQUEST, "policy_other"): (
        "老人行动不便，请求上门办理",
        "外地务工人员请求协助异地转移社保关系",
    ),
    (Kind.CONSULTATION, "policy_other"): (
        "咨询住房公积金提取条件",
        "咨询新生儿落户所需材料",
        "咨询企业开办的办理流程",
        "咨询不动产继承登记需要哪些材料",
        "咨询异地就医备案的办理方式",
        "咨询个人所得税专项附加扣除",
    ),
    (Kind.SUGGESTION, "hall_environment"): (
        "建议周末增开服务窗口",
        "建议在等候区增加充电设施",
    ),
    (Kind.SUGGESTION, "procedure_systems"): (
        "建议增加自助办理设备",
        "建议优化叫号系统，提供线上排队提醒",
    ),
    (Kind.PRAISE, "service_attitude"): (
        "表扬窗口工作人员耐心细致",
        "感谢工作人员延时为其办理业务",
        "表扬工作人员主动提供帮办代办服务",
    ),
}

DETAIL_ENDINGS = (
    "希望相关部门尽快核实处理。",
    "要求给予答复。",
    "请中心协调解决。",
    "情况属实可提供现场照片。",
)
INTERNAL_NOTES = (
    "来电人情绪较激动，回访时注意沟通方式",
    "来电人要求承办部门直接电话联系",
    "来电人此前曾就同类问题反映过",
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = (
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇",
    "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国",
)  # fmt: skip
DISTRICTS = ("东城区", "西城区", "高新区", "经开区", "南湖区")
STREETS = ("解放路", "人民路", "建设路", "中山路", "文化路", "和平路")

MISROUTED_REASON = "该事项不属于本单位职责范围，请重新派单"
SHIRKING_REASON = "该事项涉及多个部门，建议由其他部门牵头办理"
ARBITRATION_NOTE = "经中心审定，由你单位办理，不得再次退单"
CLOCK_STOP_REASONS = ("等待申请人补充材料", "需第三方机构出具鉴定意见", "等待上级部门政策答复")
EXTENSION_REASONS = ("涉及多部门协调，需延长办理时限", "需调取历史档案核实", "需实地核查")
EXTENSION_REFUSAL = "延期理由不充分，请按原时限办结"
ANSWERS: dict[Outcome, tuple[str, str]] = {
    Outcome.SUBSTANTIATED: (
        "经调取监控、询问当事人，反映问题属实；已对相关人员批评教育并责令整改",
        "您反映的问题经核实属实，我单位已对相关人员批评教育并落实整改，感谢您的监督。",
    ),
    Outcome.PARTLY_SUBSTANTIATED: (
        "经核查，反映问题部分属实；已完善相关工作流程",
        "您反映的问题部分属实，我单位已改进相关工作，并就其余情况向您作出说明。",
    ),
    Outcome.UNSUBSTANTIATED: (
        "经调取监控和办件记录，未发现所反映问题",
        "经核查，您反映的情况与事实不符，已向您说明办理依据，欢迎继续监督。",
    ),
    Outcome.RESOLVED: (
        "已按政策规定办理并答复",
        "您反映的事项已办理完毕，如有疑问可随时来电。",
    ),
}
DISMISSAL_REASONS = ("情节轻微，已当场批评教育，不予扣分", "所涉人员已调离窗口岗位，不予扣分")
UNREACHED = "电话无人接听"
CALLBACK_COMMENTS: dict[bool, Sequence[str]] = {
    False: ("对处理结果表示满意", "认可部门答复", "问题已解决"),
    True: ("对答复不认可，认为问题未解决", "认为部门敷衍了事"),
}
DISSATISFIED_REASON = "回访中来电人对答复不满意，要求重新办理"
RECURRED_REASON = "来电人反映同一问题再次发生，要求重新办理"
SUPERVISION_NOTES = ("已超时限，请立即办理并说明原因", "请于今日内签收办理并报告进展")
PUBLIC_SUPERVISION_NOTE = "中心已对承办部门督办，请耐心等待答复"
REVOCATION_REASONS = (
    "申诉成立：当日经批准请假",
    "经复核，现场证据不足",
    "申诉成立：系系统故障所致",
)

RULES_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "service_attitude": ("harsh_attitude", "quarrel_with_citizen"),
    "work_discipline": ("absent_from_post", "phone_or_games", "lateness_early_leave"),
    "efficiency_delay": ("overdue",),
    "one_time_notification": ("one_time_notice",),
    "shirking": ("shirking", "first_inquiry"),
    "integrity": ("integrity",),
}
# What a substantiated complaint costs when no rule names what it was about.
SUBSTANTIATED_COMPLAINT = "substantiated_complaint"
STAFF_FINDINGS = (
    "lateness_early_leave",
    "absent_from_post",
    "phone_or_games",
    "dress_or_badge",
    "chatting_or_eating",
    "harsh_attitude",
)
WINDOW_FINDINGS = ("window_unattended", "ab_post_not_covered", "guide_not_posted")

BAD_RATING_COMMENTS = (
    "等了两个小时没人理",
    "工作人员态度很差",
    "材料被退回三次，每次说法都不一样",
    "系统一直办不了，也没人解释",
    "窗口提前下班",
)
GOOD_RATING_COMMENTS = ("办事很快，点赞", "工作人员很耐心", "一次就办好了")
SERVICE_ITEMS = (
    "企业设立登记",
    "个人所得税申报",
    "不动产转移登记",
    "社会保障卡补办",
    "住房公积金提取",
    "居民身份证换领",
    "医保异地就医备案",
    "食品经营许可",
)

INSPECTION_PROBLEMS = (
    "窗口未落实一次性告知制度，群众多次往返",
    "工作人员上班期间多次脱岗",
    "服务指南与实际受理要求不一致",
    "AB岗替补不到位，窗口多次空岗",
    "办件台账不全，超期件未说明原因",
)
ORDER_REQUIREMENTS = (
    "立即组织整改，逐项建立整改台账，按期书面报告整改情况",
    "组织窗口人员学习服务规范，落实首问负责和一次性告知制度，按期报告",
)
ORDER_CLOCK_STOP_REASON = "整改涉及设备采购，等待供应商到货"
RECTIFICATION_MEASURES = (
    "已组织全体窗口人员学习服务规范，建立每日巡查台账",
    "已调整AB岗排班并报中心备案，更新服务指南",
    "已对相关人员诫勉谈话，完善办件超期预警",
)
RECTIFICATION_EVIDENCE = ("学习签到表及会议照片", "排班表和更新后的服务指南", None)
REJECTION_REASONS = ("整改措施未落实到人，请补充整改台账", "现场复查仍存在同类问题")
ACCEPTANCE_NOTE = "经现场复查，整改到位"
