"""Reads after a client's own write: the read side stands where its slowest projection
stands, and a read waits for its write, boundedly, on every query module alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from infrastructure.read_side import projected_position, wait_until_projected
from infrastructure.sql_pool import SqlPool


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlPool]:
    reads = SqlPool(database_url, max_size=2)
    try:
        await reads.execute(
            "INSERT INTO projection_tracking (name, position) VALUES ('case_list', 10), "
            "('order_list', 7)"
        )
        yield reads
    finally:
        await reads.close()


async def test_the_read_side_stands_where_its_slowest_projection_stands(
    store: SqlPool,
) -> None:
    assert await projected_position(store, ["case_list"]) == 10
    assert await projected_position(store, ["case_list", "order_list"]) == 7
    # A projection that has projected nothing yet has not got anywhere.
    assert await projected_position(store, ["case_list", "deductions"]) == 0


async def test_a_read_after_a_write_answers_once_the_projections_pass_it(
    store: SqlPool,
) -> None:
    waiting = asyncio.create_task(
        wait_until_projected(store, ["case_list", "order_list"], 12, seconds=60)
    )
    await store.execute("UPDATE projection_tracking SET position = 12")

    assert await waiting == (12, True)


async def test_a_read_that_waited_its_bound_answers_saying_the_read_side_is_behind(
    store: SqlPool,
) -> None:
    assert await wait_until_projected(store, ["order_list"], 8, seconds=0.05) == (7, False)
    assert await wait_until_projected(store, ["order_list"], None, seconds=0) == (7, True)
