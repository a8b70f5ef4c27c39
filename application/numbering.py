"""Giving new records a tracking number read over the phone (HL20261127-0042, ZG20261127-0003).

Every new record of a day takes the next number of that day's sequence and is saved with it,
so numbers never repeat and never skip. Records made at the same moment in one process are
saved together: while one thread saves, the others queue, and the next of them saves the
whole queue in one transaction, numbered in the order they arrived. One save under the event
table's lock then serves many registrations instead of each waiting for its own. Processes
take turns the same way (the numbering turn, an advisory lock on PostgreSQL), so the API
processes of one database do not race for the day's sequence either.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate

from application.base import ConcurrentChange, OversightApplication
from application.ports import NumberingTurn
from domain.actor import Actor
from domain.errors import Conflict
from domain.tracking import TrackingSequence, sequence_id, tracking_number

# A clash means another process took the same numbers at the same moment; numbering the
# batch again is always safe.
TRACKING_NUMBER_ATTEMPTS = 20
RETRY_PAUSE_SECONDS = 0.01

A = TypeVar("A", bound=Aggregate)


class AlreadyRecorded(Conflict):
    """A record with this id exists already (a retry of something done before)."""

    code = "already_recorded"


@dataclass
class _NewRecord:
    """A record waiting for its number, and then for the save that stores it."""

    make: Callable[[str, datetime], Any]
    prefix: str
    series: str
    by: Actor
    saved: threading.Event = field(default_factory=threading.Event)
    record: Any = None
    position: int = 0
    error: BaseException | None = None

    def settle(self, *, position: int = 0, error: BaseException | None = None) -> None:
        self.position, self.error = position, error
        self.saved.set()


class NumberingVerbs(OversightApplication):
    """Saves new records together with the day's running numbers they took, atomically."""

    def __init__(self, *, numbering_turn: NumberingTurn = nullcontext, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # One saver at a time: racing each other on the same sequence would only end in
        # conflicts and retries. Records arriving meanwhile queue for the next save. The
        # thread lock orders this process's savers, the numbering turn those of all processes.
        self._numbering_turn = numbering_turn
        self._numbering_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[_NewRecord] = []

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
        waiting = _NewRecord(make, prefix, series, by)
        with self._queue_lock:
            self._queue.append(waiting)
        with self._numbering_lock:
            if not waiting.saved.is_set():
                with self._numbering_turn():
                    with self._queue_lock:
                        batch, self._queue = self._queue, []
                    self._save_batch(batch)
        if waiting.error is not None:
            raise waiting.error
        return waiting.record, waiting.position

    def _save_batch(self, batch: list[_NewRecord]) -> None:
        """Number and save the queued records in one transaction; settle every one of them."""
        try:
            for attempt in range(1, TRACKING_NUMBER_ATTEMPTS + 1):
                batch = [waiting for waiting in batch if not waiting.saved.is_set()]
                if not batch:
                    return
                records, sequences = self._number(batch)
                try:
                    position = self._commit(*records, *sequences)
                except ConcurrentChange:  # another process took these numbers first
                    self._settle_made_before(batch)
                    # Processes that lost together would race again at once: each waits a
                    # random moment, growing with the tries, so they take turns instead.
                    pause = random.uniform(0, RETRY_PAUSE_SECONDS * attempt)  # noqa: S311
                    threading.Event().wait(pause)
                    continue
                for waiting in batch:
                    if waiting.record is not None and not waiting.saved.is_set():
                        waiting.settle(position=position)
            busy = ConcurrentChange("too many new records at the same moment; please retry")
            for waiting in batch:
                if not waiting.saved.is_set():
                    waiting.settle(error=busy)
        except BaseException as error:  # the store failed: every record still waiting failed
            for waiting in batch:
                if not waiting.saved.is_set():
                    waiting.settle(error=error)
            raise

    def _number(self, batch: list[_NewRecord]) -> tuple[list[Aggregate], list[TrackingSequence]]:
        """Give each record the next number of its day's sequence, in the order they came."""
        now = self.time_source.now()
        # The office's time zone is the same in every published year: no need to read them.
        day = now.astimezone(self.known_calendar.office_hours.tz).date()
        sequences: dict[str, TrackingSequence] = {}
        records: list[Aggregate] = []
        for waiting in batch:
            sequence = sequences.get(waiting.series) or self._sequence(day, waiting.series, now)
            sequences[waiting.series] = sequence
            number = tracking_number(waiting.prefix, day, sequence.next_number)
            try:
                waiting.record = waiting.make(number, now)
            except Exception as refused:  # a rule of the record itself: only this one fails
                waiting.record = None
                waiting.settle(error=refused)
                continue
            sequence.take_next(by=waiting.by, at=now)
            records.append(waiting.record)
        return records, list(sequences.values())

    def _sequence(self, day: date, series: str, now: datetime) -> TrackingSequence:
        found = self._load_or_none(sequence_id(day, series))
        return found if found is not None else TrackingSequence.start(day, now, series)

    def _settle_made_before(self, batch: list[_NewRecord]) -> None:
        """A record whose id is taken was made before (a retry): it fails as AlreadyRecorded."""
        for waiting in batch:
            if waiting.record is not None and self._load_or_none(waiting.record.id) is not None:
                waiting.settle(error=AlreadyRecorded(f"{waiting.record.id} is recorded already"))
