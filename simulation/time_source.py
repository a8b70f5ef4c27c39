"""The simulated time source a campaign or a fill moves forward itself."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import OFFICE_TZ, office_midnight


class SimulatedTimeSource:
    """The application's time source during a simulation: it stands still until the simulation
    moves it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(f"simulated time needs a timezone-aware start, got {start!r}")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance_to(self, moment: datetime) -> None:
        """Move on to `moment`; time never runs backwards, or the log would contradict it."""
        if moment < self._now:
            raise ValueError(f"simulated time is at {self._now}, not going back to {moment}")
        self._now = moment


def campaign_start(end: datetime, days: int) -> datetime:
    """Midnight (centre time) of the first of `days` days whose last is the day of `end`."""
    if days < 1:
        raise ValueError(f"a campaign lasts at least one day, not {days}")
    first = end.astimezone(OFFICE_TZ).date() - timedelta(days=days - 1)
    return office_midnight(first)
