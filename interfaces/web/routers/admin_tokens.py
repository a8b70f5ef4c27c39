"""The administrator's API tokens page (§11, §12): every token issued (never its secret), a
form to issue one (角色, 所属部门, 用途, 创建令牌) whose token is shown once on the page that
follows, and revocation with a reason, confirmed; the same verbs as `oversight token`."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.access import TokenSummary
from application.supervision import Supervision
from domain.access import TokenNotFound
from domain.actor import Role
from domain.labels import LABELS
from interfaces.http.deps import SupervisionDep
from interfaces.http.schemas.cases import DIRECTORY_ID, Strict
from interfaces.web.admin import admin_router, role_choices, role_form_page, run_confirmed
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import (
    back_to,
    form_text,
    reason_or_back,
    refused_or_done,
    shown,
)
from interfaces.web.forms import read_form
from interfaces.web.session import AdminPersonDep, acting
from interfaces.web.shown_once import hand_over, page_showing_once

router = admin_router("tokens")

PAGE = "/console/admin/tokens"
# The new token rides to its page as shown_once.py says.
TOKEN_COOKIE = "oversight_new_token"  # noqa: S105 (a name, not a secret)
FIELDS = {"role": "角色", "department": "所属部门", "name": "用途", "reason": "吊销原因"}


class TokenRequest(Strict):
    """A token to issue, as the form asks for it."""

    role: Role
    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    name: str = Field(default="", max_length=100)


@router.get("", response_class=HTMLResponse)
async def tokens_page(
    request: Request, person: AdminPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """Every token issued, oldest first, and the form to issue one."""
    return await _page(request, person, app, {"role": Role.OPERATOR.value}, [])


@router.post("", response_class=HTMLResponse, response_model=None)
async def issue_token(
    request: Request, form: CsrfFormDep, person: AdminPersonDep, app: SupervisionDep
) -> Response:
    """Issue the token (创建令牌); it is shown once, on the next page."""
    values = {name: form_text(form, name) for name in ("role", "department", "name")}
    body = read_form(TokenRequest, {k: v for k, v in values.items() if v is not None}, FIELDS)
    if isinstance(body, list):
        return await _page(request, person, app, values, body, status_code=422)
    by = acting(request, person)
    issued = await refused_or_done(
        lambda: app.issue_token(role=body.role, department=body.department, name=body.name, by=by)
    )
    if isinstance(issued, str):
        return await _page(request, person, app, values, [issued], status_code=422)
    page = f"{PAGE}/{issued.id}/issued"
    return hand_over(
        request, page, TOKEN_COOKIE, [str(issued.id), str(person.account_id)], issued.token
    )


@router.get("/{token_id}/issued", response_class=HTMLResponse)
async def issued_token_page(
    request: Request, token_id: UUID, person: AdminPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The new token, this once, to copy into the machine that will use it."""
    token = await run_in_threadpool(_token, app, token_id)
    return page_showing_once(
        request,
        TOKEN_COOKIE,
        [str(token_id), str(person.account_id)],
        "admin/issued_token.html",
        {"token": token},
        shown_as="secret",
        person=shown(person),
    )


@router.post("/{token_id}/revoke", response_class=RedirectResponse)
async def revoke_token(
    request: Request, token_id: UUID, form: CsrfFormDep, person: AdminPersonDep, app: SupervisionDep
) -> Response:
    """Revoke the token (吊销) with the reason, once confirmed: the API refuses it from now on."""
    body = reason_or_back(request, form, PAGE, FIELDS)
    if isinstance(body, RedirectResponse):
        return body
    by = acting(request, person)
    return await run_confirmed(
        request,
        form,
        PAGE,
        lambda: app.revoke_token(token_id, reason=body.reason, by=by),
        lambda revoked: back_to(request, PAGE, f"已吊销令牌“{revoked.name}”。", refused=False),
    )


def _token(app: Supervision, token_id: UUID) -> TokenSummary:
    found = next((token for token in app.list_tokens() if token.id == token_id), None)
    if found is None:
        raise TokenNotFound(f"no token {token_id}")
    return found


async def _page(
    request: Request,
    person: AdminPersonDep,
    app: SupervisionDep,
    values: dict[str, str | None],
    problems: list[str],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    listed = {"tokens": await run_in_threadpool(app.list_tokens)}
    return await role_form_page(
        request,
        person,
        app,
        "admin/tokens.html",
        listed,
        values,
        problems,
        status_code,
        # Tokens also go to Prometheus (监控: GET /metrics only), which no person's account may.
        roles={**role_choices(), Role.MONITOR.value: LABELS["role"][Role.MONITOR.value]},
    )
