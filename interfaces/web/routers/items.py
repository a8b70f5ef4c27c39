"""The item catalogue (事项清单, §16) as pages: the public guide to the hall's services
(办事指南) with its filters, each item's one-time notice (一次性告知书), printable on A4, and
the item metrics for operators and inspectors (the API's `GET /metrics/items`).

Nothing on the public pages names a person: the catalogue holds none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from domain.case import SEVERAL_TRIPS
from domain.errors import Invalid
from domain.item import CODE_PATTERN, ItemNotFound
from domain.labels import LABELS
from domain.text import why_refused
from interfaces.http.deps import ContainerDep, PublicClientDep, SupervisionDep
from interfaces.web.desk import shown
from interfaces.web.periods import asked_period, period_given
from interfaces.web.routers import page_router
from interfaces.web.session import CentrePersonDep
from interfaces.web.templating import render

router = page_router()

MAX_FILTER = 100


class ItemFilterInvalid(Invalid):
    """A filter of the public item list the record cannot hold."""

    code = "invalid"


def _filter(value: str | None) -> str | None:
    """A filter as typed: blank means none; text the record cannot hold is refused."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > MAX_FILTER or why_refused(text) is not None:
        raise ItemFilterInvalid("a filter of the item list is too long or holds a control code")
    return text


@router.get("/items", response_class=HTMLResponse)
async def public_items(
    request: Request,
    container: ContainerDep,
    app: SupervisionDep,
    _: PublicClientDep,
    department: Annotated[str | None, Query(max_length=MAX_FILTER)] = None,
    zone: Annotated[str | None, Query(max_length=MAX_FILTER)] = None,
    at_most_one_trip: Annotated[str | None, Query(max_length=10)] = None,
    q: Annotated[str | None, Query(max_length=MAX_FILTER)] = None,
) -> HTMLResponse:
    """The items in service (办事指南), filtered by department, zone, 最多跑一次 and words."""
    chosen = {
        "department": _filter(department),
        "zone": _filter(zone),
        "q": _filter(q),
        "at_most_one_trip": True if _filter(at_most_one_trip) else None,
    }
    found = await container.items.list_items(**chosen, after=None)
    directory = await run_in_threadpool(app.directory)
    departments = sorted(
        {(item.department, item.department_name) for item in found.items}
        | {
            (d.id, d.name)
            for d in directory.departments
            if any(w.department == d.id for w in directory.windows)
        },
        key=lambda pair: pair[0],
    )
    zones = sorted({window.zone for window in directory.windows})
    return render(
        request,
        "public/items.html",
        {
            "items": found.items,
            "chosen": chosen,
            "departments": departments,
            "zones": zones,
            "frequencies": LABELS["item_frequency"],
        },
    )


@router.get("/items/{code}", response_class=HTMLResponse)
async def public_item(
    request: Request,
    code: Annotated[str, Path(pattern=CODE_PATTERN)],
    container: ContainerDep,
    _: PublicClientDep,
) -> HTMLResponse:
    """An item's one-time notice (一次性告知书): what to bring, where, and the time promised;
    printable on A4. A withdrawn item is shown, marked so."""
    item = await container.items.get_item(code)
    if item is None:
        raise ItemNotFound(f"there is no item {code!r}")
    return render(
        request,
        "public/item.html",
        {
            "item": item,
            "forms": LABELS["material_form"],
            "frequencies": LABELS["item_frequency"],
        },
    )


# The item metrics, for operators and inspectors --------------------------------------------

ITEM_METRICS = "/console/item-metrics"


@router.get(ITEM_METRICS, response_class=HTMLResponse)
async def item_metrics_page(
    request: Request, person: CentrePersonDep, container: ContainerDep
) -> HTMLResponse:
    """Per item over a period (this month by default): cases by category, ratings and bad
    ratings, and the complaints of several trips on items promised in one (多次跑动)."""
    period = asked_period(request, container)
    given = period_given(request, period)
    metrics, problems = [], []
    if isinstance(period, list):
        problems = period
    else:
        start, end = period.moments()
        metrics = await container.items.item_metrics(start=start, end=end)
    return render(
        request,
        "items/metrics.html",
        {
            "given": given,
            "problems": problems,
            "metrics": metrics,
            "several_trips": SEVERAL_TRIPS,
            "active": [m for m in metrics if m.cases or m.ratings],
        },
        person=shown(person),
    )
