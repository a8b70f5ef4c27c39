"""The reminders sent by hand (人工催办) on real PostgreSQL: the case_reminders and
order_reminders tables, kept by the worker, counted by the department metrics and the
board, and replayed by a rebuild into the same rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg

from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from infrastructure.case_queries import CaseQueriesOnPostgres
from infrastructure.sql_pool import SqlPool
from interfaces.bootstrap import Container
from tests.factories import INSPECTOR, OPERATOR, assigned_case, issued_order
from tests.integration.read_side import DEPARTMENT_ID, head, tracking
from tests.support import SettableTimeSource, run_worker_once

TAXATION = "taxation"
# An operator who signed in to the console: the reminder names the person.
NAMED_OPERATOR = Actor("operator-2", Role.OPERATOR, name="李小红")


def rows(database_url: str, table: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()


def some_reminders(container: Container, time_source: SettableTimeSource) -> dict[str, Any]:
    """Two reminders on a deeds case, one after it moved to taxation, one on a deeds order."""
    app = container.supervision
    case_id = assigned_case(app, OPERATOR)
    app.remind_case(case_id, message="请尽快签收", by=OPERATOR)
    time_source.advance(hours=1)
    app.remind_case(case_id, message="再次催办", by=NAMED_OPERATOR)
    order_id = issued_order(app, INSPECTOR)
    app.remind_order(order_id, message="请按期整改", by=INSPECTOR)
    moved = assigned_case(app, OPERATOR)
    app.remind_case(moved, message="催办后改派", by=OPERATOR)
    app.assign_case(moved, department=TAXATION, urgent=None, final=False, note=None, by=OPERATOR)
    time_source.advance(hours=1)
    app.remind_case(moved, message="请税务部门办理", by=INSPECTOR)
    return {"case": case_id, "order": order_id, "moved": moved}


async def read(container: Container, database_url: str, calendar: WorkingCalendar) -> Any:
    store = SqlPool(database_url, max_size=2)
    try:
        queries = CaseQueriesOnPostgres(store)
        now = container.supervision.time_source.now()
        metrics = await queries.department_metrics(
            [DEPARTMENT_ID, TAXATION],
            start=now - timedelta(days=30),
            end=now + timedelta(days=1),
            now=now,
        )
        boards = {
            department: await queries.board(
                department, role=Role.INSPECTOR, now=now, calendar=calendar, after=None
            )
            for department in (DEPARTMENT_ID, TAXATION)
        }
        return metrics, boards
    finally:
        await store.close()


async def test_the_worker_keeps_one_row_per_reminder_which_metrics_and_boards_count(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    # given
    made = some_reminders(container, time_source)

    # when
    run_worker_once(container)

    # then: one row per reminder, with the department reminded
    cases = rows(database_url, "case_reminders")
    orders = rows(database_url, "order_reminders")
    assert sorted((r[2], r[3]) for r in cases) == [
        (DEPARTMENT_ID, "催办后改派"),
        (DEPARTMENT_ID, "再次催办"),
        (DEPARTMENT_ID, "请尽快签收"),
        (TAXATION, "请税务部门办理"),
    ]
    assert [(r[2], r[3], r[5]) for r in orders] == [(DEPARTMENT_ID, "请按期整改", "inspector")]
    assert {r[6] for r in cases} == {None, "李小红"}
    assert tracking(database_url, "case_reminders") == head(container)
    assert tracking(database_url, "order_reminders") == head(container)
    # and the metrics count each department's, the board each item's to its department
    metrics, boards = await read(container, database_url, container.current_calendar())
    assert [(m.department, m.reminders) for m in metrics] == [(DEPARTMENT_ID, 4), (TAXATION, 1)]
    deeds = {item.id: item for item in boards[DEPARTMENT_ID].items}
    assert (deeds[made["case"]].reminders, deeds[made["case"]].last_reminder_message) == (
        2,
        "再次催办",
    )
    assert deeds[made["order"]].reminders == 1
    (taxed,) = boards[TAXATION].items
    assert (taxed.id, taxed.reminders, taxed.last_reminder_message) == (
        made["moved"],
        1,
        "请税务部门办理",
    )


async def test_a_rebuild_gives_the_same_rows_and_the_same_counts(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    some_reminders(container, time_source)
    run_worker_once(container)
    before = {t: rows(database_url, t) for t in ("case_reminders", "order_reminders")}
    counted = await read(container, database_url, container.current_calendar())

    report = container.rebuild_projections()

    assert report.position == head(container)
    assert {t: rows(database_url, t) for t in before} == before
    assert await read(container, database_url, container.current_calendar()) == counted
