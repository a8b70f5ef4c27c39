"""Request metrics: each answer timed under its route template (never the raw path, so no
id reaches a label), requests in flight, and each API command counted once by its verb and
outcome. The work per request is a clock read before and after and two counter updates."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.http.idempotency import reads_idempotency_key
from interfaces.observability import UNMATCHED_ROUTE, in_flight, observe_request

# The header IdempotentCommands puts on an answer it replays.
REPLAYED = b"idempotent-replayed"


class RequestMetrics:
    """Times every HTTP request and counts the API's commands (docs/operations.md)."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix
        self.in_flight = in_flight()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        answered = {"status": 500, "replayed": False}

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
                answered["replayed"] = (REPLAYED, b"true") in message.get("headers", [])
            await send(message)

        self.in_flight.inc()
        try:
            await self.app(scope, receive, send_status)
        finally:
            self.in_flight.dec()
            seconds = time.perf_counter() - started
            self._observe(scope, answered["status"], seconds, bool(answered["replayed"]))

    def _observe(self, scope: Scope, status: int, seconds: float, replayed: bool) -> None:
        route: Any = scope.get("route")
        template = route_template(scope)
        method = scope["method"]
        verb = None
        # A command is counted once: a retry that replays its first answer (Idempotency-Key)
        # ran nothing.
        command = reads_idempotency_key(method, scope["path"], self.prefix) and not replayed
        if route is not None and command:
            verb = getattr(route, "name", None) or template
        code = scope.get("state", {}).get("error_code")
        observe_request(method, template, status, seconds, verb, code)
        app = scope.get("app")
        container = getattr(getattr(app, "state", None), "container", None)
        if container is not None:
            container.pool_gauges.maybe_sample()


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (`/api/v1/cases/{case_id}/close`), or
    `unmatched`. A route of an included router is matched through its effective context,
    which holds its whole path; `scope["route"]` holds the route as its router declared it,
    without the prefix it was included under."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path or UNMATCHED_ROUTE
