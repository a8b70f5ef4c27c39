"""What the case page and the order page share: the record's facts, deadlines in words and the
actions open now, and what they do with one action's form: read it, run the verb off the event
loop, and either go on with a flash message or show the page again with the form as typed and
what was wrong."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from application.ports import ConsoleSession
from domain.deadlines import CLOCK_HOURS, EXTENSION, OFFICE_SECONDS, Deadline
from domain.directory import Directory
from domain.errors import DomainError
from domain.labels import error_message
from interfaces.http.errors import error_response
from interfaces.web.desk import back_to
from interfaces.web.people import shown_person
from interfaces.web.templating import prose_date, render, table_time


@dataclass(frozen=True)
class FormAgain:
    """A refused action's form shown again: the action, what was typed, what was wrong, and
    the status the page is answered with."""

    action: object
    values: Mapping[str, object] = field(default_factory=dict)
    problems: list[str] | None = None
    status_code: int = 200


# The page again, with the refused form.
PageAgain = Callable[[FormAgain], Awaitable[HTMLResponse]]


async def act_on_record(
    request: Request,
    action: object,
    form: FormData,
    *,
    read: Callable[[], Awaitable[Any]],
    run: Callable[[Any], object],
    page_again: PageAgain,
    refused_hint: str,
    after: str,
    done: str,
) -> HTMLResponse | RedirectResponse:
    """Read the `action`'s form (`read` answers the body, or the list of problems with it),
    run the verb on a worker thread, then redirect to `after` saying `done`; a refusal of the
    record comes back on the page in Chinese, with `refused_hint`, at the status the API would
    answer, the form as typed."""
    try:
        body = await read()
        if isinstance(body, list):
            return await page_again(FormAgain(action, dict(form), body, 422))
        await run_in_threadpool(run, body)
    except DomainError as refused:
        problems = [error_message(refused.code) + refused_hint]
        status_code = error_response(refused).status_code
        return await page_again(FormAgain(action, dict(form), problems, status_code))
    return back_to(request, after, done, refused=False)


def deadline_in_words(deadline: Deadline | None) -> str:
    """How a deadline was computed, in Chinese, from what it records about itself."""
    if deadline is None:
        return ""
    start, due = table_time(deadline.counted_from), table_time(deadline.due_at)
    if deadline.unit == CLOCK_HOURS:
        words = f"自 {start} 起 {deadline.amount} 小时（含夜间和节假日），至 {due} 届满"
    elif deadline.unit == OFFICE_SECONDS:
        hours = round(deadline.amount / 3600, 1)
        words = f"自 {start} 恢复计时起，补回挂起期间的 {hours} 个工作小时，至 {due} 届满"
    else:
        counted = "原期限" if deadline.policy == EXTENSION else prose_date(deadline.counted_from)
        words = (
            f"自{counted}次日起算 {deadline.amount} 个工作日，"
            f"至 {prose_date(deadline.due_at)} {deadline.due_at:%H:%M} 下班时届满"
        )
    words += f"；工作日历 {deadline.calendar_version}"
    if deadline.provisional:
        words += "（该年节假日安排尚未公布，期限为暂定，公布后自动重算）"
    return words + "。"


async def render_record(
    request: Request,
    session: ConsoleSession,
    template: str,
    record_file: Any,
    record: Any,
    directory: Directory,
    action_names: Mapping[str, str],
    again: FormAgain | None,
    page: Mapping[str, object],
) -> HTMLResponse:
    """A case's or an order's page: its facts, both deadlines in words, the actions open now,
    the form shown `again` if any, and what only this `page` shows."""
    open_action = again.action if again else None
    return render(
        request,
        template,
        {
            "file": record_file,
            # A refused form stays on the page with what was typed, even when the record no
            # longer offers its action: the person can copy it or try again.
            "actions": [
                *record_file.actions,
                *([open_action] if open_action and open_action not in record_file.actions else []),
            ],
            "window": directory.window(record.window) if record.window else None,
            "staff": directory.staff_member(record.staff) if record.staff else None,
            "department": directory.department(record.department) if record.department else None,
            "acknowledge_words": deadline_in_words(record.acknowledge_deadline),
            "deadline_words": deadline_in_words(record.deadline),
            "action_names": action_names,
            "open_action": open_action,
            "values": again.values if again else {},
            "problems": again.problems if again else None,
            **page,
        },
        person=await shown_person(request, session),
        status_code=again.status_code if again else 200,
    )
