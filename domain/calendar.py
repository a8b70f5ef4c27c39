"""The working-day calendar: which days the centre works, and office time between moments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Shanghai")

PROVISIONAL_VERSION = "provisional"

# Only holidays fixed to a Gregorian date can be known before the State Council publishes a year;
# the lunar ones (Spring Festival, Qingming, Dragon Boat, Mid-autumn) and every 调休 cannot.
_FIXED_DATE_HOLIDAYS = ((1, 1), (5, 1), (10, 1), (10, 2), (10, 3))

_SATURDAY = 5


def office_midnight(day: date) -> datetime:
    """Midnight beginning `day` in the centre's time: where a period of whole office days starts,
    and, for the day after its last, where it ends."""
    return datetime.combine(day, time(0), tzinfo=OFFICE_TZ)


@dataclass(frozen=True)
class OfficeHours:
    """One office day in local time: when the service centre opens and closes."""

    opens: time = time(9, 0)
    closes: time = time(17, 30)
    tz: tzinfo = OFFICE_TZ

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError(f"office hours must open before they close, got {self}")


STANDARD_OFFICE_HOURS = OfficeHours()


@dataclass(frozen=True)
class YearSchedule:
    """One year's days off and make-up working days, as published or as provisionally assumed."""

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    version: str
    provisional: bool

    def __post_init__(self) -> None:
        listed = self.holidays | self.makeup_workdays
        strays = sorted(day for day in listed if day.year != self.year)
        if strays:
            raise ValueError(f"schedule for {self.year} lists days of other years: {strays}")
        both = sorted(self.holidays & self.makeup_workdays)
        if both:
            raise ValueError(f"schedule for {self.year} lists days both off and worked: {both}")

    @classmethod
    def provisional_for(cls, year: int) -> YearSchedule:
        """Weekends and fixed-date holidays only, for a year whose schedule is not yet published."""
        return cls(
            year=year,
            holidays=frozenset(date(year, month, day) for month, day in _FIXED_DATE_HOLIDAYS),
            makeup_workdays=frozenset(),
            version=PROVISIONAL_VERSION,
            provisional=True,
        )


