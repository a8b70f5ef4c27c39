"""The case_list projection run over the notification log on real PostgreSQL, exactly once."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import psycopg
import pytest

from application.projections import Projection, Row
from domain.actor import Role
from infrastructure.projection_runner import ProjectionRunner
from interfaces.bootstrap import Container
from tests.factories import ADMIN, registered_case
from tests.integration.read_side import (
    DEPARTMENT_ID,
    a_mix_of_cases,
    answer,
    assign,
    case_list,
    case_registered_during_rebuild,
    case_row,
    close_satisfied,
    dict_rows,
    head,
    local,
    tracking,
)


def runner(container: Container, **options: Any) -> ProjectionRunner:
    (case_list_projection, *_), _ = container.read_side()  # case_list comes first
    return ProjectionRunner(
        container.database_url, container.supervision, case_list_projection, **options
    )


class FailsOnEvent:
    """The case_list projection, except that it raises on its `n`th event."""

    def __init__(self, inner: Projection, n: int) -> None:
        self.inner = inner
        self.n = n
        self.seen = 0
        self.name, self.table, self.key = inner.name, inner.table, inner.key
        self.topic_prefix = inner.topic_prefix

    def key_of(self, event: Any) -> Any:
        return self.inner.key_of(event)

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        self.seen += 1
        if self.seen == self.n:
            raise RuntimeError(f"injected failure at position {position}")
        return self.inner.project(row, event, position)


def test_a_case_taken_from_registration_to_closing_reads_as_it_was_handled(
    container: Container, database_url: str
) -> None:
    case_id = registered_case(container.supervision)
    assign(container, case_id)
    answer(container, case_id, text="已约谈窗口人员，向您致歉")
    close_satisfied(container, case_id)

    with runner(container) as projection:
        projection.run_until_caught_up()

    row = case_row(database_url, case_id)
    assert row["status"] == "closed"
    assert row["department"] == DEPARTMENT_ID
    assert row["assigned_department"] == DEPARTMENT_ID
    assert row["acknowledge_due_at"] == local("2026-11-30T17:30:00+08:00")
    assert row["due_at"] == local("2026-12-18T17:30:00+08:00")
    assert row["provisional"] is False
    assert row["outcome"] == "substantiated"
    assert row["satisfaction"] == "satisfied"
    assert [(entry["type"], entry["text"]) for entry in row["public_timeline"]] == [
        ("answer", "已约谈窗口人员，向您致歉")
    ]
    assert row["next_clock_at"] is None
    assert row["last_position"] == head(container)
    assert tracking(database_url) == head(container)


def test_the_read_table_holds_no_personal_data_of_the_complainant(
    container: Container, database_url: str
) -> None:
    case_id = registered_case(
        container.supervision, complainant={"name": "韩梅梅", "phone": "13711112222"}
    )

    with runner(container) as projection:
        projection.run_until_caught_up()

    assert not any(
        "韩梅梅" in str(value) or "13711112222" in str(value)
        for value in case_row(database_url, case_id).values()
    )


def test_events_the_projection_does_not_use_still_move_its_position(
    container: Container, database_url: str
) -> None:
    with runner(container) as projection:
        projection.run_until_caught_up()
        directory_only = head(container)
        container.supervision.issue_token(role=Role.OPERATOR, department=None, name="", by=ADMIN)

        projection.run_until_caught_up()

        assert directory_only > 0
        assert projection.position() == head(container) == directory_only + 1
    assert case_list(database_url) == []


def test_a_runner_stopped_part_way_and_restarted_ends_where_one_uninterrupted_run_ends(
    container: Container, database_url: str
) -> None:
    a_mix_of_cases(container)
    with runner(container, batch_size=7) as first:
        first.run_batch()
        first.run_batch()
        stopped_at = first.position()
    with runner(container, batch_size=7) as restarted:
        restarted.run_until_caught_up()
        restarted.run_until_caught_up()  # nothing new: nothing applied twice
    resumed = case_list(database_url)

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE case_list_once (LIKE case_list INCLUDING ALL)")
    with runner(container, table="case_list_once", tracking_name="once") as uninterrupted:
        uninterrupted.run_until_caught_up()
    with psycopg.connect(database_url) as connection:
        once = connection.execute("SELECT * FROM case_list_once ORDER BY id").fetchall()

    assert 0 < stopped_at < head(container)
    assert resumed == once
    assert tracking(database_url) == tracking(database_url, "once") == head(container)
    assert sorted(row["reopenings"] for row in _rows(database_url)) == [0, 0, 0, 0, 0, 1]


def test_a_failure_part_way_through_a_batch_leaves_rows_and_position_as_they_were(
    container: Container, database_url: str
) -> None:
    first = registered_case(container.supervision)
    with runner(container) as projection:
        projection.run_until_caught_up()
    rows_before, position_before = case_list(database_url), tracking(database_url)
    assign(container, first)
    answer(container, first)
    registered_case(container.supervision)

    projections, _ = container.read_side()
    failing = FailsOnEvent(projections[0], n=3)
    with (
        ProjectionRunner(container.database_url, container.supervision, failing) as broken,
        pytest.raises(RuntimeError, match="injected failure"),
    ):
        broken.run_batch()

    assert failing.seen == 3
    assert case_list(database_url) == rows_before
    assert tracking(database_url) == position_before
    with runner(container) as healthy:
        healthy.run_until_caught_up()
    assert case_row(database_url, first)["status"] == "answered"
    assert len(case_list(database_url)) == 2


def test_a_rebuild_gives_row_for_row_what_the_incremental_run_gave(
    container: Container, database_url: str
) -> None:
    cases = a_mix_of_cases(container)
    with runner(container, batch_size=4) as incremental:
        incremental.run_until_caught_up()
    rows, indexes = case_list(database_url), _index_names(database_url)
    merged = case_row(database_url, cases[-1])
    assert (merged["status"], merged["merged_into"]) == ("merged", cases[1])

    report = container.rebuild_projections()

    assert case_list(database_url) == rows
    assert _index_names(database_url) == indexes
    assert report.position == tracking(database_url) == head(container)
    assert report.notifications == head(container) * len(report.projections)  # each replays all
    assert tracking(database_url, "case_list_rebuild") is None


def test_events_recorded_while_a_rebuild_runs_are_in_the_table_it_swaps_in(
    container: Container, database_url: str
) -> None:
    a_mix_of_cases(container)
    live = runner(container, batch_size=2)
    live.run_until_caught_up()  # many batches: its statements are prepared by now
    late = case_registered_during_rebuild(container)

    assert case_row(database_url, late)["summary"] == "重建期间登记"
    assert tracking(database_url) == head(container)
    with live:  # the live runner carries on in the swapped-in table
        assign(container, late)
        live.run_until_caught_up()
    assert case_row(database_url, late)["status"] == "assigned"
    assert len(case_list(database_url)) == 7


def test_a_rebuild_keeps_what_was_granted_on_the_read_table(
    container: Container, database_url: str
) -> None:
    role = f"oversight_reader_{uuid4().hex[:10]}"
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(f'CREATE ROLE "{role}" NOLOGIN')
        connection.execute(f'GRANT SELECT ON case_list TO "{role}"')
    try:
        container.rebuild_projections()
        with psycopg.connect(database_url) as connection:
            granted = connection.execute(
                "SELECT has_table_privilege(%s, 'case_list', 'SELECT')", (role,)
            ).fetchone()
        assert granted == (True,)
    finally:
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(f'DROP OWNED BY "{role}"')
            connection.execute(f'DROP ROLE "{role}"')


def test_a_rebuild_keeps_the_task_tables_autovacuum_settings(
    container: Container, database_url: str
) -> None:
    migrated = _storage_parameters(database_url)
    container.rebuild_projections()
    assert _storage_parameters(database_url) == migrated
    assert migrated["case_list"]["autovacuum_vacuum_scale_factor"] == "0.02"
    assert migrated["order_list"]["autovacuum_vacuum_scale_factor"] == "0.02"


def _storage_parameters(database_url: str) -> dict[str, dict[str, str]]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT relname, reloptions FROM pg_class "
            "WHERE relname IN ('case_list', 'order_list') AND relkind = 'r'"
        ).fetchall()
    return {
        table: dict(option.split("=", 1) for option in options or ()) for table, options in rows
    }


def _rows(database_url: str) -> list[dict[str, Any]]:
    return dict_rows(database_url, "SELECT * FROM case_list ORDER BY id")


def _index_names(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'case_list' ORDER BY indexname"
        ).fetchall()
    return [name for (name,) in rows]
