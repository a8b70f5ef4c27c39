"""The calendar years published by the State Council, as loaded by an administrator (§5.2)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import NAMESPACE_URL, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.calendar import YearSchedule
from domain.errors import Invalid

CALENDAR_BOOK_ID = uuid5(NAMESPACE_URL, "oversight:calendar-book")


class InvalidYearSchedule(Invalid):
    """A published year whose dates do not fit together."""

    code = "invalid_year_schedule"


class CalendarBook(Aggregate):
    """Every published year loaded into the system, newest publication of each year winning."""

    TOPIC = "oversight:CalendarBook"

    class Event(Aggregate.Event):
        TOPIC = "oversight:CalendarBook.Event"

    class Opened(Event, Aggregate.Created):
        TOPIC = "oversight:CalendarBook.Opened"

    def __init__(self) -> None:
        self.years: dict[int, dict[str, object]] = {}

    @classmethod
    def open(cls, at: datetime) -> CalendarBook:
        """Start the book of published years."""
        return cls._create(cls.Opened, id=CALENDAR_BOOK_ID, timestamp=at)

    class YearPublished(Event):
        TOPIC = "oversight:CalendarBook.YearPublished"
        year: int
        holidays: list[str]
        makeup_workdays: list[str]
        source: str
        actor: Actor

        def apply(self, book: CalendarBook) -> None:
            book.years[self.year] = {
                "holidays": list(self.holidays),
                "makeup_workdays": list(self.makeup_workdays),
                "source": self.source,
            }

    def publish(
        self,
        *,
        year: int,
        holidays: list[date],
        makeup_workdays: list[date],
        source: str,
        by: Actor,
        at: datetime,
    ) -> bool:
        """Record a year as published; loading the same schedule again records nothing."""
        try:
            YearSchedule(year, frozenset(holidays), frozenset(makeup_workdays), source, False)
        except ValueError as error:
            raise InvalidYearSchedule(str(error)) from error
        weekdays_worked = sorted(d for d in makeup_workdays if d.weekday() < 5)
        if weekdays_worked:
            raise InvalidYearSchedule(
                f"make-up working days fall on weekends; these do not: {weekdays_worked}"
            )
        entry = {
            "holidays": sorted(d.isoformat() for d in set(holidays)),
            "makeup_workdays": sorted(d.isoformat() for d in set(makeup_workdays)),
            "source": source,
        }
        if self.years.get(year) == entry:
            return False
        self.trigger_event(self.YearPublished, year=year, actor=by, timestamp=at, **entry)
        return True

    def schedules(self) -> dict[int, YearSchedule]:
        """The published years as calendar schedules."""
        return {
            year: YearSchedule(
                year=year,
                holidays=frozenset(date.fromisoformat(d) for d in entry["holidays"]),  # type: ignore[attr-defined]
                makeup_workdays=frozenset(
                    date.fromisoformat(d)
                    for d in entry["makeup_workdays"]  # type: ignore[attr-defined]
                ),
                version=f"published ({entry['source']})",
                provisional=False,
            )
            for year, entry in self.years.items()
        }