class WorkingCalendar:
    """Working days and office hours of the service centre, year by year."""

    def __init__(
        self,
        schedules: Mapping[int, YearSchedule],
        office_hours: OfficeHours = STANDARD_OFFICE_HOURS,
    ) -> None:
        for year, schedule in schedules.items():
            if schedule.year != year:
                raise ValueError(f"schedule for {schedule.year} filed under year {year}")
        self._schedules: dict[int, YearSchedule] = dict(schedules)
        self.office_hours = office_hours

    def schedule_for(self, year: int) -> YearSchedule:
        """The known schedule of `year`, else a provisional one."""
        known = self._schedules.get(year)
        return known if known is not None else YearSchedule.provisional_for(year)

    def known_years(self) -> tuple[YearSchedule, ...]:
        """The schedules known (not provisional), year by year."""
        return tuple(self._schedules[year] for year in sorted(self._schedules))

    def with_schedule(self, schedule: YearSchedule) -> WorkingCalendar:
        """A new calendar with `schedule` added or replacing the one of its year."""
        return WorkingCalendar({**self._schedules, schedule.year: schedule}, self.office_hours)

    def is_working_day(self, day: date) -> bool:
        """Whether the service centre works on `day` (补班 days count, holidays do not)."""
        _require_plain_date(day)
        schedule = self.schedule_for(day.year)
        if day in schedule.makeup_workdays:
            return True
        if day in schedule.holidays:
            return False
        return day.weekday() < _SATURDAY

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after `day` (次日起算: `day` itself never counts)."""
        _require_plain_date(day)
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        counted = 0
        current = day
        while counted < n:
            current += timedelta(days=1)
            if self.is_working_day(current):
                counted += 1
        return current

    def end_of_office_day(self, day: date) -> datetime:
        """The closing moment of `day` in the office time zone."""
        _require_plain_date(day)
        return datetime.combine(day, self.office_hours.closes, tzinfo=self.office_hours.tz)

    def working_seconds_left(self, now: datetime, due_at: datetime) -> int:
        """Office time from `now` until `due_at`; negative, the office time since, once past."""
        if due_at >= now:
            return self.working_seconds_between(now, due_at)
        return -self.working_seconds_between(due_at, now)

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Seconds of office time on working days within [start, end); 0 if end <= start.

        The first and last days are counted from their office hours; the days between are
        whole office days where they are working days, counted without walking them, so a
        case overdue for years costs no more than one overdue for a day.
        """
        start, end = self._local(start), self._local(end)
        if end <= start:
            return 0
        first, last = start.date(), end.date()
        total = self._office_seconds_within(first, start, end)
        if last == first:
            return total
        total += self._office_seconds_within(last, start, end)
        whole_days = self.working_days_in(first + timedelta(days=1), last - timedelta(days=1))
        return total + whole_days * self._office_day_seconds(first)

    def working_days_in(self, first: date, last: date) -> int:
        """How many working days `first` … `last` (both included) holds; 0 if last < first."""
        _require_plain_date(first)
        _require_plain_date(last)
        if last < first:
            return 0
        count = _weekdays_in(first, last)
        for year in range(first.year, last.year + 1):
            schedule = self.schedule_for(year)
            count -= sum(
                1 for day in schedule.holidays if first <= day <= last and day.weekday() < _SATURDAY
            )
            count += sum(
                1
                for day in schedule.makeup_workdays
                if first <= day <= last and day.weekday() >= _SATURDAY
            )
        return count

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """The moment when `seconds` of office time have passed since `start`."""
        start = self._local(start)
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds}")
        if seconds == 0:
            return start
        remaining = seconds
        day = start.date()
        while True:
            window = self._office_window(day)
            if window is not None:
                opening, closing = window
                counting_from = max(start, opening)
                available = _seconds_between(counting_from, closing)
                if available > 0:
                    if remaining <= available:
                        return _plus_seconds(counting_from, remaining, self.office_hours.tz)
                    remaining -= available
            day += timedelta(days=1)

    def version_for(self, days: Iterable[date]) -> tuple[str, bool]:
        """Which schedule versions the years of `days` come from, and whether any is provisional."""
        schedules = [self.schedule_for(year) for year in sorted({day.year for day in days})]
        if not schedules:
            raise ValueError("version_for needs at least one day")
        version = "; ".join(f"{schedule.year}: {schedule.version}" for schedule in schedules)
        return version, any(schedule.provisional for schedule in schedules)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"a timezone-aware datetime is required, got naive {moment!r}")
        return moment.astimezone(self.office_hours.tz)

    def _office_seconds_within(self, day: date, start: datetime, end: datetime) -> int:
        window = self._office_window(day)
        if window is None:
            return 0
        opening, closing = window
        return max(0, _seconds_between(max(start, opening), min(end, closing)))

    def _office_day_seconds(self, day: date) -> int:
        # The office's zone keeps one offset all year (China Standard Time), so every office
        # day is as long as any other.
        tz = self.office_hours.tz
        return _seconds_between(
            datetime.combine(day, self.office_hours.opens, tzinfo=tz),
            datetime.combine(day, self.office_hours.closes, tzinfo=tz),
        )

    def _office_window(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_working_day(day):
            return None
        tz = self.office_hours.tz
        return (
            datetime.combine(day, self.office_hours.opens, tzinfo=tz),
            datetime.combine(day, self.office_hours.closes, tzinfo=tz),
        )


def _weekdays_in(first: date, last: date) -> int:
    """Mondays to Fridays from `first` to `last`, both included."""
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    return weeks * 5 + sum(
        1 for offset in range(rest) if (first.weekday() + offset) % 7 < _SATURDAY
    )


def _require_plain_date(day: date) -> None:
    # A datetime is a date subclass but never equals one, so it would silently miss every holiday.
    if isinstance(day, datetime):
        raise TypeError(f"a date is required, got the datetime {day!r}")


def _seconds_between(earlier: datetime, later: datetime) -> int:
    # Subtracting in UTC keeps the arithmetic right should the office zone ever observe DST.
    return int((later.astimezone(UTC) - earlier.astimezone(UTC)).total_seconds())


def _plus_seconds(moment: datetime, seconds: int, tz: tzinfo) -> datetime:
    return (moment.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(tz)
