"""One place that turns refusals into HTTP answers: {"error": {"code", "message"}}."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from application.base import StorageUnavailable
from application.public_status import TooManyRequests
from domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

log = structlog.get_logger("oversight.http")

STATUS_BY_KIND: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (Invalid, 422),
)

HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


class NotAuthenticated(DomainError):
    """No bearer token, or one the service does not know."""

    code = "not_authenticated"


class RoleNotAllowed(Forbidden):
    """The caller's role may not use this route."""

    code = "role_not_allowed"


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def status_of(error: DomainError) -> int:
    if isinstance(error, NotAuthenticated):
        return 401
    if isinstance(error, TooManyRequests):
        return 429
    if isinstance(error, StorageUnavailable):
        return 503
    return next((status for kind, status in STATUS_BY_KIND if isinstance(error, kind)), 409)


def error_response(error: DomainError) -> JSONResponse:
    """The answer to a refusal, with the headers its status documents."""
    status = status_of(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, TooManyRequests | StorageUnavailable):
        headers = {"Retry-After": str(error.retry_after)}
    return JSONResponse(error_body(error.code, error.message), status_code=status, headers=headers)


async def _domain_error(_: Request, error: DomainError) -> JSONResponse:
    return error_response(error)


async def _validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
    fields = [
        {
            "field": ".".join(str(part) for part in item.get("loc", ())),
            "message": item.get("msg", ""),
            "type": item.get("type", ""),
        }
        for item in error.errors()
    ]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return JSONResponse(
        error_body("invalid_request", f"the request is not valid: {summary}", fields=fields),
        status_code=422,
    )


async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    code = HTTP_CODES.get(error.status_code, "http_error")
    headers = getattr(error, "headers", None)
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return JSONResponse(
        error_body(code, str(error.detail)), status_code=error.status_code, headers=headers
    )


def _allowed_methods(request: Request) -> str:
    """Every method of the path, not only the first route's: Starlette's 405 names the
    methods of the one route it tried, though GET and POST of a path are two routes."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


async def _unexpected_error(_: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected_error", error_type=type(error).__name__)
    return JSONResponse(
        error_body("internal_error", "the service failed to answer; the failure was logged"),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every refusal the same way on every route."""
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
