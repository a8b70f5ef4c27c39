"""The deadline clock of a task (DESIGN §5.1): reminders, missed deadlines, public notices.

Every moment is counted by hand on the real 2026 calendar, office hours 09:00–17:30
Asia/Shanghai (8.5 hours a day). The days that matter here:

    Fri 27 Nov | Sat 28, Sun 29 | Mon 30 Nov .. Fri 4 Dec | Mon 7 .. Fri 11 Dec | ...
    National Day: Thu 1 .. Wed 7 Oct off; Sat 10 Oct is a make-up working day (补班).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from domain.calendar import OFFICE_TZ, WorkingCalendar
from domain.task_clock import (
    Alarm,
    ClockState,
    due_alarms,
    next_alarm,
    overdue,
    pending_alarms,
    public_notice_moment,
    reminder_moment,
)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026 in the service centre's time zone."""
    return datetime(2026, month, day, hour, minute, tzinfo=OFFICE_TZ)


# A consultation assigned Fri 27 Nov 10:00: acknowledge by Mon 30 Nov 17:30, handle by Tue 1 Dec
# 17:30. Office time Fri 7.5 h + Mon 8.5 h + Tue 8.5 h = 24.5 h; 20% of it (4 h 54 min) is left
# at Tue 12:36.
STARTED = at(11, 27, 10)
ACKNOWLEDGE_DUE = at(11, 30, 17, 30)
DUE = at(12, 1, 17, 30)
REMIND = at(12, 1, 12, 36)

NOTHING_RECORDED = ClockState(
    awaiting_acknowledgement=False,
    handling=True,
    acknowledge_due_at=ACKNOWLEDGE_DUE,
    due_at=DUE,
    handling_started_at=STARTED,
    clock_stopped=False,
    acknowledge_missed_for=None,
    due_missed_for=None,
    reminded_for=None,
    supervised_at=None,
    public_notice_flagged=False,
)


def awaiting_acknowledgement() -> ClockState:
    return replace(NOTHING_RECORDED, awaiting_acknowledgement=True)


def handling() -> ClockState:
    """Acknowledged in time, clock running, nothing recorded yet."""
    return NOTHING_RECORDED


def missed_and_supervised(supervised_at: datetime) -> ClockState:
    """Reminded, the deadline missed and recorded, then supervised."""
    return replace(
        NOTHING_RECORDED, reminded_for=DUE, due_missed_for=DUE, supervised_at=supervised_at
    )


# The reminder -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "due", "reminder"),
    [
        # Fri 10:00 to Tue 17:30 is 24.5 h of office time; 80% of it is 19.6 h: Fri 7.5 h +
        # Mon 8.5 h, then 3.6 h into Tuesday.
        pytest.param(STARTED, DUE, at(12, 1, 12, 36), id="over a weekday's hours"),
        # Fri 4 Dec 09:00 to Mon 7 Dec 17:30 is 17 h of office time; 80% is 13.6 h: Fri 8.5 h,
        # then 5.1 h into Monday.
        pytest.param(
            at(12, 4, 9), at(12, 7, 17, 30), at(12, 7, 14, 6), id="not counting the weekend"
        ),
        # A request assigned Wed 30 Sep 09:00; 5 working days from the day after are Thu 8,
        # Fri 9, Sat 10 (补班), Mon 12, Tue 13 Oct: 6 days of 8.5 h = 51 h of office time; 80% is
        # 40.8 h: Sep 30, Oct 8, 9 and 10 make 34 h, then 6.8 h into Mon 12 Oct.
        pytest.param(
            at(9, 30, 9),
            at(10, 13, 17, 30),
            at(10, 12, 15, 48),
            id="skipping National Day and counting the make-up Saturday",
        ),
    ],
)
def test_the_reminder_comes_when_a_fifth_of_the_office_time_is_left(
    calendar: WorkingCalendar, started: datetime, due: datetime, reminder: datetime
) -> None:
    assert reminder_moment(started, due, calendar) == reminder


