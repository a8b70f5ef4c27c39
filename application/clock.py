"""Verbs of the system itself: the deadline clock and published calendar years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.cases import CaseVerbs
from domain.actor import Actor
from domain.calendar_book import CALENDAR_BOOK_ID, CalendarBook
from domain.errors import NotFound
from domain.task import Task


@dataclass(frozen=True)
class PublishedYear:
    """What loading a published year recorded."""

    year: int
    recorded: bool
    position: int


@dataclass(frozen=True)
class CalendarYear:
    """A year the calendar knows: its days off, its make-up working days, where it comes
    from, and whether an administrator published it (else the maintained library knew it)."""

    year: int
    days_off: int
    makeup_workdays: int
    source: str
    published: bool


class TaskNotFound(NotFound):
    """No case or rectification order has this id."""

    code = "task_not_found"


class ClockVerbs(CaseVerbs):
    """What the worker does on the system's behalf, and what administrators load.

    The clock runs the same way for every task with a deadline: cases and rectification
    orders alike (domain/task.py).
    """

    def _task(self, task_id: UUID) -> Task:
        return self._load_as(
            task_id,
            Task,
            lambda: TaskNotFound(f"there is no case or rectification order {task_id}"),
        )

    def observe_task_clock(self, task_id: UUID) -> int:
        """Record the reminders, missed deadlines and notices whose moment has come."""
        return self._observe(self._task(task_id))

    def recompute_task_deadlines(self, task_id: UUID) -> bool:
        """Recompute a task's provisional deadlines on the calendar as now published."""
        return self._recompute(self._task(task_id))

    def observe_case_clock(self, case_id: UUID) -> int:
        """Record the reminders, missed deadlines and notices of a case whose moment came."""
        return self._observe(self._case(case_id))

    def recompute_case_deadlines(self, case_id: UUID) -> bool:
        """Recompute a case's provisional deadlines on the calendar as now published."""
        return self._recompute(self._case(case_id))

    def _observe(self, task: Task) -> int:
        recorded = task.observe_clock(
            calendar=self.calendar,
            by=Actor.system(),
            at=self.time_source.now(),
            # Both cases and orders keep the department that holds them as `department`.
            superior=lambda: self.directory().superior_of(task.department),  # type: ignore[attr-defined]
        )
        if recorded:
            self._commit(task)
        return recorded

    def _recompute(self, task: Task) -> bool:
        changed = task.recompute_deadlines(
            policy=self.policy, calendar=self.calendar, by=Actor.system(), at=self.time_source.now()
        )
        if changed:
            self._commit(task)
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
        now = self.time_source.now()
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

    def calendar_years(self) -> list[CalendarYear]:
        """Every year the calendar knows, oldest first; later years are provisional."""
        book = self._shared_or_none(CALENDAR_BOOK_ID)
        published = book.years if book is not None else {}
        return [
            CalendarYear(
                year=schedule.year,
                days_off=len(schedule.holidays),
                makeup_workdays=len(schedule.makeup_workdays),
                source=str(published[schedule.year]["source"])
                if schedule.year in published
                else schedule.version,
                published=schedule.year in published,
            )
            for schedule in self.calendar.known_years()
        ]
