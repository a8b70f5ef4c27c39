"""Who is at the console: the server-side session a cookie names (§12).

The cookie holds only an opaque token; the session, its person and its limits (30 minutes
idle, 12 hours in all) are kept on the server. A page depends on `PersonDep` (anyone signed
in) or on `people(Role…)`; a visitor without a live session is sent to the sign-in page, and
a person who still owes a step of the sign-in (a new password, a second factor) to that step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from application.ports import ConsoleSession, ConsoleSessions
from domain.account import SignInStep
from domain.actor import Actor, Role
from interfaces.http.errors import RoleNotAllowed

SESSION_COOKIE = "oversight_session"
SIGN_IN_PAGE = "/console/sign-in"
# Where a person who still owes a step of the sign-in is sent.
STEP_PAGES = {
    SignInStep.SECOND_FACTOR: "/console/sign-in/code",
    SignInStep.CHANGE_PASSWORD: "/console/password",
    SignInStep.ENROL_SECOND_FACTOR: "/console/second-factor",
}


class SignInNeeded(Exception):
    """The page needs a signed-in person and the request has none (yet): go to `location`."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


async def console_session(request: Request) -> ConsoleSession | None:
    """The live session the request's cookie names (signed in or still signing in), or None;
    a live session's idle time starts again."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    container = request.app.state.container
    at = container.supervision.time_source.now()
    session = await run_in_threadpool(_find_and_touch, container.console_sessions, token, at)
    request.state.person = session if session is not None and session.signed_in else None
    return session


def _find_and_touch(sessions: ConsoleSessions, token: str, at: datetime) -> ConsoleSession | None:
    session = sessions.find(token, at)
    if session is not None:
        sessions.touch(token, at)
    return session


async def signed_in_person(request: Request) -> ConsoleSession:
    """The signed-in person, or a way to the page that gets them there."""
    session = await console_session(request)
    if session is None:
        raise SignInNeeded(f"{SIGN_IN_PAGE}?next={quote(_this_page(request), safe='/')}")
    if not session.signed_in:
        raise SignInNeeded(STEP_PAGES[SignInStep(session.pending)])
    return session


def people(*allowed: Role) -> Callable[..., object]:
    """A dependency that lets only signed-in people of these roles through (403 otherwise)."""

    async def require(
        person: Annotated[ConsoleSession, Depends(signed_in_person)],
    ) -> ConsoleSession:
        if person.role not in allowed:
            raise RoleNotAllowed("this page is for another role")
        return person

    return require


def acting(request: Request, person: ConsoleSession) -> Actor:
    """The actor a console command records: the person, through this request."""
    return person.actor(getattr(request.state, "request_id", None))


def keep_session(request: Request, response: Response, token: str) -> None:
    """Hand the browser a session's token: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def forget_session(response: Response) -> None:
    """Take the session's cookie back (sign-out, an ended session)."""
    response.delete_cookie(SESSION_COOKIE, path="/")


async def _to_sign_in(request: Request, needed: SignInNeeded) -> Response:
    """A page sends the visitor on with 303; an htmx request is told to by HX-Redirect."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": needed.location})
    return RedirectResponse(needed.location, status_code=303)


def install_sign_in_redirects(app: FastAPI) -> None:
    """Pages that need a person send a visitor without one to the sign-in page."""
    app.add_exception_handler(SignInNeeded, _to_sign_in)  # type: ignore[arg-type]


def _this_page(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


PersonDep = Annotated[ConsoleSession, Depends(signed_in_person)]
OperatorDep = Annotated[ConsoleSession, Depends(people(Role.OPERATOR))]
DepartmentPersonDep = Annotated[ConsoleSession, Depends(people(Role.DEPARTMENT))]
InspectorPersonDep = Annotated[ConsoleSession, Depends(people(Role.INSPECTOR))]
CentrePersonDep = Annotated[ConsoleSession, Depends(people(Role.OPERATOR, Role.INSPECTOR))]
StaffPersonDep = Annotated[
    ConsoleSession, Depends(people(Role.OPERATOR, Role.DEPARTMENT, Role.INSPECTOR))
]
AdminPersonDep = Annotated[ConsoleSession, Depends(people(Role.ADMIN))]
