"""Deadlines of cases and rectification orders (DESIGN §5.1), each with how it was computed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import TypeVar

from domain.calendar import WorkingCalendar
from domain.errors import Invalid

WORKING_DAYS = "working_days"
CLOCK_HOURS = "clock_hours"
OFFICE_SECONDS = "office_seconds"
_UNITS = (WORKING_DAYS, CLOCK_HOURS, OFFICE_SECONDS)

EXTENSION = "extension"
RESUMPTION = "resumption"
URGENT = "urgent"
# A superior's direction to an escalated task (提级督办): a new due date counted from it.
DIRECTION = "direction"

TASK_KINDS = (
    "consultation",
    "request",
    "suggestion",
    "complaint",
    "report",
    "praise",
    "rectification_order",
)

# A clock-hours deadline never looks at the calendar, so no published year can change it.
CALENDAR_NOT_USED = "not used: clock hours"

_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_T = TypeVar("_T")


class UnknownTaskKind(Invalid):
    """The deadline policy has no terms for this kind of task."""

    code = "unknown_task_kind"


class InvalidDeadlineTerm(Invalid):
    """A deadline was asked for with terms the policy cannot accept."""

    code = "invalid_deadline_term"


@dataclass(frozen=True)
class Deadline:
    """A moment by which something must happen, and how it was computed."""

    due_at: datetime
    policy: str
    unit: str
    amount: int
    counted_from: datetime
    calendar_version: str
    provisional: bool
    explanation: str

    def __post_init__(self) -> None:
        _require_aware(self.due_at, "due_at")
        _require_aware(self.counted_from, "counted_from")
        if self.unit not in _UNITS:
            raise ValueError(f"deadline unit must be one of {', '.join(_UNITS)}, got {self.unit!r}")
        if self.amount < 0:
            raise ValueError(f"deadline amount must not be negative, got {self.amount}")

    def as_dict(self) -> dict[str, object]:
        """This deadline as primitives, datetimes as ISO-8601 strings."""
        return {
            "due_at": self.due_at.isoformat(),
            "policy": self.policy,
            "unit": self.unit,
            "amount": self.amount,
            "counted_from": self.counted_from.isoformat(),
            "calendar_version": self.calendar_version,
            "provisional": self.provisional,
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Deadline:
        """The deadline that `as_dict` produced `data` from."""
        return cls(
            due_at=_read_moment(data, "due_at"),
            policy=_read(data, "policy", str),
            unit=_read(data, "unit", str),
            amount=_read(data, "amount", int),
            counted_from=_read_moment(data, "counted_from"),
            calendar_version=_read(data, "calendar_version", str),
            provisional=_read(data, "provisional", bool),
            explanation=_read(data, "explanation", str),
        )


@dataclass(frozen=True)
class TaskTerms:
    """How many working days a kind of task has to be acknowledged and handled."""

    acknowledge_working_days: int
    handle_working_days: int | None

    def __post_init__(self) -> None:
        _whole_number(self.acknowledge_working_days, "acknowledge_working_days")
        if self.handle_working_days is not None:
            _whole_number(self.handle_working_days, "handle_working_days")


@dataclass(frozen=True)
class DeadlinePolicy:
    """The configurable deadline table of DESIGN §5.1 and the rules that turn it into dates.

    The numbers are data administrators edit (the service's deadline policy file, read by
    `from_mapping`); this class holds the rules, never a second copy of the numbers.
    """

    terms: Mapping[str, TaskTerms]
    urgent_acknowledge_hours: int
    urgent_handle_working_days: int

    def __post_init__(self) -> None:
        # A read-only copy, so a policy recorded in an event cannot change underneath it.
        object.__setattr__(self, "terms", MappingProxyType(dict(self.terms)))
        _whole_number(self.urgent_acknowledge_hours, "urgent_acknowledge_hours")
        _whole_number(self.urgent_handle_working_days, "urgent_handle_working_days")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> DeadlinePolicy:
        """The policy described by parsed YAML with a `kinds` and an `urgent` section."""
        sections = _section(data, "the document", required=("kinds", "urgent"))
        kinds = _section(sections["kinds"], "kinds", required=TASK_KINDS)
        terms = {}
        for kind in TASK_KINDS:
            where = f"kinds.{kind}"
            entry = _section(
                kinds[kind], where, required=("acknowledge_working_days", "handle_working_days")
            )
            handle = entry["handle_working_days"]
            terms[kind] = TaskTerms(
                acknowledge_working_days=_whole_number(
                    entry["acknowledge_working_days"], f"{where}.acknowledge_working_days"
                ),
                handle_working_days=None
                if handle is None
                else _whole_number(handle, f"{where}.handle_working_days"),
            )
        urgent = _section(
            sections["urgent"], "urgent", required=("acknowledge_hours", "handle_working_days")
        )
        return cls(
            terms=terms,
            urgent_acknowledge_hours=_whole_number(
                urgent["acknowledge_hours"], "urgent.acknowledge_hours"
            ),
            urgent_handle_working_days=_whole_number(
                urgent["handle_working_days"], "urgent.handle_working_days"
            ),
        )

    def acknowledge_deadline(
        self, kind: str, assigned_at: datetime, urgent: bool, calendar: WorkingCalendar
    ) -> Deadline:
        """When a task assigned at `assigned_at` must be acknowledged (签收)."""
        terms = self._terms_for(kind)
        if urgent:
            return _clock_hours_deadline(
                f"{URGENT}.acknowledge", assigned_at, self.urgent_acknowledge_hours, calendar
            )
        return _working_days_deadline(
            f"{kind}.acknowledge", assigned_at, terms.acknowledge_working_days, calendar
        )

    def handling_deadline(
        self,
        kind: str,
        assigned_at: datetime,
        urgent: bool,
        calendar: WorkingCalendar,
        working_days: int | None = None,
    ) -> Deadline | None:
        """When a task assigned at `assigned_at` must be handled, or None if it has no such date.

        `working_days`, when given, is a choice made for this task (an inspector's for an order)
        and wins over both the table and the urgent term.
        """
        terms = self._terms_for(kind)
        if terms.handle_working_days is None:
            if working_days is not None:
                raise InvalidDeadlineTerm(
                    f"a {kind} has no handling deadline, so it cannot be given {working_days} "
                    "working days"
                )
            return None
        if working_days is not None:
            _require_term(working_days, "handling working days")
            policy, days = f"{kind}.handle", working_days
        elif urgent:
            policy, days = f"{URGENT}.handle", self.urgent_handle_working_days
        else:
            policy, days = f"{kind}.handle", terms.handle_working_days
        return _working_days_deadline(policy, assigned_at, days, calendar)

    def extended(
        self,
        deadline: Deadline,
        working_days: int,
        calendar: WorkingCalendar,
        granted_at: datetime,
    ) -> Deadline:
        """`deadline` moved on by `working_days`, counted from the day after its due date."""
        _require_term(working_days, "extension working days")
        _require_aware(granted_at, "granted_at")
        granted = _moment(granted_at, calendar)
        return _working_days_deadline(
            EXTENSION, deadline.due_at, working_days, calendar, lead=f"extension granted {granted}"
        )

    def directed(
        self, working_days: int, calendar: WorkingCalendar, directed_at: datetime
    ) -> Deadline:
        """The new due date a superior sets: `working_days` counted from its direction."""
        _require_term(working_days, "direction working days")
        return _working_days_deadline(
            DIRECTION, directed_at, working_days, calendar, lead="superior's direction"
        )

    def resumed(
        self,
        deadline: Deadline,
        stopped_at: datetime,
        resumed_at: datetime,
        calendar: WorkingCalendar,
    ) -> Deadline:
        """`deadline` with the office time its clock stood still added back."""
        _require_aware(stopped_at, "stopped_at")
        _require_aware(resumed_at, "resumed_at")
        if resumed_at < stopped_at:
            raise InvalidDeadlineTerm(
                f"a clock cannot resume at {resumed_at.isoformat()} before it stopped at "
                f"{stopped_at.isoformat()}"
            )
        stood_still = calendar.working_seconds_between(stopped_at, resumed_at)
        if stood_still == 0:
            return deadline
        lead = (
            f"clock stopped {_moment(stopped_at, calendar)} and resumed "
            f"{_moment(resumed_at, calendar)}"
        )
        return _office_seconds_deadline(deadline.due_at, stood_still, calendar, lead=lead)

    def recomputed(self, deadline: Deadline, calendar: WorkingCalendar) -> Deadline:
        """`deadline` by the same rule on `calendar`, e.g. once a provisional year is published."""
        lead = f"recomputed on a newer calendar, {_describe(deadline.policy)}"
        if deadline.unit == WORKING_DAYS:
            renewed = _working_days_deadline(
                deadline.policy, deadline.counted_from, deadline.amount, calendar, lead=lead
            )
        elif deadline.unit == OFFICE_SECONDS:
            renewed = _office_seconds_deadline(
                deadline.counted_from, deadline.amount, calendar, lead=lead
            )
        else:
            return deadline
        unchanged = (renewed.due_at, renewed.calendar_version, renewed.provisional) == (
            deadline.due_at,
            deadline.calendar_version,
            deadline.provisional,
        )
        return deadline if unchanged else renewed

    def _terms_for(self, kind: str) -> TaskTerms:
        terms = self.terms.get(kind)
        if terms is None:
            known = ", ".join(sorted(self.terms))
            raise UnknownTaskKind(f"no deadline terms for task kind {kind!r}; known kinds: {known}")
        return terms


def _working_days_deadline(
    policy: str,
    counted_from: datetime,
    amount: int,
    calendar: WorkingCalendar,
    lead: str | None = None,
) -> Deadline:
    _require_aware(counted_from, "counted_from")
    start_day = _local(counted_from, calendar).date()
    due_day = calendar.nth_working_day_after(start_day, amount)
    due_at = calendar.end_of_office_day(due_day)
    version, provisional = calendar.version_for(_days_spanned(start_day, due_day))
    hours = calendar.office_hours
    explanation = (
        f"{_capitalised(lead or _describe(policy))}: {_plural(amount, 'working day')} counted from "
        f"the working day after {_counting_start(policy)} {_moment(counted_from, calendar)} "
        f"(次日起算), due at the close of office, {hours.closes:%H:%M} {hours.tz}, "
        f"on {_day(due_day)}{_days_passed(start_day, due_day, calendar)}; calendar {version}."
    )
    return Deadline(
        due_at=due_at,
        policy=policy,
        unit=WORKING_DAYS,
        amount=amount,
        counted_from=counted_from,
        calendar_version=version,
        provisional=provisional,
        explanation=explanation,
    )


def _clock_hours_deadline(
    policy: str, counted_from: datetime, hours: int, calendar: WorkingCalendar
) -> Deadline:
    _require_aware(counted_from, "counted_from")
    due_at = (counted_from.astimezone(UTC) + timedelta(hours=hours)).astimezone(
        calendar.office_hours.tz
    )
    explanation = (
        f"{_capitalised(_describe(policy))}: {_plural(hours, 'clock hour')} from "
        f"{_counting_start(policy)} {_moment(counted_from, calendar)}, due "
        f"{_moment(due_at, calendar)}, {calendar.office_hours.tz} time, nights, weekends and "
        f"holidays included; calendar {CALENDAR_NOT_USED}."
    )
    return Deadline(
        due_at=due_at,
        policy=policy,
        unit=CLOCK_HOURS,
        amount=hours,
        counted_from=counted_from,
        calendar_version=CALENDAR_NOT_USED,
        provisional=False,
        explanation=explanation,
    )


def _office_seconds_deadline(
    counted_from: datetime, seconds: int, calendar: WorkingCalendar, lead: str
) -> Deadline:
    due_at = calendar.add_working_seconds(counted_from, seconds)
    start_day = _local(counted_from, calendar).date()
    due_day = due_at.date()
    version, provisional = calendar.version_for(_days_spanned(start_day, due_day))
    hours = calendar.office_hours
    explanation = (
        f"{_capitalised(lead)}: {_duration(seconds)} of office time added back after "
        f"{_counting_start(RESUMPTION)} {_moment(counted_from, calendar)}, counting only "
        f"{hours.opens:%H:%M}–{hours.closes:%H:%M} {hours.tz} on working days, due "
        f"{_moment(due_at, calendar)}{_days_passed(start_day, due_day, calendar)}; "
        f"calendar {version}."
    )
    return Deadline(
        due_at=due_at,
        policy=RESUMPTION,
        unit=OFFICE_SECONDS,
        amount=seconds,
        counted_from=counted_from,
        calendar_version=version,
        provisional=provisional,
        explanation=explanation,
    )


def _describe(policy: str) -> str:
    if policy == EXTENSION:
        return "extension"
    if policy == RESUMPTION:
        return "resumed clock"
    subject, _, step = policy.partition(".")
    action = {"acknowledge": "acknowledgement", "handle": "handling"}.get(step, step)
    return f"{subject.replace('_', ' ')} {action}"


def _counting_start(policy: str) -> str:
    if policy == DIRECTION:
        return "the direction at"
    return "the previous due date" if policy in (EXTENSION, RESUMPTION) else "assignment at"


def _days_passed(start_day: date, due_day: date, calendar: WorkingCalendar) -> str:
    """A clause naming the days off skipped and the make-up days counted after `start_day`."""
    between = _days_spanned(start_day + timedelta(days=1), due_day)
    days_off = [day for day in between if not calendar.is_working_day(day)]
    makeup_days = [day for day in between if day in calendar.schedule_for(day.year).makeup_workdays]
    clause = ""
    if days_off:
        runs = ", ".join(_describe_run(run, calendar) for run in _consecutive_runs(days_off))
        clause += f", skipping {runs}"
    if makeup_days:
        listed = ", ".join(_day(day) for day in makeup_days)
        clause += f", counting {_plural(len(makeup_days), 'make-up working day')} {listed}"
    return clause


def _describe_run(run: list[date], calendar: WorkingCalendar) -> str:
    holidays = [day for day in run if day in calendar.schedule_for(day.year).holidays]
    if len(holidays) == len(run):
        reason = "holiday"
    elif holidays:
        reason = "holiday and weekend"
    else:
        reason = "weekend"
    span = _day(run[0]) if len(run) == 1 else f"{_day(run[0])} to {_day(run[-1])}"
    return f"{reason} {span}"


def _consecutive_runs(days: list[date]) -> list[list[date]]:
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _days_spanned(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _local(moment: datetime, calendar: WorkingCalendar) -> datetime:
    return moment.astimezone(calendar.office_hours.tz)


def _day(day: date) -> str:
    return f"{day.isoformat()} ({_WEEKDAY_NAMES[day.weekday()]})"


def _moment(moment: datetime, calendar: WorkingCalendar) -> str:
    local = _local(moment, calendar)
    clock = f"{local:%H:%M:%S}" if local.second or local.microsecond else f"{local:%H:%M}"
    return f"{_day(local.date())} {clock}"


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, seconds_left = divmod(rest, 60)
    text = f"{hours} h {minutes:02d} min"
    return f"{text} {seconds_left:02d} s" if seconds_left else text


def _plural(amount: int, unit: str) -> str:
    return f"{amount} {unit}" if amount == 1 else f"{amount} {unit}s"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {moment!r}")


def _require_term(working_days: int, what: str) -> None:
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise InvalidDeadlineTerm(
            f"{what} must be a whole number of at least 1, got {working_days!r}"
        )


def _whole_number(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"deadline policy: {where} must be a whole number of at least 1, got {value!r}"
        )
    return value


def _section(value: object, where: str, required: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"deadline policy: {where} must be a mapping, got {value!r}")
    missing = [key for key in required if key not in value]
    unknown = sorted(str(key) for key in value if key not in required)
    if missing or unknown:
        raise ValueError(
            f"deadline policy: {where} must have exactly {', '.join(required)}; "
            f"missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'}"
        )
    return value


def _read(data: Mapping[str, object], key: str, kind: type[_T]) -> _T:
    value = data.get(key)
    # bool is an int, so a flag must not pass for a number of days.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"stored deadline: {key} must be a {kind.__name__}, got {value!r}")
    return value


def _read_moment(data: Mapping[str, object], key: str) -> datetime:
    text = _read(data, key, str)
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"stored deadline: {key} is not an ISO-8601 moment: {text!r}") from error


def fixed_term_deadline(
    policy: str, counted_from: datetime, working_days: int, calendar: WorkingCalendar
) -> Deadline:
    """A deadline whose term a rule fixes rather than the policy table (an appeal's 5 days),
    computed and explained like every working-day deadline, and recomputed the same way."""
    _require_term(working_days, policy)
    return _working_days_deadline(policy, counted_from, working_days, calendar)
