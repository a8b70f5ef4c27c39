"""Signing in at the console (§12): username and password, then whatever the account still
owes — a one-time code, a new password, the set-up of a second factor — and signing out.

Each step calls the account verb the session is at; the session's cookie changes at every
step, so a token seen before a step opens nothing after it. A refused sign-in reads the same
whatever the reason; where to go afterwards (`next`) is followed only to a console page of
this service.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote, urlsplit

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from application.accounts import SecondFactorSetUp, SessionEnded, SignInRefused, SignInResult
from application.ports import ConsoleSession
from application.public_status import TooManyRequests
from domain.account import FAILURES_BEFORE_LOCK, LOCK_DURATION, SignInStep
from domain.errors import DomainError
from domain.labels import error_message
from domain.text import why_refused
from interfaces.http.deps import ContainerDep, client_address
from interfaces.http.errors import status_of
from interfaces.http.schemas.text import INVALID_CHARACTER
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.flash import flash
from interfaces.web.qr import qr_svg
from interfaces.web.routers import page_router
from interfaces.web.session import (
    HOME_PAGE,
    SESSION_COOKIE,
    SIGN_IN_PAGE,
    STEP_PAGES,
    SignInNeeded,
    console_session,
    forget_session,
    keep_session,
    session_at,
    session_token,
    with_next,
)
from interfaces.web.templating import render

router = page_router("/console")

SIGN_IN_FIELDS = {"username": "用户名", "password": "密码"}
CODE_FIELDS = {"code": "动态口令"}
PASSWORD_FIELDS = {
    "current_password": "当前密码",
    "new_password": "新密码",
    "confirm_password": "确认新密码",
}
SECOND_FACTOR_FIELDS = {"secret": "密钥", "code": "动态口令"}
# Said beside every refused sign-in alike: it tells the rule, not whether an account exists.
LOCK_RULE = (
    f"连续输错 {FAILURES_BEFORE_LOCK} 次，账号将锁定 "
    f"{int(LOCK_DURATION.total_seconds() // 60)} 分钟，到时可再试；忘记密码请联系管理员重置。"
)
QR_CODE_NAME = "二维码：请用验证器应用扫描"
SIGNED_OUT = "已退出。"
PASSWORD_CHANGED = "密码已修改。"  # noqa: S105 (a message, not a password)
SECOND_FACTOR_ENROLLED = "动态口令已绑定，以后登录时请输入验证器上的动态口令。"
MINUTE = 60


def _owing(*steps: SignInStep) -> object:
    """A dependency on the request's session standing at one of `steps`."""

    async def require(request: Request) -> ConsoleSession:
        return await session_at(request, *steps)

    return Depends(require)


OwesCodeDep = Annotated[ConsoleSession, _owing(SignInStep.SECOND_FACTOR)]
OwesSecondFactorDep = Annotated[ConsoleSession, _owing(SignInStep.ENROL_SECOND_FACTOR)]
# A person changes their password when the sign-in asks for it, and at any time afterwards.
MayChangePasswordDep = Annotated[
    ConsoleSession, _owing(SignInStep.CHANGE_PASSWORD, SignInStep.SIGNED_IN)
]
NextQuery = Annotated[str, Query(alias="next")]


# Username and password -------------------------------------------------------------------------


@router.get("/sign-in", response_class=HTMLResponse, response_model=None)
async def sign_in_form(
    request: Request, next_page: NextQuery = HOME_PAGE
) -> HTMLResponse | RedirectResponse:
    """The sign-in form (用户名, 密码 → 登录); someone signed in already goes on."""
    onward = local_console_page(next_page)
    session = await console_session(request)
    if session is not None and session.signed_in:
        return RedirectResponse(onward, status_code=303)
    return _step_page(request, "sign_in/sign_in.html", {"username": "", "next": onward})


@router.post("/sign-in", response_class=HTMLResponse, response_model=None)
async def sign_in(request: Request, form: CsrfFormDep, container: ContainerDep) -> Response:
    """Check the username and password, then go to the step the account still owes."""
    username, password = _field(form, "username").strip().lower(), _field(form, "password")
    onward = local_console_page(_field(form, "next"))
    problems = _unstorable({"username": username, "password": password}, SIGN_IN_FIELDS)
    if problems:
        return _step_page(
            request, "sign_in/sign_in.html", {"username": "", "next": onward}, problems, 422
        )
    try:
        result = await container.accounts.sign_in(
            username,
            password,
            client=container.client_digest(client_address(request)),
            at=container.supervision.time_source.now(),
            request_id=request.state.request_id,
        )
    except SignInRefused as refused:
        problems = [error_message(refused.code), LOCK_RULE]
        return _step_page(
            request, "sign_in/sign_in.html", {"username": username, "next": onward}, problems, 401
        )
    except TooManyRequests as busy:
        return _step_page(
            request,
            "sign_in/sign_in.html",
            {"username": username, "next": onward},
            *_too_many(busy),
        )
    try:
        department = result.account.department
        await run_in_threadpool(container.supervision.require_department_in_service, department)
    except DomainError as retired:  # the account's department was retired (机构改革)
        await run_in_threadpool(container.console_sessions.end, result.token)
        problems = [error_message(retired.code)]
        values = {"username": username, "next": onward}
        return _step_page(request, "sign_in/sign_in.html", values, problems, status_of(retired))
    return _onward(request, result, onward)


