"""Concurrency on real PostgreSQL (issue 6): one winner per contested command, and a tailing
projection that skips nothing while many processes write.

Each "process" is a container of its own (its own `bootstrap`, its own connection pools).
Both run on a cluster of the module's own (tests/integration/throwaway_cluster.py), not on
the shared test server: together they take some fifty connections.
tests/integration/test_event_store.py already has four departments acknowledging one case
at once; here eight contend, at every step of a case's life, and the stored answer is the
winner's. The figures each run measures are printed (`-rP`) and kept in
docs/reliability.md.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from threading import Barrier
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from application.base import ConcurrentChange
from application.projections import Row
from domain.actor import Actor
from domain.case import Outcome
from infrastructure.worker import Worker
from interfaces.bootstrap import Container, bootstrap
from tests.factories import OPERATOR, import_sample_directory, registered_case
from tests.integration.read_side import DEPARTMENT, assign, count_lost_races, wait_until
from tests.integration.throwaway_cluster import ThrowawayCluster, started_cluster
from tests.support import SettableTimeSource, settings_for


@contextmanager
def containers_on(database_url: str, data_dir: Path) -> Iterator[Callable[[], Container]]:
    """Build containers on a database, each a separate "process" with small pools."""
    built: list[Container] = []
    time_source = SettableTimeSource()

    def build() -> Container:
        settings = settings_for(database_url, data_dir=data_dir, db_pool_size=1, api_threads=1)
        container = bootstrap(settings, time_source=time_source, initialise=False)
        built.append(container)
        return container

    try:
        yield build
    finally:
        for container in built:
            container.close()


@pytest.fixture(scope="module")
def own_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThrowawayCluster]:
    """A cluster of this module's own: these tests take some fifty connections at once, more
    than a test may count on from a server that other sessions share."""
    with started_cluster(tmp_path_factory.mktemp("concurrency") / "cluster") as cluster:
        yield cluster


@pytest.fixture
def own_database_url(own_cluster: ThrowawayCluster) -> str:
    """A fresh database with the schema, on the module's cluster."""
    return own_cluster.create_database_with_schema(f"oversight_{uuid4().hex[:12]}")


@pytest.fixture
def open_container(own_database_url: str, tmp_path: Path) -> Iterator[Callable[[], Container]]:
    with containers_on(own_database_url, tmp_path / "data") as build:
        yield build


# Eight processes, one case --------------------------------------------------------------


def contend(
    contenders: list[Container], case_id: UUID, command: Callable[[Container, int], object]
) -> list[str]:
    """Run `command` from every contender at the same moment; answer each one's outcome."""
    for contender in contenders:
        contender.supervision.get_case(case_id, OPERATOR)  # each holds the same version
    barrier = Barrier(len(contenders))

    def attempt(numbered: tuple[int, Container]) -> str:
        n, container = numbered
        barrier.wait()
        try:
            command(container, n)
        except ConcurrentChange as error:
            return error.code
        except Exception as error:  # refused by the rule the winner's event brought in
            return str(getattr(error, "code", type(error).__name__))
        return f"won:{n}"

    with ThreadPoolExecutor(max_workers=len(contenders)) as pool:
        return list(pool.map(attempt, enumerate(contenders)))


