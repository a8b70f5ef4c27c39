"""Crashes of the database under load: nothing acknowledged is lost or doubled (issue 6).

Each test runs its own PostgreSQL cluster (tests/integration/throwaway_cluster.py) and
crashes it with `pg_ctl stop -m immediate` while commands or the worker run, then starts it
again. The figures each run measures are printed (`pytest -m crash -rP`) and kept in
docs/reliability.md.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import psycopg
import pytest
from psycopg import sql

from application.projections import Projection, Row
from infrastructure.projection_runner import PROJECTION_LOCK_NAMESPACE
from infrastructure.worker import Worker
from interfaces.bootstrap import Container, bootstrap
from tests.factories import OPERATOR, import_sample_directory, registered_case
from tests.integration.read_side import DEPARTMENT, DEPARTMENT_ID, a_mix_of_cases, assign, local
from tests.integration.throwaway_cluster import ThrowawayCluster, started_cluster
from tests.support import SettableTimeSource, settings_for

pytestmark = [pytest.mark.slow, pytest.mark.crash]

REGISTERED = "oversight:Case.Registered"
ASSIGNED = "oversight:Case.Assigned"
ACKNOWLEDGED = "oversight:Case.Acknowledged"
ACKNOWLEDGE_MISSED = "oversight:Case.AcknowledgeDeadlineMissed"
STEPS = {"register": REGISTERED, "assign": ASSIGNED, "acknowledge": ACKNOWLEDGED}
# Assigned on Friday 27 November 2026 at 10:00 (tests.support.START), a complaint must be
# acknowledged by Monday 30 November 17:30.
ACKNOWLEDGE_DUE = local("2026-11-30T17:30:00+08:00")
# Where the service's own modules live (failures are named by their last frame there).
SERVICE_CODE = tuple(
    str(Path(__file__).resolve().parents[2] / layer)
    for layer in ("domain", "application", "infrastructure", "interfaces")
)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[ThrowawayCluster]:
    with started_cluster(tmp_path / "cluster") as built:
        yield built


@pytest.fixture
def database_url(cluster: ThrowawayCluster) -> str:
    return cluster.create_database_with_schema("oversight")


class ChosenIds:
    """An id factory answering the id the writer chose, so a retried registration reuses it."""

    def __init__(self) -> None:
        self.next: UUID | None = None

    def __call__(self) -> UUID:
        assert self.next is not None, "the writer chooses each id before registering"
        return self.next


def build_container(
    database_url: str, time_source: SettableTimeSource, data_dir: Path, ids: ChosenIds | None = None
) -> Container:
    """One "process" of the service: its own pools, few connections, quick to give up."""
    settings = settings_for(
        database_url, data_dir=data_dir, db_pool_size=2, api_threads=2, db_connect_timeout=5
    )
    return bootstrap(settings, time_source=time_source, ids=ids, initialise=False)


def wait_for(condition: Callable[[], bool], seconds: float, poll: float = 0.01) -> bool:
    """Poll `condition` until it holds or `seconds` pass; answer whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()


def query(database_url: str, statement: str, *params: Any) -> list[tuple[Any, ...]] | None:
    """Rows of a query on a connection of its own; None while the server does not answer."""
    try:
        with psycopg.connect(database_url, connect_timeout=2, autocommit=True) as connection:
            return connection.execute(statement, params).fetchall()
    except psycopg.OperationalError:
        return None


def stored_topics(database_url: str, case_id: UUID) -> list[str] | None:
    rows = query(
        database_url,
        "SELECT topic FROM oversight_events WHERE originator_id = %s ORDER BY originator_version",
        case_id,
    )
    return None if rows is None else [topic for (topic,) in rows]


def read_back(database_url: str, case_id: UUID, deadline: float) -> list[str] | None:
    """The case's stored events once the server answers again (None: not before `deadline`)."""
    while True:
        topics = stored_topics(database_url, case_id)
        if topics is not None or time.monotonic() > deadline:
            return topics
        time.sleep(0.1)


# Acknowledged commands survive crashes ---------------------------------------------------


