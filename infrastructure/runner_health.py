"""Which of the worker's runners cannot get past a position: the runner_health table (0013).

A runner (a projection, a policy, the audit feed, the ledger) whose turn fails keeps its
position, and the next turn tries the same notifications again. Most failures pass by
themselves: a dropped connection, a lock that timed out behind a rebuild's swap. One that
fails at the same position turn after turn will not, and everything that runner keeps stops
there. The active worker records each failure here and deletes the row once the runner moves
on, so every process sees it: `/readyz` answers 503 naming the runners failing for
`STUCK_AFTER_ATTEMPTS` turns at one position.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from domain.text import storable
from infrastructure.logging import error_message
from infrastructure.sql_pool import SqlPool

# A transient failure (a dropped connection, a lock timeout) passes on the next turn, about a
# second later; three failed turns at one position are not chance, and are still reported
# within seconds.
STUCK_AFTER_ATTEMPTS = 3
MESSAGE_LENGTH = 2_000

_RECORD_FAILURE = """
INSERT INTO runner_health AS health
    (name, position, failing_since, last_failed_at, attempts, error_type, message)
VALUES (%(name)s, %(position)s, now(), now(), 1, %(error_type)s, %(message)s)
ON CONFLICT (name) DO UPDATE SET
    attempts = CASE WHEN health.position = EXCLUDED.position
                    THEN health.attempts + 1 ELSE 1 END,
    failing_since = CASE WHEN health.position = EXCLUDED.position
                         THEN health.failing_since ELSE EXCLUDED.failing_since END,
    position = EXCLUDED.position,
    last_failed_at = EXCLUDED.last_failed_at,
    error_type = EXCLUDED.error_type,
    message = EXCLUDED.message
RETURNING name, position, failing_since, attempts, error_type, message
"""
_STUCK = (
    "SELECT name, position, failing_since, attempts, error_type, message FROM runner_health "
    "WHERE attempts >= $1 ORDER BY name"
)


@dataclass(frozen=True)
class RunnerFailure:
    """A runner failing after one position: since when, for how many turns, with what."""

    name: str
    position: int  # the last position it handled: what fails is among the ones after it
    failing_since: datetime
    attempts: int
    error_type: str
    message: str

    @property
    def stuck(self) -> bool:
        """Whether it failed at this position too often to be chance."""
        return self.attempts >= STUCK_AFTER_ATTEMPTS


def one_line_message(error: BaseException) -> str:
    """An exception's message on one line, as the record can hold it, bounded in length."""
    return storable(" ".join(error_message(error).split()))[:MESSAGE_LENGTH]


class RunnerHealth:
    """The active worker's record of its failing runners, in runner_health."""

    def __init__(self, connection: Callable[[], psycopg.Connection[Any]]) -> None:
        self._connection = connection
        self._failing: set[str] | None = None  # the names with a row; None: not read yet

    def take_over(self, runners: Collection[str]) -> None:
        """Start as the active worker running `runners`: rows of runners that no longer
        exist are deleted (nothing would ever clear them), the others are read again."""
        connection = self._connection()
        connection.execute("DELETE FROM runner_health WHERE name <> ALL(%s)", (list(runners),))
        self._failing = {row[0] for row in connection.execute("SELECT name FROM runner_health")}

    def failed(self, name: str, position: int, error: BaseException) -> RunnerFailure:
        """Record that the runner's turn failed after `position`; answer how it stands."""
        recorded = self._connection().execute(
            _RECORD_FAILURE,
            {
                "name": name,
                "position": position,
                "error_type": type(error).__name__,
                "message": one_line_message(error),
            },
        )
        self._failing_names().add(name)
        return RunnerFailure(*recorded.fetchall()[0])

    def recovered(self, name: str) -> bool:
        """The runner's turn succeeded: delete its row; answer whether it had one."""
        if name not in self._failing_names():
            return False
        self._connection().execute("DELETE FROM runner_health WHERE name = %s", (name,))
        self._failing_names().discard(name)
        return True

    def _failing_names(self) -> set[str]:
        if self._failing is None:
            rows = self._connection().execute("SELECT name FROM runner_health")
            self._failing = {row[0] for row in rows}
        return self._failing


async def stuck_runners(reads: SqlPool) -> list[RunnerFailure]:
    """The runners failing after the same position for `STUCK_AFTER_ATTEMPTS` turns or more."""
    return [RunnerFailure(*row) for row in await reads.fetch(_STUCK, STUCK_AFTER_ATTEMPTS)]
