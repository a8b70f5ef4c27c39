"""A/B post cover (AB岗) on real PostgreSQL: the worker's clock proposes a cover gap once per
window and office day, across turns, a restart of the worker, another process and a rebuild
of the read tables; the rebuild gives the same rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.calendar import OFFICE_TZ
from domain.post_cover import PostCover, post_cover_id
from interfaces.bootstrap import Container
from tests.factories import SAMPLE_DEPARTMENT_ACTOR
from tests.integration.read_side import dict_rows, events_of, head, open_container, tracking
from tests.support import SettableTimeSource, worker_turns

TABLES = ("absence_list", "cover_gap_list", "post_cover_list")


def rows(database_url: str, table: str) -> list[dict[str, Any]]:
    return dict_rows(database_url, f"SELECT * FROM {table} ORDER BY id")


def turn(container: Container, times: int = 1) -> int:
    """Run the worker's turns; answer how many gaps its clock proposed."""
    return sum(turn.cover_gaps_proposed for turn in worker_turns(container, times))


def both_away(container: Container) -> None:
    """S0001 (A) away Monday and Tuesday; S0002 (B) away from Monday 15:00 to Tuesday 10:00."""
    for staff, start, end in (
        ("S0001", "2026-11-30", "2026-12-01"),
        ("S0002", "2026-11-30T15:00", "2026-12-01T10:00"),
    ):
        container.supervision.record_absence(
            staff=staff,
            start=start,
            end=end,
            reason="病假",
            covered_by=None,
            by=SAMPLE_DEPARTMENT_ACTOR,
        )


def test_the_clock_proposes_each_office_day_once_across_restarts_and_a_rebuild(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    both_away(container)
    assert turn(container) == 0  # Friday: nothing has happened yet

    time_source.set(datetime(2026, 11, 30, 15, 0, tzinfo=OFFICE_TZ))
    assert turn(container, times=3) == 1  # Monday's, once however many turns
    time_source.set(datetime(2026, 12, 1, 12, 0, tzinfo=OFFICE_TZ))
    with open_container(database_url, time_source) as another:  # another process
        assert turn(another, times=2) == 1  # Tuesday's
    assert turn(container) == 0  # a restarted worker proposes nothing more

    incremental = {table: rows(database_url, table) for table in TABLES}
    container.rebuild_projections()
    time_source.set(datetime(2026, 12, 10, 12, 0, tzinfo=OFFICE_TZ))
    assert turn(container, times=2) == 0  # nor after a rebuild

    proposed = [
        e
        for e in events_of(container, post_cover_id("W-A01"))
        if isinstance(e, PostCover.GapProposed)
    ]
    assert [e.day for e in proposed] == ["2026-11-30", "2026-12-01"]
    assert {table: rows(database_url, table) for table in TABLES} == incremental
    assert [(r["day"].isoformat(), r["status"]) for r in incremental["cover_gap_list"]] == [
        ("2026-11-30", "proposed"),
        ("2026-12-01", "proposed"),
    ]
    assert incremental["post_cover_list"][0]["next_gap_at"] is None
    for table in TABLES:
        assert tracking(database_url, table) == head(container)
