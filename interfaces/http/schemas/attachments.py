"""Evidence files (附件, §17) as the API answers them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, computed_field

from application.attachments import AttachmentView
from domain.labels import described
from interfaces.http.schemas.answers import labelled
from interfaces.http.schemas.office_time import OfficeTime

CONTENT_TYPE_DESCRIPTION = f"the type checked from the content: {described('file_type')}"


class AttachmentPublic(BaseModel):
    """A file attached to a record: its id (download it at `GET /attachments/{id}`), the
    sanitised name, the type checked from its content, its size and SHA-256."""

    id: UUID
    name: str
    content_type: str = Field(description=CONTENT_TYPE_DESCRIPTION)
    size: int = Field(description="bytes")
    sha256: str = Field(description="the SHA-256 of the content, in hex")
    attached_at: OfficeTime | None = None
    attached_by: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def href(self) -> str:
        return f"/api/v1/attachments/{self.id}"

    content_type_label = labelled("file_type", "content_type")

    @classmethod
    def of(cls, view: AttachmentView | dict[str, Any]) -> AttachmentPublic:
        if isinstance(view, dict):
            return cls.model_validate(view)
        return cls.model_validate(view, from_attributes=True)


ATTACHMENTS_DESCRIPTION = "the evidence files attached to the record (附件), oldest first"
