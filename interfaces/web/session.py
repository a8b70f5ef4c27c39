"""Who is at the console: the server-side session a cookie names (§12).

The cookie holds only an opaque token; the session, its person and its limits (30 minutes
idle, 12 hours in all) are kept on the server. A page depends on `PersonDep` (anyone signed
in) or on `people(Role…)`; a visitor without a live session is sent to the sign-in page
(told that their session timed out when the cookie named one), and a person who still owes a
step of the sign-in (a new password, a second factor) to that step. A signed-in person's
name, role and department are left in `request.state.person` for the layout's header.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from application.ports import ConsoleSession
from domain.account import SignInStep
from domain.actor import Actor, Role
from domain.directory import DepartmentOutOfService
from interfaces.bootstrap import Container
from interfaces.http.errors import RoleNotAllowed
from interfaces.web.cookies import set_page_cookie
from interfaces.web.flash import flash
from interfaces.web.templating import Person

SESSION_COOKIE = "oversight_session"
SIGN_IN_PAGE = "/console/sign-in"
HOME_PAGE = "/console/"
SESSION_TIMED_OUT = "登录已超时，请重新登录。"
# Where a person who still owes a step of the sign-in is sent.
STEP_PAGES = {
    SignInStep.SECOND_FACTOR: "/console/sign-in/code",
    SignInStep.CHANGE_PASSWORD: "/console/password",
    SignInStep.ENROL_SECOND_FACTOR: "/console/second-factor",
}


class SignInNeeded(Exception):
    """The page needs a signed-in person and the request has none (yet): go to `location`;
    `timed_out` when the request's cookie named a session that has ended."""

    def __init__(self, location: str, *, timed_out: bool = False) -> None:
        super().__init__(location)
        self.location = location
        self.timed_out = timed_out


async def console_session(request: Request) -> ConsoleSession | None:
    """The live session the request's cookie names (signed in or still signing in), or None;
    a live session's idle time starts again."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    container = request.app.state.container
    at = container.supervision.time_source.now()
    session, shown = await run_in_threadpool(_find_and_touch, container, token, at)
    request.state.person = shown
    return session


def _find_and_touch(
    container: Container, token: str, at: datetime
) -> tuple[ConsoleSession | None, Person | None]:
    """The session and, once signed in, the person as the header shows them."""
    session = container.console_sessions.find(token, at)
    if session is None:
        return None, None
    container.console_sessions.touch(token, at)
    if not session.signed_in:
        return session, None
    try:
        container.supervision.require_department_in_service(session.department)
    except DepartmentOutOfService:
        container.console_sessions.end(token)  # the department was retired: so is the session
        raise
    return session, Person(session.name, session.role, _department_name(container, session))


def _department_name(container: Container, session: ConsoleSession) -> str | None:
    """The department's name in the directory; its id if the directory no longer lists it."""
    if session.department is None:
        return None
    found = container.supervision.directory().department(session.department)
    return found.name if found is not None else session.department


def step_of(session: ConsoleSession) -> SignInStep:
    """Where the session's sign-in stands: SIGNED_IN, or the step still owed."""
    return SignInStep.SIGNED_IN if session.signed_in else SignInStep(session.pending)


def with_next(page: str, next_page: str) -> str:
    """`page`, carrying where to go once signed in (unless that is the home page)."""
    return page if next_page == HOME_PAGE else f"{page}?next={quote(next_page, safe='/')}"


async def signed_in_person(request: Request) -> ConsoleSession:
    """The signed-in person, or a way to the page that gets them there."""
    return await session_at(request, SignInStep.SIGNED_IN)


async def session_at(request: Request, *steps: SignInStep) -> ConsoleSession:
    """The request's live session if its sign-in stands at one of `steps`; else the visitor
    is sent to sign in, or to the step they owe, or home when they have signed in already."""
    session = await console_session(request)
    if session is None:
        timed_out = SESSION_COOKIE in request.cookies
        raise SignInNeeded(with_next(SIGN_IN_PAGE, _this_page(request)), timed_out=timed_out)
    step = step_of(session)
    if step not in steps:
        if step is SignInStep.SIGNED_IN:
            raise SignInNeeded(HOME_PAGE)
        raise SignInNeeded(with_next(STEP_PAGES[step], _this_page(request)))
    return session


def session_token(request: Request) -> str:
    """The token of the request's session (once `session_at` has found it live)."""
    return request.cookies[SESSION_COOKIE]


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
    set_page_cookie(request, response, SESSION_COOKIE, token)


def forget_session(response: Response) -> None:
    """Take the session's cookie back (sign-out, an ended session)."""
    response.delete_cookie(SESSION_COOKIE, path="/")


async def _to_sign_in(request: Request, needed: SignInNeeded) -> Response:
    """A page sends the visitor on with 303; an htmx request is told to by HX-Redirect. A
    session that timed out is said so on the sign-in page, and its cookie taken back."""
    answer: Response
    if request.headers.get("hx-request") == "true":
        answer = Response(status_code=204, headers={"HX-Redirect": needed.location})
    else:
        answer = RedirectResponse(needed.location, status_code=303)
    if needed.timed_out:
        forget_session(answer)
        flash(request, answer, SESSION_TIMED_OUT, "info")
    return answer


def install_sign_in_redirects(app: FastAPI) -> None:
    """Pages that need a person send a visitor without one to the sign-in page."""
    app.add_exception_handler(SignInNeeded, _to_sign_in)  # type: ignore[arg-type]


def _this_page(request: Request) -> str:
    """The page asked for, to come back to after signing in: for an htmx request the page it
    was made from; a form's answer comes back to the home page (its POST cannot be repeated
    by a redirect). The sign-in page follows it only to a console page of this service."""
    if request.method != "GET":
        return HOME_PAGE
    url = urlsplit(request.headers.get("hx-current-url") or str(request.url))
    return url.path + (f"?{url.query}" if url.query else "")


PersonDep = Annotated[ConsoleSession, Depends(signed_in_person)]
OperatorDep = Annotated[ConsoleSession, Depends(people(Role.OPERATOR))]
DepartmentPersonDep = Annotated[ConsoleSession, Depends(people(Role.DEPARTMENT))]
InspectorPersonDep = Annotated[ConsoleSession, Depends(people(Role.INSPECTOR))]
CentrePersonDep = Annotated[ConsoleSession, Depends(people(Role.OPERATOR, Role.INSPECTOR))]
StaffPersonDep = Annotated[
    ConsoleSession, Depends(people(Role.OPERATOR, Role.DEPARTMENT, Role.INSPECTOR))
]
AdminPersonDep = Annotated[ConsoleSession, Depends(people(Role.ADMIN))]
