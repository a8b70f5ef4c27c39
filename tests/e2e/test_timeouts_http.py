"""Bounded waits: a stuck database answers 503 in seconds, records nothing, and may be retried."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, position, sample_container
from tests.factories import API, SAMPLE_WINDOW
from tests.support import SettableTimeSource

COMPLAINT = {"kind": "complaint", "channel": "hotline", "window": SAMPLE_WINDOW, "summary": "久等"}


@pytest.fixture
def container(database_url: str, time_source: SettableTimeSource) -> Iterator[Container]:
    with sample_container(
        database_url, time_source, db_lock_timeout=1, db_statement_timeout=1.0
    ) as built:
        yield built


@pytest.fixture
def blocker(database_url: str) -> Iterator[psycopg.Connection]:
    """A session that holds locks (in an open transaction) until the test ends it."""
    with psycopg.connect(database_url) as connection:
        yield connection
        connection.rollback()


def test_a_command_stuck_behind_the_event_table_lock_answers_503_and_records_nothing(
    client: TestClient, tokens: Tokens, container: Container, blocker: psycopg.Connection
) -> None:
    headers = {**tokens.operator, "Idempotency-Key": "stuck-call-1"}
    before = position(container)
    # The mode every writer takes: readers go on, writers wait.
    blocker.execute("LOCK TABLE oversight_events IN EXCLUSIVE MODE")

    stuck = client.post(f"{API}/cases", json=COMPLAINT, headers=headers)
    after_stuck = position(container)
    blocker.rollback()
    retried = client.post(f"{API}/cases", json=COMPLAINT, headers=headers)

    assert error_of(stuck) == (503, "storage_unavailable")
    assert stuck.headers["retry-after"] == "1"
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert after_stuck == before
    assert client.get(f"{API}/cases/{retried.json()['id']}", headers=tokens.operator).is_success


def test_a_read_outlasting_the_statement_timeout_answers_503(
    client: TestClient, tokens: Tokens, blocker: psycopg.Connection
) -> None:
    blocker.execute("LOCK TABLE case_list IN ACCESS EXCLUSIVE MODE")

    stuck = client.get(f"{API}/cases", headers=tokens.operator)
    blocker.rollback()
    answered = client.get(f"{API}/cases", headers=tokens.operator)

    assert error_of(stuck) == (503, "storage_unavailable")
    assert answered.status_code == 200
