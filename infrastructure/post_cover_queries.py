"""A/B post cover (AB岗) read with asyncpg: the absences touching a day, the gaps proposed for
some days or a month (the monthly report's section)."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from application.post_cover import AbsenceView, GapView
from infrastructure.read_side import ProjectedQueries, from_row

PROJECTIONS = ("absence_list", "cover_gap_list", "post_cover_list")
_ABSENCES = (
    "SELECT a.id, p.window_id, p.department, a.staff, a.post, a.starts_at, a.ends_at, a.reason,"
    " a.covered_by, a.cancelled_at FROM absence_list a JOIN post_cover_list p"
    " ON p.id = a.post_cover_id WHERE a.cancelled_at IS NULL AND a.starts_at < $2"
    " AND a.ends_at > $1 AND ($3::text IS NULL OR p.department = $3) ORDER BY a.starts_at, a.id"
)
_GAPS = (
    "SELECT window_id, department, day, starts_at, status, deduction_id, reason, position"
    " FROM cover_gap_list WHERE {where} ORDER BY day, window_id"
)
_GAPS_BETWEEN = _GAPS.format(
    where="day BETWEEN $1 AND $2 AND ($3::text IS NULL OR department = $3)"
)
_GAPS_OF_MONTH = _GAPS.format(where="month = $1 AND ($2::text IS NULL OR department = $2)")


class PostCoverQueriesOnPostgres(ProjectedQueries):
    """The post cover queries, waiting (boundedly) for the read side to see a client's write."""

    projections = PROJECTIONS

    async def absences_between(
        self, start: datetime, end: datetime, *, department: str | None, after: int | None = None
    ) -> list[AbsenceView]:
        await self.projected(after)
        rows = await self.store.fetch(_ABSENCES, start, end, department)
        return [_absence(row) for row in rows]

    async def gaps_between(
        self, first: date, last: date, *, department: str | None, after: int | None = None
    ) -> list[GapView]:
        await self.projected(after)
        return [_gap(row) for row in await self.store.fetch(_GAPS_BETWEEN, first, last, department)]

    async def cover_gaps_of_month(
        self, month: str, *, department: str | None, after: int | None
    ) -> list[GapView]:
        """The gaps proposed for office days of `month`, of `department`'s windows if named,
        by day, once cover_gap_list has passed `after`."""
        await self.projected(after)
        return [_gap(row) for row in await self.store.fetch(_GAPS_OF_MONTH, month, department)]


def _absence(row: asyncpg.Record) -> AbsenceView:
    return from_row(
        AbsenceView, row, window=row["window_id"], cancelled=row["cancelled_at"] is not None
    )


def _gap(row: asyncpg.Record) -> GapView:
    return from_row(GapView, row, window=row["window_id"])
