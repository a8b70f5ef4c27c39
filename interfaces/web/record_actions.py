"""What the case page and the order page do with one action's form: read it, run the verb off
the event loop, and either go on with a flash message or show the page again with the form as
typed and what was wrong."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from domain.labels import error_message
from interfaces.http.errors import error_response
from interfaces.web.flash import flash

# The page again, with these problems, answered with this status.
PageAgain = Callable[[list[str], int], Awaitable[HTMLResponse]]


async def act_on_record(
    request: Request,
    *,
    read: Callable[[], Awaitable[Any]],
    run: Callable[[Any], object],
    page_again: PageAgain,
    refused_hint: str,
    after: str,
    done: str,
) -> HTMLResponse | RedirectResponse:
    """Read the form (`read` answers the body, or the list of problems with it), run the verb
    on a worker thread, then redirect to `after` saying `done`; a refusal of the record comes
    back on the page in Chinese, with `refused_hint`, at the status the API would answer."""
    try:
        body = await read()
        if isinstance(body, list):
            return await page_again(body, 422)
        await run_in_threadpool(run, body)
    except DomainError as refused:
        return await page_again(
            [error_message(refused.code) + refused_hint], error_response(refused).status_code
        )
    answer = RedirectResponse(after, status_code=303)
    flash(request, answer, done)
    return answer
