"""Cross-site request forgery: every state-changing request from a page carries the
visitor's form token and comes from the service's own origin.

The token is a double-submit cookie signed with a server key: the layout puts it in each form
(`csrf_token`) and in a meta tag that oversight.js sends as the `X-CSRF-Token` header of every
htmx request. A request is let through when the token it sends is the one its cookie holds,
the cookie verifies, and its Origin (or, without one, its Referer) is the service's own.
A console form depends on `CsrfFormDep` and receives the checked form.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from domain.errors import Forbidden
from interfaces.web.cookies import set_page_cookie

# Names, not secrets.
FORM_TOKEN_COOKIE = "oversight_form_token"  # noqa: S105
FORM_TOKEN_FIELD = "csrf_token"  # noqa: S105
FORM_TOKEN_HEADER = "X-CSRF-Token"  # noqa: S105


class FormRefused(Forbidden):
    """A state-changing request without the visitor's form token, or from another site."""

    code = "form_refused"


def form_token(request: Request) -> str:
    """The visitor's form token: the one their cookie holds when it verifies, else a new one
    (the same for the whole request)."""
    known: str | None = getattr(request.state, "form_token", None)
    if known is not None:
        return known
    signer = request.app.state.container.cookie_signer
    held = request.cookies.get(FORM_TOKEN_COOKIE)
    token = held if held and signer.unsign(held) is not None else signer.new_token()
    request.state.form_token = token
    return token


def keep_form_token(request: Request, response: Response, token: str) -> None:
    """Set the token's cookie on a page that hands out a token the visitor does not hold."""
    if request.cookies.get(FORM_TOKEN_COOKIE) != token:
        set_page_cookie(request, response, FORM_TOKEN_COOKIE, token)


def own_origin(request: Request) -> str:
    """The origin the visitor reached the service at: scheme, host and port."""
    return f"{request.url.scheme}://{request.url.netloc}"


def require_same_origin(request: Request) -> None:
    """Browsers send Origin with every form POST and htmx request (Referer as a fallback;
    the pages' Referrer-Policy `same-origin` keeps it for the service's own requests)."""
    own = own_origin(request)
    origin = request.headers.get("origin")
    if origin is not None:
        if origin != own:
            raise FormRefused("the request comes from another origin")
        return
    referer = request.headers.get("referer")
    if referer is None or not (referer == own or referer.startswith(f"{own}/")):
        raise FormRefused("the request names no origin of this service")


async def verified_form(request: Request) -> FormData:
    """The form of a state-changing request, once its origin and form token are checked."""
    require_same_origin(request)
    form = await request.form()
    held = request.cookies.get(FORM_TOKEN_COOKIE)
    sent = request.headers.get(FORM_TOKEN_HEADER) or form.get(FORM_TOKEN_FIELD)
    signer = request.app.state.container.cookie_signer
    if (
        not held
        or not isinstance(sent, str)
        or signer.unsign(held) is None
        # Bytes: compare_digest takes only ASCII text, and a request may send any character.
        or not hmac.compare_digest(held.encode("utf-8", "replace"), sent.encode("utf-8", "replace"))
    ):
        raise FormRefused("the form token is missing or not this visitor's")
    return form


CsrfFormDep = Annotated[FormData, Depends(verified_form)]
