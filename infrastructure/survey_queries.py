"""Satisfaction surveys (满意度调查) read with asyncpg from survey_list: the list, a page at a
time; each window's survey satisfaction over a period; and a month's, beside the window's
online ratings (evaluation_list), for the monthly report."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import asyncpg

from application.queries import EvaluationMetrics, Page
from application.surveys import (
    SurveyBatchView,
    SurveySatisfaction,
    WindowSatisfaction,
)
from domain.calendar import office_midnight
from infrastructure.read_side import NewestFirstPage, ReadsThePast, from_row

PROJECTIONS = ("survey_list",)
_COLUMNS = (
    "SELECT id, source, provider, window_id, department, period_start, period_end, rated_1, "
    "rated_2, rated_3, rated_4, rated_5, recorded_at, recorded_by, position FROM survey_list"
)
# Each source's forms per window, paper together and a third party's per provider, of the
# batches whose collection ended within [$1, $2] (of one department's windows, if $3).
_SATISFACTION = """
SELECT window_id, min(department) AS department, source, provider, count(*) AS batches,
       ARRAY[sum(rated_1), sum(rated_2), sum(rated_3), sum(rated_4), sum(rated_5)] AS by_rating
FROM survey_list
WHERE period_end BETWEEN $1 AND $2 AND ($3::text IS NULL OR department = $3)
GROUP BY window_id, source, provider
ORDER BY window_id, source, provider NULLS FIRST
"""
# The online ratings of the windows named in $3, rated within [$1, $2), counted as the
# window metrics count them.
_RATINGS = """
SELECT window_id, count(*) AS ratings, sum(rating) AS rating_total,
       ARRAY[count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),
             count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),
             count(*) FILTER (WHERE rating = 5)] AS by_rating
FROM evaluation_list
WHERE rated_at >= $1 AND rated_at < $2 AND window_id = ANY($3::text[])
GROUP BY window_id
"""


class SurveyQueriesOnPostgres(ReadsThePast):
    """The survey queries, waiting (boundedly) for the read side to see a client's write."""

    projections = PROJECTIONS

    async def list_batches(
        self, *, window: str | None, limit: int, cursor: str | None, after: int | None
    ) -> Page:
        page = NewestFirstPage("position", limit=limit, cursor=cursor)
        page.where_equal(window_id=window)
        return await self.fetch_page(page, _COLUMNS, survey_batch, after=after)

    async def satisfaction(self, start: date, end: date) -> dict[str, list[SurveySatisfaction]]:
        rows = await self.store.fetch(_SATISFACTION, start, end, None)
        found: dict[str, list[SurveySatisfaction]] = defaultdict(list)
        for row in rows:
            found[row["window_id"]].append(_satisfaction(row))
        return dict(found)

    async def month_satisfaction(
        self, month: str, *, department: str | None, after: int | None
    ) -> list[WindowSatisfaction]:
        await self.projected(after)
        first = date.fromisoformat(f"{month}-01")
        following = (first + timedelta(days=32)).replace(day=1)
        rows = await self.store.fetch(
            _SATISFACTION, first, following - timedelta(days=1), department
        )
        surveys: dict[str, list[SurveySatisfaction]] = defaultdict(list)
        departments: dict[str, str] = {}
        for row in rows:
            surveys[row["window_id"]].append(_satisfaction(row))
            departments[row["window_id"]] = row["department"]
        ratings = {
            row["window_id"]: _online(row)
            for row in await self.store.fetch(
                _RATINGS, office_midnight(first), office_midnight(following), list(surveys)
            )
        }
        windows = [
            WindowSatisfaction(
                window=window,
                department=departments[window],
                online=ratings.get(window, EvaluationMetrics()),
                surveys=tuple(found),
            )
            for window, found in surveys.items()
        ]
        return sorted(windows, key=lambda w: (w.department, w.window))


def _online(row: asyncpg.Record) -> EvaluationMetrics:
    one, two, three, four, five = (int(count) for count in row["by_rating"])
    return EvaluationMetrics(
        ratings=int(row["ratings"]),
        rating_total=int(row["rating_total"]),
        bad_ratings=one + two,
        by_rating=(one, two, three, four, five),
    )


def _satisfaction(row: asyncpg.Record) -> SurveySatisfaction:
    one, two, three, four, five = (int(count) for count in row["by_rating"])
    return SurveySatisfaction(
        window=row["window_id"],
        source=row["source"],
        provider=row["provider"],
        batches=int(row["batches"]),
        by_rating=(one, two, three, four, five),
    )


def survey_batch(row: asyncpg.Record) -> SurveyBatchView:
    return from_row(
        SurveyBatchView,
        row,
        window=row["window_id"],
        start=row["period_start"],
        end=row["period_end"],
        by_rating=tuple(row[f"rated_{level}"] for level in range(1, 6)),
    )
