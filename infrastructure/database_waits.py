"""How long any wait on PostgreSQL may last, as libpq connection parameters and a deadline on
each exchange with the server.

Each bound covers a way a wait could otherwise last for ever:
- `connect_timeout`: a server that does not answer a connection attempt;
- TCP keepalives and `tcp_user_timeout`: a server host or network that vanished without
  closing the connection (power loss, partition, a dropped NAT entry), or a server that
  stopped reading what is sent to it. A client waiting for a result has nothing in flight,
  so without keepalives TCP never notices;
- `statement_timeout`, `lock_timeout` (enforced by the server): a statement that runs, or
  waits for a lock, too long;
- `idle_in_transaction_session_timeout` (server): a client that stopped in the middle of a
  transaction, holding locks that others wait for;
- the exchange deadline (`BoundedConnection`): a server that keeps its connection up but
  answers nothing (a stalled disk, a stopped process, a stuck proxy). Its own timeouts cannot
  fire, and TCP sees nothing wrong, so only the client can give up.

libpq ignores the TCP parameters on a unix socket, where a vanished server closes the socket.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from time import monotonic
from typing import Any, TypeVar

import psycopg
from psycopg.abc import PQGen
from psycopg.conninfo import conninfo_to_dict
from psycopg.waiting import Ready
from psycopg_pool import ConnectionPool, PoolTimeout

from application.base import StorageUnavailable

RV = TypeVar("RV")

# A peer silent this long is probed; after the probes go unanswered it is given up for dead.
KEEPALIVE_IDLE_SECONDS = 10
KEEPALIVE_INTERVAL_SECONDS = 5
KEEPALIVE_PROBES = 3
# Data sent and not acknowledged for this long (or a receive window shut as long) also ends
# the connection. Longer than any lock timeout, so a server blocked on a lock is not dropped.
UNACKNOWLEDGED_SECONDS = 75
# Generous: a projection batch or a rebuild does seconds of work between its statements.
IDLE_IN_TRANSACTION_SECONDS = 60
# An exchange may outlast the server's own bounds by this much (sending a large statement,
# scheduling) before the client gives the server up.
ANSWER_MARGIN_SECONDS = 10
# How often psycopg looks up from a wait (its own default): the deadline is checked then.
WAIT_INTERVAL_SECONDS = 0.1


class ServerSilent(psycopg.OperationalError):
    """The server gave no answer in time; the connection was closed half-way."""


class BoundedConnection(psycopg.Connection[Any]):
    """A psycopg connection that stops waiting for a server that does not answer.

    An exchange with the server (a statement, a pipeline's sync, a commit) still unanswered
    `answer_seconds` after it began closes the connection with ServerSilent, an
    OperationalError like any lost connection. A wait given a timeout of its own keeps it,
    so wait for notifications on such a connection only with a timeout.
    """

    answer_seconds: float | None = None

    def wait(
        self,
        gen: PQGen[RV],
        interval: float = WAIT_INTERVAL_SECONDS,
        timeout: float | None = None,
    ) -> RV:
        if timeout is not None or self.answer_seconds is None:
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(_answered_within(gen, self.answer_seconds), interval)
        except ServerSilent:
            self.close()
            raise


def _answered_within(gen: PQGen[RV], seconds: float) -> PQGen[RV]:
    """`gen`, raising ServerSilent when it is resumed with nothing ready after `seconds`."""
    deadline = monotonic() + seconds
    try:
        waiting_for = next(gen)
        while True:
            ready = yield waiting_for
            if ready == Ready.NONE and monotonic() >= deadline:
                raise ServerSilent(f"the server gave no answer within {seconds:g} s")
            waiting_for = gen.send(ready)
    except StopIteration as finished:
        return finished.value  # type: ignore[no-any-return]


@cache
def _bounded_connection_class(answer_seconds: float) -> type[BoundedConnection]:
    return type(
        f"BoundedConnection{round(answer_seconds * 1000)}ms",
        (BoundedConnection,),
        {"answer_seconds": answer_seconds, "__module__": __name__},
    )


@dataclass(frozen=True)
class DatabaseWaits:
    """The bounds of a connection's waits; None leaves that one to the server's default."""

    connect_seconds: int = 10
    statement_seconds: float | None = None
    lock_seconds: float | None = None
    idle_in_transaction_seconds: float | None = IDLE_IN_TRANSACTION_SECONDS
    unacknowledged_seconds: float = UNACKNOWLEDGED_SECONDS
    answer_margin_seconds: float = ANSWER_MARGIN_SECONDS

    @property
    def answer_seconds(self) -> float | None:
        """How long an exchange may wait for the server: longer than its own bounds allow.
        None without a statement timeout (a rebuild's statements may run for minutes)."""
        if self.statement_seconds is None:
            return None
        return self.statement_seconds + (self.lock_seconds or 0) + self.answer_margin_seconds

    @property
    def connection_class(self) -> type[psycopg.Connection[Any]]:
        """The class to connect with: one that keeps `answer_seconds`, when there is one."""
        seconds = self.answer_seconds
        return psycopg.Connection if seconds is None else _bounded_connection_class(seconds)

    def parameters(self, database_url: str = "") -> dict[str, str]:
        """libpq keyword parameters; server settings join the `options` of `database_url`."""
        server_settings = [
            f"-c {name}={_milliseconds(seconds)}"
            for name, seconds in (
                ("statement_timeout", self.statement_seconds),
                ("lock_timeout", self.lock_seconds),
                ("idle_in_transaction_session_timeout", self.idle_in_transaction_seconds),
            )
            if seconds is not None
        ]
        parameters = {
            "connect_timeout": str(self.connect_seconds),
            "keepalives": "1",
            "keepalives_idle": str(KEEPALIVE_IDLE_SECONDS),
            "keepalives_interval": str(KEEPALIVE_INTERVAL_SECONDS),
            "keepalives_count": str(KEEPALIVE_PROBES),
            "tcp_user_timeout": str(_milliseconds(self.unacknowledged_seconds)),
        }
        given = conninfo_to_dict(database_url).get("options") if database_url else None
        options = " ".join([str(given), *server_settings] if given else server_settings)
        if options:
            parameters["options"] = options
        return parameters

    def small_pool(
        self, database_url: str, *, name: str, size: int, application_name: str | None = None
    ) -> ConnectionPool[Any]:
        """An open pool of up to `size` autocommit connections on `database_url` that keep
        these bounds; each connection is tested on checkout, since a database restart leaves
        dead ones behind."""
        named = {"application_name": application_name} if application_name else {}
        return ConnectionPool(
            database_url,
            min_size=1,
            max_size=size,
            timeout=self.connect_seconds,
            connection_class=self.connection_class,
            kwargs={"autocommit": True, **named, **self.parameters(database_url)},
            check=ConnectionPool.check_connection,
            name=name,
            open=True,
        )


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


@contextmanager
def pooled_connection(pool: ConnectionPool[Any], holding: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection from the pool; a database that does not answer is StorageUnavailable (503),
    naming what the pool holds (`the console sessions`) for the message."""
    try:
        with pool.connection() as connection:
            yield connection
    except (psycopg.OperationalError, PoolTimeout) as error:
        raise StorageUnavailable(f"{holding} could not be reached; retry in a moment") from error
