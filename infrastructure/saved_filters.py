"""Saved case-list filters in PostgreSQL (migration 0019)."""

from __future__ import annotations

from uuid import UUID

from application.saved_filters import SavedFilter
from infrastructure.sql_pool import SqlPool


class PostgresSavedFilters:
    """The saved_case_filters table, on the primary (it is written to)."""

    def __init__(self, store: SqlPool) -> None:
        self.store = store

    async def of_account(self, account_id: UUID) -> list[SavedFilter]:
        rows = await self.store.fetch(
            "SELECT name, query, saved_at FROM saved_case_filters"
            " WHERE account_id = $1 ORDER BY name",
            account_id,
        )
        return [SavedFilter(**dict(row)) for row in rows]

    async def put(self, account_id: UUID, saved: SavedFilter) -> None:
        await self.store.execute(
            "INSERT INTO saved_case_filters (account_id, name, query, saved_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, name)"
            " DO UPDATE SET query = EXCLUDED.query, saved_at = EXCLUDED.saved_at",
            account_id,
            saved.name,
            saved.query,
            saved.saved_at,
        )

    async def remove(self, account_id: UUID, name: str) -> bool:
        answer = await self.store.execute(
            "DELETE FROM saved_case_filters WHERE account_id = $1 AND name = $2",
            account_id,
            name,
        )
        return answer.endswith(" 1")
