"""Verbs on A/B post cover (AB岗, DESIGN §16): absences, the day's coverage, cover gaps.

A department records the absences of its staff on windows' posts (`record_absence`); the
cover of an A holder's absence is the window's B holder. The clock (`observe_post_cover`,
run by the worker when a window's `next_gap_at` has come) proposes each office day on which
neither post was on duty to the inspectors as a deduction under `ab_post_not_covered`, once;
an inspector confirms it (the deduction goes on the window's scorecard) or dismisses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from application.discipline import DisciplineVerbs
from application.views import view_of
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ, WorkingCalendar
from domain.directory import Directory, StaffMember, UnknownStaff
from domain.post_cover import (
    AB_POST_RULE,
    Absence,
    AbsenceNotFound,
    Gap,
    GapNotFound,
    PostCover,
    StaffNotInDepartment,
    StaffNotOnPost,
    absence_period,
    gap_deduction_id,
    post_cover_id,
    uncovered_office_time,
)
from domain.scorecard import DeductionRequest, SourceType


@dataclass(frozen=True)
class AbsenceView:
    """An absence as it is recorded (and listed); `position`: a command's global position."""

    id: str
    window: str
    department: str
    staff: str
    post: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    covered_by: str | None
    cancelled: bool
    position: int | None = None


@dataclass(frozen=True)
class GapView:
    """A cover gap proposed for one window and office day, and its decision."""

    window: str
    department: str
    day: date
    starts_at: datetime
    status: str
    deduction_id: str | None
    reason: str | None
    position: int | None = None


@dataclass(frozen=True)
class HolderOnDay:
    """A post's holder on a day, and the absence that takes them off it, if any."""

    staff: str
    name: str
    absence: AbsenceView | None


@dataclass(frozen=True)
class PostCoverage:
    """One window's posts on one day: who holds them, who is on duty (the A holder, else the
    B holder covering, else nobody), whether some moment of office hours was uncovered, and
    the gap proposed for it."""

    window: str
    window_name: str
    department: str
    a_holder: HolderOnDay | None
    b_holder: HolderOnDay | None
    on_duty: str | None
    uncovered: bool
    gap: GapView | None


@dataclass(frozen=True)
class Coverage:
    """Every post of the windows asked for, on one day."""

    day: date
    working_day: bool
    posts: list[PostCoverage]


class PostCoverQueries(Protocol):
    """Absences and gaps read from the absence_list and cover_gap_list tables."""

    async def absences_between(
        self, start: datetime, end: datetime, *, department: str | None
    ) -> list[AbsenceView]:
        """Absences not cancelled that overlap [start, end), by start."""
        ...

    async def gaps_between(
        self, first: date, last: date, *, department: str | None
    ) -> list[GapView]:
        """Gaps proposed for office days from `first` to `last`, by day and window."""
        ...


class PostCoverVerbs(DisciplineVerbs):
    """Record and cancel absences; propose, confirm and dismiss cover gaps."""

    def _post_cover(self, window: str) -> PostCover | None:
        found = self._load_or_none(post_cover_id(window))
        return found if isinstance(found, PostCover) else None

    def record_absence(
        self,
        *,
        staff: str,
        start: str,
        end: str,
        reason: str,
        covered_by: str | None,
        by: Actor,
    ) -> AbsenceView:
        """Record an absence of one of the department's post holders (请假), covered by the
        window's B holder when the absent one holds the A post."""
        directory = self.directory()
        member = _own_staff_member(directory, staff, by)
        if member.window is None or member.post is None:
            raise StaffNotOnPost(f"{staff} holds no post at a window")
        starts_at, ends_at = absence_period(start, end)
        other = "B" if member.post == "A" else "A"
        now = self.time_source.now()
        cover = self._post_cover(member.window) or PostCover.open(
            window=member.window, department=member.department, by=by, at=now
        )
        absence_id = str(self.ids())
        cover.record_absence(
            absence_id=absence_id,
            staff=member.id,
            post=member.post,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            covered_by=covered_by or None,
            b_holder=_holder(directory, member.window, "B"),
            other_post_vacant=_holder(directory, member.window, other) is None,
            calendar=self.calendar,
            by=by,
            at=now,
        )
        return _absence_view(cover, cover.absences[absence_id], self._commit(cover))

    def cancel_absence(self, window: str, absence_id: str, by: Actor) -> AbsenceView:
        """Cancel an absence of the department's (撤销请假): recorded in error or not taken."""
        cover = self._post_cover(window)
        if cover is None or absence_id not in cover.absences:
            raise AbsenceNotFound(f"window {window} has no absence {absence_id}")
        if not by.acts_for(cover.department):
            raise StaffNotInDepartment("a department cancels the absences of its own staff")
        cover.cancel_absence(absence_id, calendar=self.calendar, by=by, at=self.time_source.now())
        return _absence_view(cover, cover.absences[absence_id], self._commit(cover))

    def observe_post_cover(self, window: str) -> int:
        """Propose each cover gap of the window whose moment has come, once (the clock)."""
        cover = self._post_cover(window)
        if cover is None:
            return 0
        proposed = cover.propose_due_gaps(by=Actor.system(), at=self.time_source.now())
        if proposed:
            self._commit(cover)
        return proposed

    def _proposed_gap(self, window: str, day: date) -> PostCover:
        cover = self._post_cover(window)
        if cover is None or day not in cover.gaps:
            raise GapNotFound(f"no cover gap of window {window} was proposed on {day}")
        return cover

    def confirm_cover_gap(self, window: str, day: date, by: Actor) -> GapView:
        """Record the gap's deduction on the window's scorecard, then mark it confirmed.

        Two saves, as for a case's proposal: the deduction under an id derived from the
        window and day (a retry records nothing twice), then the confirmation."""
        cover = self._proposed_gap(window, day)
        gap = cover.gap(day)
        cover.require_undecided(day)
        deduction_id = gap_deduction_id(window, day)
        self.record_deduction(_request(cover, gap), by, deduction_id=deduction_id)
        cover.confirm_gap(day, deduction_id=deduction_id, by=by, at=self.time_source.now())
        return _gap_view(cover, cover.gap(day), self._commit(cover))

    def dismiss_cover_gap(self, window: str, day: date, *, reason: str, by: Actor) -> GapView:
        """Dismiss the gap's proposed deduction, with the reason (不予扣分)."""
        cover = self._proposed_gap(window, day)
        cover.dismiss_gap(day, reason=reason, by=by, at=self.time_source.now())
        return _gap_view(cover, cover.gap(day), self._commit(cover))

    def coverage(
        self,
        day: date,
        *,
        absences: list[AbsenceView],
        gaps: list[GapView],
        department: str | None,
    ) -> Coverage:
        """Each post of the department's windows (every window's for inspectors) on `day`,
        from the absences and gaps the read side holds for it."""
        directory = self.directory()
        calendar = self.calendar
        opening, closing = _office_day(calendar, day)
        posts = []
        for window in directory.windows:
            if not window.active or (department is not None and window.department != department):
                continue
            here = [a for a in absences if a.window == window.id]
            holders = {
                post: _holder_on_day(directory, window.id, post, here, opening, closing)
                for post in ("A", "B")
            }
            on_duty = next(
                (h.staff for h in (holders["A"], holders["B"]) if h is not None and not h.absence),
                None,
            )
            uncovered = day in uncovered_office_time(
                [_as_absence(a, holders) for a in here], calendar
            )
            gap = next((g for g in gaps if g.window == window.id and g.day == day), None)
            posts.append(
                PostCoverage(
                    window=window.id,
                    window_name=window.name,
                    department=window.department,
                    a_holder=holders["A"],
                    b_holder=holders["B"],
                    on_duty=on_duty,
                    uncovered=uncovered,
                    gap=gap,
                )
            )
        return Coverage(day=day, working_day=calendar.is_working_day(day), posts=posts)


