"""The item catalogue (事项清单) read with asyncpg from item_list, with the directory's names."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from application.items import UNCATEGORISED, ItemList, ItemMetrics, ItemSummary
from domain.calendar import office_midnight
from domain.evaluation import BAD_RATING
from domain.item import Material, MaterialForm
from infrastructure.read_side import ProjectedQueries, from_row
from infrastructure.sql_pool import SqlPool

PROJECTIONS = ("item_list",)
_COLUMNS = """
SELECT i.*, COALESCE(d.name, i.department) AS department_name,
       ARRAY(SELECT COALESCE(w.name, wid)
               FROM unnest(i.windows) WITH ORDINALITY AS listed(wid, n)
               LEFT JOIN directory_subjects w ON w.key = 'window:' || wid
              ORDER BY n) AS window_names
  FROM item_list i
  LEFT JOIN directory_subjects d ON d.key = 'department:' || i.department
"""
_LIST = (
    _COLUMNS
    + """ WHERE NOT i.withdrawn
   AND ($1::text IS NULL OR i.department = $1)
   AND ($2::text IS NULL OR i.zone = $2)
   AND ($3::boolean IS NULL OR i.at_most_one_trip = $3)
   AND ($4::text IS NULL OR strpos(lower(i.code || ' ' || i.name), lower($4)) > 0)
 ORDER BY i.code"""
)
_ONE = _COLUMNS + " WHERE i.code = $1"


class ItemQueriesOnPostgres(ProjectedQueries):
    """The catalogue queries, waiting (boundedly) for the read side to see a client's write."""

    projections = PROJECTIONS

    async def list_items(
        self,
        *,
        department: str | None,
        zone: str | None,
        at_most_one_trip: bool | None,
        q: str | None,
        after: int | None,
    ) -> ItemList:
        position, caught_up = await self.projected(after)
        text = q.strip() if q and q.strip() else None
        rows = await self.store.fetch(_LIST, department, zone, at_most_one_trip, text)
        return ItemList(
            items=[item_summary(row) for row in rows], position=position, caught_up=caught_up
        )

    async def get_item(self, code: str) -> ItemSummary | None:
        row = await self.store.fetchrow(_ONE, code)
        return item_summary(row) if row is not None else None

    async def item_metrics(self, *, start: datetime, end: datetime) -> list[ItemMetrics]:
        return await item_metrics(self.store, start=start, end=end)


def item_summary(row: asyncpg.Record) -> ItemSummary:
    materials = tuple(
        Material(
            name=m["name"],
            form=MaterialForm(m["form"]),
            count=m["count"],
            notes=m.get("notes") or "",
        )
        for m in row["materials"]
    )
    return from_row(
        ItemSummary,
        row,
        windows=tuple(row["windows"]),
        window_names=tuple(row["window_names"]),
        materials=materials,
    )


_METRICS = """
WITH cases AS (
    SELECT item, COALESCE(category, '') AS category, count(*) AS n
      FROM case_items WHERE registered_at >= $1 AND registered_at < $2
     GROUP BY item, COALESCE(category, '')
), ratings AS (
    SELECT item, count(*) AS n, count(*) FILTER (WHERE rating <= $3) AS bad
      FROM rating_items WHERE rated_at >= $1 AND rated_at < $2
     GROUP BY item
)
SELECT i.code, i.name, i.department, i.at_most_one_trip, i.withdrawn,
       COALESCE((SELECT jsonb_object_agg(c.category, c.n) FROM cases c WHERE c.item = i.code),
                '{}'::jsonb) AS by_category,
       COALESCE(r.n, 0) AS ratings, COALESCE(r.bad, 0) AS bad
  FROM item_list i LEFT JOIN ratings r ON r.item = i.code
 WHERE NOT i.withdrawn OR r.n > 0 OR EXISTS (SELECT 1 FROM cases c WHERE c.item = i.code)
 ORDER BY i.code
"""


async def item_metrics(store: SqlPool, *, start: datetime, end: datetime) -> list[ItemMetrics]:
    """Per item: cases by category, ratings and bad ratings from `start` to before `end`."""
    rows = await store.fetch(_METRICS, start, end, BAD_RATING)
    return [
        from_row(
            ItemMetrics,
            row,
            cases_by_category={
                category or UNCATEGORISED: n for category, n in row["by_category"].items()
            },
            bad_ratings=row["bad"],
        )
        for row in rows
    ]


async def items_of_month(
    store: SqlPool, month: str, *, department: str | None
) -> tuple[ItemMetrics, ...]:
    """The items that cases registered or ratings recorded in `month` (2026-11) named, by
    code; of `department` only, if named."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    metrics = await item_metrics(
        store, start=office_midnight(first), end=office_midnight(following)
    )
    return tuple(
        m
        for m in metrics
        if (m.cases or m.ratings) and (department is None or m.department == department)
    )
