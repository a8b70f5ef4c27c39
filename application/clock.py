"""Verbs of the system itself: the deadline clock and published calendar years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.cases import CaseVerbs
from domain.actor import Actor
from domain.calendar_book import CALENDAR_BOOK_ID, CalendarBook


@dataclass(frozen=True)
class PublishedYear:
    """What loading a published year recorded."""

    year: int
    recorded: bool
    position: int


class ClockVerbs(CaseVerbs):
    """What the worker does on the system's behalf, and what administrators load."""

    def observe_case_clock(self, case_id: UUID) -> int:
        """Record the reminders, missed deadlines and notices whose moment has come."""
        case = self._case(case_id)
        recorded = case.observe_clock(
            calendar=self.calendar, by=Actor.system(), at=self.clock.now()
        )
        if recorded:
            self._commit(case)
        return recorded

    def recompute_case_deadlines(self, case_id: UUID) -> bool:
        """Recompute a case's provisional deadlines on the calendar as now published."""
        case = self._case(case_id)
        changed = case.recompute_deadlines(
            policy=self.policy, calendar=self.calendar, by=Actor.system(), at=self.clock.now()
        )
        if changed:
            self._commit(case)
        return changed

    def publish_calendar_year(
        self,
        *,
        year: int,
        holidays: list[date],
        makeup_workdays: list[date],
        source: str,
        by: Actor,
    ) -> PublishedYear:
        """Record a year's schedule as the State Council published it (节假日安排)."""
        now = self.clock.now()
        book = self._load_or_none(CALENDAR_BOOK_ID) or CalendarBook.open(now)
        recorded = book.publish(
            year=year,
            holidays=holidays,
            makeup_workdays=makeup_workdays,
            source=source,
            by=by,
            at=now,
        )
        if not book.pending_events:
            return PublishedYear(year, False, self.recorder.max_notification_id() or 0)
        return PublishedYear(year, recorded, self._commit(book))
