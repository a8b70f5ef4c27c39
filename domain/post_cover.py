"""The PostCover aggregate (AB岗, DESIGN §16): one window's absences and its cover gaps.

A window has an A (main) and a B (backup) post. When the A holder is away (请假), the B holder
covers; a moment of office hours on a working day when neither holder is on duty is a cover
gap, proposed once per window and office day to the inspectors as a deduction under the
conduct rule `ab_post_not_covered`, which they confirm (the deduction is recorded) or
dismiss, as they do a deduction a department proposes with a case's result.

One aggregate per window (`post_cover_id`) holds the absences of both holders, so the rules
that compare absences (no two of one person overlap, a cover is not away then, a gap is
proposed once per day) are checked in one place, under one version.

    absence recorded ──▶ (cancelled)
    gap expected ──clock──▶ proposed ──▶ confirmed | dismissed
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.calendar import OFFICE_TZ, WorkingCalendar
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.task import require_reason

AB_POST_RULE = "ab_post_not_covered"
MAX_REASON = 500
# Longer than any leave the centre grants (a year and a day covers a leap year's).
MAX_ABSENCE = timedelta(days=366)

POST_COVER_NAMESPACE: UUID = uuid5(NAMESPACE_URL, "oversight:post-cover")
GAP_DEDUCTION_NAMESPACE: UUID = uuid5(NAMESPACE_URL, "oversight:cover-gap-deduction")


def post_cover_id(window_id: str) -> UUID:
    """The id of a window's record of absences and gaps: one per window, the same always."""
    return uuid5(POST_COVER_NAMESPACE, window_id)


def gap_deduction_id(window_id: str, day: date) -> UUID:
    """The id of the deduction a confirmed gap records: the same on every retry."""
    return uuid5(GAP_DEDUCTION_NAMESPACE, f"{window_id}/{day.isoformat()}")


class GapStatus(StrEnum):
    """Where a cover gap's proposed deduction stands (AB岗缺岗状态)."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class AbsenceNotFound(NotFound):
    """No absence of this window has this id."""

    code = "absence_not_found"


class GapNotFound(NotFound):
    """No gap of this window was proposed on this day."""

    code = "cover_gap_not_found"


class StaffNotInDepartment(Forbidden):
    """A department records absences of its own staff only."""

    code = "staff_not_in_department"


class StaffNotOnPost(Invalid):
    """Only a staff member on a window's A or B post has an absence to cover."""

    code = "staff_not_on_post"


class CoverNotBHolder(Invalid):
    """The cover of an A holder's absence is the same window's B holder."""

    code = "cover_not_b_holder"


class CoverForBPost(Invalid):
    """A B holder's absence names no cover: the B post is itself the cover."""

    code = "cover_for_b_post"


class AbsencePeriodInvalid(Invalid):
    """An absence ends after it starts, within a year and a day."""

    code = "absence_period_invalid"


class AbsenceTooLong(Invalid):
    """An absence lasts at most a year and a day."""

    code = "absence_too_long"


class AbsenceReasonInvalid(Invalid):
    """An absence has a reason, within its length."""

    code = "absence_reason_invalid"


class AbsenceOverlaps(Conflict):
    """One person's absences do not overlap."""

    code = "absence_overlaps"


class CoverAbsent(Conflict):
    """The B holder named as cover is away themselves at some moment of the absence."""

    code = "cover_absent"


class AbsenceCancelled(Conflict):
    """A cancelled absence is not cancelled again."""

    code = "absence_cancelled"


class GapAlreadyDecided(Conflict):
    """A gap's proposed deduction is confirmed or dismissed once."""

    code = "cover_gap_decided"


@dataclass(frozen=True)
class Absence:
    """One absence of a post holder (请假): who, which post, when, why and who covers."""

    id: str
    staff: str
    post: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    covered_by: str | None
    # The other post of the window had no holder when it was recorded: nobody else is there.
    alone: bool
    recorded_at: datetime
    cancelled: bool = False

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclass(frozen=True)
class Gap:
    """A cover gap proposed for one office day: from when nobody was on duty, and the
    decision on its deduction."""

    day: date
    starts_at: datetime
    status: GapStatus
    deduction_id: str | None = None
    reason: str | None = None


