"""Saves of any size on real PostgreSQL, over TCP and over the embedded server's unix socket.

The library sends a save as one pipelined transaction, and psycopg stopped pushing it while
part of a large INSERT was still unsent: client and server then waited for each other for
ever (docs/reliability.md, "Large saves and bounded waits"). Run on the embedded server
(OVERSIGHT_TEST_DATABASE_URL=embedded) as well as over TCP: the socket decides how much
gets through before the wait.
"""

from __future__ import annotations

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from infrastructure.eventstore import STATEMENT_BYTES
from tests.integration.read_side import wait_until
from tests.integration.recorders import NEW_EVENTS_TOPIC, event_store, new_events
from tests.integration.waiting import Running, finishes


def stored_order(database_url: str) -> list[object]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT originator_id FROM oversight_events WHERE topic = %s ORDER BY notification_id",
            (NEW_EVENTS_TOPIC,),
        ).fetchall()
    return [row[0] for row in rows]


def test_a_save_of_ten_thousand_events_is_stored_in_one_run_of_positions(
    database_url: str,
) -> None:
    events = new_events(10_000, 300)  # about 7 MB as sent: several statements

    with event_store(database_url) as recorder:
        positions = finishes(lambda: recorder.insert_events(events))

    assert positions == list(range(positions[0], positions[0] + 10_000))
    assert stored_order(database_url) == [event.originator_id for event in events]


def test_a_large_save_queued_behind_the_table_lock_completes_when_the_lock_is_released(
    database_url: str,
) -> None:
    # About 16 MB as sent: more than the socket's buffers hold while the server, waiting for
    # the lock, reads nothing.
    events = new_events(4_000, 2_000)
    with event_store(database_url) as recorder, psycopg.connect(database_url) as holder:
        holder.execute("LOCK TABLE oversight_events IN EXCLUSIVE MODE")

        def saver_waits_for_the_lock() -> bool:
            row = holder.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = 'oversight-event-store' AND wait_event_type = 'Lock'"
            ).fetchone()
            return bool(row and row[0])

        saving = Running(lambda: recorder.insert_events(events))
        assert wait_until(saver_waits_for_the_lock, seconds=60)
        holder.commit()
        positions = saving.result()

    assert len(positions) == 4_000
    assert stored_order(database_url) == [event.originator_id for event in events]


def test_a_save_sent_as_several_statements_is_one_transaction(database_url: str) -> None:
    events = new_events(3 * STATEMENT_BYTES // 700, 300)  # three statements or more
    with event_store(database_url) as recorder:
        recorder.insert_events([events[-1]])  # the last event of the save is already stored

        with pytest.raises(IntegrityError):
            finishes(lambda: recorder.insert_events(events))
        after_the_conflict = recorder.insert_events(new_events(1, 10))

    assert stored_order(database_url)[:1] == [events[-1].originator_id]
    assert len(stored_order(database_url)) == 2  # nothing of the failed save, and the next one
    assert len(after_the_conflict) == 1
