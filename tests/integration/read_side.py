"""Helpers for the read side's tests: a container on the test's database and a few cases."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from domain.actor import Actor, Role
from domain.case import Kind, Outcome, Satisfaction
from interfaces.bootstrap import Container, bootstrap
from tests.factories import OPERATOR, registered_case
from tests.support import SettableTimeSource, settings_for

DEPARTMENT_ID = "real-estate-registration"
DEPARTMENT = Actor("clerk-1", Role.DEPARTMENT, department=DEPARTMENT_ID)


@contextmanager
def open_container(database_url: str, time_source: SettableTimeSource) -> Iterator[Container]:
    """The application on the test's database, as a process of the service would build it."""
    with bootstrap(
        settings_for(database_url), time_source=time_source, initialise=False
    ) as container:
        yield container


def assign(container: Container, case_id: UUID) -> None:
    container.supervision.assign_case(
        case_id, department=DEPARTMENT_ID, urgent=None, final=False, note=None, by=OPERATOR
    )


def answer(container: Container, case_id: UUID, text: str = "已约谈窗口人员并整改") -> None:
    container.supervision.acknowledge_case(case_id, DEPARTMENT)
    container.supervision.post_result(
        case_id, outcome=Outcome.SUBSTANTIATED, actions="约谈", answer=text, by=DEPARTMENT
    )


def close_satisfied(container: Container, case_id: UUID) -> None:
    container.supervision.record_callback(
        case_id, reached=True, satisfaction=Satisfaction.SATISFIED, comment=None, by=OPERATOR
    )
    container.supervision.close_case(case_id, OPERATOR)


def a_mix_of_cases(container: Container) -> list[UUID]:
    """Cases in most states: registered, assigned, in progress, closed, reopened, merged."""
    registered = registered_case(container.supervision)
    assigned = registered_case(container.supervision, summary="窗口无人")
    assign(container, assigned)
    handling = registered_case(container.supervision, kind=Kind.REQUEST, summary="材料丢失")
    assign(container, handling)
    container.supervision.acknowledge_case(handling, DEPARTMENT)
    container.supervision.add_case_note(handling, text="已联系申请人", public=True, by=DEPARTMENT)
    closed = registered_case(container.supervision)
    assign(container, closed)
    answer(container, closed)
    close_satisfied(container, closed)
    reopened = registered_case(container.supervision, summary="态度生硬")
    assign(container, reopened)
    answer(container, reopened)
    close_satisfied(container, reopened)
    container.supervision.reopen_case(reopened, reason="答复未解决问题", by=OPERATOR)
    duplicate = registered_case(container.supervision, summary="窗口无人（重复来电）")
    container.supervision.merge_case(duplicate, into=assigned, by=OPERATOR)
    return [registered, assigned, handling, closed, reopened, duplicate]


def case_registered_during_rebuild(container: Container) -> UUID:
    """Rebuild the projections, registering a case after the rebuild fixed its target and
    before it swaps the rebuilt tables in; answer that case's id."""
    late: list[UUID] = []

    def record_during_rebuild(done: int, total: int) -> None:
        if not late:
            late.append(registered_case(container.supervision, summary="重建期间登记"))

    container.rebuild_projections(record_during_rebuild)
    return late[0]


def head(container: Container) -> int:
    """The global position of the last event recorded."""
    return container.supervision.recorder.max_notification_id() or 0


def case_list(database_url: str) -> list[tuple[Any, ...]]:
    """Every row of case_list, in id order."""
    with psycopg.connect(database_url) as connection:
        return connection.execute("SELECT * FROM case_list ORDER BY id").fetchall()


def case_row(database_url: str, case_id: UUID) -> dict[str, Any]:
    """One row of case_list as a dict."""
    return _list_row(database_url, "case_list", case_id)


def order_row(database_url: str, order_id: UUID) -> dict[str, Any]:
    """One row of order_list as a dict."""
    return _list_row(database_url, "order_list", order_id)


def _list_row(database_url: str, table: str, row_id: UUID) -> dict[str, Any]:
    query = sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(table))
    found = dict_rows(database_url, query, (row_id,))
    assert found, f"no {table} row for {row_id}"
    return found[0]


def dict_rows(
    database_url: str, query: str | sql.Composable, params: Sequence[Any] = ()
) -> list[dict[str, Any]]:
    """The rows `query` answers, each as a dict of its columns."""
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute(query, params)  # type: ignore[arg-type]
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def tracking(database_url: str, name: str = "case_list") -> int | None:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT position FROM projection_tracking WHERE name = %s", (name,)
        ).fetchone()
    return row[0] if row else None


def events_of(container: Container, case_id: UUID) -> list[Any]:
    return list(container.supervision.repository.event_store.get(case_id))


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass; answer whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def local(text: str) -> datetime:
    """An ISO moment with an offset, e.g. '2026-12-18T17:30:00+08:00'."""
    return datetime.fromisoformat(text)


def count_lost_races(container: Container) -> list[int]:
    """Count the saves that lost a race (a conflict `_commit` read back as not its own)."""
    supervision = container.supervision
    original = supervision._already_stored
    lost = [0]

    def counting(events: list[Any]) -> bool:
        stored = original(events)
        lost[0] += not stored
        return stored

    supervision._already_stored = counting  # type: ignore[method-assign]
    return lost
