"""Cases and rectification orders share one clock (DESIGN §4: "build it once").

Every test here runs twice: on a complaint assigned Fri 27 Nov 10:30 and on a rectification
order issued at the same moment with the same 15 working days, and expects the same events at
the same moments (counted in tests/unit/test_case_clock.py):

    acknowledge by    Mon 30 Nov 17:30
    reminder at       Tue 15 Dec 16:06
    handle by         Fri 18 Dec 17:30
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.case import Case, CaseNotOverdue
from domain.rectification import OrderNotOverdue, RectificationOrder
from domain.task import NotOverdue, Task
from tests.unit.case_story import PUBLISHED_2027, Given, at, close_of
from tests.unit.order_story import GivenOrder

HANDED_OVER = at(11, 27, 10, 30)
ACKNOWLEDGED = at(11, 27, 14, 0)
ACKNOWLEDGE_BY = close_of(11, 30)
REMIND_AT = at(12, 15, 16, 6)
DUE = close_of(12, 18)
SYSTEM = Actor.system()


class Tasks:
    """Makes a task of one sort (case or order) handed to the department at a moment."""

    def __init__(self, sort: str, given: Given) -> None:
        self.sort = sort
        self.cases = given
        self.orders = GivenOrder.beside(given)
        self.department = given.department
        self.inspector = given.inspector
        self.policy = given.policy
        self.calendar = given.calendar

    def handed_over(self, when: datetime = HANDED_OVER) -> Task:
        if self.sort == "order":
            return self.orders.issued(working_days=15, when=when)
        case = self.cases.registered()
        self.cases.assign(case, when=when)
        case.collect_events()
        return case

    def acknowledged(self, when: datetime = HANDED_OVER) -> Task:
        task = self.handed_over(when)
        task.acknowledge(by=self.department, at=ACKNOWLEDGED if when == HANDED_OVER else when)  # type: ignore[attr-defined]
        task.collect_events()
        return task


@pytest.fixture(params=["case", "order"])
def tasks(request: pytest.FixtureRequest, given: Given) -> Tasks:
    return Tasks(request.param, given)


def recorded(task: Task) -> list[tuple[str, datetime | None]]:
    """Each pending event's name and the moment it stands for (if a clock event)."""
    return [
        (
            type(event).__name__,
            getattr(event, "remind_at", None)
            or getattr(event, "notice_at", None)
            or getattr(event, "escalate_at", None)
            or getattr(event, "due_at", None),
        )
        for event in task.pending_events
    ]


def observe(task: Task, calendar: WorkingCalendar, when: datetime) -> int:
    return task.observe_clock(calendar=calendar, by=SYSTEM, at=when)


def test_both_sorts_of_task_are_given_the_same_deadlines(tasks: Tasks) -> None:
    task = tasks.handed_over()
    assert task.acknowledge_deadline is not None
    assert task.acknowledge_deadline.due_at == ACKNOWLEDGE_BY
    assert task.deadline is not None
    assert task.deadline.due_at == DUE


