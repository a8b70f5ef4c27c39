"""Rectification orders and ratings on real PostgreSQL: order_list, the clock on orders, and the
rating policy that opens a case exactly once, across crashes and restarts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg

from application.evaluations import BadRatingCasePolicy
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Case, Channel, Status
from domain.evaluation import Evaluation, rating_case_id
from domain.rectification import RectificationOrder
from infrastructure.policy_runner import PolicyRunner
from infrastructure.worker import Worker
from interfaces.bootstrap import Container
from tests.factories import ADMIN, INSPECTOR, import_sample_directory, issued_order, registered_case
from tests.integration.read_side import (
    DEPARTMENT,
    DEPARTMENT_ID,
    assign,
    events_of,
    head,
    local,
    open_container,
    order_row,
    tracking,
)
from tests.support import SettableTimeSource

PUBLIC = Actor("public", Role.PUBLIC)
# Issued Friday 27 November 2026 at 10:00 (tests.support.START): acknowledge by Monday
# 30 November 17:30, rectify within 10 working days, by Friday 11 December 17:30.
ACKNOWLEDGE_DUE = local("2026-11-30T17:30:00+08:00")
DUE = local("2026-12-11T17:30:00+08:00")


def issue(container: Container, **overrides: Any) -> UUID:
    """An inspection's order on window W-A01 of the deeds office, in the policy's working days."""
    fields: dict[str, Any] = {
        "problem": "窗口未落实一次性告知",
        "requirements": "组织学习并提交整改报告",
        **overrides,
    }
    return issued_order(container.supervision, INSPECTOR, **fields)


def issued_and_projected(container: Container) -> tuple[UUID, Worker]:
    """An order just issued, and the worker that has read it into order_list (the test goes on
    turning that worker and closes it)."""
    order_id = issue(container)
    worker = container.worker()
    worker.run_once()
    return order_id, worker


def cases_of_channel(database_url: str, channel: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT id, status, assigned_department FROM case_list WHERE channel = %s",
            (channel,),
        ).fetchall()


def rate(container: Container, rating: int, **overrides: Any) -> UUID:
    fields: dict[str, Any] = {
        "window": "W-A01",
        "staff": None,
        "rating": rating,
        "comment": "等了很久没人理",
        "service_item": None,
        **overrides,
    }
    return container.supervision.record_evaluation(**fields, by=PUBLIC).id


def rated_event(container: Container, evaluation_id: UUID) -> Evaluation.Rated:
    (event,) = events_of(container, evaluation_id)
    assert isinstance(event, Evaluation.Rated)
    return event


# order_list ---------------------------------------------------------------------------------


def test_an_order_taken_through_its_life_reads_as_it_was_handled(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    order_id, worker = issued_and_projected(container)
    issued = order_row(database_url, order_id)

    time_source.set(local("2026-11-30T10:00:00+08:00"))
    container.supervision.acknowledge_order(order_id, DEPARTMENT)
    time_source.set(local("2026-12-07T10:00:00+08:00"))
    container.supervision.report_rectification(
        order_id, measures="已整改", evidence=None, by=DEPARTMENT
    )
    time_source.set(local("2026-12-08T10:00:00+08:00"))
    container.supervision.reject_rectification(
        order_id, reasons="整改不到位", working_days=3, by=INSPECTOR
    )
    worker.run_once()
    rejected = order_row(database_url, order_id)

    time_source.set(local("2026-12-10T10:00:00+08:00"))
    container.supervision.report_rectification(
        order_id, measures="已全面整改", evidence="照片", by=DEPARTMENT
    )
    container.supervision.accept_rectification(order_id, note="合格", by=INSPECTOR)
    worker.run_once()
    closed = order_row(database_url, order_id)

    assert issued["status"] == "issued"
    assert issued["tracking_number"].startswith("ZG20261127-")
    assert (issued["acknowledge_due_at"], issued["due_at"]) == (ACKNOWLEDGE_DUE, DUE)
    assert issued["next_clock_at"] == ACKNOWLEDGE_DUE
    assert rejected["status"] == "in_progress"
    assert rejected["due_at"] == local("2026-12-11T17:30:00+08:00")  # Wed 9, Thu 10, Fri 11
    assert rejected["rejections"] == 1
    assert rejected["reports"] == 1
    assert closed["status"] == "closed"
    assert closed["reports"] == 2
    assert closed["reported_at"] <= closed["reported_due_at"]
    assert closed["next_clock_at"] is None
    assert tracking(database_url, "order_list") == head(container)
    worker.close()


def test_the_worker_clock_records_an_orders_missed_deadlines_once(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    order_id, worker = issued_and_projected(container)
    time_source.set(DUE + timedelta(days=3))

    first = worker.run_once()
    second = worker.run_once()

    alarms = (
        RectificationOrder.AcknowledgeDeadlineMissed,
        RectificationOrder.Reminded,
        RectificationOrder.DeadlineMissed,
    )
    recorded = [e for e in events_of(container, order_id) if isinstance(e, alarms)]
    assert [type(e) for e in recorded] == list(alarms)
    assert (first.alarms_recorded, second.alarms_recorded) == (3, 0)
    row = order_row(database_url, order_id)
    assert (row["acknowledge_missed_for"], row["due_missed_for"]) == (ACKNOWLEDGE_DUE, DUE)
    assert row["next_clock_at"] is None
    worker.close()


def test_one_turn_of_the_clock_observes_due_cases_and_orders_alike(
    container: Container, time_source: SettableTimeSource
) -> None:
    orders = [issue(container) for _ in range(3)]
    cases = [registered_case(container.supervision) for _ in range(3)]
    for case_id in cases:
        assign(container, case_id)
    time_source.set(ACKNOWLEDGE_DUE + timedelta(hours=1))
    worker = container.worker()
    worker.clock_page = 2  # pages over both tables: the clock must read past the first

    turn = worker.run_once()

    assert turn.alarms_recorded == 6
    for task_id in [*orders, *cases]:
        missed = [e for e in events_of(container, task_id) if "DeadlineMissed" in type(e).__name__]
        assert len(missed) == 1
    worker.close()


def test_publishing_a_year_recomputes_an_orders_provisional_deadline(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    # Monday 25 January 2027, 10 working days into an unpublished 2027 (the Spring Festival).
    time_source.set(datetime(2027, 1, 25, 10, 0, tzinfo=OFFICE_TZ))
    order_id, worker = issued_and_projected(container)
    before = order_row(database_url, order_id)

    container.supervision.publish_calendar_year(
        year=2027,
        holidays=[date(2027, 1, 1), *(date(2027, 2, day) for day in range(5, 12))],
        makeup_workdays=[date(2027, 1, 31), date(2027, 2, 20)],
        source="国务院办公厅 2027 年部分节假日安排（测试）",
        by=ADMIN,
    )
    turn = worker.run_once()

    after = order_row(database_url, order_id)
    assert before["provisional"] is True
    assert before["due_at"] == local("2027-02-08T17:30:00+08:00")
    assert turn.deadlines_recomputed == 1
    assert after["provisional"] is False
    # 26–29 Jan (4), 31 Jan a make-up Sunday (5), 1–4 Feb (9), then 5–11 Feb off: 12 Feb (10)
    assert after["due_at"] == local("2027-02-12T17:30:00+08:00")
    worker.close()


# The rating policy ----------------------------------------------------------------------------


def test_a_bad_rating_becomes_one_assigned_case_on_the_windows_department(
    container: Container, database_url: str
) -> None:
    evaluation_id = rate(container, 1)
    rate(container, 4)
    worker = container.worker()

    turn = worker.run_once()

    assert turn.policy_records == 1
    (case,) = cases_of_channel(database_url, Channel.RATING.value)
    assert case == (rating_case_id(evaluation_id), Status.ASSIGNED.value, DEPARTMENT_ID)
    with psycopg.connect(database_url) as connection:
        ratings = connection.execute(
            "SELECT rating FROM evaluation_list ORDER BY rating"
        ).fetchall()
    assert ratings == [(1,), (4,)]
    worker.close()


def test_a_crash_after_the_case_was_saved_but_before_the_position_moved_opens_no_second_case(
    container: Container, database_url: str
) -> None:
    # given: the policy handled the rating (the case is saved) and the process died before
    # its tracking position moved past the rating
    evaluation_id = rate(container, 2)
    policy = BadRatingCasePolicy(container.supervision)
    assert policy.handle(rated_event(container, evaluation_id)) == 1
    with PolicyRunner(database_url, container.supervision, policy) as runner:
        assert runner.position() == 0
    events_after_crash = head(container)

    # when: the worker starts again and replays the log from the old position
    worker = container.worker()
    turn = worker.run_once()
    again = worker.run_once()
    worker.close()

    # then: the case is there once, and nothing new was recorded for the rating
    assert (turn.policy_records, again.policy_records) == (0, 0)
    case_id = rating_case_id(evaluation_id)
    assert [e for e in events_of(container, case_id) if isinstance(e, Case.Registered)]
    assert cases_of_channel(database_url, Channel.RATING.value) == [
        (case_id, Status.ASSIGNED.value, DEPARTMENT_ID)
    ]
    assert tracking(database_url, "rating_cases") == head(container)
    assert head(container) == events_after_crash  # the replay recorded nothing at all


def test_a_restarted_worker_does_not_open_the_case_of_a_rating_again(
    database_url: str, time_source: SettableTimeSource
) -> None:
    with open_container(database_url, time_source) as first:
        import_sample_directory(first.supervision)
        evaluation_id = rate(first, 1)
        worker = first.worker()
        worker.run_once()
        worker.close()
        recorded = head(first)

    with open_container(database_url, time_source) as second:
        worker = second.worker()
        turn = worker.run_once()
        worker.close()
        assert turn.policy_records == 0
        assert head(second) == recorded

    assert cases_of_channel(database_url, Channel.RATING.value) == [
        (rating_case_id(evaluation_id), Status.ASSIGNED.value, DEPARTMENT_ID)
    ]
