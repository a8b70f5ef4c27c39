"""The pure parts of the metrics: a command's outcome, the route label, the scrape's text,
and the directory several API processes share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from infrastructure.metrics import (
    DatabaseReading,
    RunnerLag,
    command_outcome,
    exposition,
)
from interfaces.http.request_metrics import route_template
from interfaces.metrics_directory import MetricsAlreadyLoaded, shared_metrics_directory


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (200, None, ("ok", "")),
        (201, None, ("ok", "")),
        (409, "conflict", ("conflict", "")),
        (409, "case_not_answered", ("refused", "case_not_answered")),
        (403, "role_not_allowed", ("refused", "role_not_allowed")),
        (422, None, ("refused", "http_422")),
        (503, "storage_unavailable", ("error", "storage_unavailable")),
        (500, "internal_error", ("error", "internal_error")),
    ],
)
def test_a_commands_outcome_follows_its_status_and_code(
    status: int, code: str | None, outcome: tuple[str, str]
) -> None:
    assert command_outcome(status, code) == outcome


class _Route:
    path = "/cases/{case_id}/close"


class _Context:
    path = "/api/v1/cases/{case_id}/close"


def test_the_route_label_is_the_whole_template_of_the_route_that_answered() -> None:
    scope = {"route": _Route(), "fastapi": {"effective_route_context": _Context()}}

    assert route_template(scope) == "/api/v1/cases/{case_id}/close"


def test_a_route_outside_any_router_is_labelled_by_its_own_path() -> None:
    assert route_template({"route": _Route()}) == "/cases/{case_id}/close"


def test_a_request_no_route_answered_is_labelled_unmatched_never_by_its_path() -> None:
    assert route_template({"path": "/api/v1/cases/0b5e1c/close"}) == "unmatched"


def samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


def test_the_scrape_shows_each_runners_lag_and_leaves_out_an_unknown_age() -> None:
    reading = DatabaseReading(
        ok=True,
        position=120,
        worker_lock_held=True,
        lags=(RunnerLag("case_list", 0, 0.0), RunnerLag("ledger", 20, None)),
    )

    shown = samples(exposition(reading))

    assert shown[("oversight_scrape_database_ok", ())] == 1
    assert shown[("oversight_event_store_position", ())] == 120
    assert shown[("oversight_worker_lock_held", ())] == 1
    assert shown[("oversight_projection_lag_positions", (("runner", "ledger"),))] == 20
    assert shown[("oversight_projection_lag_seconds", (("runner", "case_list"),))] == 0
    assert ("oversight_projection_lag_seconds", (("runner", "ledger"),)) not in shown


def test_a_database_that_did_not_answer_in_time_leaves_out_what_it_would_have_said() -> None:
    shown = samples(exposition(DatabaseReading(ok=False)))

    assert shown[("oversight_scrape_database_ok", ())] == 0
    assert not [name for name, _ in shown if name.startswith("oversight_projection_lag")]
    assert ("oversight_worker_lock_held", ()) not in shown


def test_one_api_process_keeps_its_metrics_in_memory() -> None:
    with shared_metrics_directory(1) as directory:
        assert directory is None


def test_the_metrics_client_loaded_already_is_too_late_to_share_a_directory() -> None:
    # This process loaded it (this module imports the metrics): `serve` names the directory
    # first, before it imports the service.
    with pytest.raises(MetricsAlreadyLoaded), shared_metrics_directory(2):
        pass


SERVING = """
import os, sys
from pathlib import Path
from interfaces.metrics_directory import shared_metrics_directory
with shared_metrics_directory(2) as directory:
    import infrastructure.metrics  # what `serve` imports next, with the service
    print(os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(directory), directory.is_dir())
    print(sorted(path.name.split("_")[0] for path in directory.iterdir()))
print(directory.exists(), "PROMETHEUS_MULTIPROC_DIR" in os.environ)
"""


def test_several_processes_get_a_fresh_directory_named_before_the_client_loads_and_removed(
    tmp_path: Path,
) -> None:
    ran = subprocess.run(  # noqa: S603 -- this interpreter with a fixed script
        [sys.executable, "-c", SERVING],
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )

    named, written, after = ran.stdout.splitlines()
    assert named == "True True"
    assert "gauge" in written  # the gauges' files, written at import
    assert after == "False False"
    assert list(tmp_path.iterdir()) == []
