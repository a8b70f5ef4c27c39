"""Tracking numbers a citizen can read over the phone, e.g. HL20261127-0042 (§9)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor

CHANNEL_PREFIXES = {
    "hotline": "HL",
    "walk_in": "WI",
    "online": "OL",
    "letter": "LT",
    "rating": "RT",
    # Not a channel: rectification orders (整改通知) are numbered in a series of their own.
    "rectification_order": "ZG",
}
ORDER_SERIES = "rectification_order"


def sequence_id(day: date, series: str = "") -> UUID:
    """One numbering sequence per local day (cases), or per day and series (e.g. orders)."""
    if series:
        return uuid5(NAMESPACE_URL, f"oversight:tracking-sequence:{series}:{day.isoformat()}")
    return uuid5(NAMESPACE_URL, f"oversight:tracking-sequence:{day.isoformat()}")


def tracking_number(channel: str, day: date, number: int) -> str:
    """The channel's prefix, the local date and the day's running number."""
    return f"{CHANNEL_PREFIXES[channel]}{day:%Y%m%d}-{number:04d}"


class TrackingSequence(Aggregate):
    """The running number of one day's cases; saved with each case, so numbers never repeat."""

    TOPIC = "oversight:TrackingSequence"

    class Event(Aggregate.Event):
        TOPIC = "oversight:TrackingSequence.Event"

    class Started(Event, Aggregate.Created):
        TOPIC = "oversight:TrackingSequence.Started"
        day: str

    def __init__(self, day: str) -> None:
        self.day = date.fromisoformat(day)
        self.last_number = 0

    @classmethod
    def start(cls, day: date, at: datetime, series: str = "") -> TrackingSequence:
        """Start the numbering of a day."""
        return cls._create(
            cls.Started, id=sequence_id(day, series), day=day.isoformat(), timestamp=at
        )

    class NumberTaken(Event):
        TOPIC = "oversight:TrackingSequence.NumberTaken"
        number: int
        actor: Actor

        def apply(self, sequence: TrackingSequence) -> None:
            sequence.last_number = self.number

    @property
    def next_number(self) -> int:
        """The number the next record of the day will take."""
        return self.last_number + 1

    def take_next(self, *, by: Actor, at: datetime) -> int:
        """Take the day's next number."""
        number = self.next_number
        self.trigger_event(self.NumberTaken, number=number, actor=by, timestamp=at)
        return number
