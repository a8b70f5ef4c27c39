"""The period a console page of figures asks for (开始日期, 结束日期): this month by default."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import Request

from domain.calendar import OFFICE_TZ
from interfaces.http.deps import ContainerDep
from interfaces.http.schemas.lists import MetricsQuery
from interfaces.web.forms import read_form

PERIOD_FIELDS = {
    "": "统计期间（开始日期须不晚于结束日期，至多一年）",
    "start": "开始日期",
    "from": "开始日期",
    "end": "结束日期",
    "to": "结束日期",
}


def this_month(today: date) -> tuple[date, date]:
    """The first and the last day of today's month."""
    first = today.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return first, next_month - timedelta(days=1)


def asked_period(request: Request, container: ContainerDep) -> MetricsQuery | list[str]:
    """The period asked for (`from`, `to`), this month by default, or what is wrong with it."""
    today = container.supervision.time_source.now().astimezone(OFFICE_TZ).date()
    first, last = this_month(today)
    given = {
        name: request.query_params.get(name, "").strip() or default.isoformat()
        for name, default in (("from", first), ("to", last))
    }
    return read_form(MetricsQuery, given, PERIOD_FIELDS)


def period_given(request: Request, period: MetricsQuery | list[str]) -> dict[str, str]:
    """What the period form shows again: the period read, else what was typed."""
    if isinstance(period, list):
        return {name: request.query_params.get(name, "") for name in ("from", "to")}
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}
