"""The write side on real PostgreSQL: durability, concurrency, a safe environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from application.base import ConcurrentChange
from domain.actor import Actor, Role
from infrastructure.eventstore import (
    UnsafeConfiguration,
    refuse_unsafe_environment,
)
from interfaces.bootstrap import Container, bootstrap
from tests.factories import OPERATOR, assigned_case, import_sample_directory, registered_case
from tests.support import SettableTimeSource, settings_for

DEPARTMENT = Actor("clerk-1", Role.DEPARTMENT, department="real-estate-registration")


@pytest.fixture
def open_container(database_url: str) -> Iterator[Callable[[], Container]]:
    """Build containers on the test's database (each one a separate "process")."""
    built: list[Container] = []

    def build() -> Container:
        container = bootstrap(
            settings_for(database_url),
            time_source=SettableTimeSource(),
            initialise=False,
        )
        built.append(container)
        return container

    yield build
    for container in built:
        container.close()


def test_recorded_cases_are_there_for_the_next_process(
    open_container: Callable[[], Container],
) -> None:
    first = open_container()
    import_sample_directory(first.supervision)
    case_id = assigned_case(first.supervision, complainant={"name": "李雷", "phone": "13900001111"})
    first.close()

    second = open_container()
    case = second.supervision.get_case(case_id, OPERATOR)

    assert case.status == "assigned"
    assert case.complainant == {"name": "李雷", "phone": "13900001111"}
    assert case.deadline is not None
    assert case.deadline.due_at.isoformat() == "2026-12-18T17:30:00+08:00"


def test_two_departments_acting_on_one_case_at_once_leave_exactly_one_winner(
    open_container: Callable[[], Container],
) -> None:
    setup = open_container()
    import_sample_directory(setup.supervision)
    case_id = assigned_case(setup.supervision)
    contenders = [open_container() for _ in range(4)]
    for contender in contenders:
        contender.supervision.get_case(case_id, OPERATOR)  # warm each cache at the same version
    barrier = Barrier(len(contenders))

    def acknowledge(container: Container) -> str:
        barrier.wait()
        try:
            container.supervision.acknowledge_case(case_id, DEPARTMENT)
        except ConcurrentChange:
            return "conflict"
        except Exception as error:  # a loser that saw the winner's event is refused by rule
            return getattr(error, "code", type(error).__name__)
        return "won"

    with ThreadPoolExecutor(max_workers=len(contenders)) as pool:
        outcomes = list(pool.map(acknowledge, contenders))

    assert outcomes.count("won") == 1
    assert set(outcomes) <= {"won", "conflict", "case_status_forbids"}
    versions = [
        event.originator_version for event in setup.supervision.repository.event_store.get(case_id)
    ]
    assert versions == list(range(1, len(versions) + 1))
    assert len(versions) == 3


def test_concurrent_registrations_get_distinct_tracking_numbers(
    open_container: Callable[[], Container],
) -> None:
    setup = open_container()
    import_sample_directory(setup.supervision)
    operators = [open_container() for _ in range(4)]
    barrier = Barrier(len(operators))

    def register_three(container: Container) -> list[str]:
        barrier.wait()
        numbers = []
        for _ in range(3):
            case_id = registered_case(container.supervision)
            numbers.append(container.supervision.get_case(case_id, OPERATOR).tracking_number)
        return numbers

    with ThreadPoolExecutor(max_workers=len(operators)) as pool:
        numbers = [n for batch in pool.map(register_three, operators) for n in batch]

    assert len(set(numbers)) == 12
    assert sorted(numbers) == [f"HL20261127-{n:04d}" for n in range(1, 13)]


def test_the_service_refuses_to_start_with_database_functions_enabled() -> None:
    with pytest.raises(UnsafeConfiguration):
        refuse_unsafe_environment({"POSTGRES_ENABLE_DB_FUNCTIONS": "y"})
    refuse_unsafe_environment({"POSTGRES_ENABLE_DB_FUNCTIONS": "n"})
