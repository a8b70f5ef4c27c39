"""What every read-side query module shares: how far the projections have got, waiting
(boundedly) until a client's own write is projected, the cursor of a page of a list, and the
answer a row makes."""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypeVar

from application.queries import LAST_POSITION, InvalidCursor, Page, ReplicaBehind
from infrastructure.read_replica import ReplicaPool
from infrastructure.sql_pool import SqlPool

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class Positioned(Protocol):
    """An item of a list, at its position in the notification log."""

    @property
    def position(self) -> int: ...


Item = TypeVar("Item", bound=Positioned)
Made = TypeVar("Made", bound="DataclassInstance")

# The first look again after a write not yet projected, and the longest pause between looks.
FIRST_PAUSE = 0.01
LONGEST_PAUSE = 0.1

# The log position a read stands at: the one a read of the past sets (sql_pool.PastPool), or
# the log's end for the present. A row version holds no position later than that of the
# event that wrote it, so no version standing at a position holds one after it: bounded by
# it, a list newest first by position reads its index from there down (migration 0037)
# rather than sorting every row that then stood.
READ_POSITION = (
    "coalesce(nullif(current_setting('oversight.as_of_position', true), '')::bigint,"
    f" {LAST_POSITION})"
)


class ProjectedQueries:
    """Queries over the tables of `projections`, which answer a client after its write once
    the tables have passed the write's position, or after `wait_seconds` with where they
    stand."""

    projections: ClassVar[Sequence[str]]

    def __init__(self, store: SqlPool, *, wait_seconds: float = 5.0) -> None:
        self.store = store
        self.wait_seconds = wait_seconds

    async def projected(
        self, after: int | None, projections: Sequence[str] | None = None
    ) -> tuple[int, bool]:
        """Wait until the tables (or `projections`) have passed `after`, or give up after
        `wait_seconds`; answer where they stand and whether they got there."""
        tables = self.projections if projections is None else projections
        return await wait_until_projected(self.store, tables, after, seconds=self.wait_seconds)

    async def fetch_page(
        self,
        page: NewestFirstPage,
        select_from: str,
        item: Callable[[Any], Positioned],
        *,
        after: int | None,
        projections: Sequence[str] | None = None,
    ) -> Page:
        """The `page` of `select_from`, each item made by `item` from a row, read once the
        tables (or `projections`) have passed `after`, with where they stand."""
        position, caught_up = await self.projected(after, projections)
        items, following = await page.fetch(self.store, select_from, item)
        return Page(items=items, next=following, position=position, caught_up=caught_up)


class ReadsThePast(ProjectedQueries):
    """Queries that can also read the tables as they stood at a log position."""

    def as_of(self, position: int) -> Self:
        """These queries, reading the record as it stood at `position` (§14)."""
        past = copy.copy(self)
        past.store = self.store.as_of(position)
        return past


def from_row(kind: type[Made], row: Any, **given: Any) -> Made:
    """A `kind` (a dataclass) made from a row: each field from the column of its name, but
    those `given` (a column named otherwise, or a value worked out); where the row has no
    column of a field's name, the field keeps its default."""
    columns = set(row.keys())
    named = {
        field.name: row[field.name]
        for field in fields(kind)
        if field.init and field.name in columns and field.name not in given
    }
    return kind(**named, **given)


async def projected_position(store: SqlPool, projections: Sequence[str]) -> int:
    """How far the projections (all of them: the least) have got in the notification log; a
    projection that has projected nothing yet stands at 0."""
    position = await store.fetchval(
        "SELECT min(coalesce(p.position, 0)) FROM unnest($1::text[]) AS n(name) "
        "LEFT JOIN projection_tracking AS p ON p.name = n.name",
        list(projections),
    )
    return int(position or 0)


