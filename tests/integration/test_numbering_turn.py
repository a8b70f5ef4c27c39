"""API processes registering at the same moment take turns on the day's tracking numbers
(infrastructure/numbering_turn.py), and a turn that cannot be had does not stop a save.

Each "process" is a container of its own, with its own pools and its own numbering turn.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from infrastructure.numbering_turn import NUMBERING_LOCK_KEY
from interfaces.bootstrap import Container, bootstrap
from tests.factories import OPERATOR, import_sample_directory, registered_case
from tests.integration.read_side import count_lost_races
from tests.support import SettableTimeSource, settings_for

PROCESSES = 4
THREADS_EACH = 4
CASES_EACH_THREAD = 8


@pytest.fixture
def processes(database_url: str, tmp_path: Path) -> Iterator[list[Container]]:
    time_source = SettableTimeSource()
    built = [
        bootstrap(
            settings_for(database_url, data_dir=tmp_path, db_pool_size=2, api_threads=THREADS_EACH),
            time_source=time_source,
            initialise=False,
        )
        for _ in range(PROCESSES)
    ]
    import_sample_directory(built[0].supervision)
    try:
        yield built
    finally:
        for container in built:
            container.close()


def _number_of(container: Container, case_id: UUID) -> str:
    return container.supervision.get_case(case_id, OPERATOR).tracking_number


def test_processes_registering_at_the_same_moment_take_turns_and_none_loses_a_race(
    processes: list[Container],
) -> None:
    lost_races = [count_lost_races(process) for process in processes]
    start = threading.Barrier(PROCESSES * THREADS_EACH)

    def registrations(container: Container) -> list[str]:
        start.wait()
        return [
            _number_of(container, registered_case(container.supervision))
            for _ in range(CASES_EACH_THREAD)
        ]

    with ThreadPoolExecutor(max_workers=PROCESSES * THREADS_EACH) as pool:
        numbered = [
            number
            for numbers in pool.map(
                registrations, [p for p in processes for _ in range(THREADS_EACH)]
            )
            for number in numbers
        ]

    total = PROCESSES * THREADS_EACH * CASES_EACH_THREAD
    assert sorted(int(number[-4:]) for number in numbered) == list(range(1, total + 1))
    assert [lost[0] for lost in lost_races] == [0] * PROCESSES


def test_a_registration_is_saved_when_another_session_holds_the_turn_past_the_lock_timeout(
    processes: list[Container], database_url: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (NUMBERING_LOCK_KEY,))
        case_id = registered_case(processes[0].supervision)
    assert _number_of(processes[0], case_id).endswith("-0001")


def test_the_turn_is_given_back_after_each_save_and_taken_again_after_its_session_died(
    processes: list[Container], database_url: str
) -> None:
    registered_case(processes[0].supervision)
    with psycopg.connect(database_url, autocommit=True) as other:
        taken = other.execute("SELECT pg_try_advisory_lock(%s)", (NUMBERING_LOCK_KEY,)).fetchone()
        assert taken == (True,)
        other.execute("SELECT pg_advisory_unlock(%s)", (NUMBERING_LOCK_KEY,))
        killed = other.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE %s AND pid <> pg_backend_pid()",
            ("%pg_advisory_unlock%",),
        ).fetchall()
    assert killed == [(True,)], "the turn's own session, and only it, was ended"
    second = registered_case(processes[0].supervision)
    assert _number_of(processes[0], second).endswith("-0002")
