"""The RectificationOrder aggregate (DESIGN §7): one test per transition and one per broken rule.

Dates are counted by hand on the real 2026 calendar (only weekends between 20 November and
31 December). The default order of `GivenOrder` is issued Fri 27 Nov 10:30:

    acknowledge by    Mon 30 Nov 17:30   (1 working day)
    reminder at       Wed  9 Dec 16:06   (92 h of office time to the due date; 20% is 18.4 h)
    due               Fri 11 Dec 17:30   (10 working days, the policy's default)
"""

from __future__ import annotations

import pytest

from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlinePolicy
from domain.errors import Invalid
from domain.rectification import (
    MAX_ORDER_WORKING_DAYS,
    NotOrderDepartment,
    OrderAlreadyReported,
    OrderClosed,
    OrderContentRequired,
    OrderNotAcknowledged,
    OrderNotOverdue,
    OrderNotReported,
    OrderSourceType,
    OrderStatus,
    OrderStatusForbids,
    OrderTermOutOfRange,
)
from domain.task import (
    ClockAlreadyStopped,
    ExtensionAfterDeadline,
    NoExtensionRequested,
    ReasonRequired,
)
from tests.unit.case_story import at, close_of, recorded, refused
from tests.unit.order_story import ACKNOWLEDGED_AT, ISSUED_AT, REPORTED_AT, GivenOrder

ACKNOWLEDGE_BY = close_of(11, 30)  # Mon
REMIND_AT = at(12, 9, 16, 6)  # Wed
DUE = close_of(12, 11)  # Fri: 10 working days
SYSTEM = Actor.system()


@pytest.fixture
def given(
    inspector: Actor,
    department_actor: Actor,
    other_department_actor: Actor,
    policy: DeadlinePolicy,
    calendar: WorkingCalendar,
) -> GivenOrder:
    return GivenOrder(inspector, department_actor, other_department_actor, policy, calendar)


# Issuing -----------------------------------------------------------------------------------


def test_issuing_an_order_hands_it_to_the_department_with_its_deadlines(given: GivenOrder) -> None:
    # when
    order = given.issued(collect=False)

    # then
    assert recorded(order) == ["Issued"]
    assert order.status is OrderStatus.ISSUED
    assert order.department == "real-estate-registration"
    assert order.source_type is OrderSourceType.INSPECTION
    assert order.acknowledge_deadline is not None
    assert order.acknowledge_deadline.due_at == ACKNOWLEDGE_BY
    assert order.acknowledge_deadline.policy == "rectification_order.acknowledge"
    assert order.deadline is not None
    assert order.deadline.due_at == DUE
    assert (order.deadline.policy, order.deadline.amount) == ("rectification_order.handle", 10)
    assert order.working_days == 10
    assert order.handling_started_at == ISSUED_AT
    assert order.issued_by == given.inspector


def test_the_inspector_sets_the_working_days_of_an_order(given: GivenOrder) -> None:
    # when: 3 working days from Fri 27 Nov
    order = given.issued(working_days=3)

    # then: Mon 30 Nov, Tue 1, Wed 2 Dec
    assert order.deadline is not None
    assert order.deadline.due_at == close_of(12, 2)
    assert order.working_days == 3


@pytest.mark.parametrize("working_days", [0, -1, MAX_ORDER_WORKING_DAYS + 1])
def test_an_order_gives_1_to_60_working_days(given: GivenOrder, working_days: int) -> None:
    with pytest.raises(OrderTermOutOfRange):
        given.issued(working_days=working_days)


@pytest.mark.parametrize(("problem", "requirements"), [("", "整改"), ("问题", "  ")])
def test_an_order_states_its_problem_and_requirements(
    given: GivenOrder, problem: str, requirements: str
) -> None:
    with pytest.raises(OrderContentRequired):
        given.issued(problem=problem, requirements=requirements)


# Acknowledging -----------------------------------------------------------------------------


def test_the_department_acknowledges_its_order(given: GivenOrder) -> None:
    # given
    order = given.issued()

    # when
    order.acknowledge(by=given.department, at=ACKNOWLEDGED_AT)

    # then
    assert recorded(order) == ["Acknowledged"]
    assert order.status is OrderStatus.IN_PROGRESS
    assert order.acknowledged_at == ACKNOWLEDGED_AT


