"""Text a request may carry: only what the record can hold (domain/text.py).

Every request body derives from `RequestBody`, so any text in any of its fields, however the
field is typed, is refused before the field's own checks: the error type `invalid_character`,
answered as 422 `invalid_character`. Path and query parameters and the headers the service
reads are checked where they are read (interfaces/http/deps.py, idempotency.py). The OpenAPI
says so with a `pattern` on every text property that has none of its own.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from domain.text import UNSTORABLE, storable, why_refused

INVALID_CHARACTER = "invalid_character"


def _documented(unstorable: str) -> str:
    """The body of the character class `unstorable` (single characters and `a-b` ranges), as
    escapes ECMA-262 and Python read alike, lone surrogates left out: no UTF-8 JSON text holds
    one, and a regex engine over Unicode scalar values (Rust's, which schemathesis validates
    with) cannot name them, so it would drop the whole pattern."""
    body, ranges = unstorable.removeprefix("[").removesuffix("]"), []
    while body:
        if body[1:2] == "-" and len(body) > 2:
            ranges.append((body[0], body[2]))
            body = body[3:]
        else:
            ranges.append((body[0], body[0]))
            body = body[1:]
    return "".join(
        f"\\u{ord(first):04x}" + (f"-\\u{ord(last):04x}" if last != first else "")
        for first, last in ranges
        if not "\ud800" <= first <= "\udfff"
    )


_UNSTORABLE = _documented(UNSTORABLE.pattern)
# White space as Python's `str.strip` counts it (ECMA's `\s`, which JSON Schema patterns
# use, differs: it lacks \x1c-\x1f and \x85, and has \ufeff).
_BLANK = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# Text without a character the record cannot hold.
STORABLE_TEXT = rf"^[^{_UNSTORABLE}]*$"
# The same, with some character that is not white space: what a stripped `minLength` needs.
STORABLE_NOT_BLANK = rf"^[^{_UNSTORABLE}]*[^{_UNSTORABLE}{_BLANK}][^{_UNSTORABLE}]*$"

# Free text in a query parameter. FastAPI lays a query model's fields out one by one, so a
# model's schema hook never reaches them: each says its pattern itself.
QueryText = Annotated[str, Field(json_schema_extra={"pattern": STORABLE_TEXT})]


def _document_text(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Each text property without a pattern of its own gets the pattern of storable text;
    where text is stripped before its `minLength` is checked, the pattern also asks for a
    character that is not white space."""
    stripped = model.model_config.get("str_strip_whitespace", False)
    for field in schema.get("properties", {}).values():
        for option in field.get("anyOf", [field]):
            if option.get("type") != "string" or {"pattern", "format", "enum"} & set(option):
                continue
            not_blank = stripped and option.get("minLength", 0) > 0
            option["pattern"] = STORABLE_NOT_BLANK if not_blank else STORABLE_TEXT


class RequestBody(BaseModel):
    """A request body: text the record cannot hold is refused in every field."""

    model_config = ConfigDict(json_schema_extra=_document_text)

    # Before the field's own validation, so a NUL in an id or a date is named as such rather
    # than as a pattern mismatch; nested bodies check their own fields, naming them.
    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        texts = value if isinstance(value, list | tuple) else (value,)
        for number, text in enumerate(texts, start=1):
            problem = why_refused(text) if isinstance(text, str) else None
            if problem is not None:
                where = f"item {number}: " if texts is value else ""
                raise PydanticCustomError(INVALID_CHARACTER, where + problem)
        return value


def character_problem(loc: tuple[str, ...], text: str) -> dict[str, Any] | None:
    """A request parameter's refusal, shaped as a validation error at `loc`, or None when the
    record can hold `text`."""
    problem = why_refused(text)
    if problem is None:
        return None
    return {"type": INVALID_CHARACTER, "loc": loc, "msg": problem, "input": storable(text)}