@dataclass
class Ledger:
    """What the writers were told: acknowledged, failed, and what reading back then showed."""

    acknowledged: list[tuple[UUID, str]] = field(default_factory=list)
    failures: list[tuple[UUID, str, str]] = field(default_factory=list)
    stored_despite_failure: list[tuple[UUID, str]] = field(default_factory=list)
    retried: list[tuple[UUID, str]] = field(default_factory=list)
    unfinished: list[tuple[UUID, str]] = field(default_factory=list)
    settled_in_commit: int = 0  # conflicts after a dropped connection that _commit read back
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, entry: Any) -> None:
        with self.lock:
            getattr(self, kind).append(entry)

    def done(self) -> int:
        with self.lock:
            return len(self.acknowledged) + len(self.stored_despite_failure)


def count_settled_reads(container: Container, ledger: Ledger) -> None:
    """Count the saves `_commit` found already stored after the library's retry (observes only)."""
    supervision = container.supervision
    original = supervision._already_stored

    def counting(events: list[Any]) -> bool:
        stored = original(events)
        if stored:
            with ledger.lock:
                ledger.settled_in_commit += 1
        return stored

    supervision._already_stored = counting  # type: ignore[method-assign]


def run_step(container: Container, ids: ChosenIds, case_id: UUID, step: str) -> None:
    """One command, sent as the HTTP layer sends it: a request id of its own on the actor
    (what lets `_commit` settle an unknown outcome by reading back; without one a commit
    that landed but came back as a conflict on the library's retry answers `conflict`)."""
    request = uuid4().hex
    supervision = container.supervision
    if step == "register":
        ids.next = case_id
        registered = registered_case(supervision, replace(OPERATOR, request_id=request))
        assert registered == case_id
    elif step == "assign":
        supervision.assign_case(
            case_id,
            department=DEPARTMENT_ID,
            urgent=None,
            final=False,
            note=None,
            by=replace(OPERATOR, request_id=request),
        )
    else:
        supervision.acknowledge_case(case_id, replace(DEPARTMENT, request_id=request))


def write_cases(
    container: Container,
    ids: ChosenIds,
    case_ids: list[UUID],
    ledger: Ledger,
    database_url: str,
    deadline: float,
) -> None:
    """Register, assign and acknowledge each case; settle every failure by reading back.

    A command that raised may still have committed (the server died after the commit, before
    the answer). Once the server answers again the outcome is final, so reading the case's
    events back says whether the command took effect; only if it did not is it sent again,
    with the same inputs (the same case id). That is the only retry that is safe.
    """
    for case_id in case_ids:
        for step, topic in STEPS.items():
            for _ in range(100):
                if time.monotonic() > deadline:
                    ledger.note("unfinished", (case_id, step))
                    return
                try:
                    run_step(container, ids, case_id, step)
                except Exception as error:
                    ledger.note("failures", (case_id, step, _kind(error)))
                    topics = read_back(database_url, case_id, deadline)
                    if topics is None:
                        ledger.note("unfinished", (case_id, step))
                        return
                    if topic in topics:
                        ledger.note("stored_despite_failure", (case_id, step))
                        break
                    ledger.note("retried", (case_id, step))
                else:
                    ledger.note("acknowledged", (case_id, step))
                    break
            else:
                ledger.note("unfinished", (case_id, step))
                return


