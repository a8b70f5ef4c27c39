"""The time source of a real process: the wall clock, the one place that reads it."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemTimeSource:
    """The current time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
