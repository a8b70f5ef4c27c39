"""Appeals on real PostgreSQL (申诉, §15): the appeal_list read table, the worker's clock
recording a missed decision deadline once, the scores' marks, and a rebuild of the table."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from domain.appeal import Appeal
from domain.calendar import OFFICE_TZ
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.factories import ADMIN, INSPECTOR, a_deduction
from tests.integration.read_side import DEPARTMENT, _list_row, events_of, head, local, tracking
from tests.support import SettableTimeSource, run_worker_once

# Recorded and appealed on Friday 27 November 2026 at 10:00: decided by Friday 4 December 17:30.
DUE = local("2026-12-04T17:30:00+08:00")


def appealed(container: Container) -> tuple[UUID, UUID]:
    """A deduction from S0001 (and W-A01), and its department's appeal: their ids."""
    app = container.supervision
    app.load_conduct_rules(default_conduct_rules(), ADMIN)
    deduction = app.record_deduction(
        a_deduction(
            rule="harsh_attitude", occurred_at=datetime(2026, 11, 26, 15, tzinfo=OFFICE_TZ)
        ),
        INSPECTOR,
    )
    appeal = app.appeal_deduction(
        deduction.id, reasons="当事人系在解释政策", evidence="录音", by=DEPARTMENT
    )
    return deduction.id, appeal.id


def appeal_row(database_url: str, appeal_id: UUID) -> dict[str, Any]:
    return _list_row(database_url, "appeal_list", appeal_id)


def test_an_appeal_reads_into_appeal_list_with_its_deduction_and_its_clock(
    container: Container, database_url: str
) -> None:
    deduction_id, appeal_id = appealed(container)
    run_worker_once(container)

    row = appeal_row(database_url, appeal_id)

    assert row["deduction_id"] == deduction_id
    assert (row["status"], row["department"]) == ("open", "real-estate-registration")
    assert (row["rule"], row["points"], row["staff_id"], row["window_id"]) == (
        "harsh_attitude",
        5,
        "S0001",
        "W-A01",
    )
    assert row["due_at"] == DUE
    assert row["next_clock_at"] is not None
    assert row["next_clock_at"] < DUE  # the reminder, with 20% of the time left
    assert tracking(database_url, "appeal_list") == head(container)


def test_the_worker_clock_records_a_missed_appeal_deadline_once(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    _, appeal_id = appealed(container)
    worker = container.worker()
    worker.run_once()
    time_source.set(local("2026-12-07T09:00:00+08:00"))

    first = worker.run_once()
    second = worker.run_once()

    alarms = (Appeal.Reminded, Appeal.DeadlineMissed)
    recorded = [e for e in events_of(container, appeal_id) if isinstance(e, alarms)]
    assert [type(e) for e in recorded] == list(alarms)
    assert (first.alarms_recorded, second.alarms_recorded) == (2, 0)
    row = appeal_row(database_url, appeal_id)
    assert row["due_missed_for"] == DUE
    assert row["next_clock_at"] is None
    worker.close()


def test_a_granted_appeal_closes_its_row_and_the_deduction_leaves_the_scores(
    container: Container, database_url: str
) -> None:
    deduction_id, appeal_id = appealed(container)
    container.supervision.grant_appeal(appeal_id, reason="申诉成立", by=INSPECTOR)
    run_worker_once(container)

    row = appeal_row(database_url, appeal_id)
    with psycopg.connect(database_url) as connection:
        revoked = connection.execute(
            "SELECT bool_and(revoked), count(*) FROM deductions WHERE deduction_id = %s",
            (deduction_id,),
        ).fetchone()

    assert (row["status"], row["decision_reason"]) == ("granted", "申诉成立")
    assert row["next_clock_at"] is None
    assert revoked == (True, 2)


def test_rebuilding_the_read_side_gives_the_same_appeal_list(
    container: Container, database_url: str
) -> None:
    _, appeal_id = appealed(container)
    container.supervision.uphold_appeal(appeal_id, reason="属实", by=INSPECTOR)
    run_worker_once(container)
    before = appeal_row(database_url, appeal_id)

    container.rebuild_projections()

    assert appeal_row(database_url, appeal_id) == before
