"""What the operator's desk pages share: the person in the layout, a form's text, and a
command run off the event loop whose refusal comes back as a Chinese message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse

from application.ports import ConsoleSession
from domain.errors import DomainError
from domain.labels import error_message
from interfaces.web.flash import flash
from interfaces.web.templating import Person

Answer = TypeVar("Answer")


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


def back_to(request: Request, url: str, message: str, *, refused: bool) -> RedirectResponse:
    """Post/redirect/get: back to `url` with the outcome as the flash message."""
    answer = RedirectResponse(url, status_code=303)
    flash(request, answer, message, "error" if refused else "success")
    return answer
