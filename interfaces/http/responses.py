"""The refusals the routes document in the OpenAPI, each in the one error shape (§11).

Routes and routers name these bundles in `responses=`; the shape, the descriptions and the
headers sent with each status live here once, next to the model of the body.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from interfaces.http.errors import every_error_code

Responses = dict[int | str, dict[str, Any]]


class FieldProblemPublic(BaseModel):
    """One problem with one part of a request that is not valid."""

    field: str = Field(description="where, e.g. `body.summary`, `query.limit`, `path.case_id`")
    message: str
    type: str = Field(description="the kind of problem, e.g. `missing`, `string_too_long`")


def _every_code(schema: dict[str, Any]) -> None:
    schema["properties"]["code"]["enum"] = every_error_code()


class ErrorDetailPublic(BaseModel):
    """What was refused: a code for programs and a message for people."""

    # The codes are listed when the OpenAPI is generated, once every refusal is imported.
    model_config = ConfigDict(json_schema_extra=_every_code)

    code: str = Field(description="what was refused; docs/api.md says what each code means")
    message: str
    fields: list[FieldProblemPublic] | None = Field(
        default=None,
        description="with `invalid_request` and `invalid_character` (422) only: each part "
        "that is wrong",
    )


class ErrorPublic(BaseModel):
    """Every refusal on every route: `{"error": {"code", "message"}}`."""

    error: ErrorDetailPublic


def _header(description: str, *, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "required": True, "schema": schema}


_RETRY_AFTER = _header("seconds to wait before trying again", schema={"type": "integer"})

_REFUSALS: Responses = {
    400: {"description": "The body cannot be read as JSON text (it is not UTF-8)"},
    401: {
        "description": "No bearer token, or one the service does not know, or a token of a "
        "department retired in a reorganisation (`department_retired`)",
        "headers": {"WWW-Authenticate": _header("`Bearer`", schema={"type": "string"})},
    },
    403: {"description": "The caller's role or department may not do this"},
    404: {"description": "A record the request names does not exist"},
    409: {
        "description": "The record's state forbids this, or a request with the same "
        "Idempotency-Key is still being answered"
    },
    410: {"description": "The record existed but its personal data was erased for good"},
    413: {"description": "The request body is larger than the service accepts"},
    422: {
        "description": "The request is not valid (`invalid_request`, with `fields`), some text "
        "in it holds a character the record cannot hold (`invalid_character`, with `fields`), "
        "or it names values the records cannot accept"
    },
    429: {
        "description": "Too many requests from this client; see Retry-After",
        "headers": {"Retry-After": _RETRY_AFTER},
    },
    503: {
        "description": "The database did not answer in time; nothing was recorded, retry "
        "with the same Idempotency-Key (`storage_unavailable`); or, with `after`, the read "
        "replica has not yet replayed that position (`replica_behind`); or, with `as_of`, the "
        "read side has not yet got as far as that instant (`as_of_not_projected`)",
        "headers": {"Retry-After": _RETRY_AFTER},
    },
}


def refusals(*statuses: int) -> Responses:
    """The documented answers for these statuses, each with the error body."""
    return {status: {**_REFUSALS[status], "model": ErrorPublic} for status in statuses}


# Any route: the body limit, a parameter or header holding a character the record cannot
# hold, and the database's own refusals.
EVERY_ROUTE = refusals(413, 422, 503)
# Routes for any signed-in role, and routes for some roles only.
# (A monitor token signs in but may not use them: 403, as every route but GET /metrics.)
SIGNED_IN = refusals(401, 403)
SOME_ROLES = refusals(401, 403)
# Routes that validate query or path parameters or a body.
VALIDATED = refusals(422)
# Routes naming one record in the path.
ONE_RECORD = refusals(404, 422)
# Every POST: the Idempotency-Key may be malformed (422) or still in flight (409), and a
# command may meet a record whose state forbids it; one that reads a body may find it is
# not text at all (400).
COMMAND = refusals(400, 409, 422)
COMMAND_ON_A_RECORD = refusals(400, 404, 409, 422)
COMMAND_WITHOUT_BODY = refusals(409, 422)
COMMAND_ON_A_RECORD_WITHOUT_BODY = refusals(404, 409, 422)
# Routes anyone may call, limited per client.
RATE_LIMITED = refusals(429)
