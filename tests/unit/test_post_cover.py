"""A/B post cover (AB岗, §16): a department records absences with the B holder covering; a
window with neither post on duty in office hours is proposed to the inspectors once per office
day, as a deduction they confirm or dismiss."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from application.projections.post_cover import (
    AbsenceListProjection,
    CoverGapListProjection,
    PostCoverListProjection,
)
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.directory import UnknownStaff
from domain.post_cover import (
    AbsenceOverlaps,
    AbsencePeriodInvalid,
    AbsenceReasonInvalid,
    AbsenceTooLong,
    CoverAbsent,
    CoverForBPost,
    CoverNotBHolder,
    GapAlreadyDecided,
    GapNotFound,
    GapStatus,
    PostCover,
    StaffNotInDepartment,
    StaffNotOnPost,
    absence_period,
    gap_deduction_id,
    post_cover_id,
)
from domain.scorecard import SubjectKind
from domain.task import ReasonRequired
from infrastructure.conduct_file import default_conduct_rules
from tests.factories import INSPECTOR, SAMPLE_DEPARTMENT_ACTOR
from tests.support import DIRECTORY_ADMIN, SettableTimeSource, in_memory_supervision

# Monday 2026-12-07 is a working day; W-A01: S0001 on A, S0002 on B; W-A03: S0005 alone.
MONDAY = date(2026, 12, 7)
TAXATION = Actor("dept-tax", Role.DEPARTMENT, department="taxation")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OFFICE_TZ)


@pytest.fixture
def clock() -> SettableTimeSource:
    return SettableTimeSource(at(date(2026, 12, 4), 16))


@pytest.fixture
def app(clock: SettableTimeSource) -> Supervision:
    supervision = in_memory_supervision(clock)
    supervision.load_conduct_rules(default_conduct_rules(), DIRECTORY_ADMIN)
    return supervision


def absent(  # type: ignore[no-untyped-def]
    app: Supervision,
    staff: str,
    start: str,
    end: str,
    cover: str | None = None,
    reason: str = "病假",
    by: Actor = SAMPLE_DEPARTMENT_ACTOR,
):
    return app.record_absence(
        staff=staff, start=start, end=end, reason=reason, covered_by=cover, by=by
    )


# Recording absences ----------------------------------------------------------------------


def test_an_a_holders_whole_day_absence_is_recorded_with_the_b_holder_covering(app) -> None:
    absence = absent(app, "S0001", "2026-12-07", "2026-12-08", cover="S0002")

    assert (absence.window, absence.post, absence.covered_by) == ("W-A01", "A", "S0002")
    assert absence.starts_at == at(MONDAY, 0)
    assert absence.ends_at == at(date(2026, 12, 9), 0)  # both days included


def test_moments_without_an_offset_are_read_in_the_centres_time() -> None:
    assert absence_period("2026-12-07T13:30", "2026-12-07T17:30:00+08:00") == (
        at(MONDAY, 13, 30),
        at(MONDAY, 17, 30),
    )


@pytest.mark.parametrize(
    ("start", "end", "refusal"),
    [
        ("2026-12-08", "2026-12-07", AbsencePeriodInvalid),
        ("2026-12-07T12:00", "2026-12-07T12:00", AbsencePeriodInvalid),
        ("yesterday", "2026-12-07", AbsencePeriodInvalid),
        ("9999-12-31", "9999-12-31", AbsencePeriodInvalid),
        ("2026-01-01", "2027-12-31", AbsenceTooLong),
    ],
)
def test_a_period_reversed_unreadable_out_of_range_or_too_long_is_refused(
    app, start: str, end: str, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        absent(app, "S0001", start, end)


def test_the_cover_must_be_the_windows_b_holder(app) -> None:
    with pytest.raises(CoverNotBHolder):
        absent(app, "S0001", "2026-12-07", "2026-12-07", cover="S0004")


def test_a_b_holders_absence_names_no_cover(app) -> None:
    with pytest.raises(CoverForBPost):
        absent(app, "S0002", "2026-12-07", "2026-12-07", cover="S0001")


def test_the_same_persons_absences_do_not_overlap(app) -> None:
    absent(app, "S0001", "2026-12-07", "2026-12-08", cover="S0002")
    with pytest.raises(AbsenceOverlaps):
        absent(app, "S0001", "2026-12-08T09:00", "2026-12-08T10:00")


def test_a_b_holder_away_at_the_time_cannot_cover(app) -> None:
    absent(app, "S0002", "2026-12-08T14:00", "2026-12-08T16:00")
    with pytest.raises(CoverAbsent):
        absent(app, "S0001", "2026-12-07", "2026-12-08", cover="S0002")


def test_a_department_records_its_own_staff_only_and_known_staff_on_posts(app) -> None:
    with pytest.raises(StaffNotInDepartment):
        absent(app, "S0001", "2026-12-07", "2026-12-07", reason="事假", by=TAXATION)
    with pytest.raises(UnknownStaff):
        absent(app, "S9999", "2026-12-07", "2026-12-07")
    back_office = next(s.id for s in app.directory().staff if s.window is None)
    with pytest.raises((StaffNotOnPost, StaffNotInDepartment)):
        absent(app, back_office, "2026-12-07", "2026-12-07")


def test_an_absence_needs_a_reason(app) -> None:
    with pytest.raises(AbsenceReasonInvalid):
        absent(app, "S0001", "2026-12-07", "2026-12-07", reason="  ")


# Gaps and the clock ------------------------------------------------------------------------


def test_a_covered_absence_leaves_no_gap_for_the_clock(app, clock) -> None:
    absent(app, "S0001", "2026-12-07", "2026-12-08", cover="S0002")
    clock.set(at(date(2026, 12, 9), 12))

    assert app.observe_post_cover("W-A01") == 0


def test_both_holders_away_in_office_hours_is_proposed_once_per_office_day(app, clock) -> None:
    absent(app, "S0001", "2026-12-07", "2026-12-08")
    absent(app, "S0002", "2026-12-07T15:00", "2026-12-08T10:00")
    cover = app.repository.get(post_cover_id("W-A01"))
    assert cover.next_gap_at == at(MONDAY, 15)

    clock.set(at(MONDAY, 14, 59))
    assert app.observe_post_cover("W-A01") == 0
    clock.set(at(MONDAY, 15))
    assert app.observe_post_cover("W-A01") == 1
    assert app.observe_post_cover("W-A01") == 0  # never twice
    clock.set(at(date(2026, 12, 8), 9))
    assert app.observe_post_cover("W-A01") == 1  # Tuesday's own, from opening
    clock.set(at(date(2026, 12, 20), 9))
    assert app.observe_post_cover("W-A01") == 0

    cover = app.repository.get(post_cover_id("W-A01"))
    assert sorted(cover.gaps) == [MONDAY, date(2026, 12, 8)]
    assert cover.gaps[date(2026, 12, 8)].starts_at == at(date(2026, 12, 8), 9)
    assert cover.next_gap_at is None


def test_overlap_outside_office_hours_or_on_a_day_off_is_no_gap(app, clock) -> None:
    absent(app, "S0001", "2026-12-05", "2026-12-06")  # Saturday and Sunday
    absent(app, "S0002", "2026-12-05", "2026-12-06")
    absent(app, "S0001", "2026-12-07T17:30", "2026-12-07T20:00")
    absent(app, "S0002", "2026-12-07T17:00", "2026-12-07T21:00")
    clock.set(at(date(2026, 12, 10), 9))

    assert app.observe_post_cover("W-A01") == 0


def test_the_only_holder_of_a_window_away_is_a_gap(app, clock) -> None:
    absent(app, "S0005", "2026-12-07T09:00", "2026-12-07T11:00")
    clock.set(at(MONDAY, 12))

    assert app.observe_post_cover("W-A03") == 1


def test_a_cancelled_absence_no_longer_makes_a_gap(app, clock) -> None:
    absent(app, "S0001", "2026-12-07", "2026-12-07")
    b = absent(app, "S0002", "2026-12-07", "2026-12-07")
    app.cancel_absence("W-A01", b.id, SAMPLE_DEPARTMENT_ACTOR)
    clock.set(at(MONDAY, 12))

    assert app.observe_post_cover("W-A01") == 0


def _a_gap(app, clock) -> None:  # type: ignore[no-untyped-def]
    absent(app, "S0001", "2026-12-07", "2026-12-07")
    absent(app, "S0002", "2026-12-07", "2026-12-07")
    clock.set(at(MONDAY, 12))
    app.observe_post_cover("W-A01")


def test_an_inspector_confirms_a_gap_and_the_window_loses_the_rules_points(app, clock) -> None:
    _a_gap(app, clock)

    gap = app.confirm_cover_gap("W-A01", MONDAY, INSPECTOR)

    assert gap.status == GapStatus.CONFIRMED.value
    assert gap.deduction_id == str(gap_deduction_id("W-A01", MONDAY))
    card = app.scorecard(SubjectKind.WINDOW, "W-A01", "2026-12")
    assert card.score == 97
    with pytest.raises(GapAlreadyDecided):
        app.dismiss_cover_gap("W-A01", MONDAY, reason="已核实", by=INSPECTOR)


def test_an_inspector_dismisses_a_gap_with_a_reason(app, clock) -> None:
    _a_gap(app, clock)
    with pytest.raises(ReasonRequired):
        app.dismiss_cover_gap("W-A01", MONDAY, reason=" ", by=INSPECTOR)

    gap = app.dismiss_cover_gap("W-A01", MONDAY, reason="系统维护闭厅", by=INSPECTOR)

    assert (gap.status, gap.reason) == (GapStatus.DISMISSED.value, "系统维护闭厅")


def test_no_gap_proposed_that_day_is_not_found(app) -> None:
    with pytest.raises(GapNotFound):
        app.confirm_cover_gap("W-A01", MONDAY, INSPECTOR)


# The read tables ----------------------------------------------------------------------------


def test_the_projections_follow_the_absences_and_gaps(app, clock) -> None:
    _a_gap(app, clock)
    events = list(app.events.get(post_cover_id("W-A01")))  # type: ignore[attr-defined]
    absences = AbsenceListProjection()
    gaps = CoverGapListProjection()
    posts = PostCoverListProjection()
    rows: dict[object, dict] = {}
    for position, event in enumerate(events, start=1):
        for projection in (absences, gaps, posts):
            if not type(event).TOPIC.startswith(projection.topic_prefix):
                continue
            key = (projection.table, projection.key_of(event))
            rows[key] = projection.project(rows.get(key), event, position)

    assert len([k for k in rows if k[0] == "absence_list"]) == 2
    assert rows[("cover_gap_list", "W-A01/2026-12-07")]["status"] == "proposed"
    assert rows[("post_cover_list", post_cover_id("W-A01"))]["next_gap_at"] is None


def test_a_windows_record_is_one_aggregate_per_window(app) -> None:
    absent(app, "S0001", "2026-12-07", "2026-12-07")
    assert isinstance(app.repository.get(post_cover_id("W-A01")), PostCover)


# The demo ----------------------------------------------------------------------------------


def test_the_demo_plays_one_covered_absence_and_one_gap_proposed() -> None:
    from tests.unit.test_simulation import recorded, run_campaign

    supervision, _ = run_campaign(days=14, scale=0.05)
    events = [e for e in recorded(supervision) if isinstance(e, PostCover.Event)]

    absences = [e for e in events if isinstance(e, PostCover.AbsenceRecorded)]
    gaps = [e for e in events if isinstance(e, PostCover.GapProposed)]
    assert [a.covered_by for a in absences] == ["S0002", None, None]
    assert [(g.window, g.rule) for g in gaps] == [("W-A02", "ab_post_not_covered")]
