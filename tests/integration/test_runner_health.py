"""A worker whose runner cannot get past an event says so, and keeps everything else going."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain.case import Case
from infrastructure.logging import configure_logging
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.signing import SigningKey
from infrastructure.worker import Worker
from interfaces.bootstrap import Container
from tests.factories import assigned_case, registered_case
from tests.failing_projection import FailingProjection
from tests.integration.read_side import (
    dict_rows,
    events_of,
    head,
    tracking,
    wait_until,
)
from tests.support import START, SettableTimeSource

# The workers here run the failing projection: its table is made before the container.
pytestmark = pytest.mark.usefixtures("failing_projection_table")

# Assigned at START (Friday 27 November 2026, 10:00), a complaint must be acknowledged by
# Monday 30 November 17:30.
ACKNOWLEDGE_DUE = START + timedelta(days=3, hours=7, minutes=30)


def a_worker(container: Container, failing: FailingProjection) -> Worker:
    """The service's worker, with one more projection, run first, that fails as told."""
    worker = container.worker()
    worker.runners.insert(
        0, ProjectionRunner(container.database_url, container.supervision, failing)
    )
    return worker


def health(database_url: str) -> list[dict[str, Any]]:
    return dict_rows(
        database_url,
        "SELECT name, position, attempts, error_type, message, failing_since "
        "FROM runner_health ORDER BY name",
    )


def first_position(database_url: str, record_id: UUID) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT min(notification_id) FROM oversight_events WHERE originator_id = %s",
            (record_id,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_failing_projection_stops_neither_the_others_nor_the_clock_and_is_recorded(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    case_id = assigned_case(container.supervision)
    time_source.set(ACKNOWLEDGE_DUE + timedelta(minutes=1))
    worker = a_worker(container, FailingProjection(case_id))
    try:
        for _ in range(3):
            worker.run_once()
    finally:
        worker.close()

    events = events_of(container, case_id)
    assert [type(e) for e in events if isinstance(e, Case.AcknowledgeDeadlineMissed)] == [
        Case.AcknowledgeDeadlineMissed
    ]  # the clock ran
    for name in ("case_list", "order_list", "deductions", "audit_events", "rating_cases"):
        assert tracking(database_url, name) == head(container)
    (failing,) = health(database_url)
    assert failing["name"] == "failing_projection"
    # Everything up to the case's first event was projected, and the position names it.
    assert failing["position"] == first_position(database_url, case_id) - 1
    assert tracking(database_url, "failing_projection") == failing["position"]
    assert failing["attempts"] == 3  # one a turn, however often a turn projects
    assert failing["error_type"] == "CaseProjectionFailure"
    assert failing["message"] == f"cannot project case {case_id}"


def test_a_runner_that_moves_on_is_cleared_and_one_failing_further_on_starts_counting_again(
    container: Container, database_url: str
) -> None:
    first, second = registered_case(container.supervision), registered_case(container.supervision)
    failing = FailingProjection(first)
    worker = a_worker(container, failing)
    try:
        worker.run_once()
        worker.run_once()
        stuck_at_first = health(database_url)
        failing.failing_on = {second}
        worker.run_once()
        stuck_at_second = health(database_url)
        failing.failing_on = set()
        worker.run_once()
        recovered = health(database_url)
    finally:
        worker.close()

    assert [(r["name"], r["attempts"]) for r in stuck_at_first] == [("failing_projection", 2)]
    ((at_first,), (at_second,)) = stuck_at_first, stuck_at_second
    assert at_first["position"] == first_position(database_url, first) - 1
    assert at_second["position"] == first_position(database_url, second) - 1
    assert at_second["attempts"] == 1
    assert at_second["failing_since"] > at_first["failing_since"]
    assert recovered == []
    assert tracking(database_url, "failing_projection") == head(container)


def test_a_halted_ledger_is_recorded_as_a_runner_that_cannot_move_on(
    container: Container, database_url: str
) -> None:
    container.worker().run_once()
    registered_case(container.supervision)
    container.ledger.key = SigningKey.generate()  # as if OVERSIGHT_SIGNING_KEY had changed
    worker = container.worker()
    try:
        for _ in range(3):
            worker.run_once()
    finally:
        worker.close()

    (ledger,) = health(database_url)
    assert (ledger["name"], ledger["attempts"]) == ("ledger", 3)
    assert ledger["error_type"] == "LedgerSealedByAnotherKey"
    assert ledger["position"] < head(container) == tracking(database_url, "case_list")


def test_a_new_active_worker_forgets_failures_of_runners_it_does_not_run(
    container: Container, database_url: str
) -> None:
    case_id = registered_case(container.supervision)
    worker = a_worker(container, FailingProjection(case_id))
    try:
        worker.run_once()
    finally:
        worker.close()
    assert [row["name"] for row in health(database_url)] == ["failing_projection"]

    handle = container.start_worker(poll_interval=0.1, standby_interval=0.1)
    try:
        assert wait_until(lambda: health(database_url) == [])
    finally:
        handle.stop()


def test_the_log_line_of_a_failure_carries_the_exception_s_type_and_message(
    container: Container, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = registered_case(container.supervision)
    worker = a_worker(container, FailingProjection(case_id))
    configure_logging("INFO", "json")
    try:
        worker.run_once()
        try:
            raise ConnectionResetError("peer went away")
        except ConnectionResetError:
            logging.getLogger("oversight.elsewhere").exception("stdlib_failure")
        try:
            with psycopg.connect(database_url) as connection:
                connection.execute("SELECT %s::jsonb", ['{"name": "王芳\\u0000"}'])
        except psycopg.DataError:
            logging.getLogger("oversight.elsewhere").exception("database_failure")
    finally:
        worker.close()
        configure_logging("WARNING", "json")

    output = capsys.readouterr().err
    lines = [json.loads(line) for line in output.splitlines() if line]
    (failed,) = [line for line in lines if line["event"] == "runner_failed"]
    (stdlib,) = [line for line in lines if line["event"] == "stdlib_failure"]
    (database,) = [line for line in lines if line["event"] == "database_failure"]
    # PostgreSQL quotes the data it refused (DETAIL, CONTEXT): the log keeps its message only.
    assert database["exception"][0]["exc_value"] == "unsupported Unicode escape sequence"
    assert "王芳" not in output
    assert failed["runner"] == "failing_projection"
    assert failed["error_type"] == "CaseProjectionFailure"
    assert failed["message"] == f"cannot project case {case_id}"
    (exception,) = failed["exception"]
    assert exception["exc_type"] == "CaseProjectionFailure"
    assert exception["exc_value"] == f"cannot project case {case_id}"
    assert exception["frames"]
    assert all("locals" not in frame for frame in exception["frames"])
    assert stdlib["exception"][0]["exc_type"] == "ConnectionResetError"
    assert stdlib["exception"][0]["exc_value"] == "peer went away"
