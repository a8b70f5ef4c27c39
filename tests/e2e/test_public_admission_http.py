"""Admission control on the public routes: past OVERSIGHT_PUBLIC_MAX_IN_FLIGHT public requests
in hand, the next is shed at once (503 `public_busy`, Retry-After), while the staff's commands
go on; once the held requests are answered, the public is served again."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, sample_container
from tests.factories import API, SAMPLE_DEPARTMENT, a_complaint_body, registered_through_api
from tests.support import SettableTimeSource

STATUS_URL = f"{API}/public/case-status"
MAX_IN_FLIGHT = 2
# How long the test waits, at most, for the held requests to reach the database's lock.
HOLD_TIMEOUT_SECONDS = 30


@pytest.fixture
def container(database_url: str, time_source: SettableTimeSource) -> Iterator[Container]:
    with sample_container(
        database_url, time_source, public_max_in_flight=MAX_IN_FLIGHT, public_rate_limit=0
    ) as built:
        yield built


@pytest.fixture
def registered(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> dict[str, Any]:
    """A case the public may ask about, already in case_list."""
    case = registered_through_api(client, tokens.operator)
    catch_up()
    return case


def ask(client: TestClient, case: dict[str, Any]) -> Response:
    pair = {"tracking_number": case["tracking_number"], "access_code": case["access_code"]}
    return client.post(STATUS_URL, json=pair)


def sessions_waiting_for_a_lock(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return int(row[0]) if row else 0


@contextmanager
def public_requests_held(
    client: TestClient, case: dict[str, Any], database_url: str
) -> Iterator[list[Future[Response]]]:
    """MAX_IN_FLIGHT status queries in flight, held on a lock of case_list until the block
    ends; their answers come once it has."""
    with (
        psycopg.connect(database_url) as blocker,
        ThreadPoolExecutor(max_workers=MAX_IN_FLIGHT) as pool,
    ):
        blocker.execute("LOCK TABLE case_list IN ACCESS EXCLUSIVE MODE")
        held = [pool.submit(ask, client, case) for _ in range(MAX_IN_FLIGHT)]
        try:
            deadline = time.monotonic() + HOLD_TIMEOUT_SECONDS
            while sessions_waiting_for_a_lock(database_url) < MAX_IN_FLIGHT:
                assert time.monotonic() < deadline, "the public requests never reached the lock"
                time.sleep(0.02)
            yield held
        finally:
            blocker.rollback()


@pytest.fixture
def held(
    client: TestClient, registered: dict[str, Any], database_url: str
) -> Iterator[list[Future[Response]]]:
    with public_requests_held(client, registered, database_url) as answers:
        yield answers


def test_a_public_request_past_the_bound_is_shed_at_once_with_retry_after(
    client: TestClient, registered: dict[str, Any], held: list[Future[Response]]
) -> None:
    shed = ask(client, registered)

    assert error_of(shed) == (503, "public_busy")
    assert shed.headers["retry-after"] == "1"
    assert shed.headers["x-request-id"]


def test_the_public_status_page_is_shed_too_as_a_page_in_chinese(
    client: TestClient, held: list[Future[Response]]
) -> None:
    shed = client.get("/status")

    assert shed.status_code == 503
    assert shed.headers["retry-after"] == "1"
    assert shed.headers["content-type"].startswith("text/html")
    assert "服务暂时繁忙" in shed.text


def test_staff_commands_pass_while_the_public_side_is_full(
    client: TestClient, tokens: Tokens, held: list[Future[Response]]
) -> None:
    registered = client.post(f"{API}/cases", json=a_complaint_body(), headers=tokens.operator)
    assigned = client.post(
        f"{API}/cases/{registered.json()['id']}/assign",
        json={"department": SAMPLE_DEPARTMENT},
        headers=tokens.operator,
    )

    assert registered.status_code == 201
    assert assigned.status_code == 200


def test_the_public_side_is_served_again_once_the_held_requests_are_answered(
    client: TestClient, registered: dict[str, Any], database_url: str
) -> None:
    with public_requests_held(client, registered, database_url) as held:
        refused_meanwhile = ask(client, registered)

    answered_later = [answer.result() for answer in held]
    served_again = ask(client, registered)

    assert error_of(refused_meanwhile) == (503, "public_busy")
    assert [answer.status_code for answer in answered_later] == [200] * MAX_IN_FLIGHT
    assert served_again.status_code == 200
    assert served_again.json()["status"] == "registered"


def test_the_shed_requests_are_counted_for_the_metrics(
    client: TestClient, tokens: Tokens, registered: dict[str, Any], held: list[Future[Response]]
) -> None:
    before = shed_total(client, tokens)

    ask(client, registered)
    ask(client, registered)

    assert shed_total(client, tokens) == before + 2


def shed_total(client: TestClient, tokens: Tokens) -> float:
    """oversight_public_shed_total as GET /metrics reads it."""
    scrape = client.get("/metrics", headers=tokens.monitor)
    assert scrape.status_code == 200, scrape.text
    totals = [
        float(line.split()[-1])
        for line in scrape.text.splitlines()
        if line.startswith("oversight_public_shed_total ")
    ]
    return sum(totals)