async def wait_until_projected(
    store: SqlPool, projections: Sequence[str], after: int | None, *, seconds: float
) -> tuple[int, bool]:
    """Wait until the projections have passed `after` (a position the client's write got), or
    give up after `seconds`; answer where they stand and whether they got there.

    On a read replica the wait is the replica's own bound; past it, if the primary's
    projections have passed `after`, the replica is what lags: `ReplicaBehind` (503, ask again)
    rather than an answer that would not show the client's write.
    """
    if not isinstance(store, ReplicaPool):
        return await _wait(store, projections, after, seconds)
    position, reached = await _wait(store, projections, after, store.wait_seconds)
    primary_passed = (
        not reached
        and after is not None
        and await projected_position(store.primary, projections) >= after
    )
    if primary_passed:
        raise ReplicaBehind(
            f"the read replica has not yet replayed position {after}; retry in a moment"
        )
    return position, reached


async def _wait(
    store: SqlPool, projections: Sequence[str], after: int | None, seconds: float
) -> tuple[int, bool]:
    give_up_at = time.monotonic() + seconds
    pause = FIRST_PAUSE
    while True:
        position = await projected_position(store, projections)
        if after is None or position >= after:
            return position, True
        if time.monotonic() >= give_up_at:
            return position, False
        await asyncio.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)


def encode_cursor(position: int) -> str:
    """The cursor of the page after the item at `position` (lists run newest first)."""
    return base64.urlsafe_b64encode(f"p{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor handed out by `encode_cursor` names; anything else, including a
    position past the log's last (PostgreSQL's bigint), is refused."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidCursor("the cursor is not one this service handed out") from None
    # ASCII, so `isdigit` takes no other script's digits.
    digits = text.removeprefix("p")
    if text == digits or not digits.isdigit() or int(digits) > LAST_POSITION:
        raise InvalidCursor("the cursor is not one this service handed out")
    return int(digits)


class NewestFirstPage:
    """One page of a list that runs newest first by a position column: the filters with their
    numbered parameters ($1, $2, …), then the rows before the cursor, one more than the page
    holds to know whether another follows."""

    def __init__(
        self, position_column: str, *, limit: int, cursor: str | None, args: Sequence[Any] = ()
    ) -> None:
        self.position_column = position_column
        self.limit = limit
        self.cursor = cursor
        self.args: list[Any] = list(args)
        self.conditions: list[str] = []

    def where(self, condition: str, value: Any) -> None:
        """Keep the rows where `condition` holds, its `?` standing for `value`."""
        self.args.append(value)
        self.conditions.append(condition.replace("?", f"${len(self.args)}"))

    def where_equal(self, **columns: Any) -> None:
        """Keep the rows whose column equals each value given; a value of None filters nothing."""
        for column, value in columns.items():
            if value is not None:
                self.where(f"{column} = ?", value)

    def where_holds(self, condition: str, holds: bool | None) -> None:
        """Keep the rows where `condition`, which takes no parameter, holds (True) or does not
        (False); None filters nothing."""
        if holds is not None:
            self.conditions.append(condition if holds else f"NOT {condition}")

    async def fetch(
        self, store: SqlPool, select_from: str, item: Callable[[Any], Item]
    ) -> tuple[list[Item], str | None]:
        """The page's items, each made by `item` from a row of `select_from` filtered, and the
        cursor of the next page if there is one."""
        rows = await store.fetch(self._query(select_from), *self.args)
        items = [item(row) for row in rows[: self.limit]]
        following = encode_cursor(items[-1].position) if len(rows) > self.limit else None
        return items, following

    def _query(self, select_from: str) -> str:
        """`select_from` filtered, from the cursor on, newest first, one row past the page."""
        self.conditions.append(f"{self.position_column} <= {READ_POSITION}")
        if self.cursor is not None:
            self.where(f"{self.position_column} < ?", decode_cursor(self.cursor))
        self.args.append(self.limit + 1)
        where = f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""
        return f"{select_from}{where} ORDER BY {self.position_column} DESC LIMIT ${len(self.args)}"
