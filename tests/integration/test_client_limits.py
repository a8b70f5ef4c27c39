"""Per-client limits in PostgreSQL (client_request_counts): one count for every API process,
by fixed windows, without clients' addresses, and refusing when the count cannot be kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from application.base import StorageUnavailable
from infrastructure.rate_limits import PostgresClientLimit
from infrastructure.sql_pool import SqlPool

# 10:00:00 in Shanghai, the start of a minute (and of a ten-minute window).
NOW = datetime(2026, 11, 27, 2, 0, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
CLIENT = "c0" * 16


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[tuple[SqlPool, SqlPool]]:
    """Two pools on one database, as two API processes have."""
    first, second = SqlPool(database_url, max_size=2), SqlPool(database_url, max_size=2)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


def limit(store: SqlPool, amount: int = 3, window: timedelta = MINUTE) -> PostgresClientLimit:
    return PostgresClientLimit(store, name="public", amount=amount, window=window)


def rows(database_url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT counter, window_started_at, client, hits FROM client_request_counts"
            " ORDER BY window_started_at, client"
        ).fetchall()


async def test_a_client_is_refused_past_the_limit_until_the_window_ends(
    stores: tuple[SqlPool, SqlPool],
) -> None:
    counting = limit(stores[0])

    answers = [await counting.hit(CLIENT, NOW + timedelta(seconds=20)) for _ in range(4)]

    assert answers == [None, None, None, 40]
    assert await counting.wait(CLIENT, NOW + timedelta(seconds=59)) == 1
    assert await counting.hit(CLIENT, NOW + MINUTE) is None, "a new window starts afresh"


async def test_two_processes_share_one_count_per_client(
    stores: tuple[SqlPool, SqlPool],
) -> None:
    first, second = limit(stores[0]), limit(stores[1])

    answers = [await process.hit(CLIENT, NOW) for process in (first, second, first, second)]
    other = await second.hit("d1" * 16, NOW)

    assert answers == [None, None, None, 60]
    assert other is None, "another client has a count of its own"


async def test_waiting_counts_nothing(stores: tuple[SqlPool, SqlPool], database_url: str) -> None:
    counting = limit(stores[0], amount=1)

    assert await counting.wait(CLIENT, NOW) is None
    assert await counting.wait(CLIENT, NOW) is None
    assert rows(database_url) == []
    assert await counting.hit(CLIENT, NOW) is None
    assert await counting.wait(CLIENT, NOW) == 60


async def test_waits_asked_together_each_get_their_own_client_and_window(
    stores: tuple[SqlPool, SqlPool],
) -> None:
    counting = limit(stores[0], amount=1)
    held_back, free = CLIENT, "d1" * 16
    assert await counting.hit(held_back, NOW) is None

    answers = await asyncio.gather(
        *(
            counting.wait(client, moment)
            for client in (held_back, free) * 10
            for moment in (NOW, NOW + MINUTE)
        )
    )

    assert answers == [60, None, None, None] * 10


async def test_a_refused_request_writes_nothing(
    stores: tuple[SqlPool, SqlPool], database_url: str
) -> None:
    counting = limit(stores[0], amount=2)
    for _ in range(10):
        await counting.hit(CLIENT, NOW)

    ((_, _, _, hits),) = rows(database_url)
    assert hits == 2


async def test_a_limit_of_zero_counts_nothing_and_refuses_no_one(
    stores: tuple[SqlPool, SqlPool], database_url: str
) -> None:
    off = limit(stores[0], amount=0)

    answers = {await off.hit(CLIENT, NOW) for _ in range(100)}

    assert answers == {None}
    assert await off.wait(CLIENT, NOW) is None
    assert rows(database_url) == []


@pytest.mark.parametrize("amount", [2**31, 10**15])
async def test_a_limit_beyond_what_an_integer_holds_still_counts(
    stores: tuple[SqlPool, SqlPool], amount: int
) -> None:
    assert await limit(stores[0], amount=amount).hit(CLIENT, NOW) is None


async def test_old_windows_are_removed_when_a_process_first_counts_in_a_new_one(
    stores: tuple[SqlPool, SqlPool], database_url: str
) -> None:
    counting = limit(stores[0])
    failed_lookups = PostgresClientLimit(
        stores[0], name="failed", amount=3, window=timedelta(minutes=10)
    )
    await counting.hit(CLIENT, NOW)
    await failed_lookups.hit(CLIENT, NOW)

    await counting.hit("d1" * 16, NOW + 2 * MINUTE)

    assert [(row[0], row[1]) for row in rows(database_url)] == [
        ("failed", NOW),
        ("public", NOW + 2 * MINUTE),
    ], "only the counter's own windows before the current one go"


async def test_a_count_that_cannot_be_kept_refuses_the_request_as_unavailable(
    stores: tuple[SqlPool, SqlPool], database_url: str
) -> None:
    counting = limit(stores[0])
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("DROP TABLE client_request_counts")

    with pytest.raises(StorageUnavailable):
        await counting.hit(CLIENT, NOW)
    with pytest.raises(StorageUnavailable):
        await counting.wait(CLIENT, NOW)


async def test_a_database_that_does_not_answer_refuses_the_request_as_unavailable() -> None:
    nowhere = SqlPool("postgresql://postgres@127.0.0.1:1/none", statement_timeout=1.0)

    with pytest.raises(StorageUnavailable):
        await limit(nowhere).hit(CLIENT, NOW)
