"""Escalation (提级督办) by the worker's deadline clock on PostgreSQL: once, at its moment,
to the superior; a restarted worker (a new process on the same database) escalates nothing
twice; the read tables list the escalated work for the superior and for the inspectors."""

from __future__ import annotations

from uuid import UUID

from domain.case import Case
from domain.rectification import RectificationOrder
from interfaces.bootstrap import Container
from tests.factories import (
    ESCALATED_AT,
    INSPECTOR,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT_ACTOR,
    SAMPLE_SUPERIOR,
    SUPERVISED_AT,
    acknowledged_case,
    assigned_case,
    issued_order,
)
from tests.integration.read_side import case_row, open_container, order_row
from tests.support import SettableTimeSource, run_worker_once


def escalations(container: Container, record_id: UUID) -> list[object]:
    return [
        event
        for event in container.supervision.repository.event_store.get(record_id)
        if isinstance(event, Case.Escalated | RectificationOrder.Escalated)
    ]


def supervised_at_its_moment(
    container: Container,
    time_source: SettableTimeSource,
    *cases: UUID,
    orders: tuple[UUID, ...] = (),
) -> None:
    """Run the clock up to supervision of each task, and supervise each."""
    time_source.set(SUPERVISED_AT.replace(hour=9))
    run_worker_once(container)
    time_source.set(SUPERVISED_AT)
    for case_id in cases:
        container.supervision.supervise_case(case_id, note="已超期，请加快办理", by=INSPECTOR)
    for order_id in orders:
        container.supervision.supervise_order(order_id, note="已超期，请加快整改", by=INSPECTOR)


def test_a_restarted_worker_escalates_nothing_twice(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    # given: a case and an order of the sample department, and a case of one without a superior
    app = container.supervision
    case_id = acknowledged_case(app)
    order_id = issued_order(app, working_days=15)
    app.acknowledge_order(order_id, SAMPLE_DEPARTMENT_ACTOR)
    orphan = assigned_case(app, department=OTHER_DEPARTMENT)
    supervised_at_its_moment(container, time_source, case_id, orphan, orders=(order_id,))

    # when: a worker runs just before the moment, then after it; then it "crashes" and a new
    # process's worker on the same database takes over and runs again and again
    time_source.set(ESCALATED_AT.replace(hour=9, minute=59))
    first = container.worker()
    early = first.run_once()
    time_source.set(ESCALATED_AT.replace(minute=5))
    on_time = first.run_once()
    first.close()
    with open_container(database_url, time_source) as restarted:
        second = restarted.worker()
        again = [second.run_once() for _ in range(2)]
        time_source.set(ESCALATED_AT.replace(day=30))
        again.append(second.run_once())
        second.close()

    # then: escalated once each, at the true moment, to the superior or to the inspectors
    assert early.alarms_recorded == 0
    assert on_time.alarms_recorded == 6  # escalation and notice flag, for each of the three
    assert [turn.alarms_recorded for turn in again] == [0, 0, 0]
    for record_id, superior in (
        (case_id, SAMPLE_SUPERIOR),
        (order_id, SAMPLE_SUPERIOR),
        (orphan, None),
    ):
        (escalation,) = escalations(container, record_id)
        assert escalation.superior == superior  # type: ignore[attr-defined]
        assert escalation.escalate_at == ESCALATED_AT  # type: ignore[attr-defined]
    case, order, orphaned = (
        case_row(database_url, case_id),
        order_row(database_url, order_id),
        case_row(database_url, orphan),
    )
    assert (case["escalated_to"], order["escalated_to"], orphaned["escalated_to"]) == (
        SAMPLE_SUPERIOR,
        SAMPLE_SUPERIOR,
        None,
    )
    assert all(row["escalated_at"] is not None for row in (case, order, orphaned))
    assert all(row["next_clock_at"] is None for row in (case, order, orphaned))


async def test_the_read_side_lists_escalated_work_for_the_superior_and_for_the_inspectors(
    container: Container, time_source: SettableTimeSource
) -> None:
    app = container.supervision
    case_id = acknowledged_case(app)
    orphan = assigned_case(app, department=OTHER_DEPARTMENT)
    supervised_at_its_moment(container, time_source, case_id, orphan)
    time_source.set(ESCALATED_AT.replace(minute=5))
    worker = container.worker()
    worker.run_once()
    worker.run_once()
    worker.close()

    now, calendar = time_source.now(), container.current_calendar()
    ask = container.queries.escalated_work
    to_superior = await ask(
        SAMPLE_SUPERIOR, role=INSPECTOR.role, now=now, calendar=calendar, after=None
    )
    to_inspectors = await ask(None, role=INSPECTOR.role, now=now, calendar=calendar, after=None)

    assert [(e.item.id, e.department) for e in to_superior] == [
        (case_id, "real-estate-registration")
    ]
    assert [(e.item.id, e.department) for e in to_inspectors] == [(orphan, OTHER_DEPARTMENT)]
    assert to_superior[0].escalated_at == ESCALATED_AT.replace(minute=5)
