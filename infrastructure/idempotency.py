"""Idempotency keys in PostgreSQL (on the primary), shared by every API process."""

from __future__ import annotations

from datetime import datetime

from application.idempotency import (
    ANSWERS_KEPT_FOR,
    CLAIM_ABANDONED_AFTER,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    StoredAnswer,
)
from infrastructure.sql_pool import SqlPool

_CLAIM = """
INSERT INTO idempotency_keys (scope, body_digest, claimed_at) VALUES ($1, $2, $3)
ON CONFLICT (scope) DO UPDATE
   SET body_digest = EXCLUDED.body_digest, claimed_at = EXCLUDED.claimed_at,
       status = NULL, content_type = NULL, body = NULL, completed_at = NULL
 WHERE (idempotency_keys.completed_at IS NULL AND idempotency_keys.claimed_at < $4)
    OR idempotency_keys.completed_at < $5
RETURNING scope
"""


class PostgresIdempotencyStore:
    """Claims and first answers in `idempotency_keys`."""

    def __init__(self, store: SqlPool) -> None:
        self._store = store

    async def claim(self, scope: str, body_digest: str, now: datetime) -> StoredAnswer | None:
        claimed = await self._store.fetchval(
            _CLAIM, scope, body_digest, now, now - CLAIM_ABANDONED_AFTER, now - ANSWERS_KEPT_FOR
        )
        if claimed is not None:
            return None
        row = await self._store.fetchrow(
            "SELECT body_digest, status, content_type, body FROM idempotency_keys WHERE scope = $1",
            scope,
        )
        if row is None:  # released between the two statements: claim again
            return await self.claim(scope, body_digest, now)
        if row["body_digest"] != body_digest:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request; use a new key"
            )
        if row["status"] is None:
            raise IdempotencyKeyInFlight(
                "the first request with this Idempotency-Key is still running; retry shortly"
            )
        return StoredAnswer(row["status"], row["content_type"], bytes(row["body"]))

    async def complete(self, scope: str, answer: StoredAnswer, now: datetime) -> None:
        await self._store.execute(
            "UPDATE idempotency_keys SET status = $2, content_type = $3, body = $4,"
            " completed_at = $5 WHERE scope = $1",
            scope,
            answer.status,
            answer.content_type,
            answer.body,
            now,
        )

    async def release(self, scope: str) -> None:
        await self._store.execute(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND completed_at IS NULL", scope
        )
