"""How a save is cut into statements, and the parameters that bound a connection's waits."""

from __future__ import annotations

from uuid import uuid4

import psycopg
from eventsourcing.persistence import StoredEvent

from infrastructure.database_waits import BoundedConnection, DatabaseWaits
from infrastructure.eventstore import ROW_OVERHEAD_BYTES, statement_parts


def events(*state_sizes: int) -> list[StoredEvent]:
    return [StoredEvent(uuid4(), 1, "t", bytes(size)) for size in state_sizes]


def row_bytes(event: StoredEvent) -> int:
    return 2 * len(event.state) + len(event.topic) + ROW_OVERHEAD_BYTES


def test_an_ordinary_save_is_one_statement() -> None:
    save = events(300, 1_500, 200)

    assert list(statement_parts(save)) == [save]


def test_a_large_save_is_cut_in_order_into_statements_within_the_limit() -> None:
    save = events(*[500] * 100)
    limit = 10 * row_bytes(save[0]) + 1

    parts = list(statement_parts(save, limit))

    assert [event for part in parts for event in part] == save
    assert [len(part) for part in parts] == [10] * 10
    assert all(sum(row_bytes(event) for event in part) <= limit for part in parts)


def test_an_event_larger_than_the_limit_is_a_statement_of_its_own() -> None:
    save = events(10, 5_000, 10)

    parts = list(statement_parts(save, limit=1_000))

    assert [len(part) for part in parts] == [1, 1, 1]


def test_server_settings_join_the_options_already_in_the_url() -> None:
    waits = DatabaseWaits(statement_seconds=15, lock_seconds=1)

    options = waits.parameters("postgresql://db/oversight?options=-c%20search_path%3Dcentre")[
        "options"
    ]

    assert options.split(" -c ") == [
        "-c search_path=centre",
        "statement_timeout=15000",
        "lock_timeout=1000",
        "idle_in_transaction_session_timeout=60000",
    ]


def test_every_connection_has_tcp_bounds_and_a_connect_timeout() -> None:
    parameters = DatabaseWaits(connect_seconds=7, idle_in_transaction_seconds=None).parameters()

    assert parameters["connect_timeout"] == "7"
    assert parameters["keepalives"] == "1"
    assert int(parameters["tcp_user_timeout"]) > 0
    assert "options" not in parameters


def test_only_a_connection_with_a_statement_timeout_gives_a_silent_server_up() -> None:
    bounded = DatabaseWaits(statement_seconds=15, lock_seconds=1, answer_margin_seconds=10)

    assert DatabaseWaits().connection_class is psycopg.Connection
    assert issubclass(bounded.connection_class, BoundedConnection)
    assert bounded.connection_class.answer_seconds == 26
