"""One place that turns refusals into HTTP answers: {"error": {"code", "message"}}."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from application.base import StorageUnavailable
from application.public_status import TooManyRequests
from domain.attachment import AttachmentTooLarge, UnsupportedFileType
from domain.errors import Conflict, DomainError, Forbidden, Gone, Invalid, NotFound
from domain.text import storable
from interfaces.http.schemas.text import INVALID_CHARACTER

log = structlog.get_logger("oversight.http")

STATUS_BY_KIND: tuple[tuple[type[DomainError], int], ...] = (
    # Evidence files (§17): first, before the kinds they are.
    (AttachmentTooLarge, 413),
    (UnsupportedFileType, 415),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (Invalid, 422),
    (Gone, 410),
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
# Codes this module and the middlewares answer with themselves, beside each refusal's own.
INVALID_REQUEST = "invalid_request"
INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
INTERNAL_ERROR = "internal_error"
PUBLIC_BUSY = "public_busy"  # the public routes' admission control (interfaces/http/admission.py)
OTHER_HTTP_ERROR = "http_error"  # a status HTTP_CODES does not name
# The layers an API request runs through; the simulation's refusals are the demo's.
SERVING_LAYERS = frozenset({"domain", "application", "infrastructure", "interfaces"})
# Where a part of a request comes from, as the first element of a validation error's `loc`.
REQUEST_PARTS = frozenset({"body", "query", "path", "header", "cookie"})


class NotAuthenticated(DomainError):
    """No bearer token, or one the service does not know."""

    code = "not_authenticated"


class TokenOfRetiredDepartment(NotAuthenticated):
    """A token of a department the directory retired (机构改革): it no longer signs in."""

    code = "department_retired"


class RoleNotAllowed(Forbidden):
    """The caller's role may not use this route."""

    code = "role_not_allowed"


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def every_error_code() -> list[str]:
    """Every `code` an answer of the API may carry, sorted: each refusal's own, the HTTP
    statuses', and those answered here and by the middlewares."""
    refusals = {kind.code for kind in _kinds_of(DomainError) if _serving(kind)}
    edge = {
        INVALID_REQUEST,
        INVALID_CHARACTER,
        INVALID_IDEMPOTENCY_KEY,
        INTERNAL_ERROR,
        PUBLIC_BUSY,
    }
    return sorted({*refusals, *HTTP_CODES.values(), *edge, OTHER_HTTP_ERROR})


def _kinds_of(kind: type[DomainError]) -> Iterator[type[DomainError]]:
    yield kind
    for subclass in kind.__subclasses__():
        yield from _kinds_of(subclass)


def _serving(kind: type[DomainError]) -> bool:
    return kind.__module__.partition(".")[0] in SERVING_LAYERS


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


async def _domain_error(request: Request, error: DomainError) -> JSONResponse:
    return _remember_code(request, error_response(error), error.code)


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    answer = validation_response(error.errors())
    refused = any(item.get("type") == INVALID_CHARACTER for item in error.errors())
    return _remember_code(request, answer, INVALID_CHARACTER if refused else INVALID_REQUEST)


def _remember_code(request: Request, answer: JSONResponse, code: str) -> JSONResponse:
    """Keep the answer's code where the metrics middleware reads it (commands by outcome)."""
    request.state.error_code = code
    return answer


def validation_response(errors: Sequence[Mapping[str, Any]]) -> JSONResponse:
    """422 naming each part of the request that is wrong: `invalid_character` when some text
    holds a character the record cannot hold, `invalid_request` otherwise.

    Names and messages may quote the request, so they are shown as the record would show
    them: a lone surrogate could not even be written out as UTF-8.
    """
    fields = [
        {
            "field": storable(".".join(str(part) for part in item.get("loc", ()))),
            "message": storable(str(item.get("msg", ""))),
            "type": item.get("type", ""),
        }
        for item in errors
    ]
    refused = [f for f in fields if f["type"] == INVALID_CHARACTER]
    if refused:
        lines = dict.fromkeys(f"{_named(f['field'])}: {f['message']}" for f in refused)
        return JSONResponse(
            error_body(INVALID_CHARACTER, "; ".join(list(lines)[:5]), fields=fields),
            status_code=422,
        )
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return JSONResponse(
        error_body(INVALID_REQUEST, f"the request is not valid: {summary}", fields=fields),
        status_code=422,
    )


def _named(field: str) -> str:
    """A field as its sender names it: `summary`, not `body.summary`."""
    where, _, name = field.partition(".")
    return name if where in REQUEST_PARTS and name else field


async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    code = getattr(error, "code", None) or HTTP_CODES.get(error.status_code, OTHER_HTTP_ERROR)
    headers = getattr(error, "headers", None)
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return _remember_code(
        request,
        JSONResponse(
            error_body(code, str(error.detail)), status_code=error.status_code, headers=headers
        ),
        code,
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


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected_error", error_type=type(error).__name__)
    return _remember_code(
        request,
        JSONResponse(
            error_body(INTERNAL_ERROR, "the service failed to answer; the failure was logged"),
            status_code=500,
        ),
        INTERNAL_ERROR,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every refusal the same way on every route."""
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