# The one-time code -----------------------------------------------------------------------------


@router.get("/sign-in/code", response_class=HTMLResponse)
async def code_form(_: OwesCodeDep, request: Request, next_page: NextQuery = HOME_PAGE) -> Response:
    """The second factor's form (动态口令 → 验证)."""
    return _step_page(request, "sign_in/code.html", {"next": local_console_page(next_page)})


@router.post("/sign-in/code", response_class=HTMLResponse, response_model=None)
async def verify_code(
    _: OwesCodeDep, request: Request, form: CsrfFormDep, container: ContainerDep
) -> Response:
    """Check the authenticator's one-time code; signed in once it is right."""
    code, onward = _field(form, "code").strip(), local_console_page(_field(form, "next"))
    problems = _unstorable({"code": code}, CODE_FIELDS)
    if problems:
        return _step_page(request, "sign_in/code.html", {"next": onward}, problems, 422)
    try:
        result = await container.accounts.verify_second_factor(
            session_token(request),
            code,
            client=container.client_digest(client_address(request)),
            at=container.supervision.time_source.now(),
            request_id=request.state.request_id,
        )
    except SessionEnded:
        raise SignInNeeded(SIGN_IN_PAGE, timed_out=True) from None
    except TooManyRequests as busy:
        return _step_page(request, "sign_in/code.html", {"next": onward}, *_too_many(busy))
    except DomainError as refused:
        return _step_page(
            request,
            "sign_in/code.html",
            {"next": onward},
            [error_message(refused.code)],
            status_of(refused),
        )
    return _onward(request, result, onward)


# The password ----------------------------------------------------------------------------------


@router.get("/password", response_class=HTMLResponse)
async def password_form(
    session: MayChangePasswordDep, request: Request, next_page: NextQuery = HOME_PAGE
) -> Response:
    """The change-password form (当前密码, 新密码, 确认新密码 → 修改密码)."""
    onward = local_console_page(next_page)
    return _step_page(request, "sign_in/password.html", _password_values(session, onward))


@router.post("/password", response_class=HTMLResponse, response_model=None)
async def change_password(
    session: MayChangePasswordDep, request: Request, form: CsrfFormDep, container: ContainerDep
) -> Response:
    """Replace the password; the account's other sessions end and this one starts afresh."""
    values = {name: _field(form, name) for name in PASSWORD_FIELDS}
    onward = local_console_page(_field(form, "next"))
    problems = _unstorable(values, PASSWORD_FIELDS)
    if problems:
        return _step_page(
            request, "sign_in/password.html", _password_values(session, onward), problems, 422
        )
    try:
        result = await run_in_threadpool(
            lambda: container.accounts.change_password(
                session_token(request),
                values["current_password"],
                values["new_password"],
                values["confirm_password"],
                at=container.supervision.time_source.now(),
                request_id=request.state.request_id,
            )
        )
    except SessionEnded:
        raise SignInNeeded(SIGN_IN_PAGE, timed_out=True) from None
    except DomainError as refused:
        problem = [error_message(refused.code)]
        return _step_page(
            request,
            "sign_in/password.html",
            _password_values(session, onward),
            problem,
            status_of(refused),
        )
    return _onward(request, result, onward, PASSWORD_CHANGED)


# Setting up the second factor ------------------------------------------------------------------


@router.get("/second-factor", response_class=HTMLResponse)
async def second_factor_form(
    _: OwesSecondFactorDep,
    request: Request,
    container: ContainerDep,
    next_page: NextQuery = HOME_PAGE,
) -> Response:
    """A new secret as text and QR code, and the form to bind it (动态口令 → 绑定)."""
    set_up = await run_in_threadpool(
        lambda: container.accounts.new_second_factor(
            session_token(request), at=container.supervision.time_source.now()
        )
    )
    return _step_page(
        request,
        "sign_in/second_factor.html",
        _second_factor_values(set_up, local_console_page(next_page)),
    )


