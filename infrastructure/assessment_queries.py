"""Staff assessments (千人千题) read with asyncpg from assessment_list: the session list, a
page at a time, and each staff member's standing (latest result, retest due) as of a day."""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from typing import Any

import asyncpg

from application.assessments import AssessmentSummary, StaffStanding, shown_to
from application.queries import Page
from domain.assessment import AssessmentResult, ResultLine
from infrastructure.read_side import NewestFirstPage, ProjectedQueries
from infrastructure.sql_pool import SqlPool

PROJECTIONS = ("assessment_list",)
_COLUMNS = (
    "SELECT id, title, held_on, pass_mark, results, recorded_at, position FROM assessment_list"
)
# Every session held up to a day (or all), of a department's staff if named; the standings
# are worked out from them by the domain's rule (domain.assessment.standings).
_HELD_UP_TO = (
    _COLUMNS + " WHERE ($1::date IS NULL OR held_on <= $1)"
    " AND ($2::text IS NULL OR $2 = ANY(departments))"
)


class AssessmentQueriesOnPostgres(ProjectedQueries):
    """The assessment queries, waiting (boundedly) for the read side to see a client's write."""

    projections = PROJECTIONS

    async def list_assessments(
        self, *, department: str | None, limit: int, cursor: str | None, after: int | None
    ) -> Page:
        page = NewestFirstPage("position", limit=limit, cursor=cursor)
        if department is not None:
            page.where("? = ANY(departments)", department)
        return await self.fetch_page(
            page, _COLUMNS, lambda row: assessment_summary(row, department), after=after
        )

    async def standings(
        self, *, department: str | None, as_of: date | None, after: int | None
    ) -> tuple[list[StaffStanding], int, bool]:
        position, caught_up = await self.projected(after)
        return await standings_as_of(self.store, department, as_of), position, caught_up

    async def standings_of_month(
        self, month: str, *, department: str | None, after: int | None
    ) -> list[StaffStanding]:
        """Each staff member's standing at the end of `month` (YYYY-MM), a department's own
        staff only if named, once assessment_list has passed `after`."""
        await self.projected(after)
        year, number = (int(part) for part in month.split("-"))
        last_day = date(year, number, monthrange(year, number)[1])
        return await standings_as_of(self.store, department, last_day)


async def standings_as_of(
    store: SqlPool, department: str | None, as_of: date | None
) -> list[StaffStanding]:
    """Each staff member's standing from the sessions held up to `as_of` (None: all), a
    department's own staff only if named."""
    lines = [
        ResultLine(
            assessment_id=row["id"],
            title=row["title"],
            held_on=row["held_on"],
            position=row["position"],
            pass_mark=row["pass_mark"],
            result=result,
        )
        for row in await store.fetch(_HELD_UP_TO, as_of, department)
        for result in _results(row["results"], department)
    ]
    return StaffStanding.of(lines)


def _results(stored: list[dict[str, Any]], department: str | None) -> tuple[AssessmentResult, ...]:
    return shown_to([AssessmentResult(**result) for result in stored], department)


def assessment_summary(row: asyncpg.Record, department: str | None) -> AssessmentSummary:
    return AssessmentSummary(
        id=row["id"],
        title=row["title"],
        held_on=row["held_on"],
        pass_mark=row["pass_mark"],
        results=_results(row["results"], department),
        recorded_at=row["recorded_at"],
        position=row["position"],
    )
