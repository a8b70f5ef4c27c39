"""Staff assessments (千人千题, §16): an inspector records a marked session; a score below the
pass mark makes a retest due until a later result of that staff member passes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from application.assessments import StaffStanding
from application.projections.assessment_list import AssessmentListProjection
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.assessment import (
    AssessedStaffUnknown,
    AssessedTwice,
    Assessment,
    AssessmentDateInFuture,
    AssessmentNotFound,
    AssessmentNotYours,
    AssessmentResultsRequired,
    AssessmentScoreOutOfRange,
    AssessmentTitleRequired,
    ResultLine,
    standings,
)
from domain.directory import StaffMember
from tests.factories import OTHER_DEPARTMENT, SAMPLE_DEPARTMENT
from tests.support import START
from tests.unit.actors import INSPECTOR

TODAY = START.date()  # the day the tests' clock starts on
HAN = StaffMember("S0001", "韩蕾", SAMPLE_DEPARTMENT)
XIA = StaffMember("S0002", "夏芳", SAMPLE_DEPARTMENT)
PENG = StaffMember("S0010", "彭莉", OTHER_DEPARTMENT)
GONE = StaffMember("S0099", "离职者", SAMPLE_DEPARTMENT, active=False)
DIRECTORY = {member.id: member for member in (HAN, XIA, PENG, GONE)}


def a_session(results: list[tuple[str, int]], **fields: object) -> Assessment:
    arguments: dict[str, object] = {
        "assessment_id": uuid4(),
        "title": "11月千人千题",
        "held_on": TODAY,
        "pass_mark": 60,
        "results": results,
        "staff": {staff_id: DIRECTORY.get(staff_id) for staff_id, _ in results},
        "today": TODAY,
        "by": INSPECTOR,
        "at": START,
        **fields,
    }
    return Assessment.record(**arguments)  # type: ignore[arg-type]


def lines_of(session: Assessment, position: int) -> list[ResultLine]:
    return [
        ResultLine(session.id, session.title, session.held_on, position, session.pass_mark, r)
        for r in session.results
    ]


# The aggregate ---------------------------------------------------------------------------


def test_a_score_below_the_pass_mark_fails_and_one_at_it_passes() -> None:
    session = a_session([("S0001", 59), ("S0002", 60)], pass_mark=60)

    assert [(r.staff, r.passed) for r in session.results] == [("S0001", False), ("S0002", True)]
    assert [r.staff for r in session.failed] == ["S0001"]


def test_each_result_keeps_the_staff_members_name_and_department_of_the_day() -> None:
    (result,) = a_session([("S0010", 90)]).results

    assert (result.name, result.department) == ("彭莉", OTHER_DEPARTMENT)


@pytest.mark.parametrize("score", [-1, 101, 10**18])
def test_a_score_outside_0_to_100_is_refused(score: int) -> None:
    with pytest.raises(AssessmentScoreOutOfRange, match="S0001"):
        a_session([("S0001", score)])


@pytest.mark.parametrize("pass_mark", [-5, 101, True])
def test_a_pass_mark_outside_0_to_100_is_refused(pass_mark: object) -> None:
    with pytest.raises(AssessmentScoreOutOfRange):
        a_session([("S0001", 80)], pass_mark=pass_mark)


def test_a_staff_member_the_directory_does_not_list_as_active_is_refused_by_id() -> None:
    with pytest.raises(AssessedStaffUnknown, match="S0099, S9999"):
        a_session([("S0001", 80), ("S0099", 80), ("S9999", 70)])


def test_a_staff_member_twice_in_one_session_is_refused() -> None:
    with pytest.raises(AssessedTwice, match="S0001"):
        a_session([("S0001", 80), ("S0002", 70), ("S0001", 50)])


def test_a_session_without_results_is_refused() -> None:
    with pytest.raises(AssessmentResultsRequired):
        a_session([])


def test_a_session_dated_after_today_is_refused() -> None:
    with pytest.raises(AssessmentDateInFuture):
        a_session([("S0001", 80)], held_on=TODAY + timedelta(days=1))


@pytest.mark.parametrize("title", ["", "   ", "题" * 101, "考试\x00", "考试\x07一"])
def test_a_title_empty_overlong_or_with_control_characters_is_refused(title: str) -> None:
    with pytest.raises(AssessmentTitleRequired):
        a_session([("S0001", 80)], title=title)


# Standings -------------------------------------------------------------------------------


def test_a_failure_makes_a_retest_due_until_a_later_result_passes() -> None:
    first = a_session([("S0001", 40), ("S0002", 80)], held_on=TODAY - timedelta(days=20))
    again = a_session([("S0001", 50)], held_on=TODAY - timedelta(days=10))
    passed = a_session([("S0001", 75)], held_on=TODAY)

    after_two = standings([*lines_of(first, 1), *lines_of(again, 2)])
    after_three = standings([*lines_of(first, 1), *lines_of(again, 2), *lines_of(passed, 3)])

    assert after_two["S0001"].retest_due
    assert after_two["S0001"].due_since.held_on == first.held_on  # type: ignore[union-attr]
    assert not after_two["S0002"].retest_due
    assert (after_three["S0001"].retest_due, after_three["S0001"].latest.result.score) == (
        False,
        75,
    )


def test_later_means_the_day_held_not_the_order_recorded() -> None:
    passed_later = a_session([("S0001", 90)], held_on=TODAY)
    failed_earlier = a_session([("S0001", 10)], held_on=TODAY - timedelta(days=3))

    standing = standings([*lines_of(passed_later, 1), *lines_of(failed_earlier, 2)])["S0001"]

    assert (standing.retest_due, standing.latest.result.score) == (False, 90)


def test_standings_list_by_department_then_staff() -> None:
    session = a_session([("S0010", 30), ("S0002", 50), ("S0001", 90)])

    found = StaffStanding.of(lines_of(session, 1))

    assert [(s.staff, s.retest_due) for s in found] == [
        ("S0001", False),
        ("S0002", True),
        ("S0010", True),
    ]


# The projection ------------------------------------------------------------------------


def test_the_list_row_holds_each_result_with_whether_it_passed() -> None:
    session = a_session([("S0001", 59), ("S0010", 60)])
    (event,) = session.collect_events()

    row = AssessmentListProjection().project(None, event, 7)

    assert row is not None
    assert (row["departments"], row["failed"], row["position"]) == (
        sorted([SAMPLE_DEPARTMENT, OTHER_DEPARTMENT]),
        1,
        7,
    )
    assert [r["passed"] for r in row["results"]] == [False, True]


# The application -----------------------------------------------------------------------


def recorded_session(supervision: Supervision, **fields: Any) -> Any:
    """What the application answers on recording a session, by default November's: S0001 fails
    with 58 and S0010 passes with 88 of a pass mark of 60."""
    arguments: dict[str, Any] = {
        "title": "11月千人千题",
        "held_on": TODAY,
        "pass_mark": 60,
        "results": [("S0001", 58), ("S0010", 88)],
        **fields,
    }
    return supervision.record_assessment(**arguments, by=INSPECTOR)


def test_an_inspector_records_a_session_against_the_directory(supervision: Supervision) -> None:
    recorded = recorded_session(supervision)

    assert (recorded.sat, recorded.failed) == (2, 1)
    assert recorded.position is not None
    assert supervision.get_assessment(recorded.id, INSPECTOR).results == recorded.results


def test_a_session_dated_after_the_office_day_is_refused(supervision: Supervision) -> None:
    with pytest.raises(AssessmentDateInFuture):
        recorded_session(
            supervision,
            title="明天的考试",
            held_on=TODAY + timedelta(days=1),
            results=[("S0001", 70)],
        )


def test_a_department_reads_only_its_own_staffs_results(supervision: Supervision) -> None:
    recorded = recorded_session(supervision)
    taxation = Actor("tax-1", Role.DEPARTMENT, department=OTHER_DEPARTMENT)

    shown = supervision.get_assessment(recorded.id, taxation)

    assert [r.staff for r in shown.results] == ["S0010"]
    assert (shown.sat, shown.failed) == (1, 0)


def test_a_department_none_of_whose_staff_sat_the_session_is_refused_it(
    supervision: Supervision,
) -> None:
    recorded = recorded_session(supervision, title="窗口业务考试", results=[("S0001", 70)])
    taxation = Actor("tax-1", Role.DEPARTMENT, department=OTHER_DEPARTMENT)

    with pytest.raises(AssessmentNotYours):
        supervision.get_assessment(recorded.id, taxation)
    with pytest.raises(AssessmentNotFound):
        supervision.get_assessment(uuid4(), INSPECTOR)
