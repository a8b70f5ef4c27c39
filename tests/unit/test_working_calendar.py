"""The working-day calendar on the real 2026 schedule of the chinesecalendar library."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version

import pytest

from domain.calendar import OFFICE_TZ, WorkingCalendar, YearSchedule

LIBRARY_VERSION = f"chinesecalendar {version('chinesecalendar')}"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OFFICE_TZ)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 2, 13), True, id="Fri 13 Feb, the day before, is worked"),
        pytest.param(date(2026, 2, 14), True, id="Sat 14 Feb is a make-up working day"),
        pytest.param(date(2026, 2, 15), False, id="Sun 15 Feb starts Spring Festival"),
        pytest.param(date(2026, 2, 17), False, id="Tue 17 Feb is Spring Festival"),
        pytest.param(date(2026, 2, 23), False, id="Mon 23 Feb ends Spring Festival"),
        pytest.param(date(2026, 2, 24), True, id="Tue 24 Feb is back to work"),
        pytest.param(date(2026, 2, 28), True, id="Sat 28 Feb is a make-up working day"),
        pytest.param(date(2026, 3, 1), False, id="Sun 1 Mar is an ordinary weekend"),
        pytest.param(date(2026, 9, 20), True, id="Sun 20 Sep is a make-up working day"),
        pytest.param(date(2026, 10, 1), False, id="Thu 1 Oct starts National Day"),
        pytest.param(date(2026, 10, 5), False, id="Mon 5 Oct is National Day"),
        pytest.param(date(2026, 10, 7), False, id="Wed 7 Oct ends National Day"),
        pytest.param(date(2026, 10, 8), True, id="Thu 8 Oct is back to work"),
        pytest.param(date(2026, 10, 10), True, id="Sat 10 Oct is a make-up working day"),
        pytest.param(date(2026, 10, 11), False, id="Sun 11 Oct is an ordinary weekend"),
        pytest.param(date(2026, 1, 2), False, id="Fri 2 Jan is New Year"),
        pytest.param(date(2026, 1, 4), True, id="Sun 4 Jan is a make-up working day"),
        pytest.param(date(2026, 3, 10), True, id="Tue 10 Mar is an ordinary weekday"),
    ],
)
def test_a_day_is_worked_as_the_published_2026_schedule_says(
    calendar: WorkingCalendar, day: date, working: bool
) -> None:
    assert calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 12, 31), True, id="Thu 31 Dec 2026 is worked"),
        pytest.param(date(2027, 1, 1), False, id="Fri 1 Jan 2027 is New Year"),
        pytest.param(date(2027, 1, 2), False, id="Sat 2 Jan 2027 is a weekend"),
        pytest.param(date(2027, 1, 4), True, id="Mon 4 Jan 2027 is an ordinary weekday"),
        pytest.param(date(2027, 5, 1), False, id="Sat 1 May 2027 is Labour Day"),
        pytest.param(date(2027, 10, 1), False, id="Fri 1 Oct 2027 is National Day"),
        pytest.param(date(2027, 10, 4), True, id="Mon 4 Oct 2027 is not known to be off"),
    ],
)
def test_an_unpublished_year_knows_only_weekends_and_fixed_date_holidays(
    calendar: WorkingCalendar, day: date, working: bool
) -> None:
    assert calendar.is_working_day(day) is working


def test_an_unpublished_year_is_marked_provisional(calendar: WorkingCalendar) -> None:
    schedule = calendar.schedule_for(2027)

    assert schedule.provisional is True
    assert schedule.version == "provisional"


def test_a_year_the_library_knows_is_published_with_the_library_version(
    calendar: WorkingCalendar,
) -> None:
    schedule = calendar.schedule_for(2026)

    assert schedule.provisional is False
    assert schedule.version == LIBRARY_VERSION


def test_the_version_of_days_spanning_new_year_names_each_year_once_in_order(
    calendar: WorkingCalendar,
) -> None:
    days = [date(2027, 1, 4), date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1)]

    assert calendar.version_for(days) == (f"2026: {LIBRARY_VERSION}; 2027: provisional", True)


def test_the_version_of_days_within_a_published_year_is_not_provisional(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.version_for([date(2026, 2, 13), date(2026, 3, 12)]) == (
        f"2026: {LIBRARY_VERSION}",
        False,
    )


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        pytest.param(date(2026, 2, 13), 1, date(2026, 2, 14), id="Fri to make-up Saturday"),
        pytest.param(date(2026, 2, 13), 2, date(2026, 2, 24), id="over Spring Festival"),
        pytest.param(date(2026, 9, 30), 1, date(2026, 10, 8), id="over National Day"),
        pytest.param(date(2026, 10, 3), 1, date(2026, 10, 8), id="from inside a holiday"),
        pytest.param(date(2026, 12, 31), 1, date(2027, 1, 4), id="into provisional 2027"),
    ],
)
def test_the_nth_working_day_is_counted_from_the_next_day(
    calendar: WorkingCalendar, day: date, n: int, expected: date
) -> None:
    assert calendar.nth_working_day_after(day, n) == expected


def test_counting_zero_working_days_is_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        calendar.nth_working_day_after(date(2026, 3, 9), 0)


def test_the_office_day_ends_at_half_past_five_in_shanghai(calendar: WorkingCalendar) -> None:
    end = calendar.end_of_office_day(date(2026, 2, 14))

    assert end == datetime(2026, 2, 14, 9, 30, tzinfo=UTC)
    assert end.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("start", "end", "seconds"),
    [
        pytest.param(at(2026, 3, 9, 10), at(2026, 3, 9, 12), 7200, id="two hours on a Monday"),
        pytest.param(
            at(2026, 3, 6, 16, 30), at(2026, 3, 9, 10), 7200, id="Friday afternoon to Monday"
        ),
        pytest.param(
            at(2026, 2, 13, 17),
            at(2026, 2, 24, 9, 30),
            1800 + 30600 + 1800,
            id="over a make-up Saturday and Spring Festival",
        ),
        pytest.param(at(2026, 3, 9, 7), at(2026, 3, 9, 9, 45), 2700, id="from before opening"),
        pytest.param(at(2026, 3, 10, 20), at(2026, 3, 11, 10), 3600, id="from an evening"),
        pytest.param(at(2026, 3, 7, 8), at(2026, 3, 9, 9), 0, id="a whole weekend"),
        pytest.param(at(2026, 3, 9, 12), at(2026, 3, 9, 10), 0, id="an end before the start"),
        pytest.param(
            datetime(2026, 3, 9, 2, tzinfo=UTC),
            datetime(2026, 3, 9, 4, tzinfo=UTC),
            7200,
            id="moments given in UTC",
        ),
    ],
)
def test_working_seconds_count_only_office_hours_on_working_days(
    calendar: WorkingCalendar, start: datetime, end: datetime, seconds: int
) -> None:
    assert calendar.working_seconds_between(start, end) == seconds


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        pytest.param(at(2026, 3, 9, 10), 7200, at(2026, 3, 9, 12), id="within a Monday"),
        pytest.param(at(2026, 3, 6, 16, 30), 7200, at(2026, 3, 9, 10), id="over a weekend"),
        pytest.param(at(2026, 2, 13, 17), 34200, at(2026, 2, 24, 9, 30), id="over Spring Festival"),
        pytest.param(at(2026, 3, 7, 8), 3600, at(2026, 3, 9, 10), id="from a Saturday"),
        pytest.param(at(2026, 3, 10, 20), 3600, at(2026, 3, 11, 10), id="from an evening"),
        pytest.param(at(2026, 3, 9, 7), 2700, at(2026, 3, 9, 9, 45), id="from before opening"),
        pytest.param(at(2026, 3, 9, 9), 30600, at(2026, 3, 9, 17, 30), id="exactly to closing"),
        pytest.param(at(2026, 9, 30, 17), 3600, at(2026, 10, 8, 9, 30), id="over National Day"),
    ],
)
def test_adding_working_seconds_skips_closed_hours_and_days_off(
    calendar: WorkingCalendar, start: datetime, seconds: int, expected: datetime
) -> None:
    result = calendar.add_working_seconds(start, seconds)

    assert result == expected
    assert result.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(at(2026, 3, 6, 16, 30), at(2026, 3, 9, 10), id="over a weekend"),
        pytest.param(at(2026, 2, 13, 17), at(2026, 2, 24, 9, 30), id="over Spring Festival"),
        pytest.param(at(2026, 3, 7, 8), at(2026, 3, 10, 11, 15), id="from a Saturday"),
        pytest.param(at(2026, 12, 31, 16), at(2027, 1, 4, 10), id="into provisional 2027"),
    ],
)
def test_adding_the_working_seconds_between_two_moments_reaches_the_later_one(
    calendar: WorkingCalendar, start: datetime, end: datetime
) -> None:
    seconds = calendar.working_seconds_between(start, end)

    assert calendar.add_working_seconds(start, seconds) == end


def test_adding_no_working_seconds_stays_at_the_start(calendar: WorkingCalendar) -> None:
    saturday_night = at(2026, 3, 7, 22)

    assert calendar.add_working_seconds(saturday_night, 0) == saturday_night


def test_a_naive_datetime_is_refused(calendar: WorkingCalendar) -> None:
    naive = datetime(2026, 3, 9, 10)

    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_seconds_between(naive, at(2026, 3, 9, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_seconds(naive, 60)


def test_a_published_year_replaces_the_provisional_one(calendar: WorkingCalendar) -> None:
    # An illustrative 2027 schedule written by hand, not the State Council's.
    published_2027 = YearSchedule(
        year=2027,
        holidays=frozenset(
            [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
            + [date(2027, 2, 5) + timedelta(days=offset) for offset in range(9)]
        ),
        makeup_workdays=frozenset([date(2027, 2, 20)]),
        version="published 2026-11-04",
        provisional=False,
    )

    updated = calendar.with_schedule(published_2027)

    assert updated.is_working_day(date(2027, 2, 8)) is False
    assert updated.is_working_day(date(2027, 2, 20)) is True
    assert updated.version_for([date(2027, 2, 8)]) == ("2027: published 2026-11-04", False)
    assert calendar.is_working_day(date(2027, 2, 8)) is True
    assert calendar.version_for([date(2027, 2, 8)]) == ("2027: provisional", True)


def office_seconds_day_by_day(calendar: WorkingCalendar, start: datetime, end: datetime) -> int:
    """The definition: walk every day and add the office hours inside the interval."""
    start, end = start.astimezone(OFFICE_TZ), end.astimezone(OFFICE_TZ)
    total, day = 0, start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            opening = datetime.combine(day, calendar.office_hours.opens, tzinfo=OFFICE_TZ)
            closing = datetime.combine(day, calendar.office_hours.closes, tzinfo=OFFICE_TZ)
            total += max(0, int((min(end, closing) - max(start, opening)).total_seconds()))
        day += timedelta(days=1)
    return total


def test_working_seconds_over_long_spans_equal_the_day_by_day_count(
    calendar: WorkingCalendar,
) -> None:
    chooser = random.Random(20261127)  # a fixed draw: the same intervals every run
    origin = at(2019, 1, 1)
    for _ in range(400):
        start = origin + timedelta(minutes=chooser.randrange(0, 60 * 24 * 365 * 9))
        end = start + timedelta(minutes=chooser.choice([30, 600, 3000, 40_000, 900_000]))

        assert calendar.working_seconds_between(start, end) == office_seconds_day_by_day(
            calendar, start, end
        ), (start, end)


def test_the_working_days_of_a_range_count_make_up_days_and_skip_holidays(
    calendar: WorkingCalendar,
) -> None:
    # 2026 National Day week: 1–7 October off, Saturday 10 October worked (补班).
    assert calendar.working_days_in(date(2026, 9, 28), date(2026, 10, 11)) == 6
    assert calendar.working_days_in(date(2026, 10, 11), date(2026, 10, 10)) == 0
