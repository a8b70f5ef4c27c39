"""Forms read into the API's own request schemas, so a page accepts exactly what the API
accepts; what is wrong is said in Chinese, field by field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from domain.labels import error_message
from interfaces.http.schemas.text import INVALID_CHARACTER

Schema = TypeVar("Schema", bound=BaseModel)

PROBLEMS = {
    INVALID_CHARACTER: error_message(INVALID_CHARACTER),
    "missing": "请填写。",
    "string_too_short": "请填写。",
    "string_too_long": "内容过长，请精简。",
}
OTHERWISE = "格式不正确，请核对。"
# A form's whole numbers (days, counts) have at most this many digits to be read as numbers.
MAX_FORM_DIGITS = 10


def read_form(
    schema: type[Schema], values: Mapping[str, Any], names: Mapping[str, str]
) -> Schema | list[str]:
    """The schema's instance for the form's values, or one Chinese line per wrong field,
    each named as the form names it (`names`: field → accessible name; a nested field as
    `outer.inner`, else by its outer field; "" names the form's rules over several fields)."""
    try:
        return schema.model_validate(dict(values))
    except ValidationError as invalid:
        lines = []
        for problem in invalid.errors():
            text = PROBLEMS.get(problem["type"], OTHERWISE)
            lines.append(f"{_field_name(problem['loc'], names)}：{text}")
        return list(dict.fromkeys(lines))


def as_typed(form: Mapping[str, Any]) -> dict[str, str]:
    """The form's text fields as typed, to fill a form shown again (a file sent is not kept)."""
    return {name: value for name, value in form.items() if isinstance(value, str)}


def form_number(text: str) -> int | str:
    """A whole number typed in a form, as the number the API's JSON would carry; any other
    text as it is, for the schema to refuse. Kept to a few digits: a longer one is refused by
    the schema's own bounds all the same, without reading an enormous number."""
    digits = text.removeprefix("-")
    if digits.isascii() and digits.isdigit() and len(digits) <= MAX_FORM_DIGITS:
        return int(text)
    return text


def _field_name(loc: tuple[int | str, ...], names: Mapping[str, str]) -> str:
    path = [str(part) for part in loc]
    for depth in range(len(path), 0, -1):
        known = names.get(".".join(path[:depth]))
        if known is not None:
            return known
    # A rule over several fields (a range that runs backwards) has no field: names[""].
    return path[0] if path else names.get("", "")
