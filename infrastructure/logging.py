"""Structured logs: one JSON object per line, with the request id bound by the HTTP layer.

A line logged with an exception (`log.exception`, `exc_info=…`, from structlog or the
standard library) carries it under `exception`: type, message and frames; neither the
frames' variables nor what PostgreSQL's messages quote of statements and data.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import psycopg
import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import ExcInfo

# An exception in a JSON line: its type, message and frames, never the frames' local
# variables (they hold events' and requests' contents, personal data among them).
_TRANSFORMER = ExceptionDictTransformer(show_locals=False, use_rich=False)


def error_message(error: BaseException) -> str:
    """An exception's message, without what PostgreSQL quotes of the statement and its data
    (its LINE, DETAIL and CONTEXT may show a summary's words or a key's value)."""
    if isinstance(error, psycopg.Error) and error.diag.message_primary:
        return error.diag.message_primary
    return str(error)


def _exception_as_dicts(exc_info: ExcInfo) -> list[dict[str, Any]]:
    rendered = _TRANSFORMER(exc_info)
    messages: dict[str, str] = {}
    error, seen = exc_info[1], set()
    while error is not None and id(error) not in seen:  # the chain the transformer renders
        seen.add(id(error))
        messages[str(error)] = error_message(error)
        error = error.__cause__ or error.__context__
    for entry in rendered:
        entry["exc_value"] = messages.get(entry["exc_value"], entry["exc_value"])
    return rendered


_EXCEPTION_AS_DICT = structlog.processors.ExceptionRenderer(_exception_as_dicts)


def configure_logging(level: str = "INFO", log_format: str = "json") -> None:
    """Route structlog and the standard library's loggers through one JSON renderer."""
    # The console renderer prints an exception itself (plainly: rich's would show locals);
    # the JSON one needs it made data.
    rendering: list[structlog.typing.Processor] = (
        [_EXCEPTION_AS_DICT, structlog.processors.JSONRenderer()]
        if log_format == "json"
        else [
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        ]
    )
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        # Dropping a record below the level first spares it the stamping and rendering (one
        # log line a request is most of a fast request's logging cost at WARNING).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Uvicorn's access log would print query strings; the service logs requests itself.
    logging.getLogger("uvicorn.access").disabled = True
    # The embedded server's start-up chatter (initdb command lines) is not operational news.
    logging.getLogger("pgserver").setLevel(max(root.level, logging.WARNING))
