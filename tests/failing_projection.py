"""A projection that fails on the events of chosen cases, to make a worker's runner stuck."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg

from application.projections import Row


class CaseProjectionFailure(ValueError):
    """What the failing projection raises."""


class FailingProjection:
    """Keeps one row per case; fails on any event of a case in `failing_on` (change the set
    to let it move on). Its table is made by `create_table`."""

    name = "failing_projection"
    table = "failing_projection"
    key = "id"
    topic_prefix = "oversight:Case."

    def __init__(self, *failing_on: UUID) -> None:
        self.failing_on = set(failing_on)

    @classmethod
    def create_table(cls, database_url: str) -> None:
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(f"CREATE TABLE {cls.table} (id uuid PRIMARY KEY)")

    def key_of(self, event: Any) -> Any:
        return event.originator_id

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if event.originator_id in self.failing_on:
            raise CaseProjectionFailure(f"cannot project case {event.originator_id}")
        return {"id": event.originator_id}
