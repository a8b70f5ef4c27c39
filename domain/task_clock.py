"""The deadline clock of a task handed to a department: reminders, missed deadlines, notices.

What the system itself must record, and when, follows from a few facts about the task; they
are kept in a `ClockState` so that the aggregate (deciding what to record) and the read model
(deciding when to look again) answer from one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.calendar import WorkingCalendar

# A reminder (催办) goes out when this share of the handling time is left.
REMINDER_SHARE_LEFT = 0.2
# A task still overdue this many working days after supervision is flagged for a notice (通报).
PUBLIC_NOTICE_WORKING_DAYS = 5


class Alarm(StrEnum):
    """Something the clock records by itself once its moment passes."""

    REMINDER = "reminder"
    ACKNOWLEDGE_MISSED = "acknowledge_missed"
    DEADLINE_MISSED = "deadline_missed"
    PUBLIC_NOTICE = "public_notice"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class ClockState:
    """The facts about a task that decide what its clock must record."""

    awaiting_acknowledgement: bool
    handling: bool
    acknowledge_due_at: datetime | None
    due_at: datetime | None
    handling_started_at: datetime | None
    clock_stopped: bool
    acknowledge_missed_for: datetime | None
    due_missed_for: datetime | None
    reminded_for: datetime | None
    supervised_at: datetime | None
    public_notice_flagged: bool
    # Escalated to the superior (提级督办), at the same moment as the notice flag.
    escalated: bool = False


def reminder_moment(started_at: datetime, due_at: datetime, calendar: WorkingCalendar) -> datetime:
    """When 20% of the office time between the start of handling and the due date is left."""
    total = calendar.working_seconds_between(started_at, due_at)
    return calendar.add_working_seconds(started_at, int(total * (1 - REMINDER_SHARE_LEFT)))


def office_day_seconds(calendar: WorkingCalendar) -> int:
    """The length of one office day, in seconds."""
    hours = calendar.office_hours
    opens = hours.opens.hour * 3600 + hours.opens.minute * 60
    closes = hours.closes.hour * 3600 + hours.closes.minute * 60
    return closes - opens


def public_notice_moment(supervised_at: datetime, calendar: WorkingCalendar) -> datetime:
    """Five working days of office time after supervision."""
    return calendar.add_working_seconds(
        supervised_at, PUBLIC_NOTICE_WORKING_DAYS * office_day_seconds(calendar)
    )


def overdue(state: ClockState) -> bool:
    """Whether a missed deadline recorded for the deadline now in force still stands."""
    acknowledge_due = state.acknowledge_due_at
    if state.awaiting_acknowledgement and acknowledge_due is not None:
        return state.acknowledge_missed_for == acknowledge_due
    return (
        state.handling
        and not state.clock_stopped
        and state.due_at is not None
        and state.due_missed_for == state.due_at
    )


def _pending_misses(state: ClockState) -> list[tuple[datetime, Alarm]]:
    misses: list[tuple[datetime, Alarm]] = []
    ack_due = state.acknowledge_due_at
    if state.awaiting_acknowledgement and ack_due and state.acknowledge_missed_for != ack_due:
        misses.append((ack_due, Alarm.ACKNOWLEDGE_MISSED))
    running = state.handling and not state.clock_stopped
    if running and state.due_at is not None and state.due_missed_for != state.due_at:
        misses.append((state.due_at, Alarm.DEADLINE_MISSED))
    return misses


def missed_by(state: ClockState, at: datetime) -> list[tuple[datetime, Alarm]]:
    """The missed deadlines not yet on record at `at`, earliest first (no calendar needed)."""
    return sorted((moment, alarm) for moment, alarm in _pending_misses(state) if moment <= at)


def pending_alarms(state: ClockState, calendar: WorkingCalendar) -> list[tuple[datetime, Alarm]]:
    """Every alarm not yet recorded, with its moment, earliest first."""
    alarms = _pending_misses(state)
    running = state.handling and not state.clock_stopped
    due_at, started_at = state.due_at, state.handling_started_at
    if running and due_at is not None and started_at is not None and state.reminded_for != due_at:
        remind_at = reminder_moment(started_at, due_at, calendar)
        if remind_at < due_at:
            alarms.append((remind_at, Alarm.REMINDER))
    if state.supervised_at is not None and not state.public_notice_flagged and overdue(state):
        alarms.append((public_notice_moment(state.supervised_at, calendar), Alarm.PUBLIC_NOTICE))
    if state.supervised_at is not None and not state.escalated and overdue(state):
        alarms.append((public_notice_moment(state.supervised_at, calendar), Alarm.ESCALATION))
    return sorted(alarms)


def next_alarm(state: ClockState, calendar: WorkingCalendar) -> datetime | None:
    """When the clock must next look at this task, if ever."""
    alarms = pending_alarms(state, calendar)
    return alarms[0][0] if alarms else None


def due_alarms(
    state: ClockState, calendar: WorkingCalendar, at: datetime
) -> list[tuple[datetime, Alarm]]:
    """The alarms whose moment has come by `at`, earliest first."""
    return [(moment, alarm) for moment, alarm in pending_alarms(state, calendar) if moment <= at]
