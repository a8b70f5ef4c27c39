"""What the operator's desk pages share: the person in the layout, the cases a queue lists,
a form's text and reason, a command run off the event loop whose refusal comes back as a
Chinese message, and the way back to a queue with what was done or refused."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse

from application.ports import ConsoleSession
from application.queries import CaseFilter, CaseQueries, Page
from application.views import CaseView
from domain.actor import Role
from domain.errors import DomainError
from domain.labels import error_message
from interfaces.http.schemas.cases import Reason
from interfaces.web.flash import flash
from interfaces.web.forms import read_form
from interfaces.web.templating import Person

Answer = TypeVar("Answer")
Body = TypeVar("Body", bound=BaseModel)


async def centre_cases(
    queries: CaseQueries,
    criteria: CaseFilter,
    role: Role,
    limit: int,
    now: datetime,
    cursor: str | None = None,
    *,
    after: int | None = None,
) -> Page:
    """A page of the cases matching `criteria` in every department, as `role` reads them
    at `now` (once the read side has passed `after`, when given)."""
    return await queries.list_cases(
        criteria,
        role=role,
        visible_to_department=None,
        limit=limit,
        cursor=cursor,
        now=now,
        after=after,
    )


def shown(person: ConsoleSession) -> Person:
    """What the layout shows of a person of the centre (they belong to no department)."""
    return Person(name=person.name, role=person.role)


def form_text(form: FormData, name: str) -> str | None:
    """A form field's text, stripped; None when it is missing or empty. A file sent in its
    place is kept as it is, for the schema to refuse."""
    value = form.get(name)
    if isinstance(value, str):
        return value.strip() or None
    return value  # type: ignore[return-value]


async def refused_or_done(command: Callable[[], Answer]) -> Answer | str:
    """Run a command of the sync event store on a worker thread; a refusal becomes its
    Chinese message."""
    try:
        return await run_in_threadpool(command)
    except DomainError as refused:
        return error_message(refused.code)


def problems_back_to(request: Request, url: str, problems: list[str]) -> RedirectResponse:
    """Back to `url` with what was wrong in the form, field by field, in one message."""
    return back_to(request, url, "；".join(problems), refused=True)


def read_reason(form: FormData, names: Mapping[str, str]) -> Reason | list[str]:
    """The form's reason as the API's `Reason` reads it, or what was wrong with it (its field
    named as `names` says)."""
    return read_form(Reason, {"reason": form_text(form, "reason") or ""}, names)


def reason_or_back(
    request: Request, form: FormData, url: str, names: Mapping[str, str]
) -> Reason | RedirectResponse:
    """The form's reason as `read_reason` reads it, or back to `url` saying what was wrong
    with it."""
    body = read_reason(form, names)
    if isinstance(body, list):
        return problems_back_to(request, url, body)
    return body


async def run_and_go_back(
    request: Request, url: str, command: Callable[[], Answer], done: Callable[[Answer], str]
) -> RedirectResponse:
    """Run a command on a worker thread and go back to `url` saying what `done` makes of its
    answer, or why it was refused."""
    outcome = await refused_or_done(command)
    if isinstance(outcome, str):
        return back_to(request, url, outcome, refused=True)
    return back_to(request, url, done(outcome), refused=False)


async def run_from_queue(
    request: Request, queue: str, command: Callable[[], CaseView], done: str
) -> RedirectResponse:
    """Run a queue's command on one case and go back to the queue, saying the case's
    tracking number and what was `done`, or why it was refused."""
    return await run_and_go_back(
        request, queue, command, lambda case: f"{case.tracking_number} {done}"
    )


async def run_form_from_queue(
    request: Request,
    queue: str,
    schema: type[Body],
    values: Mapping[str, object],
    names: Mapping[str, str],
    command: Callable[[Body], CaseView],
    done: str,
) -> RedirectResponse:
    """Read a queue's form `values` (the empty ones left out) into the API's `schema` and run
    the command with it as `run_from_queue` does; what was wrong goes back to the queue."""
    body = read_form(schema, {k: v for k, v in values.items() if v is not None}, names)
    if isinstance(body, list):
        return problems_back_to(request, queue, body)
    return await run_from_queue(request, queue, lambda: command(body), done)


def back_to(request: Request, url: str, message: str, *, refused: bool) -> RedirectResponse:
    """Post/redirect/get: back to `url` with the outcome as the flash message."""
    answer = RedirectResponse(url, status_code=303)
    flash(request, answer, message, "error" if refused else "success")
    return answer
