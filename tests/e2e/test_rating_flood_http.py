"""A flood of anonymous bad ratings over HTTP (issue 12): the public limit holds for every API
process together, and one client's bad ratings of a window in a day make one case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.evaluation import Evaluation
from interfaces.bootstrap import Container, bootstrap
from interfaces.http.app import create_app
from tests.e2e.conftest import Tokens, department_metrics
from tests.factories import API, SAMPLE_DEPARTMENT, SAMPLE_WINDOW
from tests.support import SettableTimeSource, run_worker_once, settings_for

BAD = {"window": SAMPLE_WINDOW, "rating": 1, "comment": "工作人员玩手机不理人"}
STATUS_URL = f"{API}/public/case-status"
UNKNOWN_CASE = {"tracking_number": "HL20261127-9999", "access_code": "K7M2P-9QXRT"}


@pytest.fixture
def another_process(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> Iterator[Callable[..., TestClient]]:
    """Start another API process on the test's database, with the server key every process
    of the service shares (shut down afterwards)."""
    with ExitStack() as stack:

        def start(**overrides: Any) -> TestClient:
            built = bootstrap(
                settings_for(database_url, **overrides), time_source=time_source, initialise=False
            )
            stack.callback(built.close)
            return stack.enter_context(TestClient(create_app(built), raise_server_exceptions=False))

        yield start


def from_address(client: TestClient, host: str) -> TestClient:
    """A client from another address, served by the same running app."""
    other = TestClient(client.app, raise_server_exceptions=False, client=(host, 50000))
    other.portal = client.portal  # the same event loop, where the pools live
    return other


def rate(client: TestClient, body: dict[str, Any] = BAD) -> httpx.Response:
    return client.post(f"{API}/evaluations", json=body)


def rating_cases(client: TestClient, tokens: Tokens) -> list[dict[str, Any]]:
    listed = client.get(f"{API}/cases", params={"channel": "rating"}, headers=tokens.operator)
    assert listed.status_code == 200, listed.text
    return [
        client.get(f"{API}/cases/{item['id']}", headers=tokens.operator).json()
        for item in listed.json()["items"]
    ]


def counted_rows(database_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT counter, client, hits FROM client_request_counts ORDER BY counter"
        ).fetchall()


def test_a_burst_from_one_client_is_limited_across_processes_and_makes_one_case(
    client: TestClient,
    container: Container,
    tokens: Tokens,
    another_process: Callable[..., TestClient],
) -> None:
    # given: two API processes on one database, each with the default limit of 60 a minute
    second = another_process()

    # when: one client sends 70 bad ratings of one window, turn about to the two processes
    answers = [rate(process) for _ in range(35) for process in (client, second)]
    run_worker_once(container)

    # then: the limit held for both together
    statuses = [answer.status_code for answer in answers]
    assert statuses == [201] * 60 + [429] * 10
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert all(answer.json()["opens_case"] for answer in answers[:60])

    # and the department's board shows one case, holding the sixty ratings
    board = client.get(f"{API}/departments/{SAMPLE_DEPARTMENT}/board", headers=tokens.department)
    (item,) = board.json()["items"]
    (case,) = rating_cases(client, tokens)
    assert item["id"] == case["id"]
    assert case["status"] == "assigned"
    assert len(case["bad_ratings"]) == 60
    assert {entry["evaluation"] for entry in case["bad_ratings"]} == {
        answer.json()["id"] for answer in answers[:60]
    }
    ours = department_metrics(
        client, tokens.operator, SAMPLE_DEPARTMENT, **{"from": "2026-11-27", "to": "2026-11-27"}
    )
    assert ours["bad_ratings"] == 60, "every rating still counts in satisfaction"
    assert ours["assigned"] == 1, "one case was opened for them"


def test_each_client_opens_a_case_of_its_own_and_has_a_count_of_its_own(
    client: TestClient, container: Container, tokens: Tokens
) -> None:
    elsewhere = from_address(client, "198.51.100.7")

    answers = [rate(client), rate(client), rate(elsewhere)]
    run_worker_once(container)

    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert sorted(len(case["bad_ratings"]) for case in rating_cases(client, tokens)) == [1, 2]
    assert sorted(hits for _, _, hits in counted_rows(container.database_url)) == [1, 2]


def test_a_rating_records_its_client_by_a_keyed_digest_and_no_address_is_stored(
    client: TestClient, container: Container
) -> None:
    address = "203.0.113.9"

    answer = rate(from_address(client, address))

    evaluation = container.supervision.repository.get(answer.json()["id"])
    assert isinstance(evaluation, Evaluation)
    assert evaluation.client is not None
    assert address not in evaluation.client
    assert evaluation.client == container.client_digest(address)
    ((counter, counted_client, hits),) = counted_rows(container.database_url)
    assert (counter, counted_client, hits) == ("public", evaluation.client, 1)
    assert "client" not in answer.json(), "the rater is not told how they are known"


def test_failed_status_lookups_are_limited_per_client_across_processes(
    client: TestClient, another_process: Callable[..., TestClient]
) -> None:
    second = another_process()

    answers = [
        process.post(STATUS_URL, json=UNKNOWN_CASE)
        for _ in range(6)
        for process in (client, second)
    ]

    assert [answer.status_code for answer in answers] == [404] * 10 + [429] * 2
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 600


def test_a_limit_of_zero_is_off_in_every_process_and_counts_nothing(
    container: Container, another_process: Callable[..., TestClient]
) -> None:
    first, second = another_process(public_rate_limit=0), another_process(public_rate_limit=0)

    statuses = {rate(process).status_code for _ in range(40) for process in (first, second)}

    assert statuses == {201}
    assert counted_rows(container.database_url) == []


def test_without_its_counts_the_limit_refuses_with_503_and_nothing_is_recorded(
    client: TestClient, container: Container
) -> None:
    # given: the counters' table is gone (a restore that missed it, a broken migration)
    head = container.supervision.recorder.max_notification_id()
    with psycopg.connect(container.database_url, autocommit=True) as connection:
        connection.execute("DROP TABLE client_request_counts")

    # when
    rating = rate(client)
    lookup = client.post(STATUS_URL, json=UNKNOWN_CASE)

    # then: refused, to be retried; not let through, and never a 500
    for answer in (rating, lookup):
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "storage_unavailable"
        assert answer.headers["Retry-After"] == "1"
    assert container.supervision.recorder.max_notification_id() == head
