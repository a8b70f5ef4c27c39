"""The administrator's account pages (§12): every account, a form to create one (用户名, 姓名,
角色, 所属部门, 创建账号), a password reset and disabling, each confirmed; the one-time
password shown once on the page that follows, with the same verbs as `oversight account`."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.accounts import Accounts, AccountSummary, OneTimePassword
from domain.account import AccountNotFound
from domain.actor import Actor, Role
from domain.labels import error_message
from interfaces.http.deps import ContainerDep
from interfaces.web.admin import admin_router, role_choices, role_form_page, run_confirmed
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import back_to, form_text, refused_or_done, shown
from interfaces.web.session import AdminPersonDep, acting
from interfaces.web.shown_once import hand_over, page_showing_once

router = admin_router("accounts")

PAGE = "/console/admin/accounts"
# The one-time password rides to its page as shown_once.py says.
PASSWORD_COOKIE = "oversight_one_time_password"  # noqa: S105 (a name, not a secret)
FORM_NAMES = ("username", "name", "role", "department")


@router.get("", response_class=HTMLResponse)
async def accounts_page(
    request: Request, person: AdminPersonDep, container: ContainerDep
) -> HTMLResponse:
    """Every account, oldest first, and the form to create one."""
    return await _page(request, person, container, {"role": Role.OPERATOR.value}, [])


@router.post("", response_class=HTMLResponse, response_model=None)
async def create_account(
    request: Request, form: CsrfFormDep, person: AdminPersonDep, container: ContainerDep
) -> Response:
    """Create the account (创建账号); its one-time password is shown on the next page."""
    values = {name: form_text(form, name) for name in FORM_NAMES}
    role = values["role"]
    if role not in role_choices():
        problem = error_message("invalid_account_role")
        return await _page(request, person, container, values, [problem], status_code=422)
    by = acting(request, person)
    issued = await refused_or_done(
        lambda: container.accounts.create_account(
            username=values["username"] or "",
            name=values["name"] or "",
            role=Role(role),
            department=values["department"],
            by=by,
        )
    )
    if isinstance(issued, str):
        return await _page(request, person, container, values, [issued], status_code=422)
    return _to_password_page(request, person.account_id, issued)


@router.post("/{username}/reset-password", response_class=RedirectResponse)
async def reset_password(
    request: Request,
    username: str,
    form: CsrfFormDep,
    person: AdminPersonDep,
    container: ContainerDep,
) -> Response:
    """Give the account a new one-time password (重置密码), once confirmed; its sessions end."""
    by = acting(request, person)
    return await run_confirmed(
        request,
        form,
        PAGE,
        lambda: container.accounts.reset_password(username, by=by),
        lambda issued: _to_password_page(request, person.account_id, issued),
    )


@router.post("/{username}/disable", response_class=RedirectResponse)
async def disable_account(
    request: Request,
    username: str,
    form: CsrfFormDep,
    person: AdminPersonDep,
    container: ContainerDep,
) -> Response:
    """Disable the account (停用), once confirmed: nobody signs in with it; its sessions end."""
    by = acting(request, person)
    return await run_confirmed(
        request,
        form,
        PAGE,
        lambda: container.accounts.disable_account(username, by=by),
        lambda done: back_to(
            request, PAGE, f"已停用账号 {done.username}（{done.name}）。", refused=False
        ),
    )


@router.get("/{username}/password", response_class=HTMLResponse)
async def one_time_password_page(
    request: Request, username: str, person: AdminPersonDep, container: ContainerDep
) -> HTMLResponse:
    """The account's one-time password, this once, large, to hand over."""
    by = acting(request, person)
    account = await run_in_threadpool(_account_named, container.accounts, username, by)
    return page_showing_once(
        request,
        PASSWORD_COOKIE,
        [username, str(person.account_id)],
        "admin/one_time_password.html",
        {"account": account},
        shown_as="password",
        person=shown(person),
    )


def _account_named(accounts: Accounts, username: str, by: Actor) -> AccountSummary:
    found = (a for a in accounts.list_accounts(viewer=by) if a.username == username)
    account = next(found, None)
    if account is None:
        raise AccountNotFound(f"there is no account {username!r}")
    return account


def _to_password_page(request: Request, admin: UUID, issued: OneTimePassword) -> Response:
    username = issued.account.username
    page = f"{PAGE}/{username}/password"
    return hand_over(request, page, PASSWORD_COOKIE, [username, str(admin)], issued.password)


async def _page(
    request: Request,
    person: AdminPersonDep,
    container: ContainerDep,
    values: dict[str, str | None],
    problems: list[str],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    by = acting(request, person)
    accounts = await run_in_threadpool(container.accounts.list_accounts, viewer=by)
    listed = {
        "accounts": accounts,
        "now": container.supervision.time_source.now(),
        # An administrator does not reset or disable their own account here.
        "me": person.account_id,
    }
    return await role_form_page(
        request,
        person,
        container.supervision,
        "admin/accounts.html",
        listed,
        values,
        problems,
        status_code,
    )
