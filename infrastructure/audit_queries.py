"""The event feed and a person's history, read from audit_events with asyncpg."""

from __future__ import annotations

import asyncpg

from application.audit import AuditEvent, AuditFilter, AuditPage
from application.projections.audit_events import PROJECTION_NAME
from domain.labels import label
from infrastructure.read_side import NewestFirstPage, from_row, projected_position
from infrastructure.sql_pool import SqlPool

_COLUMNS = """
    e.position, e.record_id, e.record_type, e.version, e.event_type, e.at, e.actor_principal,
    e.actor_role, e.actor_department, e.request_id, e.reason, e.staff_ids, e.window_ids,
    e.department_ids, e.changes, e.readable, e.actor_name
"""


class AuditQueriesOnPostgres:
    """The feed and a person's history, newest first, in pages by position."""

    def __init__(self, store: SqlPool) -> None:
        self.store = store

    async def events(self, criteria: AuditFilter, *, limit: int, cursor: str | None) -> AuditPage:
        page = NewestFirstPage("e.position", limit=limit, cursor=cursor)
        if criteria.start is not None:
            page.where("e.at >= ?", criteria.start)
        if criteria.end is not None:
            page.where("e.at < ?", criteria.end)
        if criteria.actor is not None:
            page.where("e.actor_principal = ?", criteria.actor)
        if criteria.department is not None:
            page.where(
                "e.position IN (SELECT position FROM audit_subjects "
                "WHERE kind = 'department' AND subject_id = ?)",
                criteria.department,
            )
        if criteria.type is not None:
            column = "e.event_type" if "." in criteria.type else "e.record_type"
            page.where(f"{column} = ?", criteria.type)
        return await self._page(page, f"SELECT {_COLUMNS} FROM audit_events e")

    async def staff_history(self, staff_id: str, *, limit: int, cursor: str | None) -> AuditPage:
        page = NewestFirstPage("s.position", limit=limit, cursor=cursor)
        page.where("s.kind = 'staff' AND s.subject_id = ?", staff_id)
        return await self._page(
            page,
            f"SELECT {_COLUMNS} FROM audit_subjects s"
            " JOIN audit_events e ON e.position = s.position",
        )

    async def _page(self, page: NewestFirstPage, select_from: str) -> AuditPage:
        position = await projected_position(self.store, (PROJECTION_NAME,))
        items, following = await page.fetch(self.store, select_from, _event)
        return AuditPage(items=items, next=following, position=position)


def _event(row: asyncpg.Record) -> AuditEvent:
    actor = None
    if row["actor_principal"] is not None:
        actor = {
            "principal": row["actor_principal"],
            "name": row["actor_name"],
            "role": row["actor_role"],
            "department": row["actor_department"],
        }
    subjects = {
        "staff": list(row["staff_ids"]),
        "windows": list(row["window_ids"]),
        "departments": list(row["department_ids"]),
    }
    return from_row(
        AuditEvent,
        row,
        type=row["event_type"],
        label=label("event", row["event_type"]),
        actor=actor,
        subjects=subjects,
        changes=row["changes"] or {},
    )
