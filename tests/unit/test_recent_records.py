"""The notification feed's recent records: each as of the version asked, brought forward from
what was read before, never older than a data key may be kept, and bounded in number."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from infrastructure.notification_feed import RecentRecords


class Counter(Aggregate):
    """A record with one event per step."""

    def __init__(self) -> None:
        self.steps = 0

    @event("Stepped")
    def step(self) -> None:
        self.steps += 1


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def stored_counter(app: Application[Any], steps: int) -> Counter:
    counter = Counter()
    for _ in range(steps):
        counter.step()
    app.save(counter)
    return counter


def counted_reads(app: Application[Any]) -> list[int]:
    """How many events each read of the store returned."""
    reads: list[int] = []
    read = app.repository.event_store.get

    def counting(*args: Any, **options: Any) -> list[Any]:
        events = list(read(*args, **options))
        reads.append(len(events))
        return events

    app.repository.event_store.get = counting  # type: ignore[method-assign]
    return reads


def test_a_later_version_reads_only_the_events_since_the_one_read_before() -> None:
    app: Application[Any] = Application()
    counter = stored_counter(app, steps=5)
    records = RecentRecords(app.repository, monotonic=Clock())
    reads = counted_reads(app)

    assert records.get(counter.id, 2).steps == 1
    assert records.get(counter.id, 4).steps == 3
    assert records.get(counter.id, 4).steps == 3
    assert records.get(counter.id, 6).steps == 5
    assert reads == [2, 2, 2]


def test_an_earlier_version_than_the_one_kept_is_read_from_the_start() -> None:
    app: Application[Any] = Application()
    counter = stored_counter(app, steps=5)
    records = RecentRecords(app.repository, monotonic=Clock())
    records.get(counter.id, 6)
    reads = counted_reads(app)

    assert records.get(counter.id, 3).steps == 2
    assert reads == [3]


def test_a_record_kept_longer_than_a_data_key_is_read_again_in_full() -> None:
    app: Application[Any] = Application()
    counter = stored_counter(app, steps=5)
    clock = Clock()
    records = RecentRecords(app.repository, seconds=60, monotonic=clock)
    records.get(counter.id, 2)
    reads = counted_reads(app)

    clock.now = 61
    assert records.get(counter.id, 4).steps == 3
    assert reads == [4]


def test_the_least_recently_read_record_goes_first_when_full() -> None:
    app: Application[Any] = Application()
    first, second, third = (stored_counter(app, steps=1) for _ in range(3))
    records = RecentRecords(app.repository, size=2, monotonic=Clock())
    records.get(first.id, 2)
    records.get(second.id, 2)
    records.get(first.id, 2)
    records.get(third.id, 2)
    reads = counted_reads(app)

    records.get(first.id, 2)
    records.get(second.id, 2)
    assert reads == [2]