def test_a_missed_acknowledgement_is_recorded_once_with_its_true_moment(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    task = tasks.handed_over()

    assert observe(task, calendar, at(12, 1, 9)) == 1
    assert observe(task, calendar, at(12, 1, 10)) == 0
    assert recorded(task) == [("AcknowledgeDeadlineMissed", ACKNOWLEDGE_BY)]
    assert task.is_overdue(at(12, 1, 10))


def test_after_downtime_the_clock_records_the_reminder_and_the_missed_deadline_in_order(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    task = tasks.acknowledged()

    assert observe(task, calendar, at(12, 21, 9)) == 2
    assert recorded(task) == [("Reminded", REMIND_AT), ("DeadlineMissed", DUE)]
    assert all(event.actor == SYSTEM for event in task.pending_events)  # type: ignore[attr-defined]


def test_a_task_still_overdue_five_working_days_after_supervision_is_flagged_once(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    # given: the deadline of Fri 18 Dec missed, supervised Mon 21 Dec 10:00
    task = tasks.acknowledged()
    observe(task, calendar, at(12, 21, 9))
    task.supervise(note="请立即办理", by=tasks.inspector, at=at(12, 21, 10))
    task.collect_events()

    # when: five office days later is Mon 28 Dec 10:00 (Mon 7.5 h, Tue–Fri 34 h, 1 h more)
    before = observe(task, calendar, at(12, 28, 9, 59))
    then = observe(task, calendar, at(12, 28, 10, 30))
    later = observe(task, calendar, at(12, 31, 9))

    # then: escalated (提级督办) at the same moment, with no superior given: to the inspectors
    assert (before, then, later) == (0, 2, 0)
    assert recorded(task) == [
        ("Escalated", at(12, 28, 10)),
        ("PublicNoticeFlagged", at(12, 28, 10)),
    ]
    escalated, flagged = task.pending_events
    assert isinstance(escalated, Task.Escalated)
    assert escalated.superior is None
    assert isinstance(flagged, Task.PublicNoticeFlagged)
    assert flagged.supervised_at == at(12, 21, 10)
    assert flagged.timestamp == at(12, 28, 10, 30)
    assert flagged.actor == SYSTEM


def test_supervising_a_task_on_time_is_refused_with_its_own_named_error(tasks: Tasks) -> None:
    task = tasks.acknowledged()
    expected = CaseNotOverdue if tasks.sort == "case" else OrderNotOverdue

    with pytest.raises(NotOverdue) as refusal:
        task.supervise(note="督办", by=tasks.inspector, at=at(12, 1, 10))

    assert type(refusal.value) is expected


def test_a_stopped_clock_records_nothing_and_resuming_adds_the_stopped_time(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    task = tasks.acknowledged()
    task.stop_clock(reason="等待第三方", by=tasks.department, at=at(12, 14, 9))
    assert observe(task, calendar, at(12, 21, 9)) == 0
    task.resume_clock(policy=tasks.policy, calendar=calendar, by=tasks.department, at=at(12, 21, 9))

    # Stopped Mon 14 Dec 09:00 .. Mon 21 Dec 09:00: five office days, 42.5 h, added back.
    assert task.deadline is not None
    assert task.deadline.due_at == close_of(12, 25)
    assert [name for name, _ in recorded(task)] == ["ClockStopped", "ClockResumed"]


def test_a_granted_extension_moves_the_deadline_the_same_way(tasks: Tasks) -> None:
    task = tasks.acknowledged()
    task.request_extension(
        working_days=3, reason="需要现场核查", by=tasks.department, at=at(12, 1, 10)
    )
    task.grant_extension(
        policy=tasks.policy, calendar=tasks.calendar, by=tasks.inspector, at=at(12, 2, 10)
    )

    assert task.deadline is not None
    assert task.deadline.due_at == close_of(12, 23)
    assert task.pending_extension is None


def test_provisional_deadlines_are_recomputed_the_same_way_once_the_year_is_published(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    # given: handed over Mon 21 Dec, 15 working days run into an unpublished 2027
    task = tasks.handed_over(at(12, 21, 10))
    assert task.has_provisional_deadline

    # when
    changed = task.recompute_deadlines(
        policy=tasks.policy,
        calendar=calendar.with_schedule(PUBLISHED_2027),
        by=SYSTEM,
        at=at(12, 22, 9),
    )

    # then: 22–25, 28–31 Dec (8), 4–8 Jan (13), 9 Jan a make-up Saturday (14), 11 Jan (15)
    assert changed is True
    assert not task.has_provisional_deadline
    assert task.deadline is not None
    assert task.deadline.due_at == close_of(1, 11, year=2027)


Scenario = Callable[[Tasks, Task, WorkingCalendar], None]


def _long_story(tasks: Tasks, task: Task, calendar: WorkingCalendar) -> None:
    observe(task, calendar, at(12, 1, 9))
    task.acknowledge(by=tasks.department, at=at(12, 1, 10))  # type: ignore[attr-defined]
    task.request_extension(working_days=2, reason="需要协调", by=tasks.department, at=at(12, 2, 9))
    task.refuse_extension(reason="无需延期", by=tasks.inspector, at=at(12, 3, 9))
    task.stop_clock(reason="等待材料", by=tasks.department, at=at(12, 7, 9))
    task.resume_clock(policy=tasks.policy, calendar=calendar, by=tasks.department, at=at(12, 8, 9))
    observe(task, calendar, at(12, 28, 9))
    task.supervise(note="请立即办理", by=tasks.inspector, at=at(12, 28, 10))
    observe(task, calendar, at(12, 31, 17))


def test_the_same_story_records_the_same_clock_events_on_a_case_and_an_order(
    given: Given, calendar: WorkingCalendar
) -> None:
    stories = []
    for sort in ("case", "order"):
        tasks = Tasks(sort, given)
        task = tasks.handed_over()
        _long_story(tasks, task, calendar)
        stories.append((recorded(task), task.clock_state, task.deadline))

    case_story, order_story = stories
    assert case_story == order_story
    assert [name for name, _ in case_story[0]] == [
        "AcknowledgeDeadlineMissed",
        "Acknowledged",
        "ExtensionRequested",
        "ExtensionRefused",
        "ClockStopped",
        "ClockResumed",
        "Reminded",
        "DeadlineMissed",
        "Supervised",
    ]


def test_each_sort_of_task_stores_its_clock_events_under_its_own_topics() -> None:
    for shared in ("ExtensionGranted", "DeadlineMissed", "Reminded", "DeadlinesRecomputed"):
        case_event = getattr(Case, shared)
        order_event = getattr(RectificationOrder, shared)
        topics = (case_event.TOPIC, order_event.TOPIC)
        assert topics == (f"oversight:Case.{shared}", f"oversight:RectificationOrder.{shared}")
        assert issubclass(case_event, getattr(Task, shared))
        assert issubclass(order_event, getattr(Task, shared))
        assert issubclass(case_event, Case.Event)
        assert issubclass(order_event, RectificationOrder.Event)
