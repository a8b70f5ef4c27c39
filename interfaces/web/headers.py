"""Security headers of every page: a Content-Security-Policy without inline script, no
framing, no sniffing, and the Referer kept for the service's own requests."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # Not no-referrer: with it a browser sends `Origin: null` on form POSTs, which the form
    # check (csrf.py) must refuse.
    (b"referrer-policy", b"same-origin"),
]
# Static files are checked again on each use (ETag), so a new release is seen at once.
STATIC_HEADERS: list[tuple[bytes, bytes]] = [(b"cache-control", b"no-cache")]


class PageSecurityHeaders:
    """Sets the page headers on every answer to a page path, replacing the API's own."""

    def __init__(
        self, app: ASGIApp, is_page: Callable[[str], bool], static_prefix: str = "/static/"
    ) -> None:
        self.app = app
        self.is_page = is_page
        self.static_prefix = static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.is_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        added = PAGE_HEADERS
        if scope["path"].startswith(self.static_prefix):
            added = [*PAGE_HEADERS, *STATIC_HEADERS]
        replaced = {name for name, _ in added}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", []) if h[0].lower() not in replaced]
                message["headers"] = [*kept, *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)
