"""The shapes of the public status query (§9): a tracking number and access code in, the
public view out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from application.public_status import PublicCaseStatus
from domain.case import Kind, Status
from domain.labels import described, label
from interfaces.http.schemas.answers import ReadOff
from interfaces.http.schemas.office_time import OfficeTime
from interfaces.http.schemas.text import RequestBody

# ASCII only: pydantic's `\d` would also take other scripts' digits. Either letter case, as
# citizens type it: the model upper-cases the number before looking it up.
TRACKING_NUMBER = r"^[A-Za-z]{2}[0-9]{8}-[0-9]{4,6}$"
ACCESS_CODE = r"^[A-Za-z0-9 -]{10,16}$"


class CaseStatusQuery(RequestBody):
    """What a citizen types: the tracking number and the access code given at registration."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tracking_number: str = Field(
        pattern=TRACKING_NUMBER,
        max_length=24,
        description="流水号, e.g. `HL20261127-0042` (any letter case)",
        examples=["HL20261127-0042"],
    )
    access_code: str = Field(
        pattern=ACCESS_CODE,
        description="提取码, e.g. `K7M2P-9QXRT`; letter case, spaces and dashes do not matter",
        examples=["K7M2P-9QXRT"],
    )

    # Upper case only: stripping is the model's, after the check of every character. ASCII
    # only, as the pattern says: `str.upper` would turn some other letters into ASCII ones.
    @field_validator("tracking_number", mode="before")
    @classmethod
    def _upper_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) and value.isascii() else value


class TimelineEntryPublic(ReadOff):
    """One public step: the department's answer, a public note, or a reopening."""

    type: Literal["answer", "note", "reopened"]
    text: str | None
    at: OfficeTime


class CaseStatusPublic(BaseModel):
    """All a citizen may see of their case: nothing of the complainant, staff or notes."""

    kind: Kind = Field(description=f"诉求类型: {described('kind')}")
    kind_label: str
    status: Status = Field(description=f"状态: {described('status')}")
    status_label: str
    department: str | None = Field(description="the id of the department handling the case")
    department_name: str | None
    registered_at: OfficeTime
    due_at: OfficeTime | None = Field(description="when the department's answer is due")
    updated_at: OfficeTime
    timeline: list[TimelineEntryPublic]

    @classmethod
    def of(cls, status: PublicCaseStatus) -> CaseStatusPublic:
        return cls(
            kind=Kind(status.kind),
            kind_label=label("kind", status.kind),
            status=Status(status.status),
            status_label=label("status", status.status),
            department=status.department_id,
            department_name=status.department_name,
            registered_at=status.registered_at,
            due_at=status.due_at,
            updated_at=status.updated_at,
            timeline=[TimelineEntryPublic.of(entry) for entry in status.timeline],
        )
