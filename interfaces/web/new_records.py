"""What the forms that record something new share (a notice, a visit, a rectification order,
a session of marks, a batch of survey forms): the form's page, with the values as typed and
what was wrong with them, and the submission, which runs the verb with the form's body off the
event loop and goes on to what it recorded, or else shows the form again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from application.ports import ConsoleSession
from domain.errors import DomainError
from domain.labels import error_message
from interfaces.http.errors import error_response
from interfaces.web.desk import back_to
from interfaces.web.people import shown_person
from interfaces.web.templating import render

Body = TypeVar("Body", bound=BaseModel)
Recorded = TypeVar("Recorded")


async def _nothing_more() -> Mapping[str, object]:
    return {}


def _in_chinese(refused: DomainError) -> str:
    return error_message(refused.code)


@dataclass(frozen=True)
class NewRecordForm:
    """A form that records something new, as one person sees it: its `template`, and what
    else its page shows besides the values and the problems (`context`, read only when the
    page is shown)."""

    request: Request
    person: ConsoleSession
    template: str
    context: Callable[[], Awaitable[Mapping[str, object]]] = _nothing_more

    async def page(
        self,
        values: Mapping[str, Any],
        problems: list[str] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        """The form's page, filled with `values`, saying what was wrong with them."""
        return render(
            self.request,
            self.template,
            {"values": values, "problems": problems or [], **await self.context()},
            person=await shown_person(self.request, self.person),
            status_code=status_code,
        )

    async def submit(
        self,
        values: Mapping[str, Any],
        body: Body | list[str],
        run: Callable[[Body], Recorded],
        then: Callable[[Recorded], tuple[str, str]],
        refusal: Callable[[DomainError], str] = _in_chinese,
    ) -> HTMLResponse | RedirectResponse:
        """Run `run` with the form's `body` on a worker thread, then go to the page `then`
        names for what it recorded, saying what `then` says; else the form again with `values`
        as typed: the body's problems (422), or the refusal in Chinese at the status the API
        would answer."""
        if isinstance(body, list):
            return await self.page(values, body, 422)
        try:
            recorded = await run_in_threadpool(run, body)
        except DomainError as refused:
            status_code = error_response(refused).status_code
            return await self.page(values, [refusal(refused)], status_code)
        page, done = then(recorded)
        return back_to(self.request, page, done, refused=False)