# The public notice --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("supervised_at", "notice_at"),
    [
        # 5 × 8.5 h = 42.5 h of office time: Mon 6.5 h, Tue to Fri 34 h, then 2 h into Mon 28 Dec.
        pytest.param(at(12, 21, 11), at(12, 28, 11), id="supervised on a Monday morning"),
        # Wed 7.5 h, Thu 8, Fri 9, Sat 10 (补班) and Mon 12 Oct 34 h, then 1 h into Tue 13 Oct.
        pytest.param(at(9, 30, 10), at(10, 13, 10), id="skipping National Day"),
        # After the office closed on Fri 18 Dec: the five office days Mon 21 to Fri 25 Dec.
        pytest.param(
            at(12, 18, 20), at(12, 25, 17, 30), id="after hours, counted from the next opening"
        ),
    ],
)
def test_the_public_notice_comes_five_working_days_after_supervision(
    calendar: WorkingCalendar, supervised_at: datetime, notice_at: datetime
) -> None:
    assert public_notice_moment(supervised_at, calendar) == notice_at


# Pending alarms, state by state -------------------------------------------------------------


def test_a_task_awaiting_acknowledgement_is_due_to_miss_it_at_the_acknowledge_deadline(
    calendar: WorkingCalendar,
) -> None:
    # when
    alarms = pending_alarms(awaiting_acknowledgement(), calendar)

    # then: the handling clock runs from assignment too
    assert alarms == [
        (ACKNOWLEDGE_DUE, Alarm.ACKNOWLEDGE_MISSED),
        (REMIND, Alarm.REMINDER),
        (DUE, Alarm.DEADLINE_MISSED),
    ]


def test_a_task_handled_with_a_running_clock_is_due_a_reminder_and_a_missed_deadline(
    calendar: WorkingCalendar,
) -> None:
    assert pending_alarms(handling(), calendar) == [
        (REMIND, Alarm.REMINDER),
        (DUE, Alarm.DEADLINE_MISSED),
    ]


def test_a_stopped_clock_is_due_neither_a_reminder_nor_a_missed_deadline(
    calendar: WorkingCalendar,
) -> None:
    # given
    stopped = replace(handling(), clock_stopped=True)

    # then
    assert pending_alarms(stopped, calendar) == []
    assert next_alarm(stopped, calendar) is None


def test_a_missed_acknowledgement_already_recorded_is_not_due_again(
    calendar: WorkingCalendar,
) -> None:
    # given
    recorded = replace(awaiting_acknowledgement(), acknowledge_missed_for=ACKNOWLEDGE_DUE)

    # then
    assert [alarm for _, alarm in pending_alarms(recorded, calendar)] == [
        Alarm.REMINDER,
        Alarm.DEADLINE_MISSED,
    ]


def test_a_reminder_already_sent_for_this_due_date_is_not_due_again(
    calendar: WorkingCalendar,
) -> None:
    # given
    reminded = replace(handling(), reminded_for=DUE)

    # then
    assert pending_alarms(reminded, calendar) == [(DUE, Alarm.DEADLINE_MISSED)]


def test_a_missed_deadline_already_recorded_is_not_due_again(calendar: WorkingCalendar) -> None:
    # given
    missed = replace(handling(), reminded_for=DUE, due_missed_for=DUE)

    # then
    assert pending_alarms(missed, calendar) == []
    assert next_alarm(missed, calendar) is None


def test_a_new_due_date_after_an_extension_is_due_its_own_reminder_and_missed_deadline(
    calendar: WorkingCalendar,
) -> None:
    # given: reminded for Tue 1 Dec, then extended by 3 working days to Fri 4 Dec 17:30
    extended = replace(handling(), reminded_for=DUE, due_at=at(12, 4, 17, 30))

    # when
    alarms = pending_alarms(extended, calendar)

    # then: Fri 10:00 to Fri 4 Dec 17:30 is 7.5 h + 5 × 8.5 h = 50 h; 80% is 40 h:
    # Fri 7.5, Mon, Tue and Wed 25.5 h, then 7 h into Thu 3 Dec
    assert alarms == [
        (at(12, 3, 16), Alarm.REMINDER),
        (at(12, 4, 17, 30), Alarm.DEADLINE_MISSED),
    ]


def test_a_supervised_task_still_overdue_is_due_a_public_notice(calendar: WorkingCalendar) -> None:
    # given: deadline Tue 1 Dec missed, supervised Wed 2 Dec 10:00
    state = missed_and_supervised(at(12, 2, 10))

    # then: five working days later, Wed 9 Dec 10:00, escalated (提级督办) at the same moment
    assert overdue(state) is True
    assert pending_alarms(state, calendar) == [
        (at(12, 9, 10), Alarm.ESCALATION),
        (at(12, 9, 10), Alarm.PUBLIC_NOTICE),
    ]


