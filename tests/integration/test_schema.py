"""Versioned migrations on real PostgreSQL: applied once, in order, safely in parallel."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from infrastructure.eventstore import initialise_schema
from infrastructure.schema import applied_versions, apply_migrations, packaged_migrations

READ_TABLES = ("case_list", "projection_tracking", "schema_migrations")


def _tables(database_url: str) -> set[str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {name for (name,) in rows}


def test_every_packaged_migration_is_applied_once_in_version_order(
    empty_database_url: str,
) -> None:
    shipped = [migration.version for migration in packaged_migrations()]

    first = apply_migrations(empty_database_url)
    second = apply_migrations(empty_database_url)

    assert shipped[0] == "0001_case_list"
    assert shipped == sorted(shipped)
    assert first == shipped
    assert second == []
    assert applied_versions(empty_database_url) == shipped
    assert set(READ_TABLES) <= _tables(empty_database_url)


def test_initialising_the_schema_also_creates_the_read_tables(empty_database_url: str) -> None:
    initialise_schema(empty_database_url)

    assert {"oversight_events", *READ_TABLES} <= _tables(empty_database_url)
    assert applied_versions(empty_database_url) == [m.version for m in packaged_migrations()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'oversight_events'",
            lambda: [(1,)],
            id="one events table",
        ),
        pytest.param(
            "SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version",
            lambda: [(m.version, 1) for m in packaged_migrations()],
            id="each migration applied once",
        ),
    ],
)
def test_eight_processes_initialising_at_once_make_each_table_and_migration_exactly_once(
    empty_database_url: str, query: str, expected: Callable[[], list[tuple[object, ...]]]
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: initialise_schema(empty_database_url), range(8)))

    assert results == [None] * 8
    with psycopg.connect(empty_database_url) as connection:
        recorded = connection.execute(query).fetchall()
    assert recorded == expected()


def test_a_database_made_from_the_initialised_template_has_nothing_left_to_apply(
    database_url: str,
) -> None:
    assert apply_migrations(database_url) == []
    initialise_schema(database_url)
    assert applied_versions(database_url) == [m.version for m in packaged_migrations()]
