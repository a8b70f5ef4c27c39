"""The worker on real PostgreSQL: one active per database, the deadline clock, calendar years."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import psycopg
import pytest
import structlog.testing

from domain.calendar import OFFICE_TZ
from domain.case import Case
from infrastructure import worker as worker_module
from interfaces.bootstrap import Container
from tests.factories import ADMIN, assigned_case, registered_case
from tests.integration.read_side import (
    a_mix_of_cases,
    assign,
    case_list,
    case_row,
    events_of,
    head,
    local,
    open_container,
    tracking,
    wait_until,
)
from tests.support import SettableTimeSource

# Assigned on Friday 27 November 2026 at 10:00 (tests.support.START), a complaint must be
# acknowledged by Monday 30 November 17:30 and answered by Friday 18 December 17:30.
ACKNOWLEDGE_DUE = local("2026-11-30T17:30:00+08:00")
DUE = local("2026-12-18T17:30:00+08:00")
# Fast enough that the tests' bounded waits are short; the service uses 1 s and 2 s.
QUICK = {"poll_interval": 0.1, "standby_interval": 0.1}


def clock_events(container: Container, case_id: object) -> list[Case.Event]:
    alarms = (Case.Reminded, Case.AcknowledgeDeadlineMissed, Case.DeadlineMissed)
    return [event for event in events_of(container, case_id) if isinstance(event, alarms)]


def test_of_two_workers_started_at_once_one_works_and_the_other_takes_over_when_it_stops(
    database_url: str, time_source: SettableTimeSource
) -> None:
    with (
        open_container(database_url, time_source) as first,
        open_container(database_url, time_source) as second,
    ):
        handles = [first.start_worker(**QUICK), second.start_worker(**QUICK)]

        assert wait_until(lambda: sorted(h.state for h in handles) == ["active", "standby"])
        active = next(h for h in handles if h.active)
        standby = next(h for h in handles if not h.active)
        active.stop()

        assert active.state == "stopped"
        assert wait_until(lambda: standby.active)


def test_an_active_worker_warns_exactly_when_the_server_runs_without_autovacuum(
    container: Container, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SHOW autovacuum").fetchone()
    autovacuum_on = row is not None and row[0] == "on"

    with structlog.testing.capture_logs() as logs:
        # The module's logger may be cached from an earlier test, past capture_logs's reach:
        # a fresh one, first used inside, logs to the capture.
        monkeypatch.setattr(worker_module, "log", structlog.get_logger("oversight.worker"))
        handle = container.start_worker(**QUICK)
        assert wait_until(lambda: handle.active)
        handle.stop()

    warned = [entry for entry in logs if entry["event"] == "autovacuum_off"]
    assert len(warned) == (0 if autovacuum_on else 1)
    assert all(entry["log_level"] == "warning" for entry in warned)


def test_a_running_worker_keeps_the_read_table_current_and_records_a_missed_deadline(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    case_id = assigned_case(container.supervision)
    handle = container.start_worker(**QUICK)

    assert wait_until(lambda: tracking(database_url) == head(container))
    assert case_row(database_url, case_id)["next_clock_at"] == ACKNOWLEDGE_DUE
    time_source.set(ACKNOWLEDGE_DUE + timedelta(seconds=1))

    assert wait_until(lambda: len(clock_events(container, case_id)) == 1)
    assert wait_until(
        lambda: case_row(database_url, case_id)["acknowledge_missed_for"] == ACKNOWLEDGE_DUE
    )
    handle.stop()


def test_the_clock_records_a_missed_acknowledgement_once(
    container: Container, time_source: SettableTimeSource
) -> None:
    case_id = assigned_case(container.supervision)
    worker = container.worker()
    worker.run_once()
    time_source.set(ACKNOWLEDGE_DUE + timedelta(minutes=1))

    first = worker.run_once()
    second = worker.run_once()

    missed = clock_events(container, case_id)
    assert [type(event) for event in missed] == [Case.AcknowledgeDeadlineMissed]
    assert missed[0].due_at == ACKNOWLEDGE_DUE
    assert (first.alarms_recorded, second.alarms_recorded) == (1, 0)
    worker.close()


def test_after_days_of_downtime_one_turn_records_every_passed_moment_once_at_its_true_time(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    case_id = assigned_case(container.supervision)
    time_source.set(DUE + timedelta(days=4))
    worker = container.worker()

    worker.run_once()
    worker.run_once()

    recorded = clock_events(container, case_id)
    assert [type(event) for event in recorded] == [
        Case.AcknowledgeDeadlineMissed,
        Case.Reminded,
        Case.DeadlineMissed,
    ]
    acknowledge_missed, reminded, deadline_missed = recorded
    assert acknowledge_missed.due_at == ACKNOWLEDGE_DUE
    assert reminded.due_at == DUE
    assert ACKNOWLEDGE_DUE < reminded.remind_at < DUE
    assert deadline_missed.due_at == DUE
    row = case_row(database_url, case_id)
    assert (row["acknowledge_missed_for"], row["due_missed_for"]) == (ACKNOWLEDGE_DUE, DUE)
    assert row["reminded_for"] == DUE
    assert row["next_clock_at"] is None
    worker.close()


def test_many_due_cases_are_all_observed_in_one_turn(
    container: Container, time_source: SettableTimeSource
) -> None:
    cases = [registered_case(container.supervision) for _ in range(5)]
    for case_id in cases:
        assign(container, case_id)
    time_source.set(ACKNOWLEDGE_DUE + timedelta(hours=1))
    worker = container.worker()
    worker.clock_page = 2  # pages of two: the clock must read on past the first page

    turn = worker.run_once()

    assert turn.alarms_recorded == 5
    assert all(len(clock_events(container, case_id)) == 1 for case_id in cases)
    worker.close()


def test_publishing_a_year_recomputes_the_open_provisional_deadlines_that_fall_in_it(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    # Monday 25 January 2027: the 15 working days run into the Spring Festival, and 2027 is
    # not published yet, so the deadline is provisional (weekends and 1 January only).
    time_source.set(datetime(2027, 1, 25, 10, 0, tzinfo=OFFICE_TZ))
    case_id = assigned_case(container.supervision)
    worker = container.worker()
    worker.run_once()
    before = case_row(database_url, case_id)

    container.supervision.publish_calendar_year(
        year=2027,
        holidays=[
            date(2027, 1, 1),
            *(date(2027, 2, day) for day in range(5, 12)),  # Spring Festival, 5–11 February
            date(2027, 4, 5),
            date(2027, 5, 1),
            *(date(2027, 10, day) for day in range(1, 8)),
        ],
        makeup_workdays=[date(2027, 1, 31), date(2027, 2, 20)],  # a Sunday and a Saturday
        source="国务院办公厅 2027 年部分节假日安排（测试）",
        by=ADMIN,
    )
    turn = worker.run_once()
    again = worker.run_once()

    after = case_row(database_url, case_id)
    recomputed = [
        e for e in events_of(container, case_id) if isinstance(e, Case.DeadlinesRecomputed)
    ]
    assert before["provisional"] is True
    assert before["due_at"] == local("2027-02-15T17:30:00+08:00")
    assert (turn.deadlines_recomputed, again.deadlines_recomputed) == (1, 0)
    assert len(recomputed) == 1
    assert after["provisional"] is False
    assert after["due_at"] == local("2027-02-19T17:30:00+08:00")
    assert after["acknowledge_due_at"] == local("2027-01-26T17:30:00+08:00")
    worker.close()


def test_a_worker_starting_on_a_busy_store_catches_every_read_table_up(
    container: Container, database_url: str
) -> None:
    cases = a_mix_of_cases(container)
    worker = container.worker()

    worker.run_once()

    assert tracking(database_url) == head(container)
    assert sorted(row[0] for row in case_list(database_url)) == sorted(cases)
    worker.close()


class CountedWaits(threading.Event):
    """A stop event whose waits return at once and are counted."""

    def __init__(self) -> None:
        super().__init__()
        self.waits = 0

    def wait(self, timeout: float | None = None) -> bool:
        self.waits += 1
        return False


def test_a_burst_of_saves_notified_together_is_waited_for_once_and_then_drained(
    database_url: str,
) -> None:
    with (
        psycopg.connect(database_url, autocommit=True) as leader,
        psycopg.connect(database_url, autocommit=True) as saver,
    ):
        leader.execute("LISTEN saves")
        with saver.transaction():  # delivered together, at the commit
            for n in range(20):
                saver.execute("SELECT pg_notify('saves', %s)", (str(n),))
        stop = CountedWaits()

        worker_module.wait_for_saves(leader, stop, timeout=5)

        assert stop.waits == 1
        assert list(leader.notifies(timeout=0)) == []
