"""`oversight projections rebuild` replays the audit feed too: into fresh tables, swapped in."""

from __future__ import annotations

from typing import Any

import psycopg

from infrastructure.audit_projection import AUDIT_TABLES, AuditEventsRunner
from interfaces.bootstrap import Container
from tests.factories import INSPECTOR, registered_case
from tests.integration.read_side import (
    a_mix_of_cases,
    case_registered_during_rebuild,
    head,
    tracking,
)

ORDER_BY = {
    "audit_events": "position",
    "audit_subjects": "kind, subject_id, position",
    "audit_record_subjects": "record_id, kind, subject_id",
}


def feed(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the audit feed's three tables, in a fixed order."""
    with psycopg.connect(database_url) as connection:
        return {
            table: connection.execute(
                f"SELECT * FROM {table} ORDER BY {ORDER_BY[table]}"
            ).fetchall()
            for table in AUDIT_TABLES
        }


def index_names(database_url: str) -> list[tuple[str, str]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT tablename, indexname FROM pg_indexes WHERE tablename = ANY(%s) "
            "ORDER BY tablename, indexname",
            (list(AUDIT_TABLES),),
        ).fetchall()


def run_feed(container: Container, **options: Any) -> None:
    with AuditEventsRunner(container.database_url, container.supervision, **options) as runner:
        runner.run_until_caught_up()


def test_a_rebuilt_audit_feed_equals_the_incrementally_built_one_row_for_row(
    container: Container, database_url: str
) -> None:
    cases = a_mix_of_cases(container)
    container.supervision.erase_personal_data(cases[0], reason="本人申请删除", by=INSPECTOR)
    run_feed(container, batch_size=3)
    incremental, indexes = feed(database_url), index_names(database_url)
    assert len(incremental["audit_events"]) == head(container)
    assert incremental["audit_subjects"]
    assert incremental["audit_record_subjects"]

    report = container.rebuild_projections()

    assert "audit_events" in report.projections
    assert feed(database_url) == incremental
    assert index_names(database_url) == indexes
    assert tracking(database_url, "audit_events") == head(container)
    assert tracking(database_url, "audit_events_rebuild") is None


def test_a_rebuild_replaces_a_damaged_audit_feed(container: Container, database_url: str) -> None:
    a_mix_of_cases(container)
    run_feed(container)
    whole = feed(database_url)
    with psycopg.connect(database_url) as connection:
        connection.execute("DELETE FROM audit_events WHERE position % 2 = 0")
        connection.execute("DELETE FROM audit_record_subjects")
        connection.execute("UPDATE audit_subjects SET subject_id = 'nobody'")

    container.rebuild_projections()

    assert feed(database_url) == whole


def test_events_recorded_while_the_feed_is_rebuilt_are_in_the_feed_it_swaps_in(
    container: Container, database_url: str
) -> None:
    a_mix_of_cases(container)
    live = AuditEventsRunner(container.database_url, container.supervision, batch_size=2)
    live.run_until_caught_up()  # many batches: its statements are prepared by now
    late = case_registered_during_rebuild(container)

    with psycopg.connect(database_url) as connection:
        recorded = connection.execute(
            "SELECT count(*) FROM audit_events WHERE record_id = %s", (late,)
        ).fetchone()
    assert recorded == (1,)
    assert tracking(database_url, "audit_events") == head(container)
    with live:  # the live runner carries on in the swapped-in tables
        registered_case(container.supervision, summary="重建之后登记")
        live.run_until_caught_up()
    rebuilt_then_live = feed(database_url)
    container.rebuild_projections()
    assert feed(database_url) == rebuilt_then_live
    assert len(rebuilt_then_live["audit_events"]) == head(container)
