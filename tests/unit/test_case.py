"""The Case aggregate (DESIGN §5): one test per transition and one per broken rule.

Every date is counted by hand on the real 2026 calendar. There is no public holiday between
20 November and 31 December 2026, so only weekends are skipped:

    Fri 27 Nov | Sat 28, Sun 29 | Mon 30 Nov .. Fri 4 Dec | Mon 7 .. Fri 11 | Mon 14 .. Fri 18
    | Mon 21 .. Fri 25 | Mon 28 .. Thu 31 Dec

A deadline ends at the close of office, 17:30 Asia/Shanghai, and counting starts the working day
after assignment (次日起算).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from domain.actor import Actor, Role
from domain.case import (
    Case,
    CaseArbitrated,
    CaseClosed,
    CaseMerged,
    CaseNotAcknowledged,
    CaseNotAnswered,
    CaseNotAssigned,
    CaseNotOverdue,
    CaseStatusForbids,
    Channel,
    ClockAlreadyStopped,
    ClockNotStopped,
    DeadlineAlreadyPassed,
    ExtensionAfterDeadline,
    ExtensionAlreadyRequested,
    ExtensionOutOfRange,
    Kind,
    MergeIntoItself,
    NoExtensionRequested,
    NoHandlingDeadline,
    NotAssignedDepartment,
    ReasonRequired,
    ReopenLimitReached,
    ReopenWindowExpired,
    Satisfaction,
    SatisfactionRequired,
    Status,
)
from domain.errors import Invalid
from domain.privacy import complainant_for, mask_phone
from domain.tracking import TrackingSequence, sequence_id, tracking_number
from tests.unit.case_story import (
    ACKNOWLEDGED_AT,
    ANSWERED_AT,
    ASSIGNED_AT,
    CALLED_BACK_AT,
    CLOSED_AT,
    COMPLAINT_ACKNOWLEDGE_BY,
    COMPLAINT_DUE,
    REGISTERED_AT,
    ZHANG,
    Given,
    at,
    close_of,
    recorded,
    refused,
)

# Registration -------------------------------------------------------------------------------


def test_registering_a_case_records_what_the_citizen_brought(given: Given) -> None:
    # when
    case = given.registered(collect=False)

    # then
    assert recorded(case) == ["Registered"]
    assert case.status is Status.REGISTERED
    assert case.kind is Kind.COMPLAINT
    assert case.channel is Channel.HOTLINE
    assert (case.department, case.window, case.staff) == (
        "real-estate-registration",
        "W-A01",
        "S0001",
    )
    assert case.complainant == ZHANG
    assert case.registered_by == given.operator
    assert case.created_on == REGISTERED_AT
    assert case.assigned_department is None
    assert case.deadline is None
    assert case.version == 1


@pytest.mark.parametrize("summary", ["", "   "])
def test_a_case_cannot_be_registered_without_a_summary(given: Given, summary: str) -> None:
    with pytest.raises(Invalid):
        given.registered(summary=summary)


# Assignment ---------------------------------------------------------------------------------


def test_assigning_a_case_hands_it_to_the_department_with_its_deadlines(given: Given) -> None:
    # given
    case = given.registered()

    # when
    given.assign(case, note="请核实窗口人员态度问题")

    # then
    assert recorded(case) == ["Assigned"]
    assert case.status is Status.ASSIGNED
    assert case.assigned_department == "real-estate-registration"
    assert case.assigned_at == ASSIGNED_AT
    assert case.final is False
    assert case.acknowledge_deadline is not None
    assert case.acknowledge_deadline.due_at == COMPLAINT_ACKNOWLEDGE_BY
    assert case.acknowledge_deadline.policy == "complaint.acknowledge"
    assert case.deadline is not None
    assert case.deadline.due_at == COMPLAINT_DUE
    assert (case.deadline.policy, case.deadline.amount) == ("complaint.handle", 15)
    assert case.deadline.counted_from == ASSIGNED_AT


@pytest.mark.parametrize(
    ("kind", "due"),
    [
        pytest.param(Kind.CONSULTATION, close_of(12, 1), id="consultation: 2 days, Tue 1 Dec"),
        pytest.param(Kind.REQUEST, close_of(12, 4), id="request: 5 days, Fri 4 Dec"),
        pytest.param(Kind.SUGGESTION, close_of(12, 11), id="suggestion: 10 days, Fri 11 Dec"),
        pytest.param(Kind.COMPLAINT, close_of(12, 18), id="complaint: 15 days, Fri 18 Dec"),
        pytest.param(Kind.REPORT, close_of(12, 18), id="report: 15 days, Fri 18 Dec"),
        pytest.param(Kind.PRAISE, None, id="praise: no handling deadline"),
    ],
)
def test_the_handling_deadline_follows_the_kind_of_case(
    given: Given, kind: Kind, due: datetime | None
) -> None:
    # given
    case = given.registered(kind)

    # when
    given.assign(case)

    # then
    assert case.acknowledge_deadline is not None
    assert case.acknowledge_deadline.due_at == close_of(11, 30)
    assert (case.deadline.due_at if case.deadline else None) == due


def test_an_urgent_case_is_acknowledged_within_two_clock_hours_and_handled_next_working_day(
    given: Given,
) -> None:
    # given
    case = given.registered(urgent=True)

    # when: Friday 10:30
    given.assign(case)

    # then
    assert case.urgent is True
    assert case.acknowledge_deadline is not None
    assert case.acknowledge_deadline.due_at == at(11, 27, 12, 30)
    assert case.acknowledge_deadline.unit == "clock_hours"
    assert case.deadline is not None
    assert case.deadline.due_at == close_of(11, 30)
    assert case.deadline.policy == "urgent.handle"


def test_the_two_urgent_hours_run_past_the_close_of_office(given: Given) -> None:
    # given
    case = given.registered(urgent=True)

    # when: Friday 16:30, an hour before closing
    given.assign(case, when=at(11, 27, 16, 30))

    # then: clock hours, not office hours
    assert case.acknowledge_deadline is not None
    assert case.acknowledge_deadline.due_at == at(11, 27, 18, 30)


def test_assigning_without_saying_keeps_the_urgency_given_at_registration(given: Given) -> None:
    # given
    case = given.registered(urgent=True)

    # when
    given.assign(case, urgent=None)

    # then
    assert case.urgent is True
    assert case.deadline is not None
    assert case.deadline.due_at == close_of(11, 30)


def test_the_operator_may_mark_a_case_urgent_when_assigning_it(given: Given) -> None:
    # given
    case = given.registered(urgent=False)

    # when
    given.assign(case, urgent=True)

    # then
    assert case.urgent is True
    assert case.acknowledge_deadline is not None
    assert case.acknowledge_deadline.due_at == at(11, 27, 12, 30)


def test_assigning_as_final_arbitrates_the_case(given: Given) -> None:
    # given
    case = given.registered()

    # when
    given.assign(case, final=True)

    # then
    assert case.final is True
    assert case.status is Status.ASSIGNED


def test_an_assigned_case_can_be_reassigned_before_it_is_acknowledged(given: Given) -> None:
    # given
    case = given.assigned()

    # when: Monday 30 Nov 11:00, to the tax bureau
    given.assign(case, when=at(11, 30, 11), department="taxation")

    # then: deadlines counted again from the reassignment
    assert recorded(case) == ["Assigned"]
    assert case.assigned_department == "taxation"
    assert case.department == "taxation"
    assert case.assigned_at == at(11, 30, 11)
    assert case.acknowledge_deadline is not None
    assert case.acknowledge_deadline.due_at == close_of(12, 1)
    assert case.deadline is not None
    # 1 Dec–4 Dec, 7–11, 14–18 are 14 working days; Mon 21 Dec is the 15th
    assert case.deadline.due_at == close_of(12, 21)


def test_a_returned_case_can_be_assigned_again(given: Given) -> None:
    # given
    case = given.assigned()
    case.return_to_sender(reason="不属于本部门职责", by=given.department, at=at(11, 30, 9))
    case.collect_events()

    # when
    given.assign(case, when=at(11, 30, 14), department="taxation", final=True)

    # then
    assert recorded(case) == ["Assigned"]
    assert case.status is Status.ASSIGNED
    assert case.assigned_department == "taxation"
    assert case.final is True
    assert case.acknowledge_deadline is not None
    assert case.acknowledge_deadline.due_at == close_of(12, 1)
    assert case.deadline is not None
    assert case.deadline.due_at == close_of(12, 21)


def test_an_acknowledged_case_cannot_be_reassigned(given: Given) -> None:
    case = given.acknowledged()

    with refused(CaseStatusForbids, case):
        given.assign(case, when=at(11, 30, 9), department="taxation")


def test_a_closed_case_cannot_be_assigned(given: Given) -> None:
    case = given.closed()

    with refused(CaseClosed, case):
        given.assign(case, when=at(12, 7, 9))


# Acknowledging ------------------------------------------------------------------------------


def test_the_assigned_department_acknowledges_a_case(given: Given) -> None:
    # given
    case = given.assigned()

    # when
    case.acknowledge(by=given.department, at=ACKNOWLEDGED_AT)

    # then
    assert recorded(case) == ["Acknowledged"]
    assert case.status is Status.IN_PROGRESS
    assert case.acknowledged_at == ACKNOWLEDGED_AT


def test_only_the_assigned_department_can_acknowledge_a_case(given: Given) -> None:
    case = given.assigned()

    with refused(NotAssignedDepartment, case):
        case.acknowledge(by=given.other_department, at=ACKNOWLEDGED_AT)


def test_an_operator_cannot_acknowledge_a_case_for_the_department(given: Given) -> None:
    case = given.assigned()

    with refused(NotAssignedDepartment, case):
        case.acknowledge(by=given.operator, at=ACKNOWLEDGED_AT)


def test_a_case_cannot_be_acknowledged_before_it_is_assigned(given: Given) -> None:
    case = given.registered()

    with refused(CaseNotAssigned, case):
        case.acknowledge(by=given.department, at=ACKNOWLEDGED_AT)


def test_a_returned_case_cannot_be_acknowledged(given: Given) -> None:
    case = given.assigned()
    case.return_to_sender(reason="不属于本部门职责", by=given.department, at=at(11, 30, 9))
    case.collect_events()

    with refused(CaseNotAssigned, case):
        case.acknowledge(by=given.department, at=at(11, 30, 10))


def test_a_case_cannot_be_acknowledged_twice(given: Given) -> None:
    case = given.acknowledged()

    with refused(CaseStatusForbids, case):
        case.acknowledge(by=given.department, at=at(11, 30, 9))


# Returning ------------------------------------------------------------------------------------


def test_the_department_returns_a_case_that_is_not_theirs(given: Given) -> None:
    # given
    case = given.assigned()

    # when
    case.return_to_sender(reason="不属于本部门职责", by=given.department, at=at(11, 30, 9))

    # then
    assert recorded(case) == ["Returned"]
    assert case.status is Status.RETURNED
    assert case.assigned_department is None
    assert case.acknowledge_deadline is None
    assert case.deadline is None
    assert case.returns == 1
    assert case.pending_events[-1].reason == "不属于本部门职责"


def test_an_acknowledged_case_can_still_be_returned(given: Given) -> None:
    # given
    case = given.acknowledged()

    # when
    case.return_to_sender(reason="应由税务局办理", by=given.department, at=at(11, 30, 9))

    # then
    assert case.status is Status.RETURNED


@pytest.mark.parametrize("reason", ["", "  "])
def test_returning_a_case_needs_a_reason(given: Given, reason: str) -> None:
    case = given.assigned()

    with refused(ReasonRequired, case):
        case.return_to_sender(reason=reason, by=given.department, at=at(11, 30, 9))


def test_an_arbitrated_case_cannot_be_returned(given: Given) -> None:
    case = given.assigned(final=True)

    with refused(CaseArbitrated, case):
        case.return_to_sender(reason="不属于本部门职责", by=given.department, at=at(11, 30, 9))


def test_another_department_cannot_return_a_case(given: Given) -> None:
    case = given.assigned()

    with refused(NotAssignedDepartment, case):
        case.return_to_sender(
            reason="不属于本部门职责", by=given.other_department, at=at(11, 30, 9)
        )


def test_an_answered_case_cannot_be_returned(given: Given) -> None:
    case = given.answered()

    with refused(CaseStatusForbids, case):
        case.return_to_sender(reason="不属于本部门职责", by=given.department, at=at(12, 4, 9))


# The clock ------------------------------------------------------------------------------------


def test_the_department_stops_the_clock_while_waiting_on_the_complainant(given: Given) -> None:
    # given
    case = given.acknowledged()

    # when
    given.stop_clock(case, at(11, 30, 9))

    # then
    assert recorded(case) == ["ClockStopped"]
    assert case.clock_stopped is True
    assert case.clock_stopped_at == at(11, 30, 9)
    assert case.status is Status.IN_PROGRESS


def test_the_clock_cannot_be_stopped_before_acknowledging(given: Given) -> None:
    case = given.assigned()

    with refused(CaseNotAcknowledged, case):
        given.stop_clock(case, at(11, 30, 9))


def test_the_clock_cannot_be_stopped_twice(given: Given) -> None:
    case = given.acknowledged()
    given.stop_clock(case, at(11, 30, 9))
    case.collect_events()

    with refused(ClockAlreadyStopped, case):
        given.stop_clock(case, at(11, 30, 10))


def test_the_clock_cannot_be_stopped_once_the_deadline_has_passed(given: Given) -> None:
    case = given.acknowledged()

    with refused(DeadlineAlreadyPassed, case):
        given.stop_clock(case, at(12, 21, 9))


def test_stopping_the_clock_needs_a_reason(given: Given) -> None:
    case = given.acknowledged()

    with refused(ReasonRequired, case):
        case.stop_clock(reason=" ", by=given.department, at=at(11, 30, 9))


def test_another_department_cannot_stop_the_clock(given: Given) -> None:
    case = given.acknowledged()

    with refused(NotAssignedDepartment, case):
        case.stop_clock(reason="等待材料", by=given.other_department, at=at(11, 30, 9))


def test_a_running_clock_cannot_be_resumed(given: Given) -> None:
    case = given.acknowledged()

    with refused(ClockNotStopped, case):
        given.resume_clock(case, at(11, 30, 9))


def test_the_clock_cannot_be_resumed_before_acknowledging(given: Given) -> None:
    case = given.assigned()

    with refused(CaseNotAcknowledged, case):
        given.resume_clock(case, at(11, 30, 9))


def test_resuming_the_clock_adds_the_stopped_office_hours_to_the_due_date(given: Given) -> None:
    # given: due Fri 18 Dec 17:30, clock stopped Mon 30 Nov 09:00
    case = given.acknowledged()
    given.stop_clock(case, at(11, 30, 9))
    case.collect_events()

    # when: resumed at 12:00 the same day, 3 office hours later
    given.resume_clock(case, at(11, 30, 12))

    # then: Fri 18 Dec 17:30 is the close of office, so the 3 hours run from Mon 21 Dec 09:00
    assert recorded(case) == ["ClockResumed"]
    assert case.clock_stopped is False
    assert case.deadline is not None
    assert case.deadline.due_at == at(12, 21, 12, 0)
    assert (case.deadline.unit, case.deadline.amount) == ("office_seconds", 3 * 3600)
    assert case.deadline.counted_from == COMPLAINT_DUE


def test_a_clock_stopped_overnight_adds_back_only_the_office_time(given: Given) -> None:
    # given: stopped Mon 30 Nov 16:30
    case = given.acknowledged()
    given.stop_clock(case, at(11, 30, 16, 30))

    # when: resumed Tue 1 Dec 10:00, i.e. 16:30–17:30 and 09:00–10:00: 2 office hours
    given.resume_clock(case, at(12, 1, 10))

    # then
    assert case.deadline is not None
    assert case.deadline.due_at == at(12, 21, 11, 0)


def test_a_clock_stopped_over_a_weekend_does_not_count_the_weekend(given: Given) -> None:
    # given: stopped Fri 4 Dec 15:30
    case = given.acknowledged()
    given.stop_clock(case, at(12, 4, 15, 30))

    # when: resumed Mon 7 Dec 10:30: 2 h on Friday and 1 h 30 on Monday
    given.resume_clock(case, at(12, 7, 10, 30))

    # then
    assert case.deadline is not None
    assert case.deadline.due_at == at(12, 21, 12, 30)


def test_a_clock_stopped_outside_office_hours_leaves_the_due_date_alone(given: Given) -> None:
    # given: stopped Fri 27 Nov 18:00, after the close of office
    case = given.acknowledged()
    given.stop_clock(case, at(11, 27, 18))

    # when: resumed Saturday morning
    given.resume_clock(case, at(11, 28, 10))

    # then
    assert case.clock_stopped is False
    assert case.deadline is not None
    assert case.deadline.due_at == COMPLAINT_DUE


def test_the_clock_of_a_praise_cannot_be_stopped(given: Given) -> None:
    case = given.acknowledged(Kind.PRAISE)

    with refused(NoHandlingDeadline, case):
        given.stop_clock(case, at(11, 30, 9))


# Extensions -----------------------------------------------------------------------------------


def test_the_department_asks_for_an_extension_before_the_deadline(given: Given) -> None:
    # given
    case = given.acknowledged()

    # when
    given.request_extension(case, 5, at(12, 14, 10))

    # then
    assert recorded(case) == ["ExtensionRequested"]
    assert case.pending_extension == {
        "working_days": 5,
        "reason": "需要现场勘查",
        "requested_at": at(12, 14, 10).isoformat(),
    }
    assert case.deadline is not None
    assert case.deadline.due_at == COMPLAINT_DUE


def test_an_extension_may_be_asked_a_minute_before_the_deadline(given: Given) -> None:
    # given
    case = given.acknowledged()

    # when
    given.request_extension(case, 1, at(12, 18, 17, 29))

    # then
    assert case.pending_extension is not None


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(COMPLAINT_DUE, id="at the very moment it is due"),
        pytest.param(at(12, 21, 9), id="the next working day"),
    ],
)
def test_an_extension_cannot_be_asked_after_the_deadline(given: Given, when: datetime) -> None:
    case = given.acknowledged()

    with refused(ExtensionAfterDeadline, case):
        given.request_extension(case, 5, when)


def test_an_extension_cannot_be_asked_twice(given: Given) -> None:
    case = given.acknowledged()
    given.request_extension(case, 5, at(12, 14, 10))
    case.collect_events()

    with refused(ExtensionAlreadyRequested, case):
        given.request_extension(case, 3, at(12, 15, 10))


@pytest.mark.parametrize("working_days", [0, -1, 31])
def test_an_extension_asks_for_1_to_30_working_days(given: Given, working_days: int) -> None:
    case = given.acknowledged()

    with refused(ExtensionOutOfRange, case):
        given.request_extension(case, working_days, at(12, 14, 10))


@pytest.mark.parametrize("working_days", [1, 30])
def test_an_extension_of_1_or_30_working_days_may_be_asked(given: Given, working_days: int) -> None:
    # given
    case = given.acknowledged()

    # when
    given.request_extension(case, working_days, at(12, 14, 10))

    # then
    assert case.pending_extension is not None
    assert case.pending_extension["working_days"] == working_days


def test_an_extension_needs_a_reason(given: Given) -> None:
    case = given.acknowledged()

    with refused(ReasonRequired, case):
        case.request_extension(working_days=5, reason="", by=given.department, at=at(12, 14, 10))


def test_an_extension_cannot_be_asked_before_acknowledging(given: Given) -> None:
    case = given.assigned()

    with refused(CaseNotAcknowledged, case):
        given.request_extension(case, 5, at(11, 30, 9))


def test_another_department_cannot_ask_for_an_extension(given: Given) -> None:
    case = given.acknowledged()

    with refused(NotAssignedDepartment, case):
        case.request_extension(
            working_days=5, reason="需要现场勘查", by=given.other_department, at=at(12, 14, 10)
        )


def test_a_praise_has_no_deadline_to_extend(given: Given) -> None:
    case = given.acknowledged(Kind.PRAISE)

    with refused(NoHandlingDeadline, case):
        given.request_extension(case, 5, at(12, 14, 10))


def test_granting_an_extension_moves_the_due_date_by_the_working_days_asked(
    given: Given,
) -> None:
    # given: due Fri 18 Dec; 5 working days asked on Mon 14 Dec
    case = given.acknowledged()
    given.request_extension(case, 5, at(12, 14, 10))
    case.collect_events()

    # when
    case.grant_extension(
        policy=given.policy, calendar=given.calendar, by=given.inspector, at=at(12, 15, 10)
    )

    # then: Mon 21 to Fri 25 Dec are the 5 working days after Fri 18 Dec
    assert recorded(case) == ["ExtensionGranted"]
    assert case.pending_extension is None
    assert case.deadline is not None
    assert case.deadline.due_at == close_of(12, 25)
    assert (case.deadline.policy, case.deadline.amount) == ("extension", 5)


def test_an_inspector_refuses_an_extension_with_a_reason(given: Given) -> None:
    # given
    case = given.acknowledged()
    given.request_extension(case, 5, at(12, 14, 10))
    case.collect_events()

    # when
    case.refuse_extension(reason="材料已齐全，无需延期", by=given.inspector, at=at(12, 15, 10))

    # then
    assert recorded(case) == ["ExtensionRefused"]
    assert case.pending_extension is None
    assert case.deadline is not None
    assert case.deadline.due_at == COMPLAINT_DUE


def test_refusing_an_extension_needs_a_reason(given: Given) -> None:
    case = given.acknowledged()
    given.request_extension(case, 5, at(12, 14, 10))
    case.collect_events()

    with refused(ReasonRequired, case):
        case.refuse_extension(reason=" ", by=given.inspector, at=at(12, 15, 10))


def test_an_extension_cannot_be_granted_when_none_was_asked(given: Given) -> None:
    case = given.acknowledged()

    with refused(NoExtensionRequested, case):
        case.grant_extension(
            policy=given.policy, calendar=given.calendar, by=given.inspector, at=at(12, 15, 10)
        )


def test_an_extension_cannot_be_refused_when_none_was_asked(given: Given) -> None:
    case = given.acknowledged()

    with refused(NoExtensionRequested, case):
        case.refuse_extension(reason="无需延期", by=given.inspector, at=at(12, 15, 10))


def test_an_extension_once_decided_cannot_be_decided_again(given: Given) -> None:
    case = given.acknowledged()
    given.request_extension(case, 5, at(12, 14, 10))
    case.grant_extension(
        policy=given.policy, calendar=given.calendar, by=given.inspector, at=at(12, 15, 10)
    )
    case.collect_events()

    with refused(NoExtensionRequested, case):
        case.grant_extension(
            policy=given.policy, calendar=given.calendar, by=given.inspector, at=at(12, 15, 11)
        )


# The result -------------------------------------------------------------------------------------


def test_the_department_posts_its_result(given: Given) -> None:
    # given
    case = given.acknowledged()

    # when
    given.post_result(case)

    # then
    assert recorded(case) == ["ResultPosted"]
    assert case.status is Status.ANSWERED
    assert case.result == {
        "outcome": "substantiated",
        "actions": "已对窗口人员批评教育",
        "answer": "经核实情况属实，已整改",
    }
    assert case.answered_at == ANSWERED_AT


def test_a_department_cannot_post_a_result_before_acknowledging(given: Given) -> None:
    case = given.assigned()

    with refused(CaseNotAcknowledged, case):
        given.post_result(case)


@pytest.mark.parametrize("answer", ["", "   "])
def test_a_result_needs_an_answer_to_the_complainant(given: Given, answer: str) -> None:
    case = given.acknowledged()

    with refused(Invalid, case):
        given.post_result(case, answer=answer)


def test_another_department_cannot_post_a_result(given: Given) -> None:
    case = given.acknowledged()

    with refused(NotAssignedDepartment, case):
        given.post_result(case, by=given.other_department)


def test_a_result_cannot_be_posted_twice(given: Given) -> None:
    case = given.answered()

    with refused(CaseStatusForbids, case):
        given.post_result(case, at(12, 4, 9))


def test_posting_a_result_releases_a_stopped_clock_and_a_pending_extension(given: Given) -> None:
    # given
    case = given.acknowledged()
    given.request_extension(case, 5, at(11, 30, 9))
    given.stop_clock(case, at(11, 30, 10))

    # when
    given.post_result(case)

    # then
    assert case.clock_stopped is False
    assert case.pending_extension is None


# Callback -------------------------------------------------------------------------------------


def test_the_operator_records_a_callback_that_reached_the_complainant(given: Given) -> None:
    # given
    case = given.answered()

    # when
    case.record_callback(
        reached=True,
        satisfaction=Satisfaction.SATISFIED,
        comment="态度有改善",
        by=given.operator,
        at=CALLED_BACK_AT,
    )

    # then
    assert recorded(case) == ["CallbackRecorded"]
    assert case.callbacks == [
        {
            "reached": True,
            "satisfaction": "satisfied",
            "comment": "态度有改善",
            "at": CALLED_BACK_AT.isoformat(),
        }
    ]
    assert case.satisfaction == "satisfied"
    assert case.status is Status.ANSWERED


def test_a_callback_that_did_not_reach_the_complainant_is_recorded_without_satisfaction(
    given: Given,
) -> None:
    # given
    case = given.answered()

    # when
    case.record_callback(
        reached=False, satisfaction=None, comment="无人接听", by=given.operator, at=CALLED_BACK_AT
    )

    # then
    assert recorded(case) == ["CallbackRecorded"]
    assert case.satisfaction is None


def test_the_latest_callback_that_reached_the_complainant_gives_the_satisfaction(
    given: Given,
) -> None:
    # given
    case = given.answered()
    given.call_back(case, Satisfaction.DISSATISFIED)

    # when
    case.record_callback(
        reached=False, satisfaction=None, comment=None, by=given.operator, at=at(12, 4, 15)
    )
    given.call_back(case, Satisfaction.VERY_SATISFIED, when=at(12, 7, 10))

    # then
    assert case.satisfaction == "very_satisfied"


def test_a_callback_that_reached_the_complainant_needs_their_satisfaction(given: Given) -> None:
    case = given.answered()

    with refused(SatisfactionRequired, case):
        case.record_callback(
            reached=True, satisfaction=None, comment=None, by=given.operator, at=CALLED_BACK_AT
        )


def test_a_callback_that_did_not_reach_the_complainant_records_no_satisfaction(
    given: Given,
) -> None:
    case = given.answered()

    with refused(SatisfactionRequired, case):
        case.record_callback(
            reached=False,
            satisfaction=Satisfaction.SATISFIED,
            comment=None,
            by=given.operator,
            at=CALLED_BACK_AT,
        )


def test_a_case_not_yet_answered_cannot_be_called_back(given: Given) -> None:
    case = given.acknowledged()

    with refused(CaseStatusForbids, case):
        given.call_back(case)


def test_a_closed_case_cannot_be_called_back(given: Given) -> None:
    case = given.closed()

    with refused(CaseClosed, case):
        given.call_back(case, when=at(12, 7, 10))


# Closing --------------------------------------------------------------------------------------


def test_an_answered_case_is_closed(given: Given) -> None:
    # given
    case = given.answered()

    # when
    case.close(by=given.operator, at=CLOSED_AT)

    # then
    assert recorded(case) == ["Closed"]
    assert case.status is Status.CLOSED
    assert case.closed_at == CLOSED_AT
    assert case.is_open is False


@pytest.mark.parametrize("stage", ["registered", "assigned", "acknowledged"])
def test_a_case_cannot_be_closed_without_a_result(given: Given, stage: str) -> None:
    case = getattr(given, stage)()

    with refused(CaseNotAnswered, case):
        case.close(by=given.operator, at=CLOSED_AT)


def test_a_praise_closes_once_acknowledged(given: Given) -> None:
    # given
    case = given.acknowledged(Kind.PRAISE)

    # when
    case.close(by=given.operator, at=at(11, 30, 9))

    # then
    assert recorded(case) == ["Closed"]
    assert case.status is Status.CLOSED


def test_a_praise_cannot_be_closed_before_it_is_acknowledged(given: Given) -> None:
    case = given.assigned(Kind.PRAISE)

    with refused(CaseNotAnswered, case):
        case.close(by=given.operator, at=at(11, 30, 9))


def test_a_closed_case_cannot_be_closed_again(given: Given) -> None:
    case = given.closed()

    with refused(CaseClosed, case):
        case.close(by=given.operator, at=at(12, 7, 9))


# Reopening ------------------------------------------------------------------------------------


def test_an_answered_case_is_reopened_with_a_new_deadline_from_the_reopen_moment(
    given: Given,
) -> None:
    # given
    case = given.answered()

    # when: Mon 7 Dec 10:00
    given.reopen(case, at(12, 7, 10))

    # then: 8–11 Dec, 14–18, 21–25 are 14 working days; Mon 28 Dec is the 15th
    assert recorded(case) == ["Reopened"]
    assert case.status is Status.IN_PROGRESS
    assert case.result is None
    assert case.answered_at is None
    assert case.reopenings == 1
    assert case.deadline is not None
    assert case.deadline.due_at == close_of(12, 28)
    assert case.deadline.counted_from == at(12, 7, 10)
    assert case.pending_events[-1].reason == "投诉人对答复不满意"


def test_a_closed_case_is_reopened_with_a_new_deadline_from_the_reopen_moment(
    given: Given,
) -> None:
    # given
    case = given.closed()

    # when
    given.reopen(case, at(12, 7, 10))

    # then
    assert case.status is Status.IN_PROGRESS
    assert case.closed_at is None
    assert case.assigned_department == "real-estate-registration"
    assert case.deadline is not None
    assert case.deadline.due_at == close_of(12, 28)


def test_a_reopened_urgent_case_is_due_the_next_working_day(given: Given) -> None:
    # given
    case = given.answered(urgent=True)

    # when: Fri 4 Dec 10:00
    given.reopen(case, at(12, 4, 10))

    # then
    assert case.deadline is not None
    assert case.deadline.due_at == close_of(12, 7)


def test_a_closed_case_can_be_reopened_thirty_days_after_closing(given: Given) -> None:
    # given: closed Fri 4 Dec 11:00
    case = given.closed()

    # when: Sun 3 Jan 2027 11:00, thirty days on
    given.reopen(case, at(1, 3, 11, year=2027))

    # then
    assert case.status is Status.IN_PROGRESS


def test_a_closed_case_cannot_be_reopened_thirty_one_days_after_closing(given: Given) -> None:
    case = given.closed()

    with refused(ReopenWindowExpired, case):
        given.reopen(case, at(1, 4, 11, year=2027))


def test_a_case_is_reopened_at_most_twice(given: Given) -> None:
    # given: reopened twice and answered again each time
    case = given.answered()
    given.reopen(case, at(12, 4, 10))
    given.post_result(case, at(12, 8, 10))
    given.reopen(case, at(12, 9, 10))
    given.post_result(case, at(12, 10, 10))
    case.collect_events()
    assert case.reopenings == 2

    with refused(ReopenLimitReached, case):
        given.reopen(case, at(12, 11, 10))


def test_reopening_needs_a_reason(given: Given) -> None:
    case = given.answered()

    with refused(ReasonRequired, case):
        case.reopen(
            reason="",
            policy=given.policy,
            calendar=given.calendar,
            by=given.operator,
            at=at(12, 7, 10),
        )


def test_a_case_still_being_handled_cannot_be_reopened(given: Given) -> None:
    case = given.acknowledged()

    with refused(CaseStatusForbids, case):
        given.reopen(case, at(12, 7, 10))


# Merging duplicates -------------------------------------------------------------------------


def test_a_duplicate_is_merged_into_the_first_case(given: Given) -> None:
    # given
    first = given.assigned()
    duplicate = given.registered()

    # when
    duplicate.merge_into(first, by=given.operator, at=at(11, 27, 11))

    # then
    assert recorded(duplicate) == ["Merged"]
    assert duplicate.status is Status.MERGED
    assert duplicate.merged_into == str(first.id)
    assert duplicate.is_open is False
    assert recorded(first) == ["DuplicateAttached"]
    assert first.duplicates == [str(duplicate.id)]
    assert first.status is Status.ASSIGNED


def test_a_case_cannot_be_merged_into_itself(given: Given) -> None:
    case = given.assigned()

    with refused(MergeIntoItself, case):
        case.merge_into(case, by=given.operator, at=at(11, 27, 11))


def test_a_case_cannot_be_merged_into_a_closed_case(given: Given) -> None:
    closed = given.closed()
    duplicate = given.registered()

    with refused(CaseClosed, duplicate, closed):
        duplicate.merge_into(closed, by=given.operator, at=at(12, 7, 9))


def test_a_case_cannot_be_merged_into_a_merged_case(given: Given) -> None:
    first = given.assigned()
    merged = given.registered()
    merged.merge_into(first, by=given.operator, at=at(11, 27, 11))
    merged.collect_events()
    first.collect_events()
    another = given.registered()

    with refused(CaseMerged, another, merged):
        another.merge_into(merged, by=given.operator, at=at(11, 27, 12))


def test_a_closed_case_cannot_be_merged(given: Given) -> None:
    closed = given.closed()
    first = given.assigned()

    with refused(CaseClosed, closed, first):
        closed.merge_into(first, by=given.operator, at=at(12, 7, 9))


LATER = at(12, 21, 10)

# Every command a case knows, by a person who could otherwise make it.
COMMANDS: dict[str, Callable[[Case, Given], None]] = {
    "assign": lambda case, g: g.assign(case, when=LATER),
    "acknowledge": lambda case, g: case.acknowledge(by=g.department, at=LATER),
    "return": lambda case, g: case.return_to_sender(
        reason="不属于本部门", by=g.department, at=LATER
    ),
    "stop the clock": lambda case, g: g.stop_clock(case, LATER),
    "resume the clock": lambda case, g: g.resume_clock(case, LATER),
    "ask an extension": lambda case, g: g.request_extension(case, 5, at(12, 14, 10)),
    "grant an extension": lambda case, g: case.grant_extension(
        policy=g.policy, calendar=g.calendar, by=g.inspector, at=LATER
    ),
    "refuse an extension": lambda case, g: case.refuse_extension(
        reason="无需延期", by=g.inspector, at=LATER
    ),
    "post a result": lambda case, g: g.post_result(case, LATER),
    "record a callback": lambda case, g: case.record_callback(
        reached=True, satisfaction=Satisfaction.SATISFIED, comment=None, by=g.operator, at=LATER
    ),
    "close": lambda case, g: case.close(by=g.operator, at=LATER),
    "reopen": lambda case, g: g.reopen(case, LATER),
    "merge": lambda case, g: case.merge_into(g.registered(), by=g.operator, at=LATER),
    "add a note": lambda case, g: case.add_note(
        text="补充说明", public=False, by=g.operator, at=LATER
    ),
    "supervise": lambda case, g: case.supervise(note="请加快办理", by=g.inspector, at=LATER),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_merged_case_refuses_every_further_command(given: Given, command: str) -> None:
    # given: merged while in progress, with an extension asked and past its deadline
    case = given.acknowledged()
    given.request_extension(case, 5, at(12, 14, 10))
    case.merge_into(given.registered(), by=given.operator, at=at(12, 14, 11))
    case.collect_events()

    with refused(CaseMerged, case):
        COMMANDS[command](case, given)


# Notes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("public", [True, False], ids=["public", "internal"])
def test_a_note_is_added_to_a_case(given: Given, public: bool) -> None:
    # given
    case = given.assigned()

    # when
    case.add_note(text="已电话联系投诉人", public=public, by=given.operator, at=at(11, 27, 11))

    # then
    assert recorded(case) == ["NoteAdded"]
    assert case.notes == [
        {
            "text": "已电话联系投诉人",
            "public": public,
            "at": at(11, 27, 11).isoformat(),
            "by": "operator-wang",
        }
    ]


@pytest.mark.parametrize("text", ["", "  "])
def test_a_note_needs_text(given: Given, text: str) -> None:
    case = given.assigned()

    with refused(Invalid, case):
        case.add_note(text=text, public=True, by=given.operator, at=at(11, 27, 11))


def test_a_closed_case_can_still_be_annotated(given: Given) -> None:
    # given
    case = given.closed()

    # when
    case.add_note(text="归档备查", public=False, by=given.inspector, at=at(12, 7, 9))

    # then
    assert recorded(case) == ["NoteAdded"]
    assert case.status is Status.CLOSED


def test_a_merged_case_takes_no_notes(given: Given) -> None:
    case = given.registered()
    case.merge_into(given.assigned(), by=given.operator, at=at(11, 27, 11))
    case.collect_events()

    with refused(CaseMerged, case):
        case.add_note(text="补充说明", public=True, by=given.operator, at=at(11, 27, 12))


# Supervision ----------------------------------------------------------------------------------


def test_a_case_not_acknowledged_in_time_is_supervised(given: Given) -> None:
    # given: to be acknowledged by Mon 30 Nov 17:30
    case = given.assigned()

    # when: a minute later
    case.supervise(note="请立即签收", by=given.inspector, at=at(11, 30, 17, 31))

    # then
    assert recorded(case) == ["Supervised"]
    assert case.supervisions == [{"note": "请立即签收", "at": at(11, 30, 17, 31).isoformat()}]


def test_a_case_past_its_handling_deadline_is_supervised(given: Given) -> None:
    # given: due Fri 18 Dec 17:30
    case = given.acknowledged()

    # when
    case.supervise(note="已超期，请加快办理", by=given.inspector, at=at(12, 21, 9))

    # then
    assert recorded(case) == ["Supervised"]


@pytest.mark.parametrize(
    ("stage", "when"),
    [
        pytest.param(
            "assigned",
            COMPLAINT_ACKNOWLEDGE_BY - timedelta(seconds=1),
            id="assigned, a second left",
        ),
        pytest.param(
            "acknowledged", COMPLAINT_DUE - timedelta(seconds=1), id="acknowledged, a second left"
        ),
        pytest.param("acknowledged", at(12, 1, 9), id="acknowledged late but not yet due"),
    ],
)
def test_a_case_that_missed_no_deadline_cannot_be_supervised(
    given: Given, stage: str, when: datetime
) -> None:
    case = getattr(given, stage)()

    with refused(CaseNotOverdue, case):
        case.supervise(note="请加快办理", by=given.inspector, at=when)


def test_a_case_whose_clock_is_stopped_is_not_overdue(given: Given) -> None:
    case = given.acknowledged()
    given.stop_clock(case, at(12, 18, 9))
    case.collect_events()

    with refused(CaseNotOverdue, case):
        case.supervise(note="请加快办理", by=given.inspector, at=at(12, 21, 9))


def test_a_praise_is_never_overdue_once_acknowledged(given: Given) -> None:
    case = given.acknowledged(Kind.PRAISE)

    with refused(CaseNotOverdue, case):
        case.supervise(note="请加快办理", by=given.inspector, at=at(12, 31, 9))


def test_supervision_needs_a_note(given: Given) -> None:
    case = given.acknowledged()

    with refused(ReasonRequired, case):
        case.supervise(note=" ", by=given.inspector, at=at(12, 21, 9))


def test_an_answered_case_cannot_be_supervised(given: Given) -> None:
    case = given.answered()

    with refused(CaseStatusForbids, case):
        case.supervise(note="请加快办理", by=given.inspector, at=at(12, 21, 9))


# Refusals record nothing ------------------------------------------------------------------------


def test_a_refused_command_leaves_the_events_waiting_to_be_saved_as_they_were(
    given: Given,
) -> None:
    # given: registered and assigned, nothing saved yet
    case = given.registered(collect=False)
    given.assign(case)
    waiting = list(case.pending_events)
    version = case.version

    # when
    with pytest.raises(NotAssignedDepartment):
        case.acknowledge(by=given.other_department, at=ACKNOWLEDGED_AT)
    with pytest.raises(CaseNotAcknowledged):
        given.post_result(case)

    # then
    assert case.pending_events == waiting
    assert recorded(case) == ["Registered", "Assigned"]
    assert case.version == version
    assert case.status is Status.ASSIGNED


# Who may read a case ----------------------------------------------------------------------------

ROLE_ACTORS = {
    "operator": Actor("operator-wang", Role.OPERATOR),
    "inspector": Actor("inspector-li", Role.INSPECTOR),
    "the assigned department": Actor("deeds-desk", Role.DEPARTMENT, "real-estate-registration"),
    "another department": Actor("tax-desk", Role.DEPARTMENT, "taxation"),
    "admin": Actor("admin-zhao", Role.ADMIN),
    "system": Actor.system(),
    "public": Actor("citizen", Role.PUBLIC),
}


@pytest.mark.parametrize(
    ("viewer", "may_read"),
    [
        ("operator", True),
        ("inspector", True),
        ("the assigned department", True),
        ("another department", False),
        ("admin", False),
        ("system", False),
        ("public", False),
    ],
)
def test_who_may_read_an_assigned_case(given: Given, viewer: str, may_read: bool) -> None:
    case = given.assigned()

    assert case.may_be_read_by(ROLE_ACTORS[viewer]) is may_read


def test_no_department_reads_a_case_not_yet_assigned(given: Given) -> None:
    # given: registered about a window of the real estate centre, not yet assigned
    case = given.registered()

    # then
    assert case.may_be_read_by(given.department) is False
    assert case.may_be_read_by(given.operator) is True


def test_a_department_no_longer_reads_a_case_it_returned(given: Given) -> None:
    case = given.assigned()
    case.return_to_sender(reason="不属于本部门职责", by=given.department, at=at(11, 30, 9))

    assert case.may_be_read_by(given.department) is False


# The complainant as each role sees them (DESIGN §3) -------------------------------------------


@pytest.mark.parametrize("viewer", ["operator", "inspector"])
@pytest.mark.parametrize("kind", ["complaint", "report"])
def test_operators_and_inspectors_see_the_whole_complainant(viewer: str, kind: str) -> None:
    assert complainant_for(ROLE_ACTORS[viewer], kind, ZHANG) == ZHANG


def test_operators_and_inspectors_see_an_anonymous_complainant_too() -> None:
    anonymous = {**ZHANG, "anonymous": True}

    assert complainant_for(ROLE_ACTORS["operator"], "complaint", anonymous) == anonymous


def test_a_department_sees_the_complainant_with_a_masked_name_and_phone_and_no_address() -> None:
    seen = complainant_for(ROLE_ACTORS["the assigned department"], "complaint", ZHANG)

    assert seen == {"name": "张**", "phone": "138****5678", "address": None, "anonymous": False}


def test_a_department_never_learns_who_reported() -> None:
    assert complainant_for(ROLE_ACTORS["the assigned department"], "report", ZHANG) is None


def test_a_department_does_not_see_an_anonymous_complainant() -> None:
    anonymous = {**ZHANG, "anonymous": True}

    assert complainant_for(ROLE_ACTORS["the assigned department"], "complaint", anonymous) is None


@pytest.mark.parametrize("viewer", ["admin", "system", "public"])
def test_roles_outside_the_case_see_no_complainant(viewer: str) -> None:
    assert complainant_for(ROLE_ACTORS[viewer], "complaint", ZHANG) is None


def test_what_a_viewer_sees_is_a_copy_of_the_complainant() -> None:
    # given
    complainant = dict(ZHANG)

    # when
    seen = complainant_for(ROLE_ACTORS["operator"], "complaint", complainant)
    assert seen is not None
    seen["phone"] = "changed"
    masked = complainant_for(ROLE_ACTORS["the assigned department"], "complaint", complainant)

    # then
    assert complainant == ZHANG
    assert masked is not None
    assert masked["phone"] == "138****5678"


def test_a_department_sees_no_phone_when_none_was_given() -> None:
    seen = complainant_for(
        ROLE_ACTORS["the assigned department"], "suggestion", {"name": "李四", "anonymous": False}
    )

    assert seen == {"name": "李**", "anonymous": False, "phone": None, "address": None}


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        pytest.param("13812345678", "138****5678", id="mobile number"),
        pytest.param("12345678", "****5678", id="eight digits: four hidden"),
        pytest.param("1234567", "****567", id="seven digits: four hidden"),
        pytest.param("110", "***", id="short number"),
        pytest.param("0571-88886666", "057******6666", id="landline with area code"),
        pytest.param("", "", id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_a_phone_number_always_hides_at_least_four_digits(
    phone: str | None, masked: str | None
) -> None:
    assert mask_phone(phone) == masked


# Actors and tracking numbers ------------------------------------------------------------------


def test_a_department_actor_acts_only_for_its_own_department() -> None:
    deeds = ROLE_ACTORS["the assigned department"]

    assert deeds.acts_for("real-estate-registration") is True
    assert deeds.acts_for("taxation") is False
    assert deeds.acts_for(None) is False


def test_only_a_department_actor_acts_for_a_department() -> None:
    operator_with_department = Actor("op", Role.OPERATOR, department="real-estate-registration")

    assert operator_with_department.acts_for("real-estate-registration") is False


def test_an_actor_survives_the_trip_through_a_plain_mapping() -> None:
    actor = Actor("deeds-desk", Role.DEPARTMENT, "real-estate-registration", request_id="req-7")

    assert Actor.from_dict(actor.as_dict()) == actor
    assert actor.as_dict() == {
        "principal": "deeds-desk",
        "role": "department",
        "department": "real-estate-registration",
        "request_id": "req-7",
    }


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("hotline", "HL20261127-0001"),
        ("walk_in", "WI20261127-0001"),
        ("online", "OL20261127-0001"),
        ("letter", "LT20261127-0001"),
        ("rating", "RT20261127-0001"),
    ],
)
def test_a_tracking_number_names_the_channel_and_the_day(channel: str, expected: str) -> None:
    assert tracking_number(channel, REGISTERED_AT.date(), 1) == expected


def test_a_days_sequence_hands_out_running_numbers(given: Given) -> None:
    # given
    sequence = TrackingSequence.start(REGISTERED_AT.date(), REGISTERED_AT)

    # when
    numbers = [sequence.take_next(by=given.operator, at=REGISTERED_AT) for _ in range(3)]

    # then
    assert numbers == [1, 2, 3]
    assert sequence.id == sequence_id(REGISTERED_AT.date())
    assert sequence_id(REGISTERED_AT.date()) != sequence_id(at(11, 28, 10).date())


def test_a_reopened_case_forgets_the_satisfaction_given_on_the_answer_it_replaces(
    given: Given,
) -> None:
    # given: closed after a satisfied callback
    case = given.closed()
    assert case.satisfaction == "satisfied"

    # when
    given.reopen(case, at(12, 7, 9))

    # then
    assert case.satisfaction is None
