"""The signed-in person as the layout shows them: name, role and their department's name."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from application.ports import ConsoleSession
from interfaces.web.templating import Person


async def shown_person(request: Request, session: ConsoleSession) -> Person:
    """The layout's person for a session, naming their department as the directory does."""
    department_name = None
    if session.department is not None:
        directory = await run_in_threadpool(request.app.state.container.supervision.directory)
        found = directory.department(session.department)
        department_name = found.name if found is not None else session.department
    return Person(session.name, session.role, department_name)
