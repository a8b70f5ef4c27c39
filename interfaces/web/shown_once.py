"""A secret shown once, on the page after the form that made it: a case's access code, an
account's one-time password, an API token.

It rides the redirect in a signed cookie of that page's path alone, for a minute, bound to
what it belongs to (the case or account, and the person who made it); never in an address or
a log. The page reads it and takes the cookie back, so a reload shows it no more.
"""

from __future__ import annotations

import json

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse

from interfaces.web.cookies import set_page_cookie
from interfaces.web.templating import Person, render

SHOWN_ONCE_SECONDS = 60


def hand_over(
    request: Request, page: str, cookie: str, bound_to: list[str], secret: str
) -> RedirectResponse:
    """A redirect to `page` carrying `secret`, for the page to show once to `bound_to`."""
    answer = RedirectResponse(page, status_code=303)
    signer = request.app.state.container.cookie_signer
    held = signer.sign(json.dumps([*bound_to, secret]))
    set_page_cookie(
        request, answer, cookie, held, path=page, max_age=SHOWN_ONCE_SECONDS, samesite="strict"
    )
    return answer


def _held_secret(request: Request, cookie: str, bound_to: list[str]) -> str | None:
    """The secret the form left for this page, if the service signed it and it is bound to
    exactly `bound_to`; else None."""
    held = request.cookies.get(cookie)
    text = request.app.state.container.cookie_signer.unsign(held) if held else None
    try:
        values = json.loads(text) if text else None
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or not values or values[:-1] != bound_to:
        return None
    secret = values[-1]
    return secret if isinstance(secret, str) else None


def page_showing_once(
    request: Request,
    cookie: str,
    bound_to: list[str],
    template: str,
    context: dict[str, object],
    *,
    shown_as: str,
    person: Person,
) -> HTMLResponse:
    """The page after the form: `template` with `context` and, as `shown_as`, the secret the
    form left for `bound_to` (None once shown); its cookie is taken back."""
    secret = _held_secret(request, cookie, bound_to)
    answer = render(request, template, {**context, shown_as: secret}, person=person)
    # Shown now: without its cookie a reload shows the secret no more.
    answer.delete_cookie(cookie, path=request.url.path)
    return answer
