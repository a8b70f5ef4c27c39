"""The pages' one template environment, its filters, and `render`, which every page uses.

A page calls `render(request, "name.html", {...})`: the layout gets the visitor's form token,
the flash message left for this page, the signed-in person (when there is one: `person=`, or
else the one the session dependency left in `request.state.person`) and the navigation for
their role, and the answer carries the cookies that go with them. A page that may show the
past (`interfaces/web/past.py`) passes its `moment`, and the layout shows the banner of a past
instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from domain.actor import Role
from domain.calendar import OFFICE_TZ, STANDARD_OFFICE_HOURS
from domain.labels import error_message, label
from domain.privacy import mask_phone
from interfaces.web.csrf import form_token, keep_form_token
from interfaces.web.flash import forget_flash, pop_flash
from interfaces.web.navigation import navigation_for

TEMPLATES_DIR = Path(__file__).parent / "templates"
HOUR = 3600
# One office day of working time, as the board counts `working_seconds_left`.
WORKING_DAY_SECONDS = int(
    (
        datetime.combine(date.min, STANDARD_OFFICE_HOURS.closes)
        - datetime.combine(date.min, STANDARD_OFFICE_HOURS.opens)
    ).total_seconds()
)


@dataclass(frozen=True)
class Person:
    """What the layout shows of the signed-in person: name, role, department."""

    name: str
    role: Role
    department_name: str | None = None


@dataclass(frozen=True)
class TimeLeft:
    """Working time left before a deadline, in words, with its colour class."""

    text: str
    css_class: str


def table_time(moment: datetime | None) -> str:
    """`2026-12-03 14:30` in the office's time zone, for tables; empty for no moment."""
    return "" if moment is None else moment.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")


def period_shown(starts_at: datetime, ends_at: datetime) -> str:
    """An absence's period for tables: whole office days as `2026-12-07 全天` or
    `2026-12-07 至 2026-12-08 全天` (the end is the next midnight), else from minute to minute."""
    start, end = starts_at.astimezone(OFFICE_TZ), ends_at.astimezone(OFFICE_TZ)
    if start.time() == end.time() == time(0) and end > start:
        first, last = start.date(), (end - timedelta(days=1)).date()
        days = f"{first}" if first == last else f"{first} 至 {last}"
        return f"{days} 全天"
    return f"{table_time(starts_at)} 至 {table_time(ends_at)}"


def prose_date(moment: datetime | date | None) -> str:
    """`2026年12月3日` (the office's day of a moment), for sentences; empty for no moment."""
    if moment is None:
        return ""
    day = moment.astimezone(OFFICE_TZ).date() if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def prose_time(moment: datetime) -> str:
    """`2026年12月3日 14:30` in the office's time zone, for sentences."""
    return f"{prose_date(moment)} {moment.astimezone(OFFICE_TZ):%H:%M}"


def time_left(working_seconds_left: int | None, *, overdue: bool = False) -> TimeLeft | None:
    """`剩余 2 个工作日 3 小时` (green; amber within one working day) or `已超期 1 个工作日`
    (red), from the working seconds left that the board answers; None without a deadline."""
    if working_seconds_left is None:
        return None
    late = overdue or working_seconds_left < 0
    days, rest = divmod(abs(working_seconds_left), WORKING_DAY_SECONDS)
    hours = rest // HOUR
    amount = " ".join(
        part
        for part in (f"{days} 个工作日" if days else "", f"{hours} 小时" if hours else "")
        if part
    )
    if late:
        return TimeLeft(
            f"已超期 {amount}" if amount else "已超期不足 1 小时", "time-left time-left--late"
        )
    soon = working_seconds_left <= WORKING_DAY_SECONDS
    return TimeLeft(
        f"剩余 {amount}" if amount else "剩余不足 1 小时",
        "time-left time-left--soon" if soon else "time-left time-left--ok",
    )


def _labelled(value: Any, group: str) -> str:
    return "" if value is None else label(group, value)


templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.filters.update(
    label=_labelled,
    error_message=error_message,
    table_time=table_time,
    period_shown=period_shown,
    prose_date=prose_date,
    prose_time=prose_time,
    time_left=time_left,
    mask_phone=mask_phone,
)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    person: Person | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page in the layout: its context plus what the layout needs, with its cookies."""
    token = form_token(request)
    person = person or getattr(request.state, "person", None)
    response = templates.TemplateResponse(
        request,
        template,
        {
            **(context or {}),
            "csrf_token": token,
            "flash": pop_flash(request),
            "person": person,
            "navigation": navigation_for(person.role if person else None),
        },
        status_code=status_code,
        headers=headers,
    )
    keep_form_token(request, response, token)
    forget_flash(request, response)
    return response
