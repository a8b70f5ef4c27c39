"""Console sessions kept on the server (DESIGN §12), in PostgreSQL or, for tests, in memory.

A session's token is 32 random bytes (URL-safe base64), handed to the browser once; the
table `console_sessions` (migration 0017) keeps only its SHA-256 digest, with whose session
it is (account id, username, display name, role, department), whether a sign-in step is
still owed, and when it was opened and last used. The idle and absolute limits (settings
`OVERSIGHT_SESSION_IDLE_MINUTES`, `OVERSIGHT_SESSION_ABSOLUTE_HOURS`) are applied on reading
with the service's clock; a session found past them is deleted there and then, and each
`open` sweeps away the ones nobody came back for.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from application.ports import ConsoleSession, SessionLimits
from domain.actor import Role
from infrastructure.database_waits import DatabaseWaits, pooled_connection

TOKEN_BYTES = 32
POOL_SIZE = 4

_INSERT = """
INSERT INTO console_sessions (token_digest, account_id, username, name, role, department,
                              pending, created_at, last_seen_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
"""
_SELECT = """
SELECT account_id, username, name, role, department, pending, created_at, last_seen_at
FROM console_sessions WHERE token_digest = %s
"""
_TOUCH = """
UPDATE console_sessions SET last_seen_at = greatest(last_seen_at, %s) WHERE token_digest = %s
"""
_SWEEP = """
DELETE FROM console_sessions WHERE created_at <= %s OR last_seen_at <= %s
"""


def new_session_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> bytes:
    """What is kept of a token: its SHA-256 digest (the token is random, so no key is needed)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class PostgresConsoleSessions:
    """Console sessions in the `console_sessions` table, shared by every API process."""

    def __init__(self, pool: ConnectionPool[Any], limits: SessionLimits) -> None:
        self._pool = pool
        self.limits = limits

    @classmethod
    def connect(
        cls,
        database_url: str,
        *,
        limits: SessionLimits,
        connect_timeout: int = 10,
        statement_timeout: float | None = None,
    ) -> PostgresConsoleSessions:
        """Open a small pool on the primary; every wait on it ends (StorageUnavailable)."""
        waits = DatabaseWaits(connect_seconds=connect_timeout, statement_seconds=statement_timeout)
        return cls(waits.small_pool(database_url, name="console-sessions", size=POOL_SIZE), limits)

    def close(self) -> None:
        self._pool.close()

    def open(self, holder: ConsoleSession, at: datetime) -> str:
        token = new_session_token()
        with self._connection() as connection:
            connection.execute(_SWEEP, (at - self.limits.absolute, at - self.limits.idle))
            connection.execute(
                _INSERT,
                (
                    token_digest(token),
                    holder.account_id,
                    holder.username,
                    holder.name,
                    holder.role.value,
                    holder.department,
                    holder.pending,
                    at,
                    at,
                ),
            )
        return token

    def find(self, token: str, at: datetime) -> ConsoleSession | None:
        digest = token_digest(token)
        with self._connection() as connection, connection.cursor(row_factory=dict_row) as cursor:
            row = cursor.execute(_SELECT, (digest,)).fetchone()
            if row is None:
                return None
            session = ConsoleSession(**{**row, "role": Role(row["role"])})
            if self.limits.expired(session, at):
                cursor.execute("DELETE FROM console_sessions WHERE token_digest = %s", (digest,))
                return None
        return session

    def touch(self, token: str, at: datetime) -> None:
        with self._connection() as connection:
            connection.execute(_TOUCH, (at, token_digest(token)))

    def end(self, token: str) -> None:
        with self._connection() as connection:
            connection.execute(
                "DELETE FROM console_sessions WHERE token_digest = %s", (token_digest(token),)
            )

    def end_all_for(self, account_id: UUID) -> int:
        with self._connection() as connection:
            ended = connection.execute(
                "DELETE FROM console_sessions WHERE account_id = %s", (account_id,)
            )
            return ended.rowcount

    def _connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        return pooled_connection(self._pool, "the console sessions")


class InMemoryConsoleSessions:
    """Console sessions in a dictionary: for the in-memory event store of unit tests."""

    def __init__(self, limits: SessionLimits) -> None:
        self.limits = limits
        self._sessions: dict[bytes, ConsoleSession] = {}
        self._lock = threading.Lock()

    def open(self, holder: ConsoleSession, at: datetime) -> str:
        token = new_session_token()
        with self._lock:
            self._sessions[token_digest(token)] = replace(holder, created_at=at, last_seen_at=at)
        return token

    def find(self, token: str, at: datetime) -> ConsoleSession | None:
        digest = token_digest(token)
        with self._lock:
            session = self._sessions.get(digest)
            if session is not None and self.limits.expired(session, at):
                del self._sessions[digest]
                return None
            return session

    def touch(self, token: str, at: datetime) -> None:
        digest = token_digest(token)
        with self._lock:
            session = self._sessions.get(digest)
            if session is not None and at > session.last_seen_at:
                self._sessions[digest] = replace(session, last_seen_at=at)

    def end(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token_digest(token), None)

    def end_all_for(self, account_id: UUID) -> int:
        with self._lock:
            ended = [d for d, s in self._sessions.items() if s.account_id == account_id]
            for digest in ended:
                del self._sessions[digest]
        return len(ended)