@router.post("/second-factor", response_class=HTMLResponse, response_model=None)
async def enrol_second_factor(
    _: OwesSecondFactorDep, request: Request, form: CsrfFormDep, container: ContainerDep
) -> Response:
    """Keep the secret once the person's app gives a valid code for it."""
    secret, code = _field(form, "secret"), _field(form, "code").strip()
    onward = local_console_page(_field(form, "next"))
    token, accounts = session_token(request), container.accounts
    at = container.supervision.time_source.now()
    problems = _unstorable({"secret": secret, "code": code}, SECOND_FACTOR_FIELDS)
    if not problems:
        try:
            result = await run_in_threadpool(
                lambda: accounts.enrol_second_factor(
                    token, secret, code, at=at, request_id=request.state.request_id
                )
            )
        except SessionEnded:
            raise SignInNeeded(SIGN_IN_PAGE, timed_out=True) from None
        except DomainError as refused:
            problems = [error_message(refused.code)]
        else:
            return _onward(request, result, onward, SECOND_FACTOR_ENROLLED)

    def shown_again() -> SecondFactorSetUp:
        """The secret the person's app may hold already; a new one if it was not ours."""
        try:
            return accounts.second_factor_set_up(token, secret, at=at)
        except DomainError:
            return accounts.new_second_factor(token, at=at)

    set_up = await run_in_threadpool(shown_again)
    return _step_page(
        request, "sign_in/second_factor.html", _second_factor_values(set_up, onward), problems, 422
    )


# Signing out -----------------------------------------------------------------------------------


@router.post("/sign-out", response_class=RedirectResponse)
async def sign_out(request: Request, _: CsrfFormDep, container: ContainerDep) -> Response:
    """End the session (退出) and forget its cookie; back to the sign-in page."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(
            lambda: container.accounts.sign_out(
                token,
                at=container.supervision.time_source.now(),
                request_id=request.state.request_id,
            )
        )
    answer = RedirectResponse(SIGN_IN_PAGE, status_code=303)
    forget_session(answer)
    flash(request, answer, SIGNED_OUT, "info")
    return answer


# Shared ----------------------------------------------------------------------------------------


def _step_page(
    request: Request,
    template: str,
    values: dict[str, object],
    problems: list[str] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A sign-in step's form with what it shows and the problems with what was sent."""
    return render(
        request,
        template,
        {**values, "problems": problems or []},
        status_code=status_code,
        headers=headers,
    )


def _password_values(session: ConsoleSession, onward: str) -> dict[str, object]:
    """The password form asks for the first password apart from a change at any time."""
    return {"first": not session.signed_in, "next": onward}


def _second_factor_values(set_up: SecondFactorSetUp, onward: str) -> dict[str, object]:
    """The secret in groups of four to copy by hand, and as a QR code to scan."""
    return {
        "secret": set_up.secret,
        "secret_groups": " ".join(
            set_up.secret[i : i + 4] for i in range(0, len(set_up.secret), 4)
        ),
        "qr_code": qr_svg(set_up.uri, QR_CODE_NAME),
        "next": onward,
    }


def local_console_page(wanted: str) -> str:
    """`wanted` if it is a console page of this service, else the home page: a link that
    signs someone in never sends them to another site or outside the console
    (`//evil.example`, `https://…`, `/console/\\evil`, `/console/../..` and the like)."""
    parts = urlsplit(wanted)
    path = unquote(parts.path)
    if (
        not wanted.startswith(HOME_PAGE)
        or parts.scheme
        or parts.netloc
        or "//" in path
        or "\\" in path
        or any(segment in (".", "..") for segment in path.split("/"))
        or why_refused(wanted) is not None
        or any(character.isspace() for character in wanted)
    ):
        return HOME_PAGE
    return wanted


def _onward(
    request: Request, result: SignInResult, onward: str, done: str | None = None
) -> RedirectResponse:
    """Hand over the step's session and go on: to the step still owed, or to `onward`."""
    if result.step is SignInStep.SIGNED_IN:
        location = onward
    else:
        location = with_next(STEP_PAGES[result.step], onward)
    answer = RedirectResponse(location, status_code=303)
    keep_session(request, answer, result.token)
    if done is not None:
        flash(request, answer, done)
    return answer


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _unstorable(values: dict[str, str], names: dict[str, str]) -> list[str]:
    """A Chinese line for each field holding a character no form field may (NUL, controls)."""
    return [
        f"{names[field]}：{error_message(INVALID_CHARACTER)}"
        for field, value in values.items()
        if why_refused(value) is not None
    ]


def _too_many(busy: TooManyRequests) -> tuple[list[str], int, dict[str, str]]:
    """Too many failures from this network: when to try again, politely."""
    wait = busy.retry_after
    when = f"{-(-wait // MINUTE)} 分钟" if wait >= MINUTE else f"{wait} 秒"
    message = f"{error_message(busy.code)}请在 {when}后再试。"
    return [message], 429, {"Retry-After": str(wait)}
