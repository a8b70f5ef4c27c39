"""Admission control on the public routes: a flood of citizens (or of anyone) holds only a
bounded number of requests in an API process, and what it cannot have is refused at once,
cheaply, rather than answered slowly.

Per-client limits (OVERSIGHT_PUBLIC_RATE_LIMIT) do not help against many clients; this bound
is on the process: at most `max_in_flight` public requests are being answered at once, and the
next one is answered 503 `public_busy` with `Retry-After` before it is parsed, routed or sent
to the database. Staff routes never pass through it. Answering even a refusal takes the
process's time, and a flood at the machine's limit only comes faster for quick answers: so
the bound is off unless set, and is meant for the public paths' own process (`oversight
serve --public-port`), where refusing costs the staff nothing (docs/operations.md, "A
public flood").
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from domain.labels import error_message
from interfaces.http.errors import PUBLIC_BUSY, error_body
from interfaces.observability import public_shed

PUBLIC_BUSY_MESSAGE = "the public service is busy; try again in a moment"
PUBLIC_BUSY_LABEL = error_message(PUBLIC_BUSY)
STATUS_PAGE = "/status"
# Seconds a shed client is asked to wait: the flood's requests are answered in milliseconds,
# so room is back within one.
RETRY_AFTER_SECONDS = 1


class PublicAdmission:
    """Sheds public requests past a per-process bound on those in flight (503 `public_busy`)."""

    def __init__(self, app: ASGIApp, max_in_flight: Callable[[], int], api_prefix: str) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.api_public = f"{api_prefix}/public/"
        self.in_flight = 0

    def covers(self, path: str) -> bool:
        """The API's `/public/*` routes and the public status page."""
        return path.startswith(self.api_public) or path == STATUS_PAGE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.covers(scope["path"]):
            await self.app(scope, receive, send)
            return
        bound = self.max_in_flight()
        if bound and self.in_flight >= bound:
            public_shed()
            scope.setdefault("state", {})["error_code"] = PUBLIC_BUSY
            await _send_busy(send, page=scope["path"] == STATUS_PAGE)
            return
        # One event loop per process: the count needs no lock.
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


# Made once: a shed answer costs no rendering. The page is the citizen's, in Chinese.
_BUSY_JSON = json.dumps(error_body(PUBLIC_BUSY, PUBLIC_BUSY_MESSAGE)).encode()
_BUSY_PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    f"<title>服务暂时繁忙</title></head><body><h1>服务暂时繁忙</h1><p>{PUBLIC_BUSY_LABEL}"
    f'请在 {RETRY_AFTER_SECONDS} 秒后再试。</p><p><a href="/status">返回查询</a></p></body></html>'
).encode()


async def _send_busy(send: Send, *, page: bool) -> None:
    body, content_type = (
        (_BUSY_PAGE, b"text/html; charset=utf-8") if page else (_BUSY_JSON, b"application/json")
    )
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
