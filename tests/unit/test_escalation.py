"""Escalation (提级督办): a task still overdue 5 working days after supervision goes to the
department's superior, once, at that moment; the superior directs it with a note and a new
due date. Runs on a case and on a rectification order alike.

The story, on the real 2026 calendar (Mid-Autumn Fri 25 Sep, National Day 1–7 Oct, make-up
working Saturday 10 Oct):

    handed over   Mon 7 Sep 10:30, 15 working days: due Mon 28 Sep 17:30
    supervised    Tue 29 Sep 10:00
    escalated     Mon 12 Oct 10:00 — Tue 7.5 h, Wed 30 Sep 8.5 h, (1–7 Oct off), Thu 8 and
                  Fri 9 Oct 17 h, Sat 10 Oct (worked) 8.5 h, (Sun off), then 1 h on Mon 12 Oct
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.task import (
    DirectionOutOfRange,
    NotEscalated,
    NotTheSuperior,
    ReasonRequired,
    Task,
)
from tests.unit.case_story import Given, at, close_of
from tests.unit.test_shared_task_clock import SYSTEM, Tasks

HANDED_OVER = at(9, 7, 10, 30)
SUPERVISED = at(9, 29, 10)
ESCALATES_AT = at(10, 12, 10)
DIRECTED = at(10, 13, 11)
BUREAU = "natural-resources-bureau"


@pytest.fixture(params=["case", "order"])
def tasks(request: pytest.FixtureRequest, given: Given) -> Tasks:
    return Tasks(request.param, given)


SUPERIOR = Actor("bureau-desk", Role.DEPARTMENT, department=BUREAU)


def supervised_task(tasks: Tasks, calendar: WorkingCalendar) -> Task:
    """A task that missed Mon 28 Sep and was supervised on Tue 29 Sep 10:00."""
    task = tasks.acknowledged(when=HANDED_OVER)
    assert task.deadline is not None
    assert task.deadline.due_at == close_of(9, 28)
    task.observe_clock(calendar=calendar, by=SYSTEM, at=at(9, 29, 9))
    task.supervise(note="已超期，请加快办理", by=tasks.inspector, at=SUPERVISED)
    task.collect_events()
    return task


def observe(
    task: Task, calendar: WorkingCalendar, when: object, superior: Callable[[], str | None]
) -> int:
    return task.observe_clock(calendar=calendar, by=SYSTEM, at=when, superior=superior)  # type: ignore[arg-type]


def direct(
    task: Task,
    tasks: Tasks,
    calendar: WorkingCalendar,
    *,
    note: str = "督办意见",
    working_days: int = 3,
    by: Actor = SUPERIOR,
    at: datetime = DIRECTED,
) -> None:
    """The superior directs the task, by default three working days on Tue 13 Oct 11:00."""
    task.direct(
        note=note,
        working_days=working_days,
        policy=tasks.policy,
        calendar=calendar,
        by=by,
        at=at,
    )


def escalated(task: Task, calendar: WorkingCalendar, superior: str | None = BUREAU) -> Task:
    observe(task, calendar, at(10, 12, 11), lambda: superior)
    task.collect_events()
    return task


def test_a_task_is_escalated_to_the_superior_five_working_days_after_supervision_across_holidays(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    # given
    task = supervised_task(tasks, calendar)
    asked: list[str] = []

    def superior() -> str:
        asked.append(BUREAU)
        return BUREAU

    # when: the clock looks on the make-up Saturday, just before the moment, then after it
    saturday = observe(task, calendar, at(10, 10, 17), superior)
    before = observe(task, calendar, at(10, 12, 9, 59), superior)
    then = observe(task, calendar, at(10, 12, 10, 30), superior)

    # then: escalated and flagged for a notice at the same true moment, the superior asked once
    assert (saturday, before, then) == (0, 0, 2)
    escalation, flagged = task.pending_events
    assert isinstance(escalation, Task.Escalated)
    assert (escalation.escalate_at, escalation.superior) == (ESCALATES_AT, BUREAU)
    assert escalation.supervised_at == SUPERVISED
    assert escalation.timestamp == at(10, 12, 10, 30)
    assert escalation.actor == SYSTEM
    assert isinstance(flagged, Task.PublicNoticeFlagged)
    assert asked == [BUREAU]
    assert (task.escalated, task.escalated_to) == (True, BUREAU)


def test_a_task_is_escalated_once_however_often_the_clock_looks(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    task = escalated(supervised_task(tasks, calendar), calendar)

    later = [observe(task, calendar, at(10, day, 12), lambda: BUREAU) for day in (13, 20, 30)]

    assert later == [0, 0, 0]
    assert task.clock_state.escalated is True


def test_a_department_without_a_superior_escalates_to_the_inspectors(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    task = escalated(supervised_task(tasks, calendar), calendar, superior=None)

    assert (task.escalated, task.escalated_to) == (True, None)
    with pytest.raises(NotEscalated) as refusal:
        direct(task, tasks, calendar, note="请限期办结")
    assert refusal.value.code == "not_escalated"


def test_the_superior_directs_its_subordinate_with_a_note_and_a_new_due_date(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    task = escalated(supervised_task(tasks, calendar), calendar)

    # when: directed Tue 13 Oct 11:00 to finish within 3 working days
    direct(task, tasks, calendar, note="请于三个工作日内办结并报告", working_days=3, at=DIRECTED)

    # then: due Fri 16 Oct 17:30, counted from the working day after the direction
    (directed,) = task.pending_events
    assert isinstance(directed, Task.Directed)
    assert (directed.note, directed.working_days) == ("请于三个工作日内办结并报告", 3)
    assert task.deadline is not None
    assert task.deadline.due_at == close_of(10, 16)
    assert task.deadline.policy == "direction"
    assert "direction" in task.deadline.explanation
    assert not task.is_overdue(at(10, 14, 9))
    assert task.directions[0]["note"] == "请于三个工作日内办结并报告"


def test_a_directed_task_missing_its_new_date_is_not_escalated_a_second_time(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    task = escalated(supervised_task(tasks, calendar), calendar)
    direct(task, tasks, calendar, note="请限期办结")
    task.collect_events()

    # when: the new date passes, an inspector supervises again, five working days go by
    missed = observe(task, calendar, at(10, 19, 9), lambda: BUREAU)
    task.supervise(note="再次督办", by=tasks.inspector, at=at(10, 19, 10))
    later = observe(task, calendar, at(10, 30, 12), lambda: BUREAU)

    # then: the new date's reminder and miss are recorded, and nothing is escalated again
    assert (missed, later) == (2, 0)
    names = [type(e).__name__ for e in task.pending_events]
    assert names == ["Reminded", "DeadlineMissed", "Supervised"]


@pytest.mark.parametrize(
    ("by", "code"),
    [
        pytest.param(
            Actor("tax-desk", Role.DEPARTMENT, department="taxation"),
            "not_the_superior",
            id="another department",
        ),
        pytest.param(None, "not_the_superior", id="the subordinate itself"),
        pytest.param(Actor("inspector-li", Role.INSPECTOR), "not_the_superior", id="an inspector"),
    ],
)
def test_only_the_superior_it_was_escalated_to_directs_a_task(
    tasks: Tasks, calendar: WorkingCalendar, by: Actor | None, code: str
) -> None:
    task = escalated(supervised_task(tasks, calendar), calendar)

    with pytest.raises(NotTheSuperior) as refusal:
        direct(task, tasks, calendar, by=by or tasks.department)

    assert refusal.value.code == code
    assert task.pending_events == []


def test_a_task_not_escalated_takes_no_direction(tasks: Tasks, calendar: WorkingCalendar) -> None:
    task = supervised_task(tasks, calendar)

    with pytest.raises(NotEscalated):
        direct(task, tasks, calendar, at=at(10, 9, 11))


@pytest.mark.parametrize("working_days", [0, -1, 31, 10**12])
def test_a_direction_gives_one_to_thirty_working_days(
    tasks: Tasks, calendar: WorkingCalendar, working_days: int
) -> None:
    task = escalated(supervised_task(tasks, calendar), calendar)

    with pytest.raises(DirectionOutOfRange) as refusal:
        direct(task, tasks, calendar, working_days=working_days)

    assert refusal.value.code == "direction_out_of_range"


@pytest.mark.parametrize("note", ["", "   "])
def test_a_direction_says_what_the_superior_wants(
    tasks: Tasks, calendar: WorkingCalendar, note: str
) -> None:
    task = escalated(supervised_task(tasks, calendar), calendar)

    with pytest.raises(ReasonRequired):
        direct(task, tasks, calendar, note=note)


def test_the_superior_reads_the_task_escalated_to_it_and_no_other_department_does(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    task = supervised_task(tasks, calendar)
    before = task.may_be_read_by(SUPERIOR)  # type: ignore[attr-defined]
    escalated(task, calendar)

    assert before is False
    assert task.may_be_read_by(SUPERIOR) is True  # type: ignore[attr-defined]
    taxation = Actor("tax-desk", Role.DEPARTMENT, department="taxation")
    assert task.may_be_read_by(taxation) is False  # type: ignore[attr-defined]


def test_a_direction_to_a_task_never_acknowledged_binds_its_acknowledgement_too(
    tasks: Tasks, calendar: WorkingCalendar
) -> None:
    # given: handed over and never acknowledged, supervised, escalated
    task = tasks.handed_over(when=HANDED_OVER)
    task.observe_clock(calendar=calendar, by=SYSTEM, at=at(9, 29, 9))
    task.supervise(note="逾期未签收", by=tasks.inspector, at=SUPERVISED)
    escalated(task, calendar)

    # when
    direct(task, tasks, calendar, note="请即签收办理", working_days=2, at=DIRECTED)

    # then: both deadlines are the superior's, Thu 15 Oct, and no longer missed
    assert task.acknowledge_deadline == task.deadline
    assert task.deadline is not None
    assert task.deadline.due_at == close_of(10, 15)
    assert not task.is_overdue(at(10, 14, 9))
