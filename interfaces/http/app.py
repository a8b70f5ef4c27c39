"""The FastAPI application: routers under /api/v1, one error mapping, request ids in logs."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import anyio.to_thread
import structlog
from fastapi import Depends, FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.bootstrap import Container, bootstrap, freeze_startup_heap
from interfaces.http.admission import PublicAdmission
from interfaces.http.deps import storable_parameters
from interfaces.http.documentation import documented_api
from interfaces.http.errors import HTTP_CODES, error_body, install_error_handlers
from interfaces.http.idempotency import IdempotentCommands
from interfaces.http.request_metrics import RequestMetrics
from interfaces.http.responses import EVERY_ROUTE, refusals
from interfaces.http.routers import (
    administration,
    answer_templates,
    appeals,
    audit,
    boards,
    calendar,
    cases,
    directory,
    discipline,
    escalation,
    evaluations,
    health,
    orders,
    privacy,
    public,
)
from interfaces.http.routers import assessments as assessment_routes
from interfaces.http.routers import attachments as attachment_routes
from interfaces.http.routers import items as item_routes
from interfaces.http.routers import notices as notice_routes
from interfaces.http.routers import outbox as outbox_routes
from interfaces.http.routers import post_cover as post_cover_routes
from interfaces.http.routers import prometheus as prometheus_routes
from interfaces.http.routers import surveys as survey_routes
from interfaces.http.routers import visits as visit_routes
from interfaces.http.uploads import answered_as_a_page, upload_body_limit, upload_too_large
from interfaces.web import mount_console

API_PREFIX = "/api/v1"
REQUEST_ID_HEADER = b"x-request-id"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]

log = structlog.get_logger("oversight.http")


class RequestContext:
    """Gives every request an id, logs it without personal data, and bounds its body size."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: Callable[[], int],
        max_attachment_bytes: Callable[[], int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_attachment_bytes = max_attachment_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        request_id = _clean_request_id(headers.get(REQUEST_ID_HEADER)) or uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}
        limit = self.max_body_bytes()
        refusal: dict[str, Any] | None = None  # built when a body is refused, not before
        # Evidence files (§17): an upload may carry up to the attachment limit.
        attachment_bytes = self.max_attachment_bytes() if self.max_attachment_bytes else None
        upload_limit = attachment_bytes and upload_body_limit(scope, attachment_bytes)
        if attachment_bytes and upload_limit:
            limit, refusal = upload_limit, upload_too_large(attachment_bytes)
        declared = headers.get(b"content-length")
        early = not (upload_limit and answered_as_a_page(scope))
        if early and declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, refusal or _too_large(limit), request_id)
            return

        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, refusal)
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, request_id.encode()),
                    *SECURITY_HEADERS,
                ]
            await send(message)

        try:
            await self.app(scope, bounded_receive, send_with_headers)
        except BodyTooLarge:
            status_holder["status"] = 413
            await _send_json(send, 413, refusal or _too_large(limit), request_id)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status_holder["status"],
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.unbind_contextvars("request_id")


class BodyTooLarge(StarletteHTTPException):
    """The request body grew past the limit while it was read.

    An HTTPException, so that FastAPI, reading a route's body, hands it to the error mapping
    (413) rather than answering 400 for a body it could not parse.
    """

    def __init__(self, limit: int, refusal: dict[str, Any] | None = None) -> None:
        refusal = refusal or _too_large(limit)
        super().__init__(413, refusal["error"]["message"])
        self.code = refusal["error"]["code"]


def _too_large(limit: int) -> dict[str, Any]:
    return error_body(HTTP_CODES[413], f"request bodies are limited to {limit} bytes")


def _clean_request_id(raw: bytes | None) -> str | None:
    if not raw:
        return None
    text = raw.decode("latin-1")[:64]
    return text if text.replace("-", "").replace("_", "").isalnum() else None


async def _send_json(send: Send, status: int, body: dict[str, Any], request_id: str) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (REQUEST_ID_HEADER, request_id.encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def create_app(container: Container | None = None, *, serving: bool = False) -> FastAPI:
    """The API; with no container given, one is bootstrapped from settings at start-up.

    `serving` says the process exists to serve this app (`oversight serve`), as it does when
    the app bootstraps its own container; a test's app shares its process with the tests.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        app.state.container = container or await anyio.to_thread.run_sync(bootstrap)
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = app.state.container.settings.api_threads
        await app.state.container.reads.open()
        await app.state.container.public_reads.open()
        listener = app.state.container.public_view_listener
        if listener is not None:
            listener.start()
        if owned or serving:
            freeze_startup_heap()
        try:
            yield
        finally:
            await app.state.container.public_reads.close()
            if listener is not None:
                await listener.stop()
            await app.state.container.reads.close()
            if owned:
                app.state.container.close()

    app = documented_api(
        API_PREFIX,
        title="Oversight",
        summary="Complaint and supervision records of a government service centre (政务服务中心)",
        version="0.1.0",
        lifespan=lifespan,
    )
    if container is not None:
        app.state.container = container
    install_error_handlers(app)
    # Routes are matched in order: the public status route, the busiest by far, goes first.
    for router in (
        public.router,
        cases.router,
        directory.router,
        boards.router,
        calendar.router,
        privacy.router,
        discipline.router,
        audit.router,
        orders.router,
        evaluations.router,
        answer_templates.router,
        administration.router,
        appeals.router,
        notice_routes.router,  # notices (通报, §15)
        notice_routes.drafts_router,
        visit_routes.router,  # inspection visits (暗访巡查, §16)
        outbox_routes.router,  # the notifications' outbox (外发消息, §17)
        outbox_routes.case_router,
        escalation.router,
        survey_routes.router,  # satisfaction surveys (满意度调查, §16)
        post_cover_routes.absences_router,  # A/B post cover (AB岗, §16)
        post_cover_routes.router,
        assessment_routes.router,  # staff assessments (千人千题, §16)
        item_routes.router,  # the item catalogue (事项清单, §16)
        item_routes.metrics_router,
        attachment_routes.router,  # evidence files (附件, §17)
    ):
        app.include_router(
            router,
            prefix=API_PREFIX,
            responses=EVERY_ROUTE,
            dependencies=[Depends(storable_parameters)],
        )
    app.include_router(health.router, responses=refusals(413))
    app.include_router(prometheus_routes.router, responses=refusals(413))  # GET /metrics
    app.add_middleware(
        IdempotentCommands,  # type: ignore[arg-type]
        store=lambda: app.state.container.idempotency,
        now=lambda: app.state.container.supervision.time_source.now(),
        prefix=API_PREFIX,
    )
    # Before the body is read or a route matched: a shed public request costs next to nothing.
    app.add_middleware(
        PublicAdmission,  # type: ignore[arg-type]
        max_in_flight=lambda: app.state.container.settings.public_max_in_flight,
        api_prefix=API_PREFIX,
    )
    app.add_middleware(
        RequestContext,  # type: ignore[arg-type]
        max_body_bytes=lambda: app.state.container.settings.max_body_bytes,
        max_attachment_bytes=lambda: app.state.container.settings.max_attachment_bytes,
    )
    # Outermost: times every answer, the refusals of the middlewares above included.
    app.add_middleware(RequestMetrics, prefix=API_PREFIX)  # type: ignore[arg-type]
    mount_console(app)
    return app
