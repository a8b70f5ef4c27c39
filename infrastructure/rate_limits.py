"""Per-client limits with the `limits` package: a moving window kept in this process's memory.

Each API process counts on its own, so behind a load balancer a client may get up to the
limit once per process; the limit that must hold across processes, the lock of a tracking
number, lives in PostgreSQL instead.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class MovingWindowLimit:
    """At most `amount` events per client in any `seconds`; an amount of 0 switches it off."""

    def __init__(self, amount: int, *, seconds: int, name: str) -> None:
        self.amount = amount
        self._item = RateLimitItemPerSecond(amount, seconds, namespace=name) if amount else None
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, client: str) -> int | None:
        if self._item is None or self._limiter.hit(self._item, client):
            return None
        return self._retry_after(client)

    def wait(self, client: str) -> int | None:
        if self._item is None or self._limiter.test(self._item, client):
            return None
        return self._retry_after(client)

    def _retry_after(self, client: str) -> int:
        assert self._item is not None
        # `limits` keeps its windows on the wall clock, so the wait is measured on it too.
        reset_at = self._limiter.get_window_stats(self._item, client).reset_time
        return max(1, math.ceil(reset_at - time.time()))
