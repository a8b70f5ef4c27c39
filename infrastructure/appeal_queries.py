"""The appeal list (申诉, §15), read with asyncpg from appeal_list."""

from __future__ import annotations

import asyncpg

from application.appeals import AppealFilter, AppealSummary
from application.queries import Page
from infrastructure.read_side import NewestFirstPage, ProjectedQueries, from_row

PROJECTIONS = ("appeal_list",)
# A decision deadline missed and still standing: the clock recorded it and the appeal is open.
APPEAL_OVERDUE_SQL = "(status = 'open' AND due_missed_for IS NOT NULL)"
_APPEALS = "SELECT *, " + APPEAL_OVERDUE_SQL + " AS overdue FROM appeal_list"  # noqa: S608


class AppealQueriesOnPostgres(ProjectedQueries):
    """The appeal list, waiting (boundedly) for the read side to see a client's write."""

    projections = PROJECTIONS

    async def list_appeals(
        self, criteria: AppealFilter, *, limit: int, cursor: str | None, after: int | None
    ) -> Page:
        page = NewestFirstPage("filed_position", limit=limit, cursor=cursor)
        page.where_equal(status=criteria.status, department=criteria.department)
        page.where_holds(APPEAL_OVERDUE_SQL, criteria.overdue)
        return await self.fetch_page(page, _APPEALS, _summary, after=after)


def _summary(row: asyncpg.Record) -> AppealSummary:
    return from_row(
        AppealSummary,
        row,
        staff=row["staff_id"],
        window=row["window_id"],
        position=row["filed_position"],
    )
