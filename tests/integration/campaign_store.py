"""A store filled by a demo campaign (simulation.campaign) on the test's database, its read
side caught up: what the time-travel tests read the past of."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from application.projections.audit_events import PROJECTION_NAME as AUDIT_FEED
from infrastructure.item_file import sample_items
from interfaces.bootstrap import Container, bootstrap, sample_campaign
from simulation.time_source import SimulatedTimeSource, campaign_start
from tests.integration.read_side import head
from tests.support import CAMPAIGN_END, run_worker_once, settings_for


@contextmanager
def campaign_store(
    database_url: str, *, days: int, scale: float, seed: int
) -> Iterator[tuple[Container, SimulatedTimeSource]]:
    """The application on `database_url` after a campaign of `days` days up to CAMPAIGN_END
    on the sample directory, conduct rules and items, its read side caught up; and the
    campaign's clock, which the test may move on.

    The read tables are brought up to the log at the end of each simulated day, as a worker
    would have kept them (the campaign does the worker's own acts itself): the versions of
    a row are written over many batches, not in one replay."""
    time_source = SimulatedTimeSource(campaign_start(CAMPAIGN_END, days))
    with bootstrap(
        settings_for(database_url), time_source=time_source, initialise=False
    ) as container:
        sample_campaign(
            container.supervision,
            time_source,
            until=CAMPAIGN_END,
            scale=scale,
            seed=seed,
            items=tuple(sample_items()),
        ).run(on_day=lambda *_: container.catch_up_projections())
        catch_up(container)
        yield container, time_source


def catch_up(container: Container) -> None:
    """Turn the worker until it records nothing more: every projection and the audit feed
    (which record time reads) at the log's head."""
    while True:
        before = head(container)
        run_worker_once(container)
        if head(container) == before:
            break
    projections, _ = container.read_side()
    names = [projection.name for projection in projections] + [AUDIT_FEED]
    with psycopg.connect(container.database_url) as connection:
        behind = connection.execute(
            "SELECT n FROM unnest(%s::text[]) AS n LEFT JOIN projection_tracking t ON t.name = n"
            " WHERE t.position IS DISTINCT FROM %s",
            (names, before),
        ).fetchall()
    assert behind == [], f"still behind the log's head: {behind}"