def test_no_acknowledged_command_is_lost_or_doubled_when_the_database_crashes_under_load(
    cluster: ThrowawayCluster, database_url: str, tmp_path: Path
) -> None:
    writers, cases_each = 4, 40
    time_source = SettableTimeSource()
    setup = build_container(database_url, time_source, tmp_path / "data")
    import_sample_directory(setup.supervision)
    setup.close()
    ledger = Ledger()
    plans = [
        [uuid5(NAMESPACE_URL, f"oversight:crash-load:{w}:{n}") for n in range(cases_each)]
        for w in range(writers)
    ]
    containers: list[tuple[Container, ChosenIds]] = []
    for _ in range(writers):
        ids = ChosenIds()
        container = build_container(database_url, time_source, tmp_path / "data", ids)
        count_settled_reads(container, ledger)
        containers.append((container, ids))
    deadline = time.monotonic() + 50
    threads = [
        threading.Thread(
            target=write_cases,
            args=(container, ids, plan, ledger, database_url, deadline),
            name=f"crash-writer-{n}",
        )
        for n, ((container, ids), plan) in enumerate(zip(containers, plans, strict=True))
    ]
    planned = writers * cases_each * len(STEPS)
    # Crash when these shares of the load are done, and stay down for these many seconds:
    # shorter than the library's retries of a save (about 2 s), and longer.
    crashes = [(0.15, 0.3), (0.40, 1.0), (0.65, 3.0)]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for share, downtime in crashes:
            assert wait_for(lambda share=share: ledger.done() >= share * planned, 30)
            cluster.kill()
            time.sleep(downtime)
            cluster.start()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()) + 5)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        for container, _ in containers:
            container.close()

    all_cases = [case_id for plan in plans for case_id in plan]
    rows = query(
        database_url,
        "SELECT originator_id, originator_version, topic FROM oversight_events "
        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version",
        all_cases,
    )
    assert rows is not None
    streams: dict[UUID, list[tuple[int, str]]] = {case_id: [] for case_id in all_cases}
    for originator_id, version, topic in rows:
        streams[originator_id].append((version, topic))
    lost = [
        entry for entry in ledger.acknowledged if STEPS[entry[1]] not in _topics(streams, entry)
    ]
    duplicated = [
        entry for entry in ledger.acknowledged if _topics(streams, entry).count(STEPS[entry[1]]) > 1
    ]
    numbers = _tracking_numbers(database_url, time_source, tmp_path / "data", all_cases)
    print(  # the figures docs/reliability.md quotes
        f"\ncrash-load: seconds={time.monotonic() - started:.1f} crashes={cluster.crashes} "
        f"planned={planned} "
        f"acknowledged={len(ledger.acknowledged)} failed={len(ledger.failures)} "
        f"stored_despite_failure={len(ledger.stored_despite_failure)} "
        f"retried={len(ledger.retried)} settled_in_commit={ledger.settled_in_commit} "
        f"lost={len(lost)} duplicated={len(duplicated)} "
        f"failure_kinds={dict(Counter(kind for _, _, kind in ledger.failures))} "
        f"pg_ctl_failures={cluster.pg_ctl_failures}"
    )

    assert cluster.crashes == len(crashes)
    assert ledger.unfinished == []
    assert lost == []
    assert duplicated == []
    assert len(ledger.acknowledged) + len(ledger.stored_despite_failure) == planned
    assert all(
        stream == [(1, REGISTERED), (2, ASSIGNED), (3, ACKNOWLEDGED)] for stream in streams.values()
    ), "every case holds each of its three events exactly once, at versions 1, 2, 3"
    assert len(set(numbers)) == len(all_cases)
    assert sorted(numbers) == [f"HL20261127-{n:04d}" for n in range(1, len(all_cases) + 1)]


def _topics(streams: dict[UUID, list[tuple[int, str]]], entry: tuple[UUID, str]) -> list[str]:
    return [topic for _, topic in streams[entry[0]]]


def _tracking_numbers(
    database_url: str, time_source: SettableTimeSource, data_dir: Path, case_ids: list[UUID]
) -> list[str]:
    reader = build_container(database_url, time_source, data_dir)
    try:
        return [
            reader.supervision.get_case(case_id, OPERATOR).tracking_number for case_id in case_ids
        ]
    finally:
        reader.close()


def _kind(error: BaseException) -> str:
    """The error's type and the last frame of the service's code it came from."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(SERVICE_CODE)
    ]
    where = f"@{Path(frames[-1].filename).stem}.{frames[-1].name}" if frames else ""
    return f"{type(error).__module__.split('.')[0]}.{type(error).__name__}{where}"


# The worker killed mid-projection and mid-clock ------------------------------------------


class SlowProjection:
    """A projection taking `seconds` per event: a batch's transaction is open most of the
    time, so a fault lands inside one rather than between two."""

    def __init__(self, inner: Projection, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.name, self.table, self.key = inner.name, inner.table, inner.key
        self.topic_prefix = inner.topic_prefix

    def key_of(self, event: Any) -> Any:
        return self.inner.key_of(event)

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        time.sleep(self.seconds)
        return self.inner.project(row, event, position)


def _batch_holders(database_url: str) -> list[int]:
    """Backends holding a projection batch's lock, i.e. inside a batch's transaction."""
    rows = query(
        database_url,
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid::bigint = %s",
        PROJECTION_LOCK_NAMESPACE,
    )
    return [pid for (pid,) in rows or []]


def _wait_for_batch_holders(database_url: str, seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while not (holders := _batch_holders(database_url)) and time.monotonic() < deadline:
        time.sleep(0.005)
    return holders


def _terminate(database_url: str, pids: list[int] | None = None) -> int:
    """Drop connections as a killed process drops them: the given ones, else every client's."""
    rows = query(
        database_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE pid <> pg_backend_pid() AND datname = current_database() "
        "AND backend_type = 'client backend' AND (%s::int[] IS NULL OR pid = ANY(%s::int[]))",
        pids,
        pids,
    )
    return len(rows or [])


