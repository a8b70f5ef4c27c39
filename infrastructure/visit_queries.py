"""Inspection visits (暗访巡查) read with asyncpg from visit_list: the list, a page at a time,
and the visits of a month, for the monthly report."""

from __future__ import annotations

import asyncpg

from application.queries import Page
from application.visits import VisitSummary
from infrastructure.read_side import NewestFirstPage, ProjectedQueries, from_row

PROJECTIONS = ("visit_list",)
_COLUMNS = (
    "SELECT id, day, method, windows, summary, recorded_at, recorded_by, deductions, orders, "
    "cases, listed_position FROM visit_list"
)
_OF_MONTH = (
    _COLUMNS + " WHERE month = $1 AND ($2::text IS NULL OR $2 = ANY(departments))"
    " ORDER BY day, listed_position"
)


class VisitQueriesOnPostgres(ProjectedQueries):
    """The visit queries, waiting (boundedly) for the read side to see a client's write."""

    projections = PROJECTIONS

    async def list_visits(self, *, limit: int, cursor: str | None, after: int | None) -> Page:
        page = NewestFirstPage("listed_position", limit=limit, cursor=cursor)
        return await self.fetch_page(page, _COLUMNS, visit_summary, after=after)

    async def visits_of_month(
        self, month: str, *, department: str | None, after: int | None = None
    ) -> list[VisitSummary]:
        """The visits made in `month` (by their day), to a window of `department` if named,
        oldest first, once visit_list has passed `after`."""
        await self.projected(after)
        rows = await self.store.fetch(_OF_MONTH, month, department)
        return [visit_summary(row) for row in rows]


def visit_summary(row: asyncpg.Record) -> VisitSummary:
    return from_row(
        VisitSummary,
        row,
        windows=list(row["windows"]),
        findings={
            "deduction": row["deductions"],
            "order": row["orders"],
            "case": row["cases"],
        },
        position=row["listed_position"],
    )
