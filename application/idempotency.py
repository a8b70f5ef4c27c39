"""Idempotent commands: a retry with the same Idempotency-Key gets the first answer again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.errors import Conflict, Invalid

# How long a first answer is kept for retries, and how long an unfinished claim blocks one.
ANSWERS_KEPT_FOR = timedelta(hours=24)
CLAIM_ABANDONED_AFTER = timedelta(seconds=60)


class IdempotencyKeyReused(Invalid):
    """The same Idempotency-Key came with a different request."""

    code = "idempotency_key_reused"


class IdempotencyKeyInFlight(Conflict):
    """The first request with this Idempotency-Key has not finished yet; retry shortly."""

    code = "idempotency_key_in_flight"


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer to a command, as sent."""

    status: int
    content_type: str
    body: bytes


class IdempotencyStore(Protocol):
    """Where claims on keys and first answers are kept (shared by every API process)."""

    async def claim(self, scope: str, body_digest: str, now: datetime) -> StoredAnswer | None:
        """Claim the key for this request, or answer the stored first answer.

        Raises IdempotencyKeyReused for another body, IdempotencyKeyInFlight while the
        first request is still running.
        """
        ...

    async def complete(self, scope: str, answer: StoredAnswer, now: datetime) -> None:
        """Keep the first answer for retries."""
        ...

    async def release(self, scope: str) -> None:
        """Give the key back after a failure that recorded nothing, so a retry runs again."""
        ...