def _scalar(database_url: str, statement: str, *params: Any) -> int | None:
    rows = query(database_url, statement, *params)
    return None if not rows or rows[0][0] is None else int(rows[0][0])


def _head(database_url: str) -> int | None:
    return _scalar(database_url, "SELECT max(notification_id) FROM oversight_events")


def _alarms(database_url: str) -> int | None:
    return _scalar(
        database_url, "SELECT count(*) FROM oversight_events WHERE topic = %s", ACKNOWLEDGE_MISSED
    )


def _read_tables(database_url: str, projections: list[Projection]) -> dict[str, list[Any]]:
    """Every row of every read table, in key order, and where each projection got to."""
    tables: dict[str, list[Any]] = {}
    with psycopg.connect(database_url) as connection:
        for projection in projections:
            tables[projection.table] = connection.execute(
                sql.SQL("SELECT * FROM {} ORDER BY {}").format(
                    sql.Identifier(projection.table), sql.Identifier(projection.key)
                )
            ).fetchall()
        tables["projection_tracking"] = connection.execute(
            "SELECT name, position FROM projection_tracking WHERE name = ANY(%s) ORDER BY name",
            ([projection.name for projection in projections],),
        ).fetchall()
    return tables


def test_a_worker_crashed_mid_projection_and_mid_clock_ends_as_a_rebuild_and_alarms_once(
    cluster: ThrowawayCluster, database_url: str, tmp_path: Path
) -> None:
    due_cases, acknowledged_cases = 100, 20
    time_source = SettableTimeSource()
    began = time.monotonic()
    container = build_container(database_url, time_source, tmp_path / "data")
    try:
        import_sample_directory(container.supervision)
        first_case = (_head(database_url) or 0) + 1
        due = [registered_case(container.supervision) for _ in range(due_cases)]
        for case_id in due:
            assign(container, case_id)
        acknowledged = [registered_case(container.supervision) for _ in range(acknowledged_cases)]
        for case_id in acknowledged:
            assign(container, case_id)
            container.supervision.acknowledge_case(case_id, DEPARTMENT)
        a_mix_of_cases(container)
        backlog = _head(database_url) or 0
        time_source.set(ACKNOWLEDGE_DUE + timedelta(minutes=1))  # every unacknowledged case is late

        projections, calendar = container.read_side()
        slowed = [
            SlowProjection(projection, 0.005) if projection.name == "case_list" else projection
            for projection in projections
        ]
        worker = Worker(
            database_url=database_url,
            supervision=container.supervision,
            projections=slowed,
            calendar=calendar,
            batch_size=40,
        )
        stop = threading.Event()
        errors: list[str] = []

        def keep_working() -> None:  # what run_forever does, without the leader lock
            while not stop.is_set():
                try:
                    worker.run_once()
                except Exception as error:
                    errors.append(_kind(error))
                    stop.wait(0.1)
                else:
                    stop.wait(0.02)

        def case_list_at() -> int:
            return (
                _scalar(
                    database_url,
                    "SELECT position FROM projection_tracking WHERE name = 'case_list'",
                )
                or 0
            )

        mid_batch = 0
        faults: list[str] = []
        started = time.monotonic()
        runner_thread = threading.Thread(target=keep_working, name="crash-worker")
        runner_thread.start()
        try:
            # While the backlog is projected: crash the server, kill the batch's connection.
            for share, fault in [
                (0.15, "crash"),
                (0.35, "kill-batch"),
                (0.55, "crash"),
                (0.75, "kill-batch"),
            ]:
                target = first_case + share * (backlog - first_case)
                assert wait_for(lambda target=target: case_list_at() >= target, 30)
                if fault == "crash":
                    mid_batch += bool(_wait_for_batch_holders(database_url))
                    cluster.kill()
                    time.sleep(0.3)
                    cluster.start()
                else:
                    holders = _wait_for_batch_holders(database_url)
                    mid_batch += _terminate(database_url, holders) > 0
                faults.append(fault)
            # While the clock records missed acknowledgements: crash, then drop every connection.
            for share, fault in [(0.2, "crash"), (0.6, "kill-all")]:
                target = share * due_cases
                assert wait_for(lambda target=target: (_alarms(database_url) or 0) >= target, 30)
                if fault == "crash":
                    cluster.kill()
                    time.sleep(0.3)
                    cluster.start()
                else:
                    _terminate(database_url)
                faults.append(fault)

            def settled() -> bool:
                head = _head(database_url)
                positions = query(database_url, "SELECT position FROM projection_tracking")
                due_now = query(
                    database_url,
                    "SELECT (SELECT count(*) FROM case_list WHERE next_clock_at <= %s)"
                    " + (SELECT count(*) FROM order_list WHERE next_clock_at <= %s)",
                    time_source.now(),
                    time_source.now(),
                )
                return (
                    head is not None
                    and positions is not None
                    and len(positions) == len(projections)
                    and all(position == head for (position,) in positions)
                    and (_alarms(database_url) or 0) >= due_cases
                    # and the clock has no moment left to record (a reminder or miss the
                    # storm interrupted is recorded by a later turn, not by the last one)
                    and due_now == [(0,)]
                )

            assert wait_for(settled, 40, poll=0.1)
        finally:
            stop.set()
            runner_thread.join(30)
        assert not runner_thread.is_alive()
        last_turn = worker.run_once()  # a turn after the storm has nothing left to record
        worker.close()
        seconds = time.monotonic() - started

        alarms = Counter(
            originator_id
            for (originator_id,) in query(
                database_url,
                "SELECT originator_id FROM oversight_events WHERE topic = %s",
                ACKNOWLEDGE_MISSED,
            )
            or []
        )
        incremental = _read_tables(database_url, projections)
        rebuild_began = time.monotonic()
        container.rebuild_projections()
        rebuild_seconds = time.monotonic() - rebuild_began
        rebuilt = _read_tables(database_url, projections)
    finally:
        container.close()

    print(  # the figures docs/reliability.md quotes
        f"\nworker-crash: setup_seconds={started - began:.1f} seconds={seconds:.1f} "
        f"rebuild_seconds={rebuild_seconds:.1f} backlog={backlog} faults={faults} "
        f"mid_batch={mid_batch} crashes={cluster.crashes} turn_errors={len(errors)} "
        f"error_kinds={dict(Counter(errors))} alarms={sum(alarms.values())} "
        f"doubled={sum(1 for n in alarms.values() if n > 1)} "
        f"missed={sum(1 for case_id in due if alarms[case_id] == 0)} "
        f"rows={ {table: len(rows) for table, rows in incremental.items()} } "
        f"pg_ctl_failures={cluster.pg_ctl_failures}"
    )
    assert cluster.crashes == 3
    assert mid_batch >= 3, "most faults must strike inside a projection batch"
    assert last_turn.alarms_recorded == 0
    assert all(alarms[case_id] == 1 for case_id in due), "each late case alarmed exactly once"
    assert all(alarms[case_id] == 0 for case_id in acknowledged)
    assert max(alarms.values()) == 1
    assert len(incremental["case_list"]) == due_cases + acknowledged_cases + 6
    assert incremental == rebuilt, "the crashed incremental run equals a full rebuild, row for row"


def test_registering_right_after_the_database_restarted_succeeds(
    cluster: ThrowawayCluster, database_url: str, tmp_path: Path
) -> None:
    # Every pool must replace its connections to the server as it was before the restart
    # (the personal-data key store's once did not: docs/reliability.md).
    time_source = SettableTimeSource()
    container = build_container(database_url, time_source, tmp_path / "data")
    try:
        import_sample_directory(container.supervision)
        # Every pool now holds a connection to the server as it was.
        registered_case(container.supervision)
        cluster.kill()
        cluster.start()

        registered_case(container.supervision)  # the server answers: the command must not fail
    finally:
        container.close()
