"""Giving new records a tracking number read over the phone (HL20261127-0042, ZG20261127-0003)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from eventsourcing.domain import Aggregate

from application.base import ConcurrentChange, OversightApplication
from domain.actor import Actor
from domain.errors import Conflict
from domain.tracking import TrackingSequence, sequence_id, tracking_number

# Records of one day share a numbering sequence; a clash means someone else took the same
# number at the same moment, and taking the next one again is always safe.
TRACKING_NUMBER_ATTEMPTS = 20

A = TypeVar("A", bound=Aggregate)


class AlreadyRecorded(Conflict):
    """A record with this id exists already (a retry of something done before)."""

    code = "already_recorded"


class NumberingVerbs(OversightApplication):
    """Saves a new record together with the day's running number it took, atomically."""

    def _save_numbered(
        self,
        make: Callable[[str, datetime], A],
        *,
        prefix: str,
        series: str = "",
        by: Actor,
    ) -> tuple[A, int]:
        """Make a record under the next number of the day (the prefix's series) and save both.

        `make(tracking_number, now)` builds the record, unsaved. If its id turns out to be
        taken, AlreadyRecorded: whoever made it first made the same thing.
        """
        office_tz = self.calendar.office_hours.tz
        for _ in range(TRACKING_NUMBER_ATTEMPTS):
            with self.numbering_lock:
                now = self.clock.now()
                day = now.astimezone(office_tz).date()
                sequence = self._load_or_none(sequence_id(day, series)) or TrackingSequence.start(
                    day, now, series
                )
                number = sequence.take_next(by=by, at=now)
                record = make(tracking_number(prefix, day, number), now)
                try:
                    return record, self._commit(record, sequence)
                except ConcurrentChange:  # another process took the number first
                    if self._load_or_none(record.id) is not None:
                        raise AlreadyRecorded(f"{record.id} is recorded already") from None
        raise ConcurrentChange("too many new records at the same moment; please retry")