def checked_period(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """An absence's period, refused when it ends before it starts or lasts too long."""
    for moment in (starts_at, ends_at):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise AbsencePeriodInvalid("an absence's start and end carry a timezone")
    if ends_at <= starts_at:
        raise AbsencePeriodInvalid("an absence ends after it starts")
    if ends_at - starts_at > MAX_ABSENCE:
        raise AbsenceTooLong(f"an absence lasts at most {MAX_ABSENCE.days} days")
    return starts_at, ends_at


def uncovered_office_time(
    absences: list[Absence], calendar: WorkingCalendar
) -> dict[date, datetime]:
    """Each office day on which neither post of the window was on duty at some moment of
    office hours, with the first such moment: an A and a B absence overlapping, or an
    absence while the other post had no holder."""
    live = [absence for absence in absences if not absence.cancelled]
    a_side = [absence for absence in live if absence.post == "A"]
    b_side = [absence for absence in live if absence.post == "B"]
    periods = [(a.starts_at, a.ends_at) for a in live if a.alone]
    periods += [
        (max(a.starts_at, b.starts_at), min(a.ends_at, b.ends_at))
        for a in a_side
        for b in b_side
        if a.overlaps(b.starts_at, b.ends_at)
    ]
    gaps: dict[date, datetime] = {}
    for start, end in periods:
        day = start.astimezone(OFFICE_TZ).date()
        last = (end - timedelta(microseconds=1)).astimezone(OFFICE_TZ).date()
        while day <= last:
            first = _first_office_moment(calendar, day, start, end)
            if first is not None and (day not in gaps or first < gaps[day]):
                gaps[day] = first
            day += timedelta(days=1)
    return dict(sorted(gaps.items()))


class PostCover(Aggregate):
    """One window's A/B posts: the absences of their holders and the gaps in cover."""

    TOPIC = "oversight:PostCover"

    class Event(Aggregate.Event):
        TOPIC = "oversight:PostCover.Event"
        actor: Actor
        # The first moment of a gap not yet proposed (None: none expected), for the clock.
        next_gap_at: datetime | None

    class Opened(Event, Aggregate.Created):
        TOPIC = "oversight:PostCover.Opened"
        window: str
        department: str

    def __init__(self, window: str, department: str, actor: Actor, next_gap_at: Any) -> None:
        self.window = window
        self.department = department
        self.absences: dict[str, Absence] = {}
        # Office days with a gap not yet proposed, and the first moment of each.
        self.expected: dict[date, datetime] = {}
        self.gaps: dict[date, Gap] = {}

    @classmethod
    def open(cls, *, window: str, department: str, by: Actor, at: datetime) -> PostCover:
        """Start a window's record of absences (the first absence recorded opens it)."""
        return cls._create(
            cls.Opened,
            id=post_cover_id(window),
            window=window,
            department=department,
            actor=by,
            next_gap_at=None,
            timestamp=at,
        )

    @property
    def next_gap_at(self) -> datetime | None:
        """When the clock next has a gap to propose."""
        pending = [start for day, start in self.expected.items() if day not in self.gaps]
        return min(pending) if pending else None

    def absences_of(self, staff: str) -> list[Absence]:
        return [a for a in self.absences.values() if a.staff == staff and not a.cancelled]

    def _expected_after(self, absences: list[Absence], calendar: WorkingCalendar) -> list[Any]:
        found = uncovered_office_time(absences, calendar)
        return [[day.isoformat(), start.isoformat()] for day, start in found.items()]

    def _next_after(self, expected: list[Any]) -> datetime | None:
        pending = [
            datetime.fromisoformat(start)
            for day, start in expected
            if date.fromisoformat(day) not in self.gaps
        ]
        return min(pending) if pending else None

    # Absences -----------------------------------------------------------------

    class AbsenceRecorded(Event):
        TOPIC = "oversight:PostCover.AbsenceRecorded"
        absence_id: str
        staff: str
        post: str
        starts_at: datetime
        ends_at: datetime
        reason: str
        covered_by: str | None
        alone: bool
        expected: list[Any]

        def apply(self, cover: PostCover) -> None:
            cover.absences[self.absence_id] = Absence(
                id=self.absence_id,
                staff=self.staff,
                post=self.post,
                starts_at=self.starts_at,
                ends_at=self.ends_at,
                reason=self.reason,
                covered_by=self.covered_by,
                alone=self.alone,
                recorded_at=self.timestamp,
            )
            cover.expected = _expected_of(self.expected)

    def record_absence(
        self,
        *,
        absence_id: str,
        staff: str,
        post: str,
        starts_at: datetime,
        ends_at: datetime,
        reason: str,
        covered_by: str | None,
        b_holder: str | None,
        other_post_vacant: bool,
        calendar: WorkingCalendar,
        by: Actor,
        at: datetime,
    ) -> None:
        """Record a post holder's absence (请假), covered by the window's B holder when the
        absent one holds the A post; a B holder's absence names no cover."""
        starts_at, ends_at = checked_period(starts_at, ends_at)
        reason = (reason or "").strip()
        if not reason or len(reason) > MAX_REASON:
            raise AbsenceReasonInvalid(f"an absence has a reason of 1 to {MAX_REASON} characters")
        if post == "B" and covered_by is not None:
            raise CoverForBPost("a B holder's absence names no cover: the B post is the cover")
        if covered_by is not None and covered_by != b_holder:
            raise CoverNotBHolder(
                f"the cover of window {self.window}'s A post is its B holder "
                f"({b_holder or 'none'}), not {covered_by}"
            )
        if any(a.overlaps(starts_at, ends_at) for a in self.absences_of(staff)):
            raise AbsenceOverlaps(f"{staff} has another absence overlapping this one")
        if covered_by is not None and any(
            a.overlaps(starts_at, ends_at) for a in self.absences_of(covered_by)
        ):
            raise CoverAbsent(f"the cover {covered_by} is away at some moment of this absence")
        # The absence as the event records it (and as it stands once recorded).
        recorded: dict[str, Any] = {
            "staff": staff,
            "post": post,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "reason": reason,
            "covered_by": covered_by,
            "alone": other_post_vacant,
        }
        draft = Absence(id=absence_id, **recorded, recorded_at=at)
        self._change_absences(
            self.AbsenceRecorded,
            [*self.absences.values(), draft],
            calendar,
            by,
            at,
            absence_id=absence_id,
            **recorded,
        )

    class AbsenceWithdrawn(Event):
        TOPIC = "oversight:PostCover.AbsenceWithdrawn"
        absence_id: str
        expected: list[Any]

        def apply(self, cover: PostCover) -> None:
            absence = cover.absences[self.absence_id]
            cover.absences[self.absence_id] = Absence(**{**absence.__dict__, "cancelled": True})
            cover.expected = _expected_of(self.expected)

    def cancel_absence(
        self, absence_id: str, *, calendar: WorkingCalendar, by: Actor, at: datetime
    ) -> None:
        """Cancel an absence recorded in error or not taken (撤销请假); a gap already
        proposed stays for the inspectors to decide."""
        absence = self.absences.get(absence_id)
        if absence is None:
            raise AbsenceNotFound(f"window {self.window} has no absence {absence_id}")
        if absence.cancelled:
            raise AbsenceCancelled("the absence is cancelled already")
        rest = [a for a in self.absences.values() if a.id != absence_id]
        self._change_absences(self.AbsenceWithdrawn, rest, calendar, by, at, absence_id=absence_id)

    def _change_absences(
        self,
        change: type[PostCover.Event],
        absences: list[Absence],
        calendar: WorkingCalendar,
        by: Actor,
        at: datetime,
        **fields: Any,
    ) -> None:
        """Record a change that leaves the window with `absences`, and the gaps they leave
        expected: every office day on which neither post is on duty."""
        expected = self._expected_after(absences, calendar)
        self.trigger_event(
            change,
            **fields,
            expected=expected,
            next_gap_at=self._next_after(expected),
            actor=by,
            timestamp=at,
        )

    # Gaps ---------------------------------------------------------------------

    class GapProposed(Event):
        TOPIC = "oversight:PostCover.GapProposed"
        day: str
        starts_at: datetime
        window: str
        department: str
        rule: str

        def apply(self, cover: PostCover) -> None:
            day = date.fromisoformat(self.day)
            cover.gaps[day] = Gap(day, self.starts_at, GapStatus.PROPOSED)

    def propose_due_gaps(self, *, by: Actor, at: datetime) -> int:
        """Propose each expected gap whose first moment has come, once per office day (the
        clock's verb); answer how many it proposed."""
        due = sorted(
            (day, start)
            for day, start in self.expected.items()
            if day not in self.gaps and start <= at
        )
        for day, start in due:
            remaining = {d: s for d, s in self.expected.items() if d not in self.gaps and d != day}
            self.trigger_event(
                self.GapProposed,
                day=day.isoformat(),
                starts_at=start,
                window=self.window,
                department=self.department,
                rule=AB_POST_RULE,
                next_gap_at=min(remaining.values()) if remaining else None,
                actor=by,
                timestamp=at,
            )
        return len(due)

    def gap(self, day: date) -> Gap:
        found = self.gaps.get(day)
        if found is None:
            raise GapNotFound(f"no cover gap of window {self.window} was proposed on {day}")
        return found

    def require_undecided(self, day: date) -> None:
        if self.gap(day).status is not GapStatus.PROPOSED:
            raise GapAlreadyDecided(f"the cover gap of {day} is {self.gap(day).status.value}")

    class GapConfirmed(Event):
        TOPIC = "oversight:PostCover.GapConfirmed"
        window: str
        day: str
        deduction_id: str

        def apply(self, cover: PostCover) -> None:
            cover._mark_gap_decided(self.day, GapStatus.CONFIRMED, deduction_id=self.deduction_id)

    def confirm_gap(self, day: date, *, deduction_id: UUID, by: Actor, at: datetime) -> None:
        """Mark the gap's proposed deduction confirmed: the deduction is on the scorecards."""
        self.require_undecided(day)
        self._decide_gap(self.GapConfirmed, day, by, at, deduction_id=str(deduction_id))

    class GapDismissed(Event):
        TOPIC = "oversight:PostCover.GapDismissed"
        window: str
        day: str
        reason: str

        def apply(self, cover: PostCover) -> None:
            cover._mark_gap_decided(self.day, GapStatus.DISMISSED, reason=self.reason)

    def dismiss_gap(self, day: date, *, reason: str, by: Actor, at: datetime) -> None:
        """Dismiss the gap's proposed deduction with the reason (不予扣分)."""
        self.require_undecided(day)
        require_reason(reason, "dismissing a proposed deduction")
        self._decide_gap(self.GapDismissed, day, by, at, reason=reason.strip())

    def _decide_gap(
        self, decision: type[PostCover.Event], day: date, by: Actor, at: datetime, **details: str
    ) -> None:
        """Record the inspectors' decision on the gap of `day`."""
        self.trigger_event(
            decision,
            window=self.window,
            day=day.isoformat(),
            **details,
            next_gap_at=self.next_gap_at,
            actor=by,
            timestamp=at,
        )

    def _mark_gap_decided(self, day: str, status: GapStatus, **details: str) -> None:
        gap = self.gaps[date.fromisoformat(day)]
        self.gaps[gap.day] = replace(gap, status=status, **details)


def _expected_of(expected: list[Any]) -> dict[date, datetime]:
    return {date.fromisoformat(day): datetime.fromisoformat(start) for day, start in expected}


def _first_office_moment(
    calendar: WorkingCalendar, day: date, start: datetime, end: datetime
) -> datetime | None:
    """The first moment of `day`'s office hours within [start, end), if any (a day off has none)."""
    if not calendar.is_working_day(day):
        return None
    hours = calendar.office_hours
    opening = datetime.combine(day, hours.opens, tzinfo=hours.tz)
    closing = datetime.combine(day, hours.closes, tzinfo=hours.tz)
    first, last = max(start, opening), min(end, closing)
    return first if first < last else None


EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def absence_period(start: str, end: str) -> tuple[datetime, datetime]:
    """An absence's period from how people write it: two dates (whole office days, both
    included: 2026-12-07 to 2026-12-08 is two days), or two moments (an offset, else the
    centre's time), or one of each; refused when unreadable, reversed or too long."""
    return checked_period(_moment(start, "from", end=False), _moment(end, "to", end=True))


def _moment(text: str, name: str, *, end: bool) -> datetime:
    text = (text or "").strip()
    try:
        if len(text) == len("2026-12-07"):
            day = date.fromisoformat(text)
            _require_year(day.year, name)
            local = datetime.combine(day, datetime.min.time(), tzinfo=OFFICE_TZ)
            return local + timedelta(days=1) if end else local
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise AbsencePeriodInvalid(
            f"`{name}` is a date (2026-12-07) or a moment (2026-12-07T13:30:00+08:00)"
        ) from None
    _require_year(moment.year, name)
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=OFFICE_TZ)
    return moment


def _require_year(year: int, name: str) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise AbsencePeriodInvalid(f"`{name}` lies between {EARLIEST_YEAR} and {LATEST_YEAR}")
