"""The Case aggregate's deadline clock (DESIGN §5.1) and provisional deadlines (§5.2).

Every moment is counted by hand on the real 2026 calendar (only weekends between 20 November
and 31 December), office hours 09:00–17:30 Asia/Shanghai. The default complaint of `Given` is
assigned Fri 27 Nov 10:30:

    acknowledge by    Mon 30 Nov 17:30   (1 working day)
    reminder at       Tue 15 Dec 16:06   (134.5 h of office time from Fri 10:30 to Fri 18 Dec
                                          17:30; 20% of it, 26.9 h, is left then)
    handle by         Fri 18 Dec 17:30   (15 working days)

A consultation assigned at the same moment is due Tue 1 Dec 17:30 and reminded at Tue 12:42
(24 h of office time; 4.8 h left).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.case import Case, Kind, Status
from domain.deadlines import DeadlinePolicy
from tests.unit.case_story import (
    COMPLAINT_ACKNOWLEDGE_BY,
    COMPLAINT_DUE,
    PUBLISHED_2027,
    Given,
    at,
    close_of,
    recorded,
)

SYSTEM = Actor.system()

ACKNOWLEDGE_BY = close_of(11, 30)
REMIND_AT = at(12, 15, 16, 6)
DUE = close_of(12, 18)

CONSULTATION_REMIND_AT = at(12, 1, 12, 42)
CONSULTATION_DUE = close_of(12, 1)


def observe(case: Case, calendar: WorkingCalendar, when: datetime) -> int:
    return case.observe_clock(calendar=calendar, by=SYSTEM, at=when)


def answer(given: Given, case: Case, when: datetime) -> None:
    given.post_result(case, when)


def looked_at(case: Case, calendar: WorkingCalendar, when: datetime) -> Case:
    """The case after the clock looked at it at `when`."""
    observe(case, calendar, when)
    return case


def stopped_on_14_december(given: Given, calendar: WorkingCalendar) -> Case:
    case = given.acknowledged()
    given.stop_clock(case, at(12, 14, 9))
    return case


def answered_within_five_working_days_of_supervision(
    given: Given, calendar: WorkingCalendar
) -> Case:
    case = looked_at(given.acknowledged(), calendar, at(12, 21, 9))
    case.supervise(note="已超期，请加快办理", by=given.inspector, at=at(12, 21, 10))
    answer(given, case, at(12, 24, 15))
    return case


@pytest.mark.parametrize(
    ("case_as_it_stands", "looks_at"),
    [
        pytest.param(
            lambda given, calendar: given.assigned(),
            at(11, 30, 17, 29),
            id="before any moment has come: a minute before the acknowledge deadline",
        ),
        pytest.param(
            lambda given, calendar: looked_at(given.assigned(), calendar, at(11, 30, 17, 31)),
            at(12, 1, 9),
            id="a missed acknowledgement is recorded once: the next morning",
        ),
        pytest.param(
            lambda given, calendar: given.acknowledged(),
            at(12, 1, 9),
            id="once acknowledged in time, the acknowledge deadline no longer fires",
        ),
        pytest.param(
            lambda given, calendar: looked_at(given.assigned(), calendar, at(12, 21, 9)),
            at(12, 31, 17),
            id="after catching up after downtime",
        ),
        pytest.param(
            stopped_on_14_december,
            at(12, 21, 9),
            id="a stopped clock: no reminder and no missed deadline",
        ),
        pytest.param(
            lambda given, calendar: given.answered(),
            at(12, 31, 17),
            id="an answered case, long after every deadline",
        ),
        pytest.param(
            lambda given, calendar: given.closed(),
            at(12, 31, 17),
            id="a closed case",
        ),
        pytest.param(
            answered_within_five_working_days_of_supervision,
            at(12, 31, 9),
            id="a case answered within five working days of supervision is not flagged",
        ),
    ],
)
def test_the_clock_records_nothing_when_no_moment_of_the_case_is_due(
    given: Given,
    calendar: WorkingCalendar,
    case_as_it_stands: Callable[[Given, WorkingCalendar], Case],
    looks_at: datetime,
) -> None:
    # given
    case = case_as_it_stands(given, calendar)
    case.collect_events()

    # when
    count = observe(case, calendar, looks_at)

    # then
    assert count == 0
    assert recorded(case) == []


# Missed acknowledgement --------------------------------------------------------------------


def test_the_clock_records_a_missed_acknowledgement_with_its_true_due_moment(
    given: Given, calendar: WorkingCalendar
) -> None:
    # given
    case = given.assigned()

    # when: a minute after the acknowledge deadline
    count = observe(case, calendar, at(11, 30, 17, 31))

    # then
    assert count == 1
    assert recorded(case) == ["AcknowledgeDeadlineMissed"]
    (event,) = case.pending_events
    assert isinstance(event, Case.AcknowledgeDeadlineMissed)
    assert event.due_at == ACKNOWLEDGE_BY
    assert event.timestamp == at(11, 30, 17, 31)
    assert event.actor == SYSTEM
    assert case.acknowledge_missed_for == ACKNOWLEDGE_BY


def test_a_late_acknowledgement_before_the_clock_looked_still_leaves_the_miss_on_record(
    given: Given, calendar: WorkingCalendar
) -> None:
    # given: the clock was down from Mon 30 Nov 17:00
    case = given.assigned()

    # when: the department acknowledges late, before the clock looked
    case.acknowledge(by=given.department, at=at(12, 1, 9))

    # then: the miss is recorded first, by the system, with its true moment; and only once
    assert recorded(case) == ["AcknowledgeDeadlineMissed", "Acknowledged"]
    assert case.pending_events[0].due_at == COMPLAINT_ACKNOWLEDGE_BY
    assert case.pending_events[0].actor.role is Role.SYSTEM
    case.collect_events()
    assert observe(case, calendar, at(12, 1, 9, 5)) == 0


# Catching up after downtime ----------------------------------------------------------------


def test_after_downtime_the_clock_records_each_moment_once_in_order_with_its_true_time(
    given: Given, calendar: WorkingCalendar
) -> None:
    # given: assigned, never acknowledged, and the clock down for three weeks
    case = given.assigned()

    # when: it comes back on Mon 21 Dec 09:00
    count = observe(case, calendar, at(12, 21, 9))

    # then
    assert count == 3
    assert recorded(case) == ["AcknowledgeDeadlineMissed", "Reminded", "DeadlineMissed"]
    missed_acknowledgement, reminded, missed = case.pending_events
    assert isinstance(missed_acknowledgement, Case.AcknowledgeDeadlineMissed)
    assert missed_acknowledgement.due_at == ACKNOWLEDGE_BY
    assert isinstance(reminded, Case.Reminded)
    assert (reminded.remind_at, reminded.due_at) == (REMIND_AT, DUE)
    assert isinstance(missed, Case.DeadlineMissed)
    assert missed.due_at == DUE
    assert [e.timestamp for e in case.pending_events] == [at(12, 21, 9)] * 3
    assert [e.actor for e in case.pending_events] == [SYSTEM] * 3


def test_the_clock_reminds_a_case_in_progress_when_a_fifth_of_its_time_is_left(
    given: Given, calendar: WorkingCalendar
) -> None:
    # given
    case = given.acknowledged()

    # when
    before = observe(case, calendar, at(12, 15, 16, 5))
    after = observe(case, calendar, at(12, 15, 16, 7))

    # then
    assert (before, after) == (0, 1)
    (reminded,) = case.pending_events
    assert isinstance(reminded, Case.Reminded)
    assert (reminded.remind_at, reminded.due_at) == (REMIND_AT, DUE)
    assert reminded.timestamp == at(12, 15, 16, 7)


def test_a_late_answer_before_the_clock_looked_still_leaves_the_missed_deadline_on_record(
    given: Given, calendar: WorkingCalendar
) -> None:
    # given: due Fri 18 Dec; the clock was down
    case = given.acknowledged()

    # when: the department answers on Mon 21 Dec, before the clock looked
    answer(given, case, at(12, 21, 10))

    # then
    assert recorded(case) == ["DeadlineMissed", "ResultPosted"]
    assert case.pending_events[0].due_at == COMPLAINT_DUE


# Supervision and the public notice ----------------------------------------------------------


def test_a_reopened_case_is_not_flagged_on_a_supervision_of_its_previous_deadline(
    given: Given, calendar: WorkingCalendar
) -> None:
    # given: a consultation due Tue 1 Dec missed, supervised Wed 2 Dec 10:00 and answered the
    # next day, well within five working days: no notice
    case = given.acknowledged(Kind.CONSULTATION)
    observe(case, calendar, at(12, 2, 9))
    case.supervise(note="已超期，请加快办理", by=given.inspector, at=at(12, 2, 10))
    answer(given, case, at(12, 3, 9))
    assert observe(case, calendar, at(12, 14, 8)) == 0
    # reopened Mon 14 Dec 09:00: 2 working days, due Wed 16 Dec 17:30
    given.reopen(case, at(12, 14, 9))
    case.collect_events()

    # when: the new deadline is missed, and nobody has supervised it
    observe(case, calendar, at(12, 17, 9))

    # then
    assert recorded(case) == ["Reminded", "DeadlineMissed"]


# Reopening -----------------------------------------------------------------------------------


def test_a_reopened_case_gets_a_new_deadline_and_can_miss_it_again(
    given: Given, calendar: WorkingCalendar
) -> None:
    # given: a consultation whose deadline (Tue 1 Dec 17:30) was missed, answered late
    case = given.acknowledged(Kind.CONSULTATION)
    first = observe(case, calendar, at(12, 2, 9))
    answer(given, case, at(12, 2, 10))
    # reopened Thu 3 Dec 09:00: 2 working days from Fri 4 Dec, due Mon 7 Dec 17:30;
    # Thu 09:00 to Mon 17:30 is 25.5 h of office time, 20% of it (5.1 h) left at Mon 12:24
    given.reopen(case, at(12, 3, 9))
    case.collect_events()

    # when
    second = observe(case, calendar, at(12, 8, 9))

    # then
    assert (first, second) == (2, 2)
    assert recorded(case) == ["Reminded", "DeadlineMissed"]
    reminded, missed = case.pending_events
    assert isinstance(reminded, Case.Reminded)
    assert (reminded.remind_at, reminded.due_at) == (at(12, 7, 12, 24), close_of(12, 7))
    assert isinstance(missed, Case.DeadlineMissed)
    assert missed.due_at == close_of(12, 7)
    assert case.due_missed_for == close_of(12, 7)


def test_the_first_missed_deadline_of_a_consultation_is_recorded_with_its_reminder(
    given: Given, calendar: WorkingCalendar
) -> None:
    # given
    case = given.acknowledged(Kind.CONSULTATION)

    # when
    observe(case, calendar, at(12, 2, 9))

    # then
    reminded, missed = case.pending_events
    assert isinstance(reminded, Case.Reminded)
    assert (reminded.remind_at, reminded.due_at) == (CONSULTATION_REMIND_AT, CONSULTATION_DUE)
    assert isinstance(missed, Case.DeadlineMissed)
    assert missed.due_at == CONSULTATION_DUE


def test_every_clock_event_is_recorded_by_the_system(
    given: Given, calendar: WorkingCalendar
) -> None:
    # given: a case that misses everything, acknowledged late and supervised
    case = given.assigned()
    observe(case, calendar, at(12, 21, 9))
    case.acknowledge(by=given.department, at=at(12, 21, 9, 30))
    case.supervise(note="已超期，请加快办理", by=given.inspector, at=at(12, 21, 10))

    # when
    observe(case, calendar, at(12, 31, 9))

    # then
    clock_events = [e for e in case.pending_events if e.actor.role is Role.SYSTEM]
    assert [type(e).__name__ for e in clock_events] == [
        "AcknowledgeDeadlineMissed",
        "Reminded",
        "DeadlineMissed",
        "Escalated",
        "PublicNoticeFlagged",
    ]
    assert all(e.actor == SYSTEM for e in clock_events)
    assert [type(e).__name__ for e in case.pending_events if e.actor != SYSTEM] == [
        "Acknowledged",
        "Supervised",
    ]


# Provisional deadlines and their recomputation -----------------------------------------------

# Assigned Mon 28 Dec 2026 10:00. Acknowledge by Tue 29 Dec (2026 only, not provisional).
# Handle within 15 working days, counted from Tue 29 Dec:
#   provisional 2027 (weekends and 1 Jan): 29, 30, 31 Dec; 4–8, 11–15, 18, 19 Jan → Tue 19 Jan
#   published 2027 (1–3 Jan off, Sat 9 Jan worked): 29, 30, 31 Dec; 4–8, 9, 11–15, 18 Jan
#   → Mon 18 Jan
LATE_DECEMBER = at(12, 28, 10)
PROVISIONAL_DUE = close_of(1, 19, year=2027)
PUBLISHED_DUE = close_of(1, 18, year=2027)


def assigned_in_late_december(given: Given) -> Case:
    case = given.registered()
    given.assign(case, when=LATE_DECEMBER)
    case.collect_events()
    return case


def recompute_on_published_2027(
    case: Case, policy: DeadlinePolicy, calendar: WorkingCalendar, when: datetime
) -> bool:
    """The system recomputes the case's deadlines once 2027 is published; answer whether they
    changed."""
    return case.recompute_deadlines(
        policy=policy, calendar=calendar.with_schedule(PUBLISHED_2027), by=SYSTEM, at=when
    )


def test_a_deadline_running_into_an_unpublished_year_is_provisional(given: Given) -> None:
    # when
    case = assigned_in_late_december(given)

    # then
    assert case.has_provisional_deadline is True
    assert case.acknowledge_deadline is not None
    assert case.acknowledge_deadline.due_at == close_of(12, 29)
    assert case.acknowledge_deadline.provisional is False
    assert case.deadline is not None
    assert case.deadline.due_at == PROVISIONAL_DUE
    assert case.deadline.provisional is True


def test_recomputing_on_the_published_year_records_the_new_final_deadline(
    given: Given, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> None:
    # given
    case = assigned_in_late_december(given)
    acknowledge_deadline = case.acknowledge_deadline

    # when
    changed = recompute_on_published_2027(case, policy, calendar, at(11, 20, 9, year=2027))

    # then
    assert changed is True
    assert recorded(case) == ["DeadlinesRecomputed"]
    (event,) = case.pending_events
    assert isinstance(event, Case.DeadlinesRecomputed)
    assert event.actor == SYSTEM
    assert event.acknowledge_deadline == acknowledge_deadline
    assert event.deadline is not None
    assert event.deadline.due_at == PUBLISHED_DUE
    assert event.deadline.provisional is False
    assert "published (国办发明电〔2026〕9号)" in event.deadline.calendar_version
    assert case.deadline == event.deadline
    assert case.has_provisional_deadline is False


def test_recomputing_again_records_nothing(
    given: Given, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> None:
    # given
    case = assigned_in_late_december(given)
    recompute_on_published_2027(case, policy, calendar, at(12, 28, 11))
    case.collect_events()

    # when
    changed = recompute_on_published_2027(case, policy, calendar, at(12, 28, 12))

    # then
    assert changed is False
    assert recorded(case) == []


def test_recomputing_on_the_same_unpublished_calendar_records_nothing(
    given: Given, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> None:
    case = assigned_in_late_december(given)

    changed = case.recompute_deadlines(
        policy=policy, calendar=calendar, by=SYSTEM, at=at(12, 28, 11)
    )

    assert changed is False
    assert recorded(case) == []
    assert case.has_provisional_deadline is True


@pytest.mark.parametrize("stage", ["answered", "closed"])
def test_recomputing_leaves_answered_and_closed_cases_alone(
    given: Given, calendar: WorkingCalendar, policy: DeadlinePolicy, stage: str
) -> None:
    # given: assigned in late December, answered before the year was published
    case = assigned_in_late_december(given)
    case.acknowledge(by=given.department, at=at(12, 28, 11))
    answer(given, case, at(12, 30, 10))
    if stage == "closed":
        case.close(by=given.operator, at=at(12, 30, 11))
    case.collect_events()
    deadline = case.deadline

    # when
    changed = recompute_on_published_2027(case, policy, calendar, at(12, 31, 9))

    # then
    assert changed is False
    assert recorded(case) == []
    assert case.deadline == deadline


def test_a_recomputed_deadline_is_missed_at_its_new_moment(
    given: Given, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> None:
    # given: acknowledged in time; the published year brings the deadline forward to Mon 18 Jan
    case = assigned_in_late_december(given)
    case.acknowledge(by=given.department, at=at(12, 28, 11))
    published = calendar.with_schedule(PUBLISHED_2027)
    recompute_on_published_2027(case, policy, calendar, at(12, 28, 12))
    observe(case, published, at(1, 18, 17, 0, year=2027))
    case.collect_events()

    # when
    count = observe(case, published, at(1, 18, 17, 31, year=2027))

    # then
    assert count == 1
    (missed,) = case.pending_events
    assert isinstance(missed, Case.DeadlineMissed)
    assert missed.due_at == PUBLISHED_DUE


def test_recomputing_an_extended_deadline_extends_the_recomputed_base_deadline(
    given: Given, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> None:
    # given: provisionally due Tue 19 Jan 2027; extended by 5 working days to Tue 26 Jan
    case = assigned_in_late_december(given)
    case.acknowledge(by=given.department, at=at(12, 28, 11))
    given.request_extension(case, 5, at(12, 31, 10))
    case.grant_extension(policy=policy, calendar=calendar, by=given.inspector, at=at(12, 31, 11))
    assert case.deadline is not None
    assert case.deadline.due_at == close_of(1, 26, year=2027)
    case.collect_events()

    # when
    recompute_on_published_2027(case, policy, calendar, at(1, 4, 9, year=2027))

    # then: the base deadline is Mon 18 Jan, so 5 more working days (19–22, 25 Jan) end Mon 25 Jan
    assert case.deadline is not None
    assert case.deadline.due_at == close_of(1, 25, year=2027)


def test_a_returned_case_has_no_deadline_to_recompute(
    given: Given, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> None:
    # given
    case = assigned_in_late_december(given)
    case.return_to_sender(reason="不属于本部门职责", by=given.department, at=at(12, 28, 11))
    case.collect_events()

    # when
    changed = recompute_on_published_2027(case, policy, calendar, at(12, 31, 9))

    # then
    assert changed is False
    assert recorded(case) == []
    assert case.status is Status.RETURNED
