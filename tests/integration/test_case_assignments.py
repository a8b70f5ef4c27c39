"""The case_assignments projection on real PostgreSQL: kept by the worker, replayed by a
rebuild into the same rows."""

from __future__ import annotations

from typing import Any

import psycopg

from interfaces.bootstrap import Container
from tests.factories import OPERATOR, registered_case
from tests.integration.read_side import DEPARTMENT, a_mix_of_cases, head, tracking
from tests.support import run_worker_once


def rows(database_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute("SELECT * FROM case_assignments ORDER BY case_id").fetchall()


def test_the_worker_keeps_every_assignment_and_a_rebuild_gives_the_same_rows(
    container: Container, database_url: str
) -> None:
    a_mix_of_cases(container)
    moved = registered_case(container.supervision, summary="先派错部门")
    container.supervision.assign_case(
        moved, department=DEPARTMENT.department, urgent=None, final=False, note=None, by=OPERATOR
    )
    container.supervision.return_case(moved, reason="不属于本部门职责", by=DEPARTMENT)
    container.supervision.assign_case(
        moved, department="taxation", urgent=None, final=False, note=None, by=OPERATOR
    )
    run_worker_once(container)
    incremental = rows(database_url)

    container.rebuild_projections()

    assert rows(database_url) == incremental
    assert tracking(database_url, "case_assignments") == head(container)
    # registered-only and merged-before-assignment cases have no row; the others one each
    assert len(incremental) == 5
    by_case = {row[0]: row[3] for row in incremental}
    assert [entry["department"] for entry in by_case[moved]] == [DEPARTMENT.department, "taxation"]
    assert [entry["left_by"] for entry in by_case[moved]] == ["returned", None]
