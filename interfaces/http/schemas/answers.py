"""What the API's answers share: a base for those read off an application record, and the
Chinese label computed beside a code."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, computed_field

from domain.labels import label

# Where a record stands: in a command's answer, the global position of its last event.
RecordPosition = Annotated[
    int | None,
    Field(
        description="a command's answer: the global position of its last event; a list's "
        "item: its place in the list",
    ),
]


class ReadOff(BaseModel):
    """An answer read field by field off the application's record: `AnswerPublic.of(record)`."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, record: object) -> Self:
        """The answer off the record, and its nested answers off the record's own parts."""
        return cls.model_validate(record, from_attributes=True)


def labelled(group: str, code: str, *, nullable: bool = False) -> Any:
    """A computed field beside the model's `code` field: the code's Chinese label in the
    labels' `group` (domain/labels.py); null while the code is, when `nullable`."""

    def read(model: BaseModel) -> str | None:
        value = getattr(model, code)
        return None if nullable and value is None else label(group, value)

    return computed_field(property(read), return_type=str | None if nullable else str)
