"""Refusals on the pages: the same mapping as the API's (interfaces/http/errors.py), shown as a
page in Chinese. Requests to the JSON API keep their JSON errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response

from application.public_status import TooManyRequests
from domain.errors import DomainError
from domain.labels import error_message
from interfaces.http.errors import HTTP_CODES, OTHER_HTTP_ERROR, error_response
from interfaces.http.schemas.text import INVALID_CHARACTER
from interfaces.web.templating import render

log = structlog.get_logger("oversight.web")

TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无法完成操作",
    404: "页面不存在",
    405: "不支持此操作",
    409: "无法完成操作",
    413: "提交的内容过大",
    422: "提交的内容有误",
    429: "请稍候再试",
    500: "服务暂时出现故障",
    503: "服务暂时繁忙",
}
PAGE_NOT_FOUND = "未找到您要的页面，请检查网址，或从首页重新进入。"

Handler = Callable[[Request, Any], Awaitable[Response]]


def error_page(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """A refusal as a page: what went wrong, in Chinese, and the way back."""
    return render(
        request,
        "error.html",
        {"status": status, "title": TITLES.get(status, "无法完成操作"), "message": message},
        status_code=status,
        headers=headers,
    )


def _domain_error(request: Request, error: DomainError) -> Response:
    answer = error_response(error)  # the API's status and headers for the same refusal
    message = error_message(error.code)
    if isinstance(error, TooManyRequests):
        message = f"{message}请在 {error.retry_after} 秒后再试。"
    headers = {name: answer.headers[name] for name in ("Retry-After",) if name in answer.headers}
    return error_page(request, answer.status_code, message, headers)


def _validation_error(request: Request, error: RequestValidationError) -> Response:
    refused = any(item.get("type") == INVALID_CHARACTER for item in error.errors())
    code = INVALID_CHARACTER if refused else "invalid_request"
    return error_page(request, 422, error_message(code))


def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    if error.status_code == 404:
        return error_page(request, 404, PAGE_NOT_FOUND)
    code = getattr(error, "code", None) or HTTP_CODES.get(error.status_code, OTHER_HTTP_ERROR)
    return error_page(request, error.status_code, error_message(code), error.headers)


def _unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unexpected_error", error_type=type(error).__name__)
    return error_page(request, 500, error_message("internal_error"))


def install_page_errors(app: FastAPI, is_page: Callable[[str], bool]) -> None:
    """Refusals on pages become Chinese pages; the API's handlers still answer the API."""
    for kind, page in (
        (DomainError, _domain_error),
        (RequestValidationError, _validation_error),
        (StarletteHTTPException, _http_error),
        (Exception, _unexpected_error),
    ):
        app.add_exception_handler(kind, _page_or_json(app.exception_handlers[kind], page, is_page))


def _page_or_json(
    json_handler: Handler, page: Callable[[Request, Any], Response], is_page: Callable[[str], bool]
) -> Handler:
    async def handler(request: Request, error: Any) -> Response:
        if is_page(request.url.path):
            return page(request, error)
        return await json_handler(request, error)

    return handler
