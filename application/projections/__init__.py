"""Projections: how events become rows of read tables.

A projection is a pure function from (the row as it stands, an event) to the row as it must
become. Infrastructure runs it over the notification log in batches, changing rows and the
projection's tracking position in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Row = dict[str, Any]


class Projection(Protocol):
    """A read table kept current from the events whose topics start with `topic_prefix`."""

    name: str
    table: str
    key: str
    topic_prefix: str

    def key_of(self, event: Any) -> Any:
        """The row an event concerns."""
        ...

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        """The row after the event; None leaves no row."""
        ...


ProjectionFactory = Callable[[], Projection]


class RowPerRecord:
    """A read table of one row per record (aggregate), keyed by the record's id."""

    def key_of(self, event: Any) -> Any:
        return event.originator_id


class WrittenOnceProjection(RowPerRecord):
    """A read table of records written whole by one event and never changed after."""

    recording_event: type

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if not isinstance(event, self.recording_event):
            return row
        return self.recorded(event, position)

    def recorded(self, event: Any, position: int) -> Row:
        """The row as the recording event writes it."""
        raise NotImplementedError
