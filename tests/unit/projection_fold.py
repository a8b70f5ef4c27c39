"""Events folded through a read table's projection without a database, as the worker folds
them: the row after each event, from no row at all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from application.projections import Projection, Row


def rows_after(projection: Projection, events: Iterable[Any], first: int = 1) -> list[Row | None]:
    """The row after each event, the events taken at positions `first`, `first` + 1, …"""
    rows: list[Row | None] = []
    row: Row | None = None
    for position, event in enumerate(events, start=first):
        row = projection.project(row, event, position)
        rows.append(row)
    return rows


def folded(projection: Projection, events: Iterable[Any], first: int = 1) -> Row:
    """The row after the last event, which must leave one."""
    rows = rows_after(projection, events, first)
    assert rows, "no event to fold"
    row = rows[-1]
    assert row is not None, "the events left no row"
    return row