def office_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The whole of `day` in the centre's time, for reading the absences that touch it."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=OFFICE_TZ)
    return start, start + timedelta(days=1)


def _office_day(calendar: WorkingCalendar, day: date) -> tuple[datetime, datetime]:
    """The day's office hours (on a day off, the hours it would have had)."""
    hours = calendar.office_hours
    return (
        datetime.combine(day, hours.opens, tzinfo=hours.tz),
        datetime.combine(day, hours.closes, tzinfo=hours.tz),
    )


def _holder(directory: Directory, window: str, post: str) -> str | None:
    return next((s.id for s in directory.staff if s.window == window and s.post == post), None)


def _own_staff_member(directory: Directory, staff: str, by: Actor) -> StaffMember:
    member = directory.staff_member(staff)
    if member is None or not member.active:
        raise UnknownStaff(f"the directory lists no staff member {staff!r}")
    if by.role is not Role.DEPARTMENT or not by.acts_for(member.department):
        raise StaffNotInDepartment(
            f"{staff} is not of your department: a department records its own staff's absences"
        )
    return member


def _holder_on_day(
    directory: Directory,
    window: str,
    post: str,
    absences: list[AbsenceView],
    opening: datetime,
    closing: datetime,
) -> HolderOnDay | None:
    staff = _holder(directory, window, post)
    if staff is None:
        return None
    member = directory.staff_member(staff)
    away = next(
        (a for a in absences if a.staff == staff and a.starts_at < closing and opening < a.ends_at),
        None,
    )
    return HolderOnDay(staff=staff, name=member.name if member else staff, absence=away)


def _as_absence(view: AbsenceView, holders: dict[str, HolderOnDay | None]) -> Absence:
    other = "B" if view.post == "A" else "A"
    return Absence(
        id=view.id,
        staff=view.staff,
        post=view.post,
        starts_at=view.starts_at,
        ends_at=view.ends_at,
        reason=view.reason,
        covered_by=view.covered_by,
        alone=holders[other] is None,
        recorded_at=view.starts_at,
    )


def _absence_view(cover: PostCover, absence: Absence, position: int | None) -> AbsenceView:
    return view_of(
        AbsenceView, absence, window=cover.window, department=cover.department, position=position
    )


def _gap_view(cover: PostCover, gap: Gap, position: int | None) -> GapView:
    return view_of(
        GapView,
        gap,
        window=cover.window,
        department=cover.department,
        status=gap.status.value,
        position=position,
    )


def _request(cover: PostCover, gap: Gap) -> DeductionRequest:
    return DeductionRequest(
        rule=AB_POST_RULE,
        staff=None,
        window=cover.window,
        # When nobody was first on duty: the same on every retry.
        occurred_at=gap.starts_at,
        evidence=(
            f"窗口 {cover.window} {gap.day.isoformat()} "
            f"{gap.starts_at.astimezone(OFFICE_TZ):%H:%M} 起 A、B 岗均不在岗（AB岗未落实）"
        ),
        source_type=SourceType.OTHER,
        source_ref=f"AB岗 {cover.window} {gap.day.isoformat()}",
        points=None,
    )
