"""Fixtures of the integration tests: a clock the test sets, and the application on the test's
own PostgreSQL database with the sample directory imported, also with its read pool open."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from interfaces.bootstrap import Container
from tests.factories import import_sample_directory
from tests.failing_projection import FailingProjection
from tests.integration.read_side import open_container
from tests.support import SettableTimeSource


@pytest.fixture
def time_source() -> SettableTimeSource:
    """Friday 27 November 2026, 10:00 Asia/Shanghai, until the test moves it."""
    return SettableTimeSource()


@pytest.fixture
def container(database_url: str, time_source: SettableTimeSource) -> Iterator[Container]:
    """The application on the test's database, the sample directory imported."""
    with open_container(database_url, time_source) as built:
        import_sample_directory(built.supervision)
        yield built


@pytest.fixture
async def reading(container: Container) -> AsyncIterator[Container]:
    """The container with its asyncpg pool open, as inside the API process."""
    await container.reads.open()
    try:
        yield container
    finally:
        await container.reads.close()


@pytest.fixture
def failing_projection_table(database_url: str) -> None:
    """The table of the failing projection (tests/failing_projection.py) in the test's database."""
    FailingProjection.create_table(database_url)
