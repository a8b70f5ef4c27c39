"""A record's `source` as a create route takes it: never a visit, which only
POST /visits/{id}/findings fills in, so that a record naming a visit was found on it."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from pydantic_core import PydanticCustomError

VISIT_SOURCE = "visit"
SOURCE_IS_A_VISIT = "source_is_a_visit"

_Source = TypeVar("_Source", bound=StrEnum)


def refuse_visit_source(value: _Source) -> _Source:
    """The source type, unless it is `visit`."""
    if value == VISIT_SOURCE:
        raise PydanticCustomError(
            SOURCE_IS_A_VISIT,
            "a visit's findings are recorded with POST /visits/{id}/findings, which fills in "
            "the source",
        )
    return value
