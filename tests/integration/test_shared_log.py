"""The worker reads and decodes each notification once a turn for all its runners."""

from __future__ import annotations

from collections import Counter
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import Notification

from application.projections import Row
from infrastructure import worker as worker_module
from infrastructure.notification_log import (
    LogReader,
    TopicFilter,
    events_table_of,
    read_notifications,
    set_tracked_position,
)
from infrastructure.worker import Worker
from interfaces.bootstrap import Container
from tests.factories import registered_case
from tests.failing_projection import FailingProjection
from tests.integration.read_side import a_mix_of_cases, dict_rows, head, tracking

# The workers here run the failing projection: its table is made before the container.
pytestmark = pytest.mark.usefixtures("failing_projection_table")

CASE_EVENTS = "oversight:Case."


class RecordingProjection:
    """Keeps one row per case in failing_projection's table, and remembers the position of
    every event it was given, in order."""

    table = FailingProjection.table
    key = "id"
    topic_prefix = CASE_EVENTS

    def __init__(self, name: str) -> None:
        self.name = name
        self.positions: list[int] = []

    def key_of(self, event: Any) -> Any:
        return event.originator_id

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        self.positions.append(position)
        return {"id": event.originator_id}


@pytest.fixture
def decoded(container: Container, monkeypatch: pytest.MonkeyPatch) -> Counter[int]:
    """How often each notification of the log was decoded (events that the notification feed
    and the audit feed read back from the store by record are not notifications)."""
    mapper = container.supervision.mapper
    decode = mapper.to_domain_event
    counts: Counter[int] = Counter()

    def counting(stored: Any) -> Any:
        if isinstance(stored, Notification):
            counts[stored.id] += 1
        return decode(stored)

    monkeypatch.setattr(mapper, "to_domain_event", counting)
    return counts


def positions(database_url: str, prefix: str = "") -> list[int]:
    rows = dict_rows(
        database_url,
        "SELECT notification_id FROM oversight_events WHERE starts_with(topic, %s) "
        "ORDER BY notification_id",
        (prefix,),
    )
    return [row["notification_id"] for row in rows]


def place(database_url: str, name: str, position: int) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        set_tracked_position(connection, name, position)


def one_turn(
    database_url: str, container: Container, projections: list[Any], **options: Any
) -> None:
    """One turn of a worker running `projections` alone, closed afterwards."""
    worker = Worker(
        database_url=database_url,
        supervision=container.supervision,
        projections=projections,
        **options,
    )
    try:
        worker.run_once()
    finally:
        worker.close()


def test_one_turn_decodes_each_notification_once_for_every_runner_of_the_service(
    container: Container, database_url: str, decoded: Counter[int]
) -> None:
    a_mix_of_cases(container)
    worker = container.worker()
    try:
        worker.run_once()
        first_turn = Counter(decoded)
        decoded.clear()
        a_mix_of_cases(container)
        before = head(container)
        worker.run_once()
    finally:
        worker.close()

    # The five projections of case events, the audit feed, the notification feed and the
    # policies all handled them; each was decoded once.
    assert tracking(database_url, "case_list") == tracking(database_url, "audit_events")
    assert set(first_turn.values()) == {1}
    assert sorted(first_turn) == positions(database_url)[: len(first_turn)]
    assert set(decoded.values()) == {1}
    assert min(decoded) > max(first_turn)
    assert max(decoded) == before == head(container)


def test_events_no_runner_wants_are_never_decoded(
    container: Container, database_url: str, decoded: Counter[int]
) -> None:
    a_mix_of_cases(container)
    only_cases = RecordingProjection("recorded_cases")
    one_turn(database_url, container, [only_cases])

    case_events = positions(database_url, CASE_EVENTS)
    assert len(case_events) < len(positions(database_url))  # the directory's events, say
    assert sorted(decoded) == only_cases.positions == case_events
    assert set(decoded.values()) == {1}


def test_runners_at_different_positions_each_get_exactly_the_events_after_their_own(
    container: Container, database_url: str, decoded: Counter[int]
) -> None:
    a_mix_of_cases(container)
    case_events = positions(database_url, CASE_EVENTS)
    middle = case_events[len(case_events) // 2]
    level, midway, behind = (RecordingProjection(name) for name in ("level", "midway", "behind"))
    place(database_url, "level", head(container))
    place(database_url, "midway", middle)  # "behind" has never run
    # The one furthest behind reads last, back over what the others read.
    one_turn(database_url, container, [midway, level, behind], batch_size=3)

    assert level.positions == []
    assert midway.positions == [p for p in case_events if p > middle]
    assert behind.positions == case_events
    assert {tracking(database_url, name) for name in ("level", "midway", "behind")} == {
        head(container)
    }


def test_runners_far_behind_take_turns_so_that_they_still_share_one_reading(
    container: Container, database_url: str, decoded: Counter[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_mix_of_cases(container)
    monkeypatch.setattr(worker_module, "ROUND_NOTIFICATIONS", 6)  # two batches of three
    first, second = RecordingProjection("first"), RecordingProjection("second")
    one_turn(database_url, container, [first, second], batch_size=3)

    case_events = positions(database_url, CASE_EVENTS)
    assert len(positions(database_url)) > 4 * 6  # many rounds, past the reader's window
    assert first.positions == second.positions == case_events
    assert sorted(decoded) == case_events
    assert set(decoded.values()) == {1}


def test_a_failing_runner_sharing_the_reading_stops_none_of_the_others(
    container: Container, database_url: str, decoded: Counter[int]
) -> None:
    cases = a_mix_of_cases(container)
    failing = FailingProjection(cases[2])
    after_it = RecordingProjection("after_the_failing_one")
    one_turn(database_url, container, [failing, after_it], batch_size=4)

    case_events = positions(database_url, CASE_EVENTS)
    assert after_it.positions == case_events
    assert tracking(database_url, "after_the_failing_one") == head(container)
    first_of_failing_case = min(p for p in case_events if p in events_at(database_url, cases[2]))
    assert tracking(database_url, "failing_projection") == first_of_failing_case - 1
    assert set(decoded.values()) == {1}


def events_at(database_url: str, record_id: Any) -> set[int]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT notification_id FROM oversight_events WHERE originator_id = %s", (record_id,)
        ).fetchall()
    return {row[0] for row in rows}


def test_the_shared_reader_answers_every_read_as_the_log_itself_does(
    container: Container, database_url: str
) -> None:
    for _ in range(4):
        registered_case(container.supervision)
    end = head(container)
    table = events_table_of(container.supervision)
    wanted = TopicFilter(prefix=CASE_EVENTS)
    reader = LogReader(table, container.supervision.mapper, window=5)
    reader.want(wanted)
    # Forward, backward, past the window and past the end, in batches of every size.
    reads = [
        (after, limit, stop)
        for after in (*range(0, end + 2, 3), *range(end, -1, -4))
        for limit in (1, 4, 9)
        for stop in (None, end - 2)
    ]
    with psycopg.connect(database_url, autocommit=True) as connection:
        for after, limit, stop in reads:
            expected = read_notifications(
                connection, table, after=after, limit=limit, wanted=[wanted], stop=stop
            )
            assert reader.read(connection, after=after, limit=limit, stop=stop) == expected
