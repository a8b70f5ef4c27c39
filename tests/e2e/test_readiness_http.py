"""/readyz tells a load balancer and an operator when the worker cannot get past an event."""

from __future__ import annotations

from uuid import UUID

import psycopg
from fastapi.testclient import TestClient
from psycopg.conninfo import conninfo_to_dict

from infrastructure.projection_runner import ProjectionRunner
from infrastructure.worker import Worker
from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, position
from tests.factories import registered_through_api
from tests.failing_projection import FailingProjection


def worker_failing_on(container: Container, failing: FailingProjection) -> Worker:
    """The service's worker, with one more projection that fails as told."""
    FailingProjection.create_table(container.database_url)
    worker = container.worker()
    worker.runners.append(ProjectionRunner(container.database_url, container.supervision, failing))
    return worker


def test_readiness_names_a_runner_failing_at_one_position_for_three_turns_until_it_moves_on(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    case_id = UUID(registered_through_api(client, tokens.operator)["id"])
    failing = FailingProjection(case_id)
    worker = worker_failing_on(container, failing)
    try:
        worker.run_once()
        worker.run_once()
        after_two = client.get("/readyz")
        worker.run_once()
        after_three = client.get("/readyz")
        failing.failing_on = set()
        worker.run_once()
        moved_on = client.get("/readyz")
    finally:
        worker.close()

    assert after_two.status_code == 200  # twice may be chance: a lock, a dropped connection
    assert after_three.status_code == 503
    body = after_three.json()
    (runner,) = body["runners"]
    assert body["status"] == "stuck"
    assert body["position"] == position(container)
    assert (runner["name"], runner["attempts"]) == ("failing_projection", 3)
    assert runner["error_type"] == "CaseProjectionFailure"
    assert runner["position"] < body["position"]
    assert f"failing_projection is stuck after position {runner['position']}" in body["reason"]
    assert "message" not in runner  # the message is for the log, not a public endpoint
    assert moved_on.status_code == 200
    assert moved_on.json() == {"status": "ready", "position": position(container)}


def test_readiness_answers_503_when_the_store_cannot_be_reached(
    client: TestClient, container: Container, postgres_server: str
) -> None:
    assert client.get("/readyz").status_code == 200
    name = conninfo_to_dict(container.database_url)["dbname"]
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert set(response.json()) == {"status", "reason"}


def test_the_openapi_documents_both_answers_of_readiness(client: TestClient) -> None:
    readyz = client.get("/api/v1/openapi.json").json()["paths"]["/readyz"]["get"]

    not_ready = readyz["responses"]["503"]["content"]["application/json"]["schema"]
    ready = readyz["responses"]["200"]["content"]["application/json"]["schema"]
    assert not_ready["$ref"].endswith("/NotReady")
    assert ready["$ref"].endswith("/Ready")
