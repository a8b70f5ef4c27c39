"""The case_list projection as a pure function: (row, event, position) → row.

A case is taken through its lifecycle with the application's verbs on the in-memory store;
its events are then folded through the projection from scratch. Moments are counted by hand on
the real 2026 calendar (only weekends between 20 November and 31 December), office hours
09:00–17:30 Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from application.projections import Row
from application.projections.case_list import CaseListProjection
from application.supervision import Supervision
from domain.actor import Actor
from domain.case import Case, Kind, Outcome, Satisfaction
from domain.personal_data import ERASED_TEXT
from domain.task_clock import next_alarm
from infrastructure.keyed_digests import PhoneDigests
from tests.factories import acknowledged_case, assign, assigned_case, registered_case
from tests.support import SettableTimeSource
from tests.unit.actors import DEEDS_DESK, INSPECTOR, OPERATOR
from tests.unit.case_story import at, close_of, publish_2027
from tests.unit.projection_fold import rows_after

DEEDS = "real-estate-registration"
TAXATION = "taxation"
PHONE_DIGESTS = PhoneDigests(bytes(32))
ZHANG = {"name": "张三", "phone": "13812345678", "address": "解放路 1 号", "anonymous": False}


def events_of(supervision: Supervision, case_id: UUID) -> list[Any]:
    return list(supervision.repository.event_store.get(case_id))


def fold(supervision: Supervision, events: list[Any]) -> list[Row]:
    """The row after each event, folded from scratch at positions 1, 2, 3…"""
    projection = CaseListProjection(
        calendar=lambda: supervision.calendar, phone_digest=PHONE_DIGESTS
    )
    rows = [row for row in rows_after(projection, events) if row is not None]
    assert len(rows) == len(events), "an event left no row"
    return rows


def versions(supervision: Supervision, case_id: UUID, count: int) -> Iterator[Case]:
    """The aggregate as it stood after each of its first `count` events."""
    for version in range(1, count + 1):
        yield supervision.repository.get(case_id, version=version)


def assert_row_agrees_with_the_aggregate(supervision: Supervision, case_id: UUID) -> list[Row]:
    """After every event, the row's deadlines and next clock moment are the aggregate's."""
    events = events_of(supervision, case_id)
    rows = fold(supervision, events)
    calendar = supervision.calendar
    for row, case in zip(rows, versions(supervision, case_id, len(events)), strict=True):
        acknowledge = case.acknowledge_deadline
        deadline = case.deadline
        assert row["status"] == case.status.value
        assert row["acknowledge_due_at"] == (acknowledge.due_at if acknowledge else None)
        assert row["due_at"] == (deadline.due_at if deadline else None)
        assert row["next_clock_at"] == next_alarm(case.clock_state, calendar)
    return rows


# The lifecycle ---------------------------------------------------------------------------------


@pytest.fixture
def lifecycle(supervision: Supervision, time_source: SettableTimeSource) -> UUID:
    """A complaint registered Fri 27 Nov 10:00 and taken through every step, one event each."""
    case_id = registered_case(supervision, OPERATOR)  # 1
    time_source.set(at(11, 27, 10, 30))
    assign(supervision, case_id, OPERATOR)  # 2
    time_source.set(at(11, 30, 9, 15))
    supervision.acknowledge_case(case_id, DEEDS_DESK)  # 3
    time_source.set(at(12, 1, 9))
    supervision.stop_case_clock(case_id, reason="等待申请人补充材料", by=DEEDS_DESK)  # 4
    time_source.set(at(12, 2, 9))
    supervision.resume_case_clock(case_id, DEEDS_DESK)  # 5
    time_source.set(at(12, 3, 9))
    supervision.request_extension(
        case_id, working_days=5, reason="需要现场勘查", by=DEEDS_DESK
    )  # 6
    time_source.set(at(12, 3, 10))
    supervision.grant_extension(case_id, INSPECTOR)  # 7
    time_source.set(at(12, 3, 11))
    supervision.add_case_note(case_id, text="已联系窗口负责人核实", public=True, by=DEEDS_DESK)  # 8
    time_source.set(at(12, 3, 11, 30))
    supervision.add_case_note(
        case_id, text="已致电张三 13812345678 了解情况", public=False, by=OPERATOR
    )  # 9
    time_source.set(at(12, 4, 10))
    supervision.post_result(
        case_id,
        outcome=Outcome.SUBSTANTIATED,
        actions="已对窗口人员批评教育",
        answer="经核实情况属实，已整改",
        by=DEEDS_DESK,
    )  # 10
    time_source.set(at(12, 4, 15))
    supervision.record_callback(
        case_id,
        reached=True,
        satisfaction=Satisfaction.DISSATISFIED,
        comment="仍需补交材料",
        by=OPERATOR,
    )  # 11
    time_source.set(at(12, 4, 16))
    supervision.close_case(case_id, OPERATOR)  # 12
    time_source.set(at(12, 7, 9))
    supervision.reopen_case(case_id, reason="投诉人对答复不满意", by=OPERATOR)  # 13
    time_source.set(at(12, 8, 10))
    supervision.post_result(
        case_id,
        outcome=Outcome.RESOLVED,
        actions="已一次性告知所需材料",
        answer="已为您办结抵押登记",
        by=DEEDS_DESK,
    )  # 14
    return case_id


STEPS = [
    "Registered",
    "Assigned",
    "Acknowledged",
    "ClockStopped",
    "ClockResumed",
    "ExtensionRequested",
    "ExtensionGranted",
    "NoteAdded",
    "NoteAdded",
    "ResultPosted",
    "CallbackRecorded",
    "Closed",
    "Reopened",
    "ResultPosted",
]


def test_the_row_follows_the_status_of_the_case_step_by_step(
    supervision: Supervision, lifecycle: UUID
) -> None:
    # when
    events = events_of(supervision, lifecycle)
    rows = fold(supervision, events)

    # then
    assert [type(e).__name__ for e in events] == STEPS
    assert [row["status"] for row in rows] == [
        "registered",
        "assigned",
        "in_progress",
        "in_progress",
        "in_progress",
        "in_progress",
        "in_progress",
        "in_progress",
        "in_progress",
        "answered",
        "answered",
        "closed",
        "in_progress",
        "answered",
    ]


def test_the_rows_deadlines_and_next_clock_moment_are_the_aggregates_at_every_step(
    supervision: Supervision, lifecycle: UUID
) -> None:
    assert_row_agrees_with_the_aggregate(supervision, lifecycle)


def test_the_rows_deadlines_and_clock_flags_step_by_step(
    supervision: Supervision, lifecycle: UUID
) -> None:
    # when
    rows = fold(supervision, events_of(supervision, lifecycle))
    registered, assigned, acknowledged, stopped, resumed, requested, granted = rows[:7]
    *_, answered, called_back, closed, reopened, answered_again = rows

    # then: registered, nothing to watch
    assert (registered["department"], registered["assigned_department"]) == (DEEDS, None)
    assert (registered["acknowledge_due_at"], registered["due_at"]) == (None, None)
    assert registered["next_clock_at"] is None

    # assigned Fri 27 Nov 10:30: acknowledge by Mon 30 Nov, handle by Fri 18 Dec
    assert (assigned["department"], assigned["assigned_department"]) == (DEEDS, DEEDS)
    assert assigned["acknowledge_due_at"] == close_of(11, 30)
    assert assigned["due_at"] == close_of(12, 18)
    assert assigned["provisional"] is False
    assert assigned["next_clock_at"] == close_of(11, 30)

    # acknowledged: next is the reminder, with 26.9 of 134.5 office hours left, Tue 15 Dec 16:06
    assert acknowledged["acknowledged_at"] == at(11, 30, 9, 15)
    assert acknowledged["next_clock_at"] == at(12, 15, 16, 6)

    # stopped: nothing to watch
    assert stopped["clock_stopped"] is True
    assert stopped["next_clock_at"] is None

    # resumed Wed 2 Dec 09:00: the 8.5 h of Tue 1 Dec added back, due Mon 21 Dec 17:30;
    # Fri 10:30 to Mon 21 Dec 17:30 is 143 h, 20% (28.6 h) left at Wed 16 Dec 14:24
    assert resumed["clock_stopped"] is False
    assert resumed["due_at"] == close_of(12, 21)
    assert resumed["next_clock_at"] == at(12, 16, 14, 24)

    # an extension of 5 working days asked, then granted: 22–25, 28 Dec, due Mon 28 Dec;
    # 185.5 h in all, 20% (37.1 h) left at Tue 22 Dec 14:24
    assert requested["extension_requested"] is True
    assert requested["due_at"] == close_of(12, 21)
    assert granted["extension_requested"] is False
    assert granted["due_at"] == close_of(12, 28)
    assert granted["next_clock_at"] == at(12, 22, 14, 24)

    # answered: the clock has nothing more to do
    assert answered["answered_at"] == at(12, 4, 10)
    assert answered["outcome"] == "substantiated"
    assert answered["next_clock_at"] is None
    assert called_back["satisfaction"] == "dissatisfied"
    assert closed["closed_at"] == at(12, 4, 16)
    assert closed["next_clock_at"] is None

    # reopened Mon 7 Dec 09:00: 15 working days from Tue 8 Dec, due Mon 28 Dec; 136 h in all,
    # 20% (27.2 h) left at Wed 23 Dec 15:48; answer, outcome and satisfaction reset
    assert reopened["reopenings"] == 1
    assert reopened["due_at"] == close_of(12, 28)
    assert reopened["handling_started_at"] == at(12, 7, 9)
    assert reopened["next_clock_at"] == at(12, 23, 15, 48)
    assert (reopened["answered_at"], reopened["closed_at"]) == (None, None)
    assert (reopened["outcome"], reopened["satisfaction"]) == (None, None)

    assert answered_again["answered_at"] == at(12, 8, 10)
    assert answered_again["outcome"] == "resolved"
    assert answered_again["satisfaction"] is None
    assert answered_again["reopenings"] == 1
    assert answered_again["next_clock_at"] is None


def test_the_public_timeline_holds_the_answers_and_public_notes_never_internal_ones(
    supervision: Supervision, lifecycle: UUID
) -> None:
    # when
    row = fold(supervision, events_of(supervision, lifecycle))[-1]

    # then
    assert row["public_timeline"] == [
        {"type": "note", "text": "已联系窗口负责人核实", "at": at(12, 3, 11).isoformat()},
        {"type": "answer", "text": "经核实情况属实，已整改", "at": at(12, 4, 10).isoformat()},
        {"type": "reopened", "text": None, "at": at(12, 7, 9).isoformat()},
        {"type": "answer", "text": "已为您办结抵押登记", "at": at(12, 8, 10).isoformat()},
    ]


def test_the_row_never_holds_the_complainants_identity(
    supervision: Supervision, lifecycle: UUID
) -> None:
    # when
    rows = fold(supervision, events_of(supervision, lifecycle))

    # then
    for row in rows:
        text = repr(row)
        assert "张三" not in text
        assert "13812345678" not in text
        assert "5678" not in text
        assert "解放路" not in text
        assert "complainant" not in row


def test_the_row_knows_the_caller_again_by_a_keyed_digest_of_the_phones_digits(
    supervision: Supervision, lifecycle: UUID
) -> None:
    # when
    rows = fold(supervision, events_of(supervision, lifecycle))

    # then
    assert {row["phone_digest"] for row in rows} == {PHONE_DIGESTS("13812345678")}
    assert PHONE_DIGESTS("13812345678") == PHONE_DIGESTS("13812345678")
    assert PHONE_DIGESTS("13812345678") != PhoneDigests(bytes(31) + b"x")("13812345678")


def test_the_row_records_the_positions_of_registration_and_of_the_last_event(
    supervision: Supervision, lifecycle: UUID
) -> None:
    # when
    rows = fold(supervision, events_of(supervision, lifecycle))

    # then
    assert [row["registered_position"] for row in rows] == [1] * len(STEPS)
    assert [row["last_position"] for row in rows] == list(range(1, len(STEPS) + 1))
    assert rows[-1]["updated_at"] == at(12, 8, 10)
    assert rows[-1]["id"] == lifecycle


def test_folding_the_same_events_twice_from_scratch_gives_equal_rows(
    supervision: Supervision, lifecycle: UUID
) -> None:
    # given
    events = events_of(supervision, lifecycle)

    # when
    first = fold(supervision, events)
    second = fold(supervision, events)

    # then
    assert first == second


def test_projecting_does_not_change_the_row_it_was_given(
    supervision: Supervision, lifecycle: UUID
) -> None:
    # given
    events = events_of(supervision, lifecycle)
    projection = CaseListProjection(
        calendar=lambda: supervision.calendar, phone_digest=PHONE_DIGESTS
    )
    registered = projection.project(None, events[0], 1)
    assert registered is not None
    snapshot = dict(registered)

    # when
    projection.project(registered, events[1], 2)

    # then
    assert registered == snapshot


# Returns, arbitration and merging -------------------------------------------------------------


def test_a_returned_case_has_no_department_and_no_deadlines_until_assigned_again(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given
    case_id = assigned_case(supervision, OPERATOR)
    time_source.set(at(11, 27, 11))
    supervision.return_case(case_id, reason="应由税务局办理", by=DEEDS_DESK)
    time_source.set(at(11, 27, 14))
    assign(supervision, case_id, OPERATOR, department=TAXATION, final=True)

    # when
    rows = assert_row_agrees_with_the_aggregate(supervision, case_id)
    returned, assigned_again = rows[2], rows[3]

    # then
    assert returned["status"] == "returned"
    assert returned["assigned_department"] is None
    assert (returned["acknowledge_due_at"], returned["due_at"]) == (None, None)
    assert returned["next_clock_at"] is None
    assert (returned["return_reason"], returned["returned_by"]) == ("应由税务局办理", DEEDS)
    assert assigned_again["assigned_department"] == TAXATION
    assert assigned_again["department"] == TAXATION
    assert assigned_again["final"] is True
    assert assigned_again["acknowledge_due_at"] == close_of(11, 30)
    assert assigned_again["due_at"] == close_of(12, 18)
    assert assigned_again["handling_started_at"] == at(11, 27, 14)


def test_a_merged_case_names_the_case_it_was_merged_into_and_is_no_longer_watched(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given
    first = registered_case(supervision, OPERATOR)
    duplicate = assigned_case(supervision, OPERATOR)
    time_source.set(at(11, 27, 11))
    supervision.merge_case(duplicate, into=first, by=OPERATOR)

    # when
    rows = assert_row_agrees_with_the_aggregate(supervision, duplicate)

    # then
    assert rows[-1]["status"] == "merged"
    assert rows[-1]["merged_into"] == str(first)
    assert rows[-1]["next_clock_at"] is None


def test_merging_a_case_whose_clock_is_stopped_clears_the_flags_as_the_aggregate_does(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given
    first = registered_case(supervision, OPERATOR)
    duplicate = acknowledged_case(supervision)
    supervision.request_extension(duplicate, working_days=5, reason="需要现场勘查", by=DEEDS_DESK)
    supervision.stop_case_clock(duplicate, reason="等待申请人补充材料", by=DEEDS_DESK)
    time_source.set(at(11, 27, 11))
    view = supervision.merge_case(duplicate, into=first, by=OPERATOR)

    # when
    row = fold(supervision, events_of(supervision, duplicate))[-1]

    # then
    assert (view.clock_stopped, view.pending_extension) == (False, None)
    assert (row["clock_stopped"], row["extension_requested"]) == (False, False)


def test_resuming_the_clock_leaves_a_pending_extension_request_on_the_row(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given: an extension asked, then the clock stopped and resumed while it waits
    case_id = acknowledged_case(supervision)
    time_source.set(at(11, 30, 9))
    supervision.request_extension(case_id, working_days=5, reason="需要现场勘查", by=DEEDS_DESK)
    supervision.stop_case_clock(case_id, reason="等待申请人补充材料", by=DEEDS_DESK)
    time_source.set(at(11, 30, 12))
    view = supervision.resume_case_clock(case_id, DEEDS_DESK)

    # when
    row = fold(supervision, events_of(supervision, case_id))[-1]

    # then
    assert view.pending_extension is not None
    assert row["extension_requested"] is True


# The clock's own events -----------------------------------------------------------------------


def test_the_row_follows_the_clocks_own_events_and_looks_again_only_when_needed(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given: assigned Fri 27 Nov 10:00, never acknowledged; the clock catches up Mon 21 Dec
    case_id = assigned_case(supervision, OPERATOR)
    time_source.set(at(12, 21, 9))
    supervision.observe_case_clock(case_id)
    time_source.set(at(12, 21, 9, 30))
    supervision.acknowledge_case(case_id, DEEDS_DESK)
    time_source.set(at(12, 21, 10))
    supervision.supervise_case(case_id, note="已超期，请加快办理", by=INSPECTOR)
    time_source.set(at(12, 28, 10))
    supervision.observe_case_clock(case_id)

    # when
    rows = assert_row_agrees_with_the_aggregate(supervision, case_id)

    # then
    names = [type(e).__name__ for e in events_of(supervision, case_id)]
    assert names == [
        "Registered",
        "Assigned",
        "AcknowledgeDeadlineMissed",
        "Reminded",
        "DeadlineMissed",
        "Acknowledged",
        "Supervised",
        "Escalated",
        "PublicNoticeFlagged",
    ]
    # Fri 10:00 to Fri 18 Dec 17:30 is 135 h; 20% (27 h) is left at Tue 15 Dec 16:00
    (missed_ack, reminded, missed, acknowledged, supervised, escalated, flagged) = rows[2:]
    assert missed_ack["acknowledge_missed_for"] == close_of(11, 30)
    assert missed_ack["next_clock_at"] == at(12, 15, 16)
    assert (reminded["reminded_for"], reminded["reminded_at"]) == (close_of(12, 18), at(12, 21, 9))
    assert reminded["next_clock_at"] == close_of(12, 18)
    assert missed["due_missed_for"] == close_of(12, 18)
    assert missed["next_clock_at"] is None
    assert acknowledged["next_clock_at"] is None
    # supervised Mon 21 Dec 10:00: five office days later is Mon 28 Dec 10:00
    assert supervised["supervised_at"] == at(12, 21, 10)
    assert supervised["next_clock_at"] == at(12, 28, 10)
    assert escalated["escalated_at"] == at(12, 28, 10)
    assert escalated["next_clock_at"] == at(12, 28, 10)
    assert flagged["public_notice_at"] == at(12, 28, 10)
    assert flagged["next_clock_at"] is None


def test_a_provisional_row_becomes_final_when_the_deadlines_are_recomputed(
    supervision: Supervision, time_source: SettableTimeSource, admin: Actor
) -> None:
    # given: assigned Mon 28 Dec 10:00; due provisionally Tue 19 Jan 2027
    time_source.set(at(12, 28, 10))
    case_id = assigned_case(supervision, OPERATOR)
    provisional = fold(supervision, events_of(supervision, case_id))[-1]
    time_source.set(at(12, 28, 11))
    publish_2027(supervision, admin)
    supervision.recompute_case_deadlines(case_id)

    # when
    rows = assert_row_agrees_with_the_aggregate(supervision, case_id)

    # then: Sat 9 Jan 2027 is worked, so the 15th working day is Mon 18 Jan
    assert provisional["provisional"] is True
    assert provisional["due_at"] == close_of(1, 19, year=2027)
    assert rows[-1]["provisional"] is False
    assert rows[-1]["acknowledge_due_at"] == close_of(12, 29)
    assert rows[-1]["due_at"] == close_of(1, 18, year=2027)


# What a department reads of the summary, and erasure ------------------------------------------

SIMA = {"name": "司马光华", "phone": "13812340000", "address": None, "anonymous": False}
SIMA_REPORTS = "举报人司马光华（138 1234 0000）反映窗口吃拿卡要"


def register_report(supervision: Supervision, by: Actor) -> UUID:
    return registered_case(
        supervision,
        by,
        kind=Kind.REPORT,
        staff="S0001",
        category="integrity",
        summary=SIMA_REPORTS,
        details="",
        complainant=dict(SIMA),
    )


def test_a_department_reads_a_reports_summary_without_the_reporters_name_or_phone(
    supervision: Supervision,
) -> None:
    # given
    case_id = register_report(supervision, OPERATOR)

    # when
    (row,) = fold(supervision, events_of(supervision, case_id))

    # then
    assert row["summary"] == SIMA_REPORTS
    assert row["department_summary"] == "举报人***（***）反映窗口吃拿卡要"


def test_a_department_reads_a_complaints_summary_with_the_surname_and_a_masked_phone(
    supervision: Supervision,
) -> None:
    # given
    case_id = registered_case(
        supervision, OPERATOR, summary="张三（13812345678）反映窗口人员态度生硬", complainant=ZHANG
    )

    # when
    (row,) = fold(supervision, events_of(supervision, case_id))

    # then
    assert row["department_summary"] == "张**（138****5678）反映窗口人员态度生硬"


def test_erasure_leaves_no_summary_on_the_row_and_a_rebuild_writes_the_same_row(
    supervision: Supervision,
) -> None:
    # given: the row as the live projection kept it, up to the erasure
    case_id = register_report(supervision, OPERATOR)
    assign(supervision, case_id, OPERATOR)
    live = fold(supervision, events_of(supervision, case_id))[-1]
    supervision.erase_personal_data(case_id, reason="本人申请删除个人信息", by=INSPECTOR)
    erasure = events_of(supervision, case_id)[-1]
    projection = CaseListProjection(
        calendar=lambda: supervision.calendar, phone_digest=PHONE_DIGESTS
    )

    # when
    after_erasure = projection.project(live, erasure, 3)
    rebuilt = fold(supervision, events_of(supervision, case_id))[-1]  # the key is gone now

    # then
    assert after_erasure is not None
    assert after_erasure["summary"] == after_erasure["department_summary"] == ERASED_TEXT
    assert live["phone_digest"] is not None
    assert after_erasure["phone_digest"] is None
    assert after_erasure == rebuilt
    assert (rebuilt["kind"], rebuilt["status"], rebuilt["window_id"]) == (
        "report",
        "assigned",
        "W-A01",
    )
    assert "司马" not in repr(rebuilt)
