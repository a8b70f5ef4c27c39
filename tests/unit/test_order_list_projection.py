"""The order_list projection as a pure function, and its clock columns beside case_list's.

An order is taken through its life with the application's verbs on the in-memory store; its
events are then folded through the projection from scratch. Issued Fri 27 Nov 2026 10:00 with
the default 10 working days: acknowledge by Mon 30 Nov 17:30, due Fri 11 Dec 17:30.
"""

from __future__ import annotations

from uuid import UUID

from application.projections import Row
from application.projections.order_list import OrderListProjection
from application.supervision import Supervision
from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.rectification import OrderSourceType
from domain.task_clock import next_alarm
from tests.factories import issued_order
from tests.support import SettableTimeSource
from tests.unit.case_story import at
from tests.unit.projection_fold import folded

DEEDS = "real-estate-registration"


def issue(supervision: Supervision, inspector: Actor) -> UUID:
    """An order on the deeds office as a whole, issued on a case's finding."""
    return issued_order(
        supervision,
        inspector,
        window=None,
        problem="未落实一次性告知",
        requirements="组织学习并报告",
        source_type=OrderSourceType.CASE,
        source_ref="HL20261127-0001",
    )


def fold(supervision: Supervision, order_id: UUID, calendar: WorkingCalendar) -> Row:
    projection = OrderListProjection(calendar=lambda: calendar)
    return folded(projection, supervision.repository.event_store.get(order_id))


def test_an_issued_order_waits_for_acknowledgement_on_its_departments_clock(
    supervision: Supervision, inspector: Actor, calendar: WorkingCalendar
) -> None:
    order_id = issue(supervision, inspector)

    row = fold(supervision, order_id, calendar)

    assert row is not None
    assert row["status"] == "issued"
    assert row["department"] == DEEDS
    assert row["source_type"] == "case"
    assert row["acknowledge_due_at"] == at(11, 30, 17, 30)
    assert row["due_at"] == at(12, 11, 17, 30)
    assert row["next_clock_at"] == at(11, 30, 17, 30)
    assert row["issued_position"] == 1


def test_an_order_reported_rejected_and_reported_again_reads_as_it_was_handled(
    supervision: Supervision,
    inspector: Actor,
    department_actor: Actor,
    time_source: SettableTimeSource,
    calendar: WorkingCalendar,
) -> None:
    order_id = issue(supervision, inspector)
    supervision.acknowledge_order(order_id, department_actor)
    supervision.request_order_extension(
        order_id, working_days=2, reason="需要协调", by=department_actor
    )
    supervision.refuse_order_extension(order_id, reason="无需延期", by=inspector)
    time_source.set(at(12, 7, 10))
    supervision.report_rectification(
        order_id, measures="已整改", evidence=None, by=department_actor
    )
    time_source.set(at(12, 8, 10))
    supervision.reject_rectification(order_id, reasons="不到位", working_days=3, by=inspector)

    rejected = fold(supervision, order_id, calendar)
    time_source.set(at(12, 9, 10))
    supervision.report_rectification(
        order_id, measures="已全面整改", evidence="照片", by=department_actor
    )
    reported = fold(supervision, order_id, calendar)

    assert rejected is not None
    assert rejected["status"] == "in_progress"
    assert rejected["due_at"] == at(12, 11, 17, 30)  # Wed 9, Thu 10, Fri 11
    assert rejected["handling_started_at"] == at(12, 8, 10)
    assert rejected["acknowledge_due_at"] == at(11, 30, 17, 30)  # kept for the metrics
    assert rejected["extension_requested"] is False
    assert (rejected["reports"], rejected["rejections"]) == (1, 1)
    assert rejected["next_clock_at"] == next_alarm(
        OrderListProjection(calendar=lambda: calendar).clock_state_of(rejected), calendar
    )
    assert rejected["next_clock_at"] is not None
    assert reported is not None
    assert reported["status"] == "reported"
    assert reported["first_reported_at"] == at(12, 7, 10)
    assert reported["reported_at"] == at(12, 9, 10)
    assert reported["reported_due_at"] == at(12, 11, 17, 30)
    assert reported["next_clock_at"] is None
