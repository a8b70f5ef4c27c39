"""Routes on the item catalogue (事项清单, §16): anyone reads the items and each item's
one-time notice (一次性告知), without signing in. The catalogue is imported with the CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from domain.item import CODE_PATTERN, ItemNotFound
from interfaces.http.deps import CentreDep, ContainerDep, within_public_rate_limit
from interfaces.http.responses import ONE_RECORD, RATE_LIMITED, SOME_ROLES, VALIDATED
from interfaces.http.schemas.items import (
    ItemListPublic,
    ItemListQuery,
    ItemMetricsList,
    ItemMetricsPublic,
    ItemPublic,
)
from interfaces.http.schemas.lists import MetricsQuery

router = APIRouter(prefix="/items", tags=["items"])
metrics_router = APIRouter(tags=["items"])
PUBLIC = {"dependencies": [Depends(within_public_rate_limit)]}


@router.get("", responses={**RATE_LIMITED, **VALIDATED}, **PUBLIC)
async def list_items(
    query: Annotated[ItemListQuery, Query()], container: ContainerDep
) -> ItemListPublic:
    """The items in service (办事指南), by code; filters: department, zone, at_most_one_trip
    and q (text in the code or name). Public, no sign-in."""
    found = await container.items.list_items(
        department=query.department,
        zone=query.zone,
        at_most_one_trip=query.at_most_one_trip,
        q=query.q,
        after=query.after,
    )
    return ItemListPublic.of(found)


@router.get("/{code}", responses={**ONE_RECORD, **RATE_LIMITED}, **PUBLIC)
async def get_item(
    code: Annotated[str, Path(pattern=CODE_PATTERN)], container: ContainerDep
) -> ItemPublic:
    """One item with its materials: its one-time notice (一次性告知). A withdrawn item is
    answered, marked withdrawn. Public, no sign-in."""
    item = await container.items.get_item(code)
    if item is None:
        raise ItemNotFound(f"there is no item {code!r}")
    return ItemPublic.of(item)


@metrics_router.get("/metrics/items", responses={**SOME_ROLES, **VALIDATED})
async def item_metrics(
    period: Annotated[MetricsQuery, Query()], container: ContainerDep, _: CentreDep
) -> ItemMetricsList:
    """Per item, by code: the cases registered in the period that name it, by category; its
    ratings and bad ratings (差评); and for an item promised in at most one trip (最多跑一次)
    the complaints that it took several (多次跑动)."""
    start, end = period.moments()
    metrics = await container.items.item_metrics(start=start, end=end)
    return ItemMetricsList(
        start=period.start,
        end=period.end,
        items=[ItemMetricsPublic.of(m) for m in metrics],
    )
