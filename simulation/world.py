"""What a campaign plays on: the departments and their habits, the cases and orders it
follows, the schedule of what happens next, office time, and the deadline clock it runs in
the worker's stead.

The journeys (`simulation.journeys`) say what each actor does; this says when and by whom.
Actions wait on one schedule, ordered by moment; the campaign owns the application's time source
and moves it to each action's moment before running it, so the log runs in the order of
time. Between actions it does the worker's part at the right moments: it records each
reminder, missed deadline and public-notice flag when it falls due (`observe_task_clock`,
watched through the same `next_alarm` the read tables keep).
"""

from __future__ import annotations

import heapq
import itertools
import random
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from application.rectification import OrderView
from application.supervision import Supervision
from application.views import CaseView
from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.conduct import ConductRule
from domain.directory import StaffMember, Window
from domain.item import ItemSpec
from domain.task import Task
from domain.task_clock import next_alarm, office_day_seconds
from simulation.mixes import (
    ITEM_SHARE,
    LATE_ACKNOWLEDGEMENT_SHARE,
    LATE_ACKNOWLEDGEMENT_SLOPPINESS,
    SUPERVISION_SHARE,
)
from simulation.time_source import SimulatedTimeSource

T = TypeVar("T")

RECENT_COMPLAINTS = 60  # the open complaints a duplicate may repeat
# At one moment, the system notices a deadline passing before anyone acts on it.
ALARM_FIRST, ACTION_NEXT = 0, 1

ADMIN = Actor(principal="demo-admin", role=Role.ADMIN)
PUBLIC = Actor(principal="public", role=Role.PUBLIC)
OPERATORS = tuple(Actor(principal=f"operator-{n:02d}", role=Role.OPERATOR) for n in range(1, 7))
INSPECTORS = tuple(Actor(principal=f"inspector-{n:02d}", role=Role.INSPECTOR) for n in range(1, 4))


@dataclass(frozen=True)
class SimulatedDepartment:
    """A department as the campaign plays it: its windows and habits."""

    id: str
    windows: tuple[Window, ...]
    sloppiness: float  # 0 diligent … 1 careless
    desk: Actor


@dataclass
class CaseJourney:
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
class OrderJourney:
    """What the campaign knows of one rectification order."""

    view: OrderView
    complicated: bool = False
    supervision_decided_for: datetime | None = None

    @property
    def id(self) -> UUID:
        return self.view.id


class World(ABC):
    """The state and schedule of a campaign; the journeys, its subclasses, act on it."""

    def __init__(
        self,
        supervision: Supervision,
        time_source: SimulatedTimeSource,
        *,
        until: datetime,
        seed: int,
    ) -> None:
        self.supervision = supervision
        self.time_source = time_source
        self.until = until
        self.rng = random.Random(seed)  # noqa: S311 -- a simulation, not a secret
        self._queue: list[tuple[datetime, int, int, Callable[..., None], tuple[Any, ...]]] = []
        self._sequence = itertools.count()
        self._alarms: dict[UUID, datetime] = {}
        self._cases: dict[UUID, CaseJourney] = {}
        self._orders: dict[UUID, OrderJourney] = {}
        self._recent_complaints: deque[CaseJourney] = deque(maxlen=RECENT_COMPLAINTS)
        self._departments: dict[str, SimulatedDepartment] = {}
        self._windows: dict[str, Window] = {}
        self._staff_at: dict[str, list[StaffMember]] = {}
        self._staff_risk: dict[str, float] = {}
        self._rules: dict[str, ConductRule] = {}
        self._calendar: WorkingCalendar = supervision.known_calendar
        self._rating_cases = 0
        self._public_query: tuple[str, str] | None = None
        # The item catalogue (事项清单, §16): the items each window takes, and a random source
        # of their own, so that naming items leaves every other draw of a campaign as it was.
        self._items_at: dict[str, list[ItemSpec]] = {}
        self._item_rng = random.Random(seed + 16)  # noqa: S311 -- a simulation, not a secret

    def _item_for(self, window: str | None) -> ItemSpec | None:
        """Now and then (ITEM_SHARE), the item a citizen came to the window for."""
        offered = self._items_at.get(window or "", [])
        if not offered or self._item_rng.random() >= ITEM_SHARE:
            return None
        return self._item_rng.choice(offered)

    # What the journeys do when an inspector escalates a missed deadline ---------------------

    @abstractmethod
    def _supervise_case(self, journey: CaseJourney) -> None: ...

    @abstractmethod
    def _supervise_order(self, journey: OrderJourney) -> None: ...

    # The schedule ----------------------------------------------------------------------------

    def _at_arrival(self, day: date, action: Callable[..., None], *args: Any) -> None:
        hours = self._calendar.office_hours
        opens = datetime.combine(day, hours.opens, tzinfo=hours.tz)
        closes = datetime.combine(day, hours.closes, tzinfo=hours.tz)
        # Nothing arrives in the last quarter hour: the hall stops taking numbers.
        moment = opens + timedelta(
            seconds=self.rng.uniform(0, (closes - opens).total_seconds() - 900)
        )
        if moment >= self.time_source.now():  # a campaign starting mid-day skips the hours before
            self._at(moment, action, *args)

    def _run_until(self, limit: datetime) -> None:
        while self._queue and self._queue[0][0] < limit:
            moment, _, _, action, args = heapq.heappop(self._queue)
            self.time_source.advance_to(moment)
            action(*args)

    def _at(self, moment: datetime, action: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._queue, (moment, ACTION_NEXT, next(self._sequence), action, args))

    # Time ----------------------------------------------------------------------------------

    @property
    def _now(self) -> datetime:
        return self.time_source.now()

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
        journey: CaseJourney | OrderJourney = self._cases.get(task_id) or self._orders[task_id]
        if journey.supervision_decided_for == missed.due_at:
            return
        journey.supervision_decided_for = missed.due_at
        if self.rng.random() < SUPERVISION_SHARE:
            if isinstance(journey, CaseJourney):
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

    def _pick_department(self, complaint: bool) -> SimulatedDepartment:
        """Busy departments (many windows) get more cases; careless ones more complaints."""
        departments = list(self._departments.values())
        weights = [len(d.windows) * (1 + 2 * d.sloppiness if complaint else 1) for d in departments]
        return self.rng.choices(departments, weights=weights)[0]

    def _another_department(self, department: str) -> str:
        others = [d for d in self._departments.values() if d.id != department]
        return self.rng.choices(others, weights=[len(d.windows) for d in others])[0].id

    def _weighted(self, mix: Mapping[T, float]) -> T:
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]
