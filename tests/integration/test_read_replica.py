"""The service on a primary and a real streaming standby of it (`pg_basebackup -R`): lists,
boards and public status read the standby, a client's own write is waited for there (or 503
`replica_behind`), a stopped standby sends reads to the primary, and nothing that authorises a
request trusts the standby's lag."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
import structlog
from fastapi.testclient import TestClient

from domain.actor import Role
from infrastructure import read_replica
from infrastructure.settings import Settings
from interfaces.bootstrap import Container, bootstrap
from interfaces.http.app import create_app
from tests.factories import (
    API,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    bearer,
    import_sample_directory,
    issued_token,
    registered_through_api,
)
from tests.integration.read_side import wait_until
from tests.integration.throwaway_cluster import (
    ClusterUnavailable,
    ThrowawayCluster,
    find_binaries,
    streaming_pair,
    wait_until_replayed,
)
from tests.support import SettableTimeSource, run_worker_once, settings_for

STATUS_URL = f"{API}/public/case-status"
# Short, so the test is quick: a read waits this long for the standby, and a standby that
# could not be reached is tried again this long after.
REPLICA_WAIT_SECONDS = 1.0
REPLICA_RETRY_SECONDS = 0.2


@pytest.fixture(scope="module")
def pair(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ThrowawayCluster, ThrowawayCluster]]:
    """A primary and its streaming standby, shared by this module's tests."""
    try:
        binaries = find_binaries()
    except ClusterUnavailable as missing:
        pytest.skip(str(missing))
    if not (binaries / "pg_basebackup").exists():
        pytest.skip(f"no pg_basebackup in {binaries}")
    with streaming_pair(tmp_path_factory.mktemp("replica")) as clusters:
        yield clusters


@pytest.fixture
def primary(pair: tuple[ThrowawayCluster, ThrowawayCluster]) -> ThrowawayCluster:
    return pair[0]


@pytest.fixture
def standby(pair: tuple[ThrowawayCluster, ThrowawayCluster]) -> Iterator[ThrowawayCluster]:
    """The standby, replaying, and running again after the test whatever it did to it."""
    yield pair[1]
    if pair[1].postmaster_pid() is None:
        pair[1].start()
    with psycopg.connect(pair[1].url(), autocommit=True) as connection:
        connection.execute("SELECT pg_wal_replay_resume()")


@contextlib.contextmanager
def replay_paused(standby: ThrowawayCluster) -> Iterator[Callable[[], None]]:
    """The standby receives the primary's WAL but replays none of it (a replica lagging as
    long as the block lasts, or until the `resume` it yields is called)."""
    with psycopg.connect(standby.url(), autocommit=True) as connection:
        connection.execute("SELECT pg_wal_replay_pause()")

        def paused() -> bool:
            row = connection.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()
            return row is not None and row[0] == "paused"

        assert wait_until(paused, seconds=30)

    def resume() -> None:
        with psycopg.connect(standby.url(), autocommit=True) as again:
            again.execute("SELECT pg_wal_replay_resume()")

    try:
        yield resume
    finally:
        resume()


def token_of(container: Container, role: Role, department: str | None = None) -> dict[str, str]:
    name = f"{role.value}-{uuid.uuid4().hex[:8]}"
    return bearer(issued_token(container.supervision, role, department=department, name=name))


