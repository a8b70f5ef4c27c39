"""The case_assignments projection as a pure function: (row, event, position) → row.

Cases are taken through their steps with the application's verbs on the in-memory store;
their events are then folded through the projection from scratch. Moments are counted on
the real 2026 calendar (only weekends between 20 November and 31 December), office hours
09:00–17:30 Asia/Shanghai: a complaint assigned on Friday 27 November must be acknowledged
by Monday 30 November 17:30 and answered within 15 working days, by Friday 18 December.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.projections import Row
from application.projections.case_assignments import CaseAssignmentsProjection
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Case, Kind, Satisfaction
from tests.factories import acknowledged_case, answer, assign, assigned_case, registered_case
from tests.support import SettableTimeSource
from tests.unit.actors import DEEDS_DESK, INSPECTOR, OPERATOR
from tests.unit.case_story import publish_2027
from tests.unit.projection_fold import rows_after

DEEDS = "real-estate-registration"
TAXATION = "taxation"
TAX_DESK = Actor(principal="tax-desk", role=Role.DEPARTMENT, department=TAXATION)


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> str:
    """A moment in the service centre's time zone, as the table keeps it (ISO 8601)."""
    return datetime(year, month, day, hour, minute, tzinfo=OFFICE_TZ).isoformat()


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def fold(supervision: Supervision, case_id: UUID) -> list[Row | None]:
    """The row after each of the case's events, folded from scratch at positions 1, 2, 3…"""
    return rows_after(CaseAssignmentsProjection(), supervision.repository.event_store.get(case_id))


def assignments(supervision: Supervision, case_id: UUID) -> list[dict[str, Any]]:
    row = fold(supervision, case_id)[-1]
    assert row is not None
    return row["assignments"]


def assert_the_holding_entry_agrees_with_the_aggregate(
    supervision: Supervision, case_id: UUID
) -> None:
    """After every event, the entry of the department holding the case has the aggregate's
    department, deadlines and acknowledgement; with no department, no entry is open."""
    for version, row in enumerate(fold(supervision, case_id), start=1):
        case: Case = supervision.repository.get(case_id, version=version)
        if row is None:
            assert case.assigned_at is None
            continue
        holding = row["assignments"][-1]
        if case.assigned_department is None:
            assert holding["left_at"] is not None
            continue
        assert holding["left_at"] is None
        assert holding["department"] == case.assigned_department
        assert holding["assigned_at"] == case.assigned_at.isoformat()  # type: ignore[union-attr]
        assert moment(holding["acknowledge_due_at"]) == case.acknowledge_deadline.due_at  # type: ignore[union-attr]
        due = case.deadline.due_at if case.deadline else None
        assert (moment(holding["due_at"]) if holding["due_at"] else None) == due
        acknowledged = case.acknowledged_at.isoformat() if case.acknowledged_at else None
        assert holding["acknowledged_at"] == acknowledged


def test_a_case_never_assigned_has_no_row(supervision: Supervision) -> None:
    case_id = registered_case(supervision, OPERATOR)
    supervision.add_case_note(case_id, text="等待分派", public=False, by=OPERATOR)

    assert fold(supervision, case_id) == [None, None]