# Each contender acts through a request of its own, as over HTTP; or all act as the same
# actor without a request id on a frozen clock, so that their events are identical and a
# read-back of an unknown outcome must not take another's commit for its own.
@pytest.mark.parametrize(
    "distinct_requests",
    [
        pytest.param(True, id="each-its-own-request"),
        pytest.param(False, id="identical-actor-and-moment"),
    ],
)
def test_eight_processes_contending_at_each_step_of_a_case_leave_one_winner_each_time(
    open_container: Callable[[], Container], distinct_requests: bool
) -> None:
    setup = open_container()
    import_sample_directory(setup.supervision)
    case_id = registered_case(setup.supervision)
    assign(setup, case_id)
    contenders = [open_container() for _ in range(8)]

    def clerk(n: int) -> Actor:  # as the HTTP layer stamps each request with an id of its own
        return replace(DEPARTMENT, request_id=f"request-{n}" if distinct_requests else None)

    def operator(n: int) -> Actor:
        return replace(OPERATOR, request_id=f"request-{n}" if distinct_requests else None)

    # Each verb may happen once from the state it starts in; a contender that read the case
    # after the winner's event is refused by the rule that event implies.
    rounds: list[tuple[str, Callable[[Container, int], object], set[str]]] = [
        (
            "acknowledge",
            lambda c, n: c.supervision.acknowledge_case(case_id, clerk(n)),
            {"case_status_forbids"},
        ),
        (
            "post_result",
            lambda c, n: c.supervision.post_result(
                case_id,
                outcome=Outcome.SUBSTANTIATED,
                actions="约谈",
                answer=f"答复{n}",
                by=clerk(n),
            ),
            {"case_status_forbids"},
        ),
        ("close", lambda c, n: c.supervision.close_case(case_id, operator(n)), {"case_closed"}),
        (
            "reopen",
            lambda c, n: c.supervision.reopen_case(case_id, reason=f"重办{n}", by=operator(n)),
            {"case_status_forbids"},
        ),
    ]
    outcomes: dict[str, list[str]] = {}
    for verb, command, implied in rounds:
        outcomes[verb] = contend(contenders, case_id, command)
        winners = [outcome for outcome in outcomes[verb] if outcome.startswith("won:")]
        assert len(winners) == 1, (verb, outcomes[verb])
        assert set(outcomes[verb]) - set(winners) <= {"conflict", *implied}, (verb, outcomes)

    events = list(setup.supervision.repository.event_store.get(case_id))
    history = {type(event).__name__: event for event in events}
    losers = Counter(o for results in outcomes.values() for o in results if ":" not in o)
    print(f"\ncontention: rounds={len(rounds)} contenders=8 losers={dict(losers)}")
    assert [event.originator_version for event in events] == list(range(1, 7))
    assert [type(event).__name__ for event in events] == [
        "Registered",
        "Assigned",
        "Acknowledged",
        "ResultPosted",
        "Closed",
        "Reopened",
    ]
    answered_by = _winner(outcomes["post_result"])
    reopened_by = _winner(outcomes["reopen"])
    assert history["ResultPosted"].answer == f"答复{answered_by}"
    assert history["Reopened"].reason == f"重办{reopened_by}"


def _winner(outcomes: list[str]) -> int:
    return next(int(outcome.split(":")[1]) for outcome in outcomes if outcome.startswith("won:"))


# A tailing projection while sixteen processes write --------------------------------------


class EveryNotification:
    """A projection of every notification, one row each, saying how often it was applied and
    in which order (a counter across batches: rows of a batch rolled back are not kept)."""

    name = table = "tailing_audit"
    key = "key"
    topic_prefix = ""  # every topic

    def __init__(self) -> None:
        self.order = itertools.count(1)

    def key_of(self, event: Any) -> str:
        return f"{event.originator_id}/{event.originator_version}"

    def project(self, row: Row | None, event: Any, position: int) -> Row:
        return {
            "key": self.key_of(event),
            "position": position,
            "applied": (row["applied"] if row else 0) + 1,
            "applied_order": next(self.order),
        }


