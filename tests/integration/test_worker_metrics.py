"""What the worker tells the metrics: its runners' failures and the deadline clock's turns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from infrastructure.projection_runner import ProjectionRunner
from interfaces.bootstrap import Container
from tests.factories import assigned_case
from tests.failing_projection import FailingProjection
from tests.support import START, SettableTimeSource

# The workers here run the failing projection: its table is made before the container.
pytestmark = pytest.mark.usefixtures("failing_projection_table")


def failures(runner: str) -> float:
    return REGISTRY.get_sample_value("oversight_runner_failures_total", {"runner": runner}) or 0


def test_each_failed_turn_of_a_runner_is_counted_and_each_turn_of_the_clock_is_stamped(
    container: Container, time_source: SettableTimeSource
) -> None:
    case_id = assigned_case(container.supervision)
    worker = container.worker()
    worker.runners.insert(
        0,
        ProjectionRunner(container.database_url, container.supervision, FailingProjection(case_id)),
    )
    before = failures("failing_projection")
    time_source.set(START + timedelta(hours=1))
    try:
        for _ in range(3):
            worker.run_once()
    finally:
        worker.close()

    assert failures("failing_projection") - before == 3
    stamped = REGISTRY.get_sample_value("oversight_deadline_clock_last_turn_timestamp_seconds")
    assert stamped == (START + timedelta(hours=1)).timestamp()
