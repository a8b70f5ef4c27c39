"""Waits on PostgreSQL end in an error: a held lock, a server that answers nothing or stops
reading what it is sent.

Before these bounds, each of these waits lasted as long as its cause: for ever if the lock
holder or the peer never came back.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from application.base import StorageUnavailable
from infrastructure.database_waits import DatabaseWaits, ServerSilent
from infrastructure.eventstore import EventRecorder, EventStoreFactory
from infrastructure.notification_log import LazyConnection
from infrastructure.personal_data_keys import PostgresPersonalDataKeys, decode_master_key
from interfaces.bootstrap import bootstrap
from tests.integration.recorders import event_store, new_events
from tests.integration.waiting import finishes
from tests.support import TEST_MASTER_KEY, SettableTimeSource, settings_for


class QuickToGiveUp(EventStoreFactory):
    """The event store, giving a silent server a second or two rather than the service's
    75 s (unacknowledged data) and 10 s beyond its own timeouts (no answer)."""

    unacknowledged_seconds = 1.0
    answer_margin_seconds = 0.5


class StallingPeer:
    """A TCP proxy in front of the test's server that can stop passing data on, while the
    connections stay up: what a client sees of a server whose disk stalled, whose process
    stopped, or whose proxy hangs. Once stalled it refuses new connections."""

    def __init__(self, database_url: str) -> None:
        params = conninfo_to_dict(database_url)
        host, port = str(params.get("host") or "localhost"), int(params.get("port") or 5432)
        # The embedded server listens on a unix socket only.
        self._upstream = (
            (socket.AF_UNIX, f"{host}/.s.PGSQL.{port}")
            if host.startswith("/")
            else (socket.AF_INET, (host, port))
        )
        self._listener = socket.create_server(("127.0.0.1", 0))
        params.update(host="127.0.0.1", port=self._listener.getsockname()[1])
        self.url = make_conninfo(**params)
        self._stalled = threading.Event()
        self._client_bytes = 0
        self._answers = True
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self, *, client_bytes: int = 0, answers: bool = False) -> None:
        """From now on pass at most `client_bytes` more to the server, then read nothing
        more from the client; pass the server's answers on only if `answers`."""
        self._client_bytes, self._answers = client_bytes, answers
        self._stalled.set()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            family, address = self._upstream
            server = socket.socket(family)
            server.connect(address)
            self._sockets += [client, server]
            for pump in (self._requests, self._answers_back):
                threading.Thread(target=pump, args=(client, server), daemon=True).start()

    def _requests(self, client: socket.socket, server: socket.socket) -> None:
        with suppress(OSError):
            while data := client.recv(1 << 16):
                if self._stalled.is_set():
                    data, self._client_bytes = data[: self._client_bytes], self._client_bytes
                    self._client_bytes -= len(data)
                server.sendall(data)
                if self._stalled.is_set() and self._client_bytes == 0:
                    self._closed.wait()
                    return

    def _answers_back(self, client: socket.socket, server: socket.socket) -> None:
        with suppress(OSError):
            while data := server.recv(1 << 16):
                if self._stalled.is_set() and not self._answers:
                    self._closed.wait()
                    return
                client.sendall(data)

    def close(self) -> None:
        self._closed.set()
        for each in self._sockets:
            each.close()


@contextmanager
def stalling_peer(database_url: str) -> Iterator[StallingPeer]:
    peer = StallingPeer(database_url)
    try:
        yield peer
    finally:
        peer.close()


@contextmanager
def event_store_behind_a_peer(database_url: str) -> Iterator[tuple[StallingPeer, EventRecorder]]:
    """The event store reaching the test's server through a peer that may stall; connected."""
    with (
        stalling_peer(database_url) as peer,
        event_store(
            peer.url,
            connect_timeout=1,
            lock_timeout=1,
            statement_timeout=1,
            factory=QuickToGiveUp,
        ) as store,
    ):
        store.insert_events(new_events(1, 10))
        yield peer, store


@pytest.mark.slow  # the library's ten tries, a second each
def test_a_save_to_a_server_that_answers_nothing_ends_in_an_error(database_url: str) -> None:
    with event_store_behind_a_peer(database_url) as (peer, recorder):
        peer.stall()

        with pytest.raises(OperationalError):
            finishes(lambda: recorder.insert_events(new_events(1, 10)))


@pytest.mark.slow  # the library's ten tries, a second each
def test_a_large_save_to_a_server_that_stops_reading_it_ends_in_an_error(
    database_url: str,
) -> None:
    with event_store_behind_a_peer(database_url) as (peer, recorder):
        peer.stall(client_bytes=1 << 16, answers=True)

        with pytest.raises(OperationalError):
            finishes(lambda: recorder.insert_events(new_events(4_000, 2_000)))


def test_a_connection_with_a_statement_timeout_gives_a_silent_server_up(
    database_url: str,
) -> None:
    waits = DatabaseWaits(statement_seconds=0.5, answer_margin_seconds=0.5)
    with stalling_peer(database_url) as peer:
        connection = LazyConnection(peer.url, waits=waits)
        try:
            connection().execute("SELECT 1")
            peer.stall()

            with pytest.raises(ServerSilent):
                finishes(lambda: connection().execute("SELECT 1"))
        finally:
            connection.close()


@pytest.mark.slow
def test_reading_events_while_a_migration_holds_the_event_table_ends_in_an_error(
    database_url: str,
) -> None:
    with (
        event_store(database_url, lock_timeout=1) as recorder,
        psycopg.connect(database_url) as migration,
    ):
        migration.execute("LOCK TABLE oversight_events IN ACCESS EXCLUSIVE MODE")

        with pytest.raises(OperationalError):
            finishes(lambda: recorder.select_events(uuid4()))


def test_erasing_a_key_whose_row_another_transaction_holds_answers_storage_unavailable(
    database_url: str,
) -> None:
    keys = PostgresPersonalDataKeys.connect(
        database_url,
        master_key=decode_master_key(TEST_MASTER_KEY),
        time_source=SettableTimeSource(),
        lock_timeout=1,
    )
    key_id = uuid4()
    try:
        keys.key_for_writing(key_id)
        with psycopg.connect(database_url) as holder:
            holder.execute(
                "SELECT 1 FROM personal_data_keys WHERE key_id = %s FOR UPDATE", (key_id,)
            )

            with pytest.raises(StorageUnavailable):
                finishes(lambda: keys.erase(key_id))
        assert keys.erase(key_id) is True  # once the holder let go
    finally:
        keys.close()


def test_the_event_stores_connections_carry_the_configured_bounds(database_url: str) -> None:
    with (
        bootstrap(
            settings_for(database_url, db_statement_timeout=7, db_lock_timeout=2),
            time_source=SettableTimeSource(),
            initialise=False,
        ) as container,
        container.supervision.recorder.datastore.get_connection() as connection,  # type: ignore[attr-defined]
    ):
        shown = {
            name: connection.execute(f"SHOW {name}").fetchone()[name]  # type: ignore[index]
            for name in ("statement_timeout", "lock_timeout")
        }
        parameters = connection.info.get_parameters()

    assert shown == {"statement_timeout": "7s", "lock_timeout": "2s"}
    assert parameters["keepalives"] == "1"
    assert int(parameters["tcp_user_timeout"]) > 0
    assert parameters["connect_timeout"] == "10"
