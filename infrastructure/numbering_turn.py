"""The numbering turn on PostgreSQL: one process at a time saves newly numbered records.

Without it, API processes saving new records at the same moment all read the same version of
the day's sequence, one commits and the others fail and number again; with sixteen processes
registering flat out some gave up after twenty tries. A session advisory lock held while a
batch is numbered and saved makes them take turns. It only orders the savers (the event
store's version check still keeps every number unique), so when the lock cannot be had within
the lock timeout, or its connection broke, the save goes ahead without it and may race.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import structlog
from psycopg import sql

from infrastructure.notification_log import LazyConnection

NUMBERING_LOCK_KEY = (0x0F_E2_54 << 32) | zlib.crc32(b"numbering")

log = structlog.get_logger("oversight.numbering")


class AdvisoryNumberingTurn:
    """Enters the numbering turn by taking an advisory lock on a connection of its own."""

    def __init__(self, connection: LazyConnection, *, lock_timeout_seconds: float) -> None:
        self._connection = connection
        # Without parameters both statements go in one round trip.
        self._take = sql.SQL("SET lock_timeout = {}; SELECT pg_advisory_lock({})").format(
            sql.Literal(int(lock_timeout_seconds * 1000)), sql.Literal(NUMBERING_LOCK_KEY)
        )
        self._give_back = sql.SQL("SELECT pg_advisory_unlock({})").format(
            sql.Literal(NUMBERING_LOCK_KEY)
        )

    @contextmanager
    def __call__(self) -> Iterator[None]:
        held = self._run(self._take)
        try:
            yield
        finally:
            if held:
                self._run(self._give_back)

    def _run(self, statement: sql.Composable) -> bool:
        try:
            self._connection().execute(statement)
        except psycopg.Error as error:
            # A broken session has lost its lock with it; the next turn connects again.
            log.warning("numbering_turn_skipped", reason=type(error).__name__)
            self._connection.close()
            return False
        return True

    def close(self) -> None:
        self._connection.close()