def test_a_case_handled_by_one_department_has_one_entry_from_assignment_to_closing(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = registered_case(supervision, OPERATOR)
    time_source.set(moment(at(11, 27, 10, 30)))
    assign(supervision, case_id, OPERATOR)
    time_source.set(moment(at(11, 30, 9, 15)))
    supervision.acknowledge_case(case_id, DEEDS_DESK)
    time_source.set(moment(at(12, 4, 10)))
    answer(supervision, case_id, DEEDS_DESK)
    time_source.set(moment(at(12, 4, 15)))
    supervision.record_callback(
        case_id, reached=True, satisfaction=Satisfaction.SATISFIED, comment=None, by=OPERATOR
    )
    time_source.set(moment(at(12, 4, 16)))
    supervision.close_case(case_id, OPERATOR)

    rows = fold(supervision, case_id)

    assert rows[-1] is not None
    assert rows[-1]["case_id"] == case_id
    assert (
        rows[-1]["first_assigned_at"] == rows[-1]["last_assigned_at"] == moment(at(11, 27, 10, 30))
    )
    (entry,) = rows[-1]["assignments"]
    assert entry == {
        "department": DEEDS,
        "position": 2,
        "assigned_at": at(11, 27, 10, 30),
        "acknowledge_due_at": at(11, 30, 17, 30),
        "due_at": at(12, 18, 17, 30),
        "acknowledged_at": at(11, 30, 9, 15),
        "clock_stopped_at": None,
        "answered_at": at(12, 4, 10),
        "closed_at": at(12, 4, 16),
        "satisfaction": "satisfied",
        "left_at": None,
        "left_by": None,
    }
    assert_the_holding_entry_agrees_with_the_aggregate(supervision, case_id)


def test_a_department_that_returned_a_case_keeps_its_entry_beside_the_next_ones(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given: assigned to the deeds office, which lets its acknowledge deadline pass and
    # returns the case; the centre hands it to taxation, which answers it on time
    case_id = assigned_case(supervision, OPERATOR)
    time_source.set(moment(at(12, 1, 10)))
    supervision.return_case(case_id, reason="不属于本部门职责", by=DEEDS_DESK)
    time_source.set(moment(at(12, 1, 11)))
    assign(supervision, case_id, OPERATOR, department=TAXATION)
    time_source.set(moment(at(12, 2, 9)))
    supervision.acknowledge_case(case_id, TAX_DESK)
    time_source.set(moment(at(12, 3, 9)))
    answer(supervision, case_id, TAX_DESK)

    # when
    deeds, taxation = assignments(supervision, case_id)

    # then
    assert (deeds["department"], deeds["acknowledged_at"]) == (DEEDS, None)
    assert deeds["acknowledge_due_at"] == at(11, 30, 17, 30)
    assert (deeds["left_at"], deeds["left_by"]) == (at(12, 1, 10), "returned")
    assert (taxation["department"], taxation["assigned_at"]) == (TAXATION, at(12, 1, 11))
    assert taxation["acknowledge_due_at"] == at(12, 2, 17, 30)
    assert taxation["acknowledged_at"] == at(12, 2, 9)
    assert taxation["answered_at"] == at(12, 3, 9)
    assert taxation["left_at"] is None
    assert_the_holding_entry_agrees_with_the_aggregate(supervision, case_id)


def test_a_case_the_centre_reassigns_before_acknowledgement_ends_the_first_entry(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = assigned_case(supervision, OPERATOR)
    time_source.set(moment(at(11, 27, 14)))
    assign(supervision, case_id, OPERATOR, department=TAXATION)

    rows = fold(supervision, case_id)
    deeds, taxation = rows[-1]["assignments"]  # type: ignore[index]

    assert (deeds["left_at"], deeds["left_by"]) == (at(11, 27, 14), "reassigned")
    assert (taxation["department"], taxation["left_at"]) == (TAXATION, None)
    assert rows[-1]["first_assigned_at"] == moment(at(11, 27, 10))  # type: ignore[index]
    assert rows[-1]["last_assigned_at"] == moment(at(11, 27, 14))  # type: ignore[index]
    assert_the_holding_entry_agrees_with_the_aggregate(supervision, case_id)


def test_what_happens_after_a_case_left_a_department_does_not_change_its_entry(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = acknowledged_case(supervision)
    time_source.set(moment(at(11, 30, 10)))
    supervision.return_case(case_id, reason="不属于本部门职责", by=DEEDS_DESK)
    returned = assignments(supervision, case_id)
    first = registered_case(supervision, OPERATOR)
    time_source.set(moment(at(11, 30, 11)))
    supervision.merge_case(case_id, into=first, by=OPERATOR)

    assert assignments(supervision, case_id) == returned
    assert returned[0]["left_by"] == "returned"


def test_a_case_merged_while_a_department_holds_it_leaves_that_department(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    first = registered_case(supervision, OPERATOR)
    duplicate = assigned_case(supervision, OPERATOR)
    time_source.set(moment(at(11, 27, 15)))
    supervision.merge_case(duplicate, into=first, by=OPERATOR)

    (entry,) = assignments(supervision, duplicate)

    assert (entry["left_at"], entry["left_by"]) == (at(11, 27, 15), "merged")


def test_a_stopped_clock_and_an_extension_move_the_deadline_of_the_holding_entry(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = acknowledged_case(supervision)
    time_source.set(moment(at(12, 1, 9)))
    supervision.stop_case_clock(case_id, reason="等待申请人补充材料", by=DEEDS_DESK)
    stopped = assignments(supervision, case_id)[0]
    time_source.set(moment(at(12, 2, 9)))
    supervision.resume_case_clock(case_id, DEEDS_DESK)
    resumed = assignments(supervision, case_id)[0]
    time_source.set(moment(at(12, 3, 9)))
    supervision.request_extension(case_id, working_days=5, reason="需要现场勘查", by=DEEDS_DESK)
    supervision.grant_extension(case_id, INSPECTOR)
    extended = assignments(supervision, case_id)[0]

    assert stopped["clock_stopped_at"] == at(12, 1, 9)
    assert stopped["due_at"] == at(12, 18, 17, 30)
    # one working day stood still: due a working day later, the clock running again
    assert (resumed["clock_stopped_at"], resumed["due_at"]) == (None, at(12, 21, 17, 30))
    assert extended["due_at"] == at(12, 28, 17, 30)
    assert_the_holding_entry_agrees_with_the_aggregate(supervision, case_id)


def test_a_reopened_case_is_judged_again_on_its_new_deadline(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = acknowledged_case(supervision)
    time_source.set(moment(at(12, 4, 10)))
    answer(supervision, case_id, DEEDS_DESK)
    supervision.record_callback(
        case_id, reached=True, satisfaction=Satisfaction.DISSATISFIED, comment=None, by=OPERATOR
    )
    supervision.close_case(case_id, OPERATOR)
    time_source.set(moment(at(12, 7, 9)))
    supervision.reopen_case(case_id, reason="投诉人对答复不满意", by=OPERATOR)

    (entry,) = assignments(supervision, case_id)

    assert entry["answered_at"] is None
    assert entry["closed_at"] is None
    assert entry["satisfaction"] is None
    assert entry["acknowledged_at"] == at(11, 27, 10)
    assert entry["due_at"] == at(12, 28, 17, 30)  # 15 working days from Tue 8 Dec
    assert entry["left_at"] is None
    assert_the_holding_entry_agrees_with_the_aggregate(supervision, case_id)


def test_recomputed_deadlines_replace_the_provisional_ones_of_the_holding_entry(
    supervision: Supervision, time_source: SettableTimeSource, admin: Actor
) -> None:
    # given: assigned Mon 28 Dec 10:00; due provisionally Tue 19 Jan 2027
    time_source.set(moment(at(12, 28, 10)))
    case_id = assigned_case(supervision, OPERATOR)
    provisional = assignments(supervision, case_id)[0]
    publish_2027(supervision, admin)
    supervision.recompute_case_deadlines(case_id)

    (entry,) = assignments(supervision, case_id)

    assert provisional["due_at"] == at(1, 19, 17, 30, year=2027)
    assert entry["due_at"] == at(1, 18, 17, 30, year=2027)  # Sat 9 Jan 2027 is worked
    assert_the_holding_entry_agrees_with_the_aggregate(supervision, case_id)


def test_praise_has_no_handling_deadline_and_closes_once_acknowledged(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = assigned_case(supervision, OPERATOR, kind=Kind.PRAISE)
    supervision.acknowledge_case(case_id, DEEDS_DESK)
    time_source.set(moment(at(11, 27, 11)))
    supervision.close_case(case_id, OPERATOR)

    (entry,) = assignments(supervision, case_id)

    assert entry["due_at"] is None
    assert (entry["answered_at"], entry["closed_at"]) == (None, at(11, 27, 11))
