"""Flash messages: one short message for the next page a visitor sees, after a redirect.

Kept in a signed cookie, so no session is needed: `flash(response, text)` on the redirect,
and the layout shows it on the next page, which clears the cookie (templating.render).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from starlette.responses import Response

from interfaces.web.cookies import set_page_cookie

FLASH_COOKIE = "oversight_flash"
# Long enough to follow a redirect; a message not shown by then is stale.
FLASH_SECONDS = 60

Level = Literal["success", "info", "error"]


@dataclass(frozen=True)
class Flash:
    """A message for the next page, with how it should look."""

    text: str
    level: Level = "success"


def flash(request: Request, response: Response, text: str, level: Level = "success") -> None:
    """Leave `text` for the next page this visitor sees."""
    signer = request.app.state.container.cookie_signer
    message = signer.sign(json.dumps([level, text], ensure_ascii=True))
    set_page_cookie(request, response, FLASH_COOKIE, message, max_age=FLASH_SECONDS)


def pop_flash(request: Request) -> Flash | None:
    """The message left for this page, if it is one the service signed."""
    held = request.cookies.get(FLASH_COOKIE)
    text = request.app.state.container.cookie_signer.unsign(held) if held else None
    if text is None:
        return None
    try:
        level, message = json.loads(text)
    except (ValueError, TypeError):
        return None
    if level not in ("success", "info", "error") or not isinstance(message, str):
        return None
    return Flash(message, level)


def forget_flash(request: Request, response: Response) -> None:
    """A shown message is not shown again."""
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