@pytest.mark.slow
def test_a_tailing_projection_skips_nothing_while_sixteen_processes_write(
    open_container: Callable[[], Container], own_database_url: str
) -> None:
    database_url = own_database_url
    writers, cases_each = 16, 25
    setup = open_container()
    import_sample_directory(setup.supervision)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE tailing_audit (key text PRIMARY KEY, position bigint NOT NULL, "
            "applied integer NOT NULL, applied_order bigint NOT NULL)"
        )
    audit = EveryNotification()
    projections, calendar = setup.read_side()
    worker = Worker(
        database_url=database_url,
        supervision=setup.supervision,
        projections=[*projections, audit],
        calendar=calendar,
    )
    writing = threading.Event()
    stop = threading.Event()
    turns_while_writing: list[int] = []
    failures: list[str] = []

    def tail() -> None:
        while not stop.is_set():
            try:
                turn = worker.run_once()
            except Exception as error:  # retried, as the worker does (e.g. a busy server)
                failures.append(type(error).__name__)
                stop.wait(0.1)
                continue
            if writing.is_set() and turn.notifications:
                turns_while_writing.append(turn.notifications)
            stop.wait(0.005)

    processes = [open_container() for _ in range(writers)]
    lost_races = [count_lost_races(process) for process in processes]
    written: list[UUID] = []
    refusals: list[int] = []
    lock = threading.Lock()
    barrier = Barrier(writers)

    def write(container: Container) -> None:
        barrier.wait()
        for _ in range(cases_each):
            case_id = _register_until_numbered(container, refusals)
            assign(container, case_id)
            with lock:
                written.append(case_id)

    tailer = threading.Thread(target=tail, name="tailing-worker")
    started = time.monotonic()
    writing.set()
    tailer.start()
    try:
        with ThreadPoolExecutor(max_workers=writers) as pool:
            list(pool.map(write, processes))
        writing.clear()
        wrote_for = time.monotonic() - started
        assert wait_until(lambda: _positions(database_url) == {_head(database_url)}, 30)
    finally:
        stop.set()
        tailer.join(30)
    worker.close()

    head = _head(database_url)
    with psycopg.connect(database_url) as connection:
        listed = [row[0] for row in connection.execute("SELECT id FROM case_list").fetchall()]
        statuses = connection.execute("SELECT DISTINCT status FROM case_list").fetchall()
        stored = [
            row[0]
            for row in connection.execute(
                "SELECT notification_id FROM oversight_events WHERE notification_id <= %s "
                "ORDER BY notification_id",
                (head,),
            ).fetchall()
        ]
        audited = connection.execute(
            "SELECT position, applied, applied_order FROM tailing_audit ORDER BY position"
        ).fetchall()
    gaps = head - len(stored)
    print(
        f"\ntailing: writers={writers} cases={len(written)} events={len(stored)} head={head} "
        f"gaps={gaps} seconds={wrote_for:.1f} events_per_second={len(stored) / wrote_for:.0f} "
        f"turns_while_writing={len(turns_while_writing)} turn_failures={dict(Counter(failures))} "
        f"lost_races={sum(counter[0] for counter in lost_races)} refused={len(refusals)}"
    )
    assert len(written) == writers * cases_each
    assert sorted(listed) == sorted(written)
    assert statuses == [("assigned",)]
    assert _positions(database_url) == {head}
    assert [position for position, _, _ in audited] == stored, (
        "every stored event up to the head was applied; none was passed over for good"
    )
    assert {applied for _, applied, _ in audited} == {1}, "and each exactly once"
    order = [applied_order for _, _, applied_order in audited]
    assert order == sorted(order), "in the order of positions: no gap was filled later"
    assert len(turns_while_writing) > 10, "the runner tailed the log while it was being written"


def _register_until_numbered(container: Container, refusals: list[int]) -> UUID:
    # Sixteen operators registering at once contend for the day's tracking number; after
    # twenty lost races a registration answers "retry" (409), and nothing of it was stored.
    for _ in range(20):
        try:
            return registered_case(container.supervision)
        except ConcurrentChange:
            refusals.append(1)
    raise AssertionError("a registration was refused 20 times over")


def _head(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT max(notification_id) FROM oversight_events").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _positions(database_url: str) -> set[int]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT position FROM projection_tracking").fetchall()
    return {int(position) for (position,) in rows}