@dataclass
class Service:
    """The API, in process, with DATABASE_URL on the primary and reads on the standby."""

    client: TestClient
    container: Container
    operator: dict[str, str]
    department: dict[str, str]
    other_department: dict[str, str]
    monitor: dict[str, str]

    def token(self, role: Role, department: str | None = None) -> dict[str, str]:
        """A bearer token issued for the role now, on the primary."""
        return token_of(self.container, role, department)

    def project(self) -> None:
        """One worker turn on the primary: the read tables there are current."""
        run_worker_once(self.container)

    def get(self, path: str, headers: dict[str, str], **params: Any) -> httpx.Response:
        return self.client.get(f"{API}{path}", params=params, headers=headers)

    def post(self, path: str, headers: dict[str, str], body: Any = None) -> dict[str, Any]:
        response = self.client.post(f"{API}{path}", json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    def status_of(self, case: dict[str, Any]) -> httpx.Response:
        body = {"tracking_number": case["tracking_number"], "access_code": case["access_code"]}
        return self.client.post(STATUS_URL, json=body)


@pytest.fixture
def replica_settings(primary: ThrowawayCluster, standby: ThrowawayCluster) -> Iterator[Settings]:
    """Settings of a database of the test's own on the primary, the standby having it too."""
    name = f"replica_{uuid.uuid4().hex[:12]}"
    primary_url = primary.create_database_with_schema(name)
    wait_until_replayed(primary, standby)
    try:
        yield settings_for(
            primary_url,
            read_database_url=standby.url(name),
            read_replica_wait_seconds=REPLICA_WAIT_SECONDS,
            read_replica_retry_seconds=REPLICA_RETRY_SECONDS,
            public_rate_limit=0,
        )
    finally:
        with psycopg.connect(primary.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def serving(settings: Settings, time_source: SettableTimeSource) -> Iterator[Service]:
    """The API started (its read pool opened) on these settings, the sample directory in."""
    with bootstrap(settings, time_source=time_source, initialise=False) as container:
        import_sample_directory(container.supervision)
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            yield Service(
                client=client,
                container=container,
                operator=token_of(container, Role.OPERATOR),
                department=token_of(container, Role.DEPARTMENT, SAMPLE_DEPARTMENT),
                other_department=token_of(container, Role.DEPARTMENT, OTHER_DEPARTMENT),
                monitor=token_of(container, Role.MONITOR),
            )


@pytest.fixture
def service(replica_settings: Settings, time_source: SettableTimeSource) -> Iterator[Service]:
    with serving(replica_settings, time_source) as started:
        yield started


def assigned_case(service: Service) -> dict[str, Any]:
    """A complaint registered and assigned to the sample department through the API."""
    case = registered_through_api(service.client, service.operator)
    assigned = service.post(
        f"/cases/{case['id']}/assign", service.operator, {"department": SAMPLE_DEPARTMENT}
    )
    return {**case, **assigned, "access_code": case["access_code"]}


def case_replayed_on_the_standby(
    service: Service, primary: ThrowawayCluster, standby: ThrowawayCluster
) -> dict[str, Any]:
    """A case assigned through the API, its read side caught up and replayed on the standby."""
    case = assigned_case(service)
    service.project()
    wait_until_replayed(primary, standby)
    return case


def listed_statuses(service: Service, **params: Any) -> dict[str, str]:
    response = service.get("/cases", service.operator, **params)
    assert response.status_code == 200, response.text
    return {item["tracking_number"]: item["status"] for item in response.json()["items"]}


def board_statuses(service: Service) -> dict[str, str]:
    response = service.get(f"/departments/{SAMPLE_DEPARTMENT}/board", service.department)
    assert response.status_code == 200, response.text
    return {item["tracking_number"]: item["status"] for item in response.json()["items"]}


def metric(service: Service, name: str) -> float:
    """A sample's value in GET /metrics (0 when the sample is absent)."""
    response = service.client.get("/metrics", headers=service.monitor)
    assert response.status_code == 200, response.text
    for line in response.text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return 0.0


def test_lists_boards_and_public_status_read_the_standby(
    service: Service, primary: ThrowawayCluster, standby: ThrowawayCluster
) -> None:
    case = case_replayed_on_the_standby(service, primary, standby)
    number = case["tracking_number"]

    with replay_paused(standby) as resume:
        service.post(f"/cases/{case['id']}/acknowledge", service.department)
        service.project()  # acknowledged in the primary's read tables, not yet on the standby

        assert listed_statuses(service) == {number: "assigned"}
        assert board_statuses(service) == {number: "assigned"}
        assert service.status_of(case).json()["status"] == "assigned"

        resume()
        wait_until_replayed(primary, standby)
        assert listed_statuses(service) == {number: "in_progress"}
        assert board_statuses(service) == {number: "in_progress"}
        assert service.status_of(case).json()["status"] == "in_progress"


def test_a_commands_position_as_after_waits_for_the_standby_and_past_the_bound_is_a_503(
    service: Service, primary: ThrowawayCluster, standby: ThrowawayCluster
) -> None:
    with replay_paused(standby) as resume:
        case = registered_through_api(service.client, service.operator)
        service.project()

        behind = service.get("/cases", service.operator, after=case["position"])
        assert behind.status_code == 503
        assert behind.json()["error"]["code"] == "replica_behind"
        assert behind.headers["Retry-After"] == "1"
        board = service.get(
            f"/departments/{SAMPLE_DEPARTMENT}/board", service.department, after=case["position"]
        )
        assert (board.status_code, board.json()["error"]["code"]) == (503, "replica_behind")

        # The standby replays while the next read waits: it answers once it has.
        threading.Timer(REPLICA_WAIT_SECONDS / 4, resume).start()
        waited = service.get("/cases", service.operator, after=case["position"])

    assert waited.status_code == 200, waited.text
    assert waited.json()["caught_up"] is True
    assert [item["tracking_number"] for item in waited.json()["items"]] == [case["tracking_number"]]


def test_a_write_the_primary_has_not_projected_either_keeps_the_caught_up_false_answer(
    service: Service,
) -> None:
    case = registered_through_api(service.client, service.operator)  # no worker turn

    listed = service.get("/cases", service.operator, after=case["position"])

    assert listed.status_code == 200, listed.text
    assert listed.json()["caught_up"] is False
    assert listed.json()["items"] == []


def test_with_the_standby_stopped_reads_go_to_the_primary_and_a_metric_and_a_log_line_say_so(
    service: Service,
    primary: ThrowawayCluster,
    standby: ThrowawayCluster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = case_replayed_on_the_standby(service, primary, standby)
    assert listed_statuses(service) == {case["tracking_number"]: "assigned"}
    fallbacks_before = metric(service, "oversight_read_replica_fallbacks_total")

    with structlog.testing.capture_logs() as logs:
        # A fresh logger, first used inside, logs to the capture (a cached one would not).
        monkeypatch.setattr(read_replica, "log", structlog.get_logger("oversight.read_replica"))
        standby.stop()
        service.post(f"/cases/{case['id']}/acknowledge", service.department)
        service.project()

        for _ in range(3):
            assert listed_statuses(service) == {case["tracking_number"]: "in_progress"}
        assert board_statuses(service) == {case["tracking_number"]: "in_progress"}
        assert service.status_of(case).json()["status"] == "in_progress"
        assert metric(service, "oversight_read_replica_fallback") == 1
        assert metric(service, "oversight_read_replica_fallbacks_total") == fallbacks_before + 1

        standby.start()
        assert wait_until(
            lambda: (
                bool(listed_statuses(service))
                and any(entry["event"] == "read_replica_available" for entry in logs)
            ),
            seconds=30,
        )
        assert metric(service, "oversight_read_replica_fallback") == 0

    switches = [entry for entry in logs if entry["event"].startswith("read_replica_")]
    assert [entry["event"] for entry in switches] == [
        "read_replica_unavailable",
        "read_replica_available",
    ]
    assert switches[0]["log_level"] == "warning"
    assert switches[0]["replica"] == f"127.0.0.1:{standby.port}"


def test_a_service_started_while_the_standby_is_down_reads_the_primary_until_it_is_back(
    replica_settings: Settings, standby: ThrowawayCluster, time_source: SettableTimeSource
) -> None:
    standby.stop()

    with serving(replica_settings, time_source) as service:
        case = assigned_case(service)
        service.project()
        assert listed_statuses(service) == {case["tracking_number"]: "assigned"}
        assert metric(service, "oversight_read_replica_fallback") == 1

        standby.start()
        assert wait_until(
            lambda: (
                bool(listed_statuses(service))
                and metric(service, "oversight_read_replica_fallback") == 0
            ),
            seconds=30,
        )
        assert listed_statuses(service) == {case["tracking_number"]: "assigned"}


def test_nothing_that_authorises_a_request_reads_the_lagging_standby(
    service: Service, primary: ThrowawayCluster, standby: ThrowawayCluster
) -> None:
    locked = case_replayed_on_the_standby(service, primary, standby)

    with replay_paused(standby):
        # A token issued now signs in, though the standby knows nothing of it.
        inspector = service.token(Role.INSPECTOR)
        assert service.get("/cases", inspector).status_code == 200

        # A case assigned now: its department reads it, another department is refused.
        fresh = assigned_case(service)
        service.project()
        assert service.get(f"/cases/{fresh['id']}", service.department).status_code == 200
        refused = service.get(f"/cases/{fresh['id']}", service.other_department)
        assert (refused.status_code, refused.json()["error"]["code"]) == (
            403,
            "not_assigned_department",
        )

        # A case not yet on the standby is found by its pair, not counted as a failure.
        assert service.status_of(fresh).status_code == 200

        # A number locked now (on the primary) stays locked for the right code too.
        wrong = {**locked, "access_code": _other_code(locked["access_code"])}
        for _ in range(5):
            assert service.status_of(wrong).status_code == 404
        assert service.status_of(locked).status_code == 404


def _other_code(access_code: str) -> str:
    return ("A" if access_code[0] != "A" else "B") + access_code[1:]
