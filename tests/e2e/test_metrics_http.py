"""GET /metrics: the Prometheus text of the service, for monitor tokens only."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of
from tests.factories import API, SAMPLE_DEPARTMENT

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
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    catch_up()
    client.post(f"{API}/cases", json=COMPLAINT, headers=tokens.operator)

    behind = scraped(client, tokens)
    catch_up()
    caught_up = scraped(client, tokens)

    assert value(behind, "oversight_projection_lag_positions", runner="case_list") >= 1
    for runner in ("case_list", "audit_events", "ledger"):
        assert value(caught_up, "oversight_projection_lag_positions", runner=runner) == 0
        assert ("oversight_projection_lag_seconds", (("runner", runner),)) in caught_up
    assert value(caught_up, "oversight_projection_lag_seconds", runner="case_list") == 0


def test_the_leadership_gauge_is_one_in_the_process_whose_worker_holds_the_lock(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    handle = container.start_worker(poll_interval=0.1, standby_interval=0.1)
    deadline = time.monotonic() + 30
    while not handle.active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert handle.active

    leading = scraped(client, tokens)
    handle.stop()
    stopped = scraped(client, tokens)

    assert value(leading, "oversight_worker_leader") == 1
    assert value(leading, "oversight_worker_lock_held") == 1
    assert value(leading, "oversight_deadline_clock_last_turn_timestamp_seconds") > 0
    assert value(stopped, "oversight_worker_leader") == 0
    assert value(stopped, "oversight_worker_lock_held") == 0