def test_another_department_cannot_acknowledge_an_order(given: GivenOrder) -> None:
    order = given.issued()
    with refused(NotOrderDepartment, order):
        order.acknowledge(by=given.other_department, at=ACKNOWLEDGED_AT)


def test_an_order_cannot_be_acknowledged_twice(given: GivenOrder) -> None:
    order = given.acknowledged()
    with refused(OrderStatusForbids, order):
        order.acknowledge(by=given.department, at=ACKNOWLEDGED_AT)


def test_a_late_acknowledgement_leaves_the_missed_deadline_on_record(given: GivenOrder) -> None:
    # given
    order = given.issued()

    # when: Tuesday morning, past Monday's close
    order.acknowledge(by=given.department, at=at(12, 1, 9, 0))

    # then
    assert recorded(order) == ["AcknowledgeDeadlineMissed", "Acknowledged"]
    assert order.acknowledge_missed_for == ACKNOWLEDGE_BY


# Reporting ---------------------------------------------------------------------------------


def test_the_department_reports_its_rectification(given: GivenOrder) -> None:
    # given
    order = given.acknowledged()

    # when
    given.report(order)

    # then
    assert recorded(order) == ["RectificationReported"]
    assert order.status is OrderStatus.REPORTED
    assert order.reported_at == REPORTED_AT
    (report,) = order.reports
    assert report["measures"] == "已组织全体窗口人员培训，制定告知清单"
    assert report["evidence"] == "培训签到表、告知清单"
    assert report["on_time"] is True


def test_an_order_cannot_be_reported_before_it_is_acknowledged(given: GivenOrder) -> None:
    order = given.issued()
    with refused(OrderNotAcknowledged, order):
        given.report(order)


def test_an_order_cannot_be_reported_twice(given: GivenOrder) -> None:
    order = given.reported()
    with refused(OrderAlreadyReported, order):
        given.report(order)


def test_another_department_cannot_report_an_order(given: GivenOrder) -> None:
    order = given.acknowledged()
    with refused(NotOrderDepartment, order):
        order.report(measures="已整改", evidence=None, by=given.other_department, at=REPORTED_AT)


def test_a_report_states_the_measures_taken(given: GivenOrder) -> None:
    order = given.acknowledged()
    with refused(OrderContentRequired, order):
        order.report(measures=" ", evidence=None, by=given.department, at=REPORTED_AT)


def test_a_late_report_records_the_missed_deadline_first_and_is_not_on_time(
    given: GivenOrder,
) -> None:
    # given
    order = given.acknowledged()

    # when: Monday after the Friday due date
    given.report(order, when=at(12, 14, 9, 0))

    # then
    assert recorded(order) == ["DeadlineMissed", "RectificationReported"]
    assert order.reports[-1]["on_time"] is False


def test_reporting_releases_a_stopped_clock_and_a_pending_extension(given: GivenOrder) -> None:
    # given
    order = given.acknowledged()
    order.request_extension(
        working_days=5, reason="需要协调信息系统改造", by=given.department, at=at(12, 1, 10)
    )
    order.stop_clock(reason="等待系统供应商", by=given.department, at=at(12, 2, 10))

    # when
    given.report(order)

    # then
    assert order.clock_stopped is False
    assert order.pending_extension is None


# Verification ------------------------------------------------------------------------------


def test_the_inspector_accepts_a_reported_rectification_and_the_order_is_closed(
    given: GivenOrder,
) -> None:
    # given
    order = given.reported()

    # when
    order.accept(note="整改到位", by=given.inspector, at=at(12, 8, 10))

    # then
    assert recorded(order) == ["Accepted"]
    assert order.status is OrderStatus.CLOSED
    assert order.closed_at == at(12, 8, 10)
    assert order.verdict_note == "整改到位"
    assert order.is_open is False


def test_the_inspector_rejects_a_report_with_reasons_and_a_new_due_date(
    given: GivenOrder,
) -> None:
    # given
    order = given.reported()

    # when: rejected Tue 8 Dec with 5 working days: Wed 9 .. Tue 15 Dec
    given.reject(order, at(12, 8, 10), working_days=5)

    # then
    assert recorded(order) == ["Rejected"]
    assert order.status is OrderStatus.IN_PROGRESS
    assert order.deadline is not None
    assert order.deadline.due_at == close_of(12, 15)
    assert order.deadline.counted_from == at(12, 8, 10)
    assert order.handling_started_at == at(12, 8, 10)
    assert order.rejections == [
        {
            "reasons": "告知清单未覆盖全部事项",
            "working_days": 5,
            "at": at(12, 8, 10).isoformat(),
            "due_at": close_of(12, 15).isoformat(),
        }
    ]


