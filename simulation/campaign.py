"""A simulated campaign of the centre's work, done through the application's own verbs.

`oversight demo` runs one on the sample directory so that a newcomer finds a living system —
boards with open and overdue cases, months of scores, blue and red lists, rectification
orders, ratings.

The campaign owns the application's clock and moves it forward action by action, in the
order things happen, over every day up to its end (`simulation.world`); each day it puts
the day's arrivals on the schedule — cases, ratings, patrols, inspections — and the
journeys (`simulation.journeys`) play what follows: operators, departments, inspectors and
citizens, each step one of the application's verbs, and the worker's part at the moment it
falls due. Nothing refused by the domain is caught: a refusal here is a bug of the
simulation. How much happens, and in what proportions, is in `simulation.mixes`; everything
scales linearly with `scale` (0.05 makes a test-sized campaign).

Departments differ: each draws a sloppiness (most near 0.1, a few above 0.4) that makes it
acknowledge and answer late more often, shirk cases back, draw complaints and bad ratings,
and its staff break rules more often; so scores, blue and red lists and metrics differ.

Randomness comes only from `random.Random(seed)`: the same seed, scale and dates give the
same campaign, step for step (the ids and access codes the application draws itself aside).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ, office_midnight
from domain.case import Case
from domain.conduct import ConductRule
from domain.directory import DirectorySpec
from domain.errors import Conflict
from domain.evaluation import Evaluation
from domain.item import ItemSpec
from domain.rectification import RectificationOrder
from domain.scorecard import Deduction
from simulation.defaults import DEFAULT_SEED
from simulation.journeys.assessments import play_assessments
from simulation.journeys.evaluations import EvaluationJourneys
from simulation.journeys.post_cover import PostCoverJourneys
from simulation.journeys.surveys import SurveyJourneys
from simulation.journeys.visits import VisitJourneys
from simulation.mixes import (
    CASES_PER_WORKING_DAY,
    DAY_OFF_SHARE,
    EVALUATIONS_PER_WORKING_DAY,
    INSPECTION_ORDERS_PER_WORKING_DAY,
    PATROL_DEDUCTIONS_PER_WORKING_DAY,
    WEEKDAY_LOAD,
)
from simulation.time_source import SimulatedTimeSource
from simulation.world import ADMIN, SimulatedDepartment

NOTIFICATION_PAGE = 1_000

DayDone = Callable[[date, int, int], None]


class StoreHoldsCases(Conflict):
    """A campaign fills an event store without cases; this one has some already."""

    code = "store_holds_cases"


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


class Campaign(EvaluationJourneys, SurveyJourneys, PostCoverJourneys, VisitJourneys):
    """Drives a Supervision through simulated days, every step one of its own verbs."""

    def __init__(
        self,
        supervision: Supervision,
        time_source: SimulatedTimeSource,
        *,
        until: datetime,
        directory: DirectorySpec,
        rules: tuple[ConductRule, ...],
        scale: float = 1.0,
        seed: int = DEFAULT_SEED,
        items: tuple[ItemSpec, ...] = (),
    ) -> None:
        if scale <= 0:
            raise ValueError(f"a campaign's scale is positive, not {scale}")
        if until <= time_source.now():
            raise ValueError("a campaign ends after it starts")
        super().__init__(supervision, time_source, until=until, seed=seed)
        self.directory_spec = directory
        self.rule_set = rules
        self.scale = scale
        # The item catalogue (事项清单, §16) to load, cases and ratings naming its items.
        self.item_specs = items

    # The run --------------------------------------------------------------------------------

    def run(self, on_day: DayDone | None = None) -> CampaignReport:
        """Simulate every day up to the end; `on_day(day, done, total)` after each one."""
        self.refuse_store_with_cases()
        start = self.time_source.now()
        first_position = self.supervision.recorder.max_notification_id() or 0
        self._set_up()
        days = self._days()
        for done, day in enumerate(days, start=1):
            self._calendar = self.supervision.calendar
            self._plan(day)
            self._run_until(min(self._midnight_after(day), self.until))
            if on_day is not None:
                on_day(day, done, len(days))
        play_assessments(
            self.supervision, self.rng, self.supervision.list_staff(), self._staff_risk, days
        )
        self.time_source.advance_to(self.until)
        events = self._topics_after(first_position)
        return CampaignReport(
            start, self.until, dict(events), self._rating_cases, self._public_query
        )

    def refuse_store_with_cases(self) -> None:
        """Raise StoreHoldsCases unless the event store is new: a campaign makes up a centre's
        whole history, which cases recorded already would contradict."""
        recorder = self.supervision.recorder
        if recorder.select_notifications(None, 1, topics=[Case.Registered.TOPIC]):
            raise StoreHoldsCases(
                "this event store holds cases already; a demo campaign fills a new database"
            )

    def _set_up(self) -> None:
        """The sample directory and conduct catalogue, and each department's habits."""
        self.supervision.import_directory(self.directory_spec, ADMIN)
        self.supervision.load_conduct_rules(self.rule_set, ADMIN)
        if self.item_specs:
            self.supervision.import_items(self.item_specs, ADMIN)
            for item in self.item_specs:
                for window in item.windows:
                    self._items_at.setdefault(window, []).append(item)
        self._rules = {rule.code: rule for rule in self.supervision.list_conduct_rules()}
        windows = self.supervision.list_windows()
        staff = self.supervision.list_staff()
        self._windows = {window.id: window for window in windows}
        for member in staff:
            if member.window is not None:
                self._staff_at.setdefault(member.window, []).append(member)
        for department in self.supervision.list_departments():
            # Superior bureaus without windows in the hall take no cases of their own.
            if not any(w.department == department.id for w in windows):
                continue
            self._departments[department.id] = SimulatedDepartment(
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
        first = self.time_source.now().astimezone(OFFICE_TZ).date()
        last = (self.until - timedelta(microseconds=1)).astimezone(OFFICE_TZ).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def _midnight_after(self, day: date) -> datetime:
        return office_midnight(day + timedelta(days=1))

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
        for _ in range(self._how_many(EVALUATIONS_PER_WORKING_DAY * load)):
            self._at_arrival(day, self._evaluate)
        for _ in range(self._how_many(PATROL_DEDUCTIONS_PER_WORKING_DAY)):
            self._at_arrival(day, self._patrol_finding)
        for _ in range(self._how_many(INSPECTION_ORDERS_PER_WORKING_DAY)):
            self._at_arrival(day, self._inspection_order)
        # Satisfaction surveys (满意度调查, §16): last month's, on a month's first working day.
        self._plan_surveys(day)
        # A/B post cover (AB岗): one covered absence and one gap, near the end
        self._plan_post_cover(day, self._days()[-1])
        self._plan_visit(day)

    def _how_many(self, expected_at_scale_one: float) -> int:
        """A whole count whose average is the expectation at this scale."""
        expected = expected_at_scale_one * self.scale
        whole = int(expected)
        return whole + (1 if self.rng.random() < expected - whole else 0)

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
