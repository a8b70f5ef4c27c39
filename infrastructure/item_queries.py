"""The item catalogue (事项清单) read with asyncpg from item_list, with the directory's names."""

from __future__ import annotations

import asyncpg

from application.items import ItemList, ItemSummary
from domain.item import Material, MaterialForm
from infrastructure.read_side import wait_until_projected
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


class ItemQueriesOnPostgres:
    """The catalogue queries, waiting (boundedly) for the read side to see a client's write."""

    def __init__(self, store: SqlPool, *, wait_seconds: float = 5.0) -> None:
        self.store = store
        self.wait_seconds = wait_seconds

    async def list_items(
        self,
        *,
        department: str | None,
        zone: str | None,
        at_most_one_trip: bool | None,
        q: str | None,
        after: int | None,
    ) -> ItemList:
        position, caught_up = await wait_until_projected(
            self.store, PROJECTIONS, after, seconds=self.wait_seconds
        )
        text = q.strip() if q and q.strip() else None
        rows = await self.store.fetch(_LIST, department, zone, at_most_one_trip, text)
        return ItemList(
            items=[item_summary(row) for row in rows], position=position, caught_up=caught_up
        )

    async def get_item(self, code: str) -> ItemSummary | None:
        row = await self.store.fetchrow(_ONE, code)
        return item_summary(row) if row is not None else None


def item_summary(row: asyncpg.Record) -> ItemSummary:
    return ItemSummary(
        code=row["code"],
        name=row["name"],
        department=row["department"],
        department_name=row["department_name"],
        windows=tuple(row["windows"]),
        window_names=tuple(row["window_names"]),
        zone=row["zone"],
        frequency=row["frequency"],
        at_most_one_trip=row["at_most_one_trip"],
        promised_working_days=row["promised_working_days"],
        materials=tuple(
            Material(
                name=m["name"],
                form=MaterialForm(m["form"]),
                count=m["count"],
                notes=m.get("notes") or "",
            )
            for m in row["materials"]
        ),
        legal_basis=row["legal_basis"],
        sample=row["sample"],
        withdrawn=row["withdrawn"],
        version=row["version"],
        revised_at=row["revised_at"],
    )