def test_a_rejected_order_is_reported_again_and_then_accepted(given: GivenOrder) -> None:
    # given
    order = given.reported()
    given.reject(order, at(12, 8, 10))

    # when
    given.report(order, when=at(12, 10, 15))
    order.accept(note=None, by=given.inspector, at=at(12, 11, 9))

    # then
    assert recorded(order) == ["Rejected", "RectificationReported", "Accepted"]
    assert len(order.reports) == 2
    assert order.status is OrderStatus.CLOSED


def test_rejecting_needs_reasons(given: GivenOrder) -> None:
    order = given.reported()
    with refused(ReasonRequired, order):
        order.reject(
            reasons=" ",
            working_days=5,
            policy=given.policy,
            calendar=given.calendar,
            by=given.inspector,
            at=at(12, 8, 10),
        )


@pytest.mark.parametrize("working_days", [0, MAX_ORDER_WORKING_DAYS + 1])
def test_rejecting_gives_1_to_60_working_days(given: GivenOrder, working_days: int) -> None:
    order = given.reported()
    with refused(OrderTermOutOfRange, order):
        given.reject(order, at(12, 8, 10), working_days=working_days)


@pytest.mark.parametrize("stage", ["issued", "acknowledged"])
def test_an_order_not_reported_cannot_be_accepted_or_rejected(
    given: GivenOrder, stage: str
) -> None:
    order = given.issued() if stage == "issued" else given.acknowledged()
    with refused(OrderNotReported, order):
        order.accept(note=None, by=given.inspector, at=at(12, 8, 10))
    with refused(OrderNotReported, order):
        given.reject(order, at(12, 8, 10))


def test_a_closed_order_takes_no_further_step(given: GivenOrder) -> None:
    # given
    order = given.reported()
    order.accept(note=None, by=given.inspector, at=at(12, 8, 10))
    order.collect_events()

    # then
    with refused(OrderClosed, order):
        order.accept(note=None, by=given.inspector, at=at(12, 8, 11))
    with refused(OrderClosed, order):
        given.reject(order, at(12, 8, 11))
    with refused(OrderClosed, order):
        given.report(order, when=at(12, 8, 11))
    with refused(OrderClosed, order):
        order.acknowledge(by=given.department, at=at(12, 8, 11))
    with refused(OrderClosed, order):
        order.supervise(note="督办", by=given.inspector, at=at(12, 20, 11))


# The clock on an order -----------------------------------------------------------------------


def test_the_department_stops_and_resumes_the_clock_of_an_order(given: GivenOrder) -> None:
    # given
    order = given.acknowledged()

    # when: stopped Mon 30 Nov 10:00, resumed Mon 30 Nov 12:00
    order.stop_clock(reason="等待系统供应商", by=given.department, at=at(11, 30, 10))
    order.resume_clock(
        policy=given.policy, calendar=given.calendar, by=given.department, at=at(11, 30, 12)
    )

    # then: two office hours added back to Fri 11 Dec 17:30
    assert recorded(order) == ["ClockStopped", "ClockResumed"]
    assert order.deadline is not None
    assert order.deadline.due_at == at(12, 14, 11, 0)


def test_the_clock_of_an_order_cannot_be_stopped_twice(given: GivenOrder) -> None:
    order = given.acknowledged()
    order.stop_clock(reason="等待系统供应商", by=given.department, at=at(11, 30, 10))
    with refused(ClockAlreadyStopped, order):
        order.stop_clock(reason="再次挂起", by=given.department, at=at(11, 30, 11))


def test_an_extension_of_an_order_is_asked_by_the_department_and_granted_by_an_inspector(
    given: GivenOrder,
) -> None:
    # given
    order = given.acknowledged()

    # when
    order.request_extension(
        working_days=5, reason="需要协调信息系统改造", by=given.department, at=at(12, 1, 10)
    )
    order.grant_extension(
        policy=given.policy, calendar=given.calendar, by=given.inspector, at=at(12, 2, 10)
    )

    # then: 5 working days after Fri 11 Dec: Fri 18 Dec
    assert recorded(order) == ["ExtensionRequested", "ExtensionGranted"]
    assert order.deadline is not None
    assert order.deadline.due_at == close_of(12, 18)
    assert order.pending_extension is None