def test_a_task_supervised_for_a_missed_acknowledgement_is_due_a_public_notice(
    calendar: WorkingCalendar,
) -> None:
    # given: acknowledge deadline Mon 30 Nov missed and recorded, supervised Tue 1 Dec 9:00,
    # still not acknowledged
    state = replace(
        awaiting_acknowledgement(),
        acknowledge_missed_for=ACKNOWLEDGE_DUE,
        reminded_for=DUE,
        supervised_at=at(12, 1, 9),
    )

    # then: Tue 1 to Mon 7 Dec is five office days
    assert pending_alarms(state, calendar) == [
        (DUE, Alarm.DEADLINE_MISSED),
        (at(12, 7, 17, 30), Alarm.ESCALATION),
        (at(12, 7, 17, 30), Alarm.PUBLIC_NOTICE),
    ]


def test_a_supervised_task_answered_since_is_not_overdue_and_due_no_notice(
    calendar: WorkingCalendar,
) -> None:
    # given: answered after supervision, so no longer handled
    answered = replace(missed_and_supervised(at(12, 2, 10)), handling=False)

    # then
    assert overdue(answered) is False
    assert pending_alarms(answered, calendar) == []


def test_a_supervised_task_whose_clock_is_stopped_is_due_no_notice(
    calendar: WorkingCalendar,
) -> None:
    stopped = replace(missed_and_supervised(at(12, 2, 10)), clock_stopped=True)

    assert pending_alarms(stopped, calendar) == []


def test_a_task_supervised_but_with_a_new_due_date_not_yet_missed_is_due_no_notice(
    calendar: WorkingCalendar,
) -> None:
    # given: the missed deadline was Tue 1 Dec; a reopening set a new one, Mon 7 Dec
    renewed = replace(
        missed_and_supervised(at(12, 2, 10)),
        due_at=at(12, 7, 17, 30),
        handling_started_at=at(12, 3, 9),
    )

    # then: only the new deadline's alarms (Thu 3 Dec 09:00 to Mon 7 Dec 17:30 is 25.5 h;
    # 20% left is at Mon 12:24)
    assert overdue(renewed) is False
    assert pending_alarms(renewed, calendar) == [
        (at(12, 7, 12, 24), Alarm.REMINDER),
        (at(12, 7, 17, 30), Alarm.DEADLINE_MISSED),
    ]


def test_a_public_notice_already_flagged_is_not_due_again(calendar: WorkingCalendar) -> None:
    flagged = replace(
        missed_and_supervised(at(12, 2, 10)), public_notice_flagged=True, escalated=True
    )

    assert pending_alarms(flagged, calendar) == []


def test_a_task_without_a_handling_deadline_is_due_nothing_once_acknowledged(
    calendar: WorkingCalendar,
) -> None:
    # given: a praise has no handling deadline
    praise = replace(handling(), due_at=None)

    # then
    assert pending_alarms(praise, calendar) == []


# The next alarm and the alarms due -----------------------------------------------------------


def test_the_next_alarm_is_the_earliest_pending_one(calendar: WorkingCalendar) -> None:
    assert next_alarm(awaiting_acknowledgement(), calendar) == ACKNOWLEDGE_DUE
    assert next_alarm(handling(), calendar) == REMIND
    assert next_alarm(replace(handling(), reminded_for=DUE), calendar) == DUE


def test_there_is_no_next_alarm_for_a_task_no_longer_handled(calendar: WorkingCalendar) -> None:
    answered = replace(handling(), handling=False)

    assert next_alarm(answered, calendar) is None


def test_only_the_alarms_whose_moment_has_come_are_due(calendar: WorkingCalendar) -> None:
    state = awaiting_acknowledgement()

    assert due_alarms(state, calendar, at(11, 30, 17, 29)) == []
    assert due_alarms(state, calendar, at(12, 1, 12, 36)) == [
        (ACKNOWLEDGE_DUE, Alarm.ACKNOWLEDGE_MISSED),
        (REMIND, Alarm.REMINDER),
    ]
    assert [alarm for _, alarm in due_alarms(state, calendar, at(12, 2, 9))] == [
        Alarm.ACKNOWLEDGE_MISSED,
        Alarm.REMINDER,
        Alarm.DEADLINE_MISSED,
    ]
