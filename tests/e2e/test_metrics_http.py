"""GET /metrics: the Prometheus text of the service, for monitor tokens only."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from domain.actor import Role
from interfaces.bootstrap import Container
from interfaces.http.app import create_app
from tests.e2e.conftest import Tokens, error_of, sample_container
from tests.factories import API, SAMPLE_DEPARTMENT, bearer, issued_token
from tests.support import SettableTimeSource

COMPLAINT = {"kind": "complaint", "channel": "hotline", "window": "W-A01", "summary": "排队久"}


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scraped(client: TestClient, tokens: Tokens) -> Samples:
    """Every sample of a scrape, by name and labels."""
    response = client.get("/metrics", headers=tokens.monitor)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value (0 when it is absent, as a counter not yet counted)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def matching(samples: Samples, name: str, **labels: str) -> list[float]:
    """The values of every sample of `name` whose labels include `labels`."""
    return [
        found
        for (sample, sample_labels), found in samples.items()
        if sample == name and set(labels.items()) <= set(sample_labels)
    ]


def test_metrics_need_a_token(client: TestClient) -> None:
    response = client.get("/metrics")

    assert error_of(response) == (401, "not_authenticated")


def test_metrics_refuse_every_role_but_the_monitor(client: TestClient, tokens: Tokens) -> None:
    for headers in (tokens.operator, tokens.inspector, tokens.admin, tokens.department):
        assert error_of(client.get("/metrics", headers=headers)) == (403, "role_not_allowed")


def test_a_monitor_token_opens_nothing_but_the_metrics(client: TestClient, tokens: Tokens) -> None:
    for path in ("/departments", "/cases", f"/departments/{SAMPLE_DEPARTMENT}/board"):
        response = client.get(f"{API}{path}", headers=tokens.monitor)
        assert error_of(response) == (403, "role_not_allowed"), path


def test_the_scrape_parses_as_prometheus_text(client: TestClient, tokens: Tokens) -> None:
    samples = scraped(client, tokens)

    assert value(samples, "oversight_scrape_database_ok") == 1
    assert value(samples, "oversight_event_store_position") > 0
    assert matching(samples, "oversight_db_pool_connections_max", pool="reads")
    assert matching(samples, "oversight_db_pool_connections_max", pool="public")
    assert matching(samples, "oversight_db_pool_connections_max", pool="event_store")


def test_a_request_is_timed_under_its_route_template_never_its_path(
    client: TestClient, tokens: Tokens
) -> None:
    route = f"{API}/departments/{{department_id}}/board"
    before = scraped(client, tokens)
    client.get(f"{API}/departments/{SAMPLE_DEPARTMENT}/board", headers=tokens.operator)

    after = scraped(client, tokens)

    labels = {"method": "GET", "route": route, "status": "200"}
    count = "oversight_http_request_duration_seconds_count"
    assert value(after, count, **labels) == value(before, count, **labels) + 1
    assert not [key for key in after if SAMPLE_DEPARTMENT in str(key)]


def test_a_path_no_route_serves_is_counted_as_unmatched(client: TestClient, tokens: Tokens) -> None:
    client.get(f"{API}/no-such-thing/12345")

    samples = scraped(client, tokens)

    assert matching(samples, "oversight_http_request_duration_seconds_count", route="unmatched")
    assert not [key for key in samples if "12345" in str(key)]


def test_commands_are_counted_by_verb_and_outcome_with_the_code_of_a_refusal(
    client: TestClient, tokens: Tokens
) -> None:
    before = scraped(client, tokens)
    registered = client.post(f"{API}/cases", json=COMPLAINT, headers=tokens.operator)
    assert registered.status_code == 201
    case = registered.json()["id"]
    refused = client.post(f"{API}/cases/{case}/close", headers=tokens.operator)
    code = refused.json()["error"]["code"]
    invalid = client.post(f"{API}/cases", json={"kind": "nonsense"}, headers=tokens.operator)
    assert invalid.status_code == 422

    after = scraped(client, tokens)

    def grew(**labels: str) -> float:
        return value(after, "oversight_commands_total", **labels) - value(
            before, "oversight_commands_total", **labels
        )

    assert grew(verb="register_case", outcome="ok", code="") == 1
    assert grew(verb="close_case", outcome="refused", code=code) == 1
    assert grew(verb="register_case", outcome="refused", code="invalid_request") == 1


def test_the_lag_of_every_runner_is_shown_and_falls_to_zero_once_the_worker_caught_up(
    client: TestClient,
    tokens: Tokens,
    catch_up: Callable[[], object],
    time_source: SettableTimeSource,
) -> None:
    catch_up()
    client.post(f"{API}/cases", json=COMPLAINT, headers=tokens.operator)
    time_source.advance(minutes=5)

    behind = scraped(client, tokens)
    catch_up()
    caught_up = scraped(client, tokens)

    assert value(behind, "oversight_projection_lag_positions", runner="case_list") >= 1
    # The oldest event case_list has not handled was recorded five minutes ago.
    assert value(behind, "oversight_projection_lag_seconds", runner="case_list") == 300
    for runner in ("case_list", "audit_events", "ledger"):
        assert value(caught_up, "oversight_projection_lag_positions", runner=runner) == 0
        assert ("oversight_projection_lag_seconds", (("runner", runner),)) in caught_up
    assert value(caught_up, "oversight_projection_lag_seconds", runner="case_list") == 0


CLOCK_TURN = "oversight_deadline_clock_last_turn_timestamp_seconds"


def test_the_leadership_gauge_is_one_in_the_process_whose_worker_holds_the_lock(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    handle = container.start_worker(poll_interval=0.1, standby_interval=0.1)
    deadline = time.monotonic() + 30
    while not handle.active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert handle.active
    # Leading comes before the first turn: the clock's gauge is set once that turn ends.
    leading = scraped(client, tokens)
    while not value(leading, CLOCK_TURN) and time.monotonic() < deadline:
        time.sleep(0.05)
        leading = scraped(client, tokens)
    handle.stop()
    stopped = scraped(client, tokens)

    assert value(leading, "oversight_worker_leader") == 1
    assert value(leading, "oversight_worker_lock_held") == 1
    assert value(leading, CLOCK_TURN) > 0
    assert value(stopped, "oversight_worker_leader") == 0
    assert value(stopped, "oversight_worker_lock_held") == 0


def test_wrong_access_codes_are_counted_and_so_is_the_lock_they_bring(
    client: TestClient, tokens: Tokens
) -> None:
    registered = client.post(f"{API}/cases", json=COMPLAINT, headers=tokens.operator).json()
    wrong = {"tracking_number": registered["tracking_number"], "access_code": "AAAAAAAAAA"}
    before = scraped(client, tokens)

    answers = [client.post(f"{API}/public/case-status", json=wrong) for _ in range(5)]

    after = scraped(client, tokens)
    assert {answer.status_code for answer in answers} == {404}
    refusals = "oversight_public_status_refusals_total"
    lockouts = "oversight_public_status_lockouts_total"
    assert value(after, refusals) - value(before, refusals) == 5
    assert value(after, lockouts) - value(before, lockouts) == 1


def test_a_request_past_the_public_rate_limit_is_counted(
    database_url: str, time_source: SettableTimeSource
) -> None:
    with (
        sample_container(database_url, time_source, public_rate_limit=2) as container,
        TestClient(create_app(container), raise_server_exceptions=False) as client,
    ):
        monitor = bearer(issued_token(container.supervision, Role.MONITOR, name="prometheus"))
        tokens = Tokens({}, {}, {}, {}, {}, monitor)
        before = scraped(client, tokens)
        answers = [client.get(f"{API}/red-list") for _ in range(3)]
        after = scraped(client, tokens)

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    limited = "oversight_rate_limited_total"
    assert value(after, limited, limit="public") - value(before, limited, limit="public") == 1


def test_a_retry_that_replays_its_first_answer_is_not_counted_again(
    client: TestClient, tokens: Tokens
) -> None:
    headers = {**tokens.operator, "Idempotency-Key": "metrics-replay-1"}
    before = scraped(client, tokens)
    first = client.post(f"{API}/cases", json=COMPLAINT, headers=headers)
    again = client.post(f"{API}/cases", json=COMPLAINT, headers=headers)

    after = scraped(client, tokens)

    assert again.headers.get("idempotent-replayed") == "true"
    assert first.json()["id"] == again.json()["id"]
    labels = {"verb": "register_case", "outcome": "ok", "code": ""}
    counted = value(after, "oversight_commands_total", **labels)
    assert counted - value(before, "oversight_commands_total", **labels) == 1


def test_a_scrape_answers_without_the_database_when_it_is_held_up(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    with psycopg.connect(container.database_url) as blocker:
        blocker.execute("LOCK TABLE projection_tracking IN ACCESS EXCLUSIVE MODE")
        samples = scraped(client, tokens)
        blocker.rollback()

    assert value(samples, "oversight_scrape_database_ok") == 0
    assert not matching(samples, "oversight_projection_lag_positions")
    assert matching(samples, "oversight_http_request_duration_seconds_count")
    assert value(scraped(client, tokens), "oversight_scrape_database_ok") == 1