def test_an_extension_of_an_order_cannot_be_asked_after_its_deadline(given: GivenOrder) -> None:
    order = given.acknowledged()
    with refused(ExtensionAfterDeadline, order):
        order.request_extension(
            working_days=5, reason="来不及", by=given.department, at=at(12, 14, 9)
        )


def test_an_inspector_refuses_an_order_extension_with_a_reason(given: GivenOrder) -> None:
    # given
    order = given.acknowledged()
    order.request_extension(
        working_days=5, reason="需要协调", by=given.department, at=at(12, 1, 10)
    )

    # when
    order.refuse_extension(reason="整改内容简单", by=given.inspector, at=at(12, 2, 10))

    # then
    assert recorded(order) == ["ExtensionRequested", "ExtensionRefused"]
    assert order.pending_extension is None
    assert order.deadline is not None
    assert order.deadline.due_at == DUE


def test_an_extension_cannot_be_decided_on_a_reported_order(given: GivenOrder) -> None:
    order = given.reported()
    with refused(OrderStatusForbids, order):
        order.grant_extension(
            policy=given.policy, calendar=given.calendar, by=given.inspector, at=at(12, 8, 10)
        )


def test_an_extension_cannot_be_granted_when_none_was_asked(given: GivenOrder) -> None:
    order = given.acknowledged()
    with refused(NoExtensionRequested, order):
        order.grant_extension(
            policy=given.policy, calendar=given.calendar, by=given.inspector, at=at(12, 1, 10)
        )


def test_an_inspector_supervises_an_overdue_order(given: GivenOrder) -> None:
    # given
    order = given.acknowledged()

    # when: after Friday's due date
    order.supervise(note="请立即整改", by=given.inspector, at=at(12, 14, 10))

    # then
    assert recorded(order) == ["Supervised"]
    assert order.supervised_at == at(12, 14, 10)


def test_an_order_on_time_cannot_be_supervised(given: GivenOrder) -> None:
    order = given.acknowledged()
    with refused(OrderNotOverdue, order):
        order.supervise(note="督办", by=given.inspector, at=at(12, 1, 10))


def test_the_clock_reminds_and_records_the_missed_deadline_of_an_order(
    given: GivenOrder, calendar: WorkingCalendar
) -> None:
    # given
    order = given.acknowledged()

    # when: the clock looks after downtime, on Monday 14 December
    count_ = order.observe_clock(calendar=calendar, by=SYSTEM, at=at(12, 14, 9))

    # then
    assert count_ == 2
    assert recorded(order) == ["Reminded", "DeadlineMissed"]
    reminded, missed = order.pending_events
    assert reminded.remind_at == REMIND_AT  # type: ignore[attr-defined]
    assert missed.due_at == DUE  # type: ignore[attr-defined]


def test_a_reported_order_records_nothing_on_the_clock(
    given: GivenOrder, calendar: WorkingCalendar
) -> None:
    order = given.reported()
    assert order.observe_clock(calendar=calendar, by=SYSTEM, at=at(12, 31, 9)) == 0


def test_a_rejected_order_can_miss_its_new_deadline(
    given: GivenOrder, calendar: WorkingCalendar
) -> None:
    # given: rejected Tue 8 Dec with 5 working days, due Tue 15 Dec
    order = given.reported()
    given.reject(order, at(12, 8, 10), working_days=5)
    order.collect_events()

    # when
    order.observe_clock(calendar=calendar, by=SYSTEM, at=at(12, 16, 9))

    # then
    assert recorded(order) == ["Reminded", "DeadlineMissed"]
    assert order.due_missed_for == close_of(12, 15)


def test_the_department_reads_its_own_orders_only(given: GivenOrder, operator: Actor) -> None:
    order = given.issued()
    assert order.may_be_read_by(given.department)
    assert not order.may_be_read_by(given.other_department)
    assert order.may_be_read_by(given.inspector)
    assert order.may_be_read_by(operator)


def test_every_named_order_error_is_a_domain_error_with_a_code() -> None:
    for error in (OrderNotReported, OrderClosed, OrderNotAcknowledged, OrderTermOutOfRange):
        assert error.code.startswith("order_")
    assert issubclass(OrderContentRequired, Invalid)
