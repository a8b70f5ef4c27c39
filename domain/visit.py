"""The Visit aggregate (暗访巡查, DESIGN §16): an inspector's visit to the centre's windows.

A visit records its day, its method (an unannounced visit 暗访, a patrol 巡查 or a third
party's check 第三方检查), the windows visited and a summary. Each finding the inspector
records becomes a deduction, a rectification order or a case, created by that record's own
verb with the visit as its `source`; the visit then notes the outcome (the record's type and
id), once per record: noting the same record again changes nothing, so the note can be made
by the request and, should that save fail, by the worker's policy that reads the record.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.attachment import add_to_attachments
from domain.errors import Forbidden, Invalid, NotFound

MAX_SUMMARY = 2_000
MAX_WINDOWS = 50
# A visit is recorded after it happened, but not years later: older ones are typing errors.
MAX_DAYS_BACK = 366


class VisitMethod(StrEnum):
    """How the inspector visited (检查方式)."""

    UNANNOUNCED = "unannounced"
    PATROL = "patrol"
    THIRD_PARTY = "third_party"


class FindingType(StrEnum):
    """What a finding became (发现问题的处理)."""

    DEDUCTION = "deduction"
    ORDER = "order"
    CASE = "case"


class VisitNotFound(NotFound):
    """No visit has this id."""

    code = "visit_not_found"


class VisitsForInspectorsOnly(Forbidden):
    """Only inspectors record visits and their findings."""

    code = "visits_for_inspectors"


class VisitDateOutOfRange(Invalid):
    """A visit's day is today or in the past year, never in the future."""

    code = "visit_date_out_of_range"


class VisitWindowsRequired(Invalid):
    """A visit names the windows visited: at least one, each once, at most MAX_WINDOWS."""

    code = "visit_windows_required"


class VisitSummaryRequired(Invalid):
    """A visit has a summary of what was seen, within its length."""

    code = "visit_summary_required"


def require_visit_day(day: date, today: date) -> date:
    """The day of a visit, unless it is after today or more than a year before it."""
    if day > today:
        raise VisitDateOutOfRange(f"{day.isoformat()} has not come yet")
    if day < today - timedelta(days=MAX_DAYS_BACK):
        raise VisitDateOutOfRange(
            f"{day.isoformat()} is more than {MAX_DAYS_BACK} days ago: record visits as they happen"
        )
    return day


def _checked_windows(windows: list[str]) -> list[str]:
    if not windows:
        raise VisitWindowsRequired("a visit names at least one window visited")
    if len(windows) > MAX_WINDOWS:
        raise VisitWindowsRequired(f"a visit names at most {MAX_WINDOWS} windows")
    if len(set(windows)) != len(windows):
        raise VisitWindowsRequired("a visit names each window once")
    return list(windows)


def _checked_summary(summary: str) -> str:
    summary = (summary or "").strip()
    if not summary or len(summary) > MAX_SUMMARY:
        raise VisitSummaryRequired(f"a visit has a summary of at most {MAX_SUMMARY} characters")
    return summary


class Visit(Aggregate):
    """An inspection visit (暗访巡查) and the records its findings became."""

    TOPIC = "oversight:Visit"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Visit.Event"
        actor: Actor

    class Recorded(Event, Aggregate.Created):
        TOPIC = "oversight:Visit.Recorded"
        day: str  # ISO 8601 (YYYY-MM-DD): the store's transcoder knows datetimes, not dates
        method: str
        windows: list[str]
        # The departments running those windows when the visit was recorded.
        departments: list[str]
        summary: str

    def __init__(
        self,
        day: str,
        method: str,
        windows: list[str],
        departments: list[str],
        summary: str,
        actor: Actor,
    ) -> None:
        self.day = date.fromisoformat(day)
        self.method = VisitMethod(method)
        self.windows = list(windows)
        self.departments = list(departments)
        self.summary = summary
        self.recorded_by = actor
        self.findings: list[tuple[FindingType, UUID]] = []

    @classmethod
    def record(
        cls,
        *,
        visit_id: UUID,
        day: date,
        today: date,
        method: VisitMethod,
        windows: list[str],
        departments: list[str],
        summary: str,
        by: Actor,
        at: datetime,
    ) -> Visit:
        """Record a visit (登记暗访巡查) to windows already known to exist, run by
        `departments`."""
        return cls._create(
            cls.Recorded,
            id=visit_id,
            day=require_visit_day(day, today).isoformat(),
            method=VisitMethod(method).value,
            windows=_checked_windows(windows),
            departments=sorted(set(departments)),
            summary=_checked_summary(summary),
            actor=by,
            timestamp=at,
        )

    def has_finding(self, record_id: UUID) -> bool:
        """Whether the visit notes the record `record_id` already."""
        return any(found == record_id for _, found in self.findings)

    class FindingRecorded(Event):
        TOPIC = "oversight:Visit.FindingRecorded"
        finding_type: str
        record_id: UUID

        def apply(self, visit: Visit) -> None:
            visit.findings.append((FindingType(self.finding_type), self.record_id))

    def note_finding(
        self, *, finding_type: FindingType, record_id: UUID, by: Actor, at: datetime
    ) -> bool:
        """Note what a finding became; answer whether it was new (a record is noted once)."""
        if self.has_finding(record_id):
            return False
        self.trigger_event(
            self.FindingRecorded,
            finding_type=FindingType(finding_type).value,
            record_id=record_id,
            actor=by,
            timestamp=at,
        )
        return True

    # Evidence files (附件, §17) -------------------------------------------------------------

    class AttachmentAdded(Event):
        TOPIC = "oversight:Visit.AttachmentAdded"
        attachment_id: UUID
        name: Any
        content_type: str
        size: int
        sha256: str

        def apply(self, visit: Visit) -> None:
            add_to_attachments(visit, self)

    def add_attachment(self, *, listed: dict[str, Any], by: Actor, at: datetime) -> None:
        """List a file recorded as an `Attachment` on this record (上传附件)."""
        self.trigger_event(self.AttachmentAdded, **listed, actor=by, timestamp=at)
