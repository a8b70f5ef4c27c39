"""The shapes of the audit trail at the HTTP edge (§8)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from application.audit import (
    AuditFilter,
    Checkpoint,
    Problem,
)
from domain.calendar import office_midnight
from interfaces.http.schemas.answers import ReadOff
from interfaces.http.schemas.cases import (
    DIRECTORY_ID,
    JSON_NUMBER,
    LARGEST_JSON_INTEGER,
    Day,
    Moment,
)
from interfaces.http.schemas.office_time import OfficeTime, Recorded
from interfaces.http.schemas.text import QueryText, RequestBody

CURSOR = r"^[A-Za-z0-9_-]+$"
EVENT_TYPE = r"^[A-Za-z]+(\.[A-Za-z]+)?$"
MOMENT_HELP = (
    "a day `YYYY-MM-DD` (Asia/Shanghai; `to` includes the whole day) or a moment in "
    "ISO 8601 with its offset"
)


# A checkpoint's number or position, a JSON integer.
LedgerNumber = Annotated[int, Field(ge=0, le=LARGEST_JSON_INTEGER), JSON_NUMBER]


# A bound is a whole day or an exact moment; the moment is tried first, so a day is never
# read as midnight UTC. A moment without its offset is neither, and is refused.
DayOrMoment = Annotated[Moment | Day, Field(union_mode="left_to_right")]


def _moment(bound: date | None, *, end: bool) -> datetime | None:
    """A bound of the feed's period: a whole day in the centre's time, or an exact moment."""
    if bound is None or isinstance(bound, datetime):
        return bound
    return office_midnight(bound + timedelta(days=1) if end else bound)


class AuditEventsQuery(BaseModel):
    """Filters of the event feed; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: DayOrMoment | None = Field(default=None, alias="from", description=MOMENT_HELP)
    end: DayOrMoment | None = Field(default=None, alias="to", description=MOMENT_HELP)
    actor: QueryText | None = Field(
        default=None, min_length=1, max_length=100, description="the principal who acted"
    )
    department: str | None = Field(
        default=None,
        pattern=DIRECTORY_ID,
        description="events done by the department or naming it",
    )
    type: str | None = Field(
        default=None,
        pattern=EVENT_TYPE,
        description="an event type (`Case.Acknowledged`) or a record type (`Case`)",
    )
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=100, pattern=CURSOR)

    @model_validator(mode="after")
    def _in_order(self) -> AuditEventsQuery:
        start, end = _moment(self.start, end=False), _moment(self.end, end=True)
        if start and end and start >= end:
            raise ValueError("`from` must come before `to`")
        return self

    def criteria(self) -> AuditFilter:
        return AuditFilter(
            start=_moment(self.start, end=False),
            end=_moment(self.end, end=True),
            actor=self.actor,
            department=self.department,
            type=self.type,
        )


class PageQuery(BaseModel):
    """A page of a history: newest first, `cursor` from the previous page."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=100, pattern=CURSOR)


class ActorPublic(BaseModel):
    """Who acted, in which role (and for which department)."""

    principal: str
    name: str | None = Field(
        default=None,
        description="the person's display name, when an account acted (null for tokens, the "
        "system, and events recorded before names were kept)",
    )
    role: str | None
    department: str | None


class AuditEventPublic(ReadOff):
    """One event of the feed: where, when, who, why, what it concerns and what it changed.

    Complainants' personal data never appears here.
    """

    position: int = Field(description="the event's position in the one notification log")
    at: OfficeTime | None
    record_id: UUID
    record_type: str = Field(description="`Case`, `RectificationOrder`, `Scorecard`, …")
    version: int
    type: str = Field(description="the event type, e.g. `Case.Acknowledged`")
    label: str = Field(description="the event type in Chinese, e.g. 签收")
    actor: ActorPublic | None
    request_id: str | None
    reason: str | None
    subjects: dict[str, list[str]] = Field(
        description="`staff`, `windows` and `departments` the event concerns"
    )
    changes: Recorded = Field(description="the fields the event recorded, in plain values")
    readable: bool = Field(description="false when the event can no longer be decoded")


class AuditEventList(ReadOff):
    """A page of events, newest first; `next` is the cursor of the following page."""

    items: list[AuditEventPublic]
    next: str | None
    position: int = Field(description="the event position the feed has reached")


class RecordHistoryEntryPublic(ReadOff):
    """One event of a record, with actor, time, reason and request id."""

    version: int
    type: str
    label: str
    at: OfficeTime | None
    actor: Recorded | None
    reason: str | None
    request_id: str | None
    fields: Recorded
    readable: bool


class RecordHistoryPublic(ReadOff):
    """Every event of one record, oldest first, as stored."""

    id: UUID
    type: str
    items: list[RecordHistoryEntryPublic] = Field(validation_alias="entries")


class CheckpointPublic(BaseModel):
    """A signed checkpoint of the ledger's head, ready to keep outside the system.

    `statement` is the exact text that was signed; `signature` is Ed25519 over its UTF-8
    bytes, base64; `public_key` is the raw 32-byte key, base64 (also `GET
    /audit/public-key`).
    """

    number: int
    position: int
    chain_hash: str
    made_at: str
    previous: str | None
    key_id: str
    hash: str = Field(description="SHA-256 of `statement`: what the next checkpoint names")
    statement: str
    signature: str
    public_key: str

    @classmethod
    def of(cls, checkpoint: Checkpoint) -> CheckpointPublic:
        return cls(**checkpoint.as_export())


class CheckpointList(BaseModel):
    """Every checkpoint, oldest first."""

    items: list[CheckpointPublic]


class CheckpointUpload(RequestBody):
    """A checkpoint as exported (by this service or, to be refused, another)."""

    model_config = ConfigDict(extra="allow")

    statement: str = Field(max_length=4_000)
    signature: str = Field(max_length=200)
    number: LedgerNumber | None = None
    position: LedgerNumber | None = None
    chain_hash: str | None = Field(default=None, max_length=200)
    key_id: str | None = Field(default=None, max_length=200)
    public_key: str | None = Field(default=None, max_length=200)

    def exported(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CheckpointCheckPublic(ReadOff):
    """Whether a checkpoint is ours and our log still stands behind it."""

    ok: bool
    problem: Problem | None
    position: int | None
    message: str


class FileProblemPublic(BaseModel):
    """An evidence file whose stored bytes are missing or do not match its recorded hash."""

    attachment_id: UUID
    problem: str = Field(description="`missing` or `altered`")
    position: int = Field(description="the position of the event that recorded the file")


class VerificationPublic(ReadOff):
    """What verification found: `ok`, or the first bad position and what is wrong there."""

    ok: bool
    checked: int = Field(description="events compared with the ledger")
    first_bad_position: int | None
    problem: Problem | None = Field(
        description="`altered`, `missing`, `inserted`, `reordered`, "
        "`truncated_after_checkpoint` or `forged_checkpoint`"
    )
    message: str
    checkpoints: int = Field(description="checkpoints whose signature and chain hash held")
    unledgered: int = Field(description="events newer than the ledger, not yet compared")
    seconds: float
    # Evidence files (§17)
    files_checked: int = Field(0, description="stored evidence files checked against their hash")
    files_erased: int = Field(0, description="of those, files erased with a case's personal data")
    file_problems: list[FileProblemPublic] = Field(
        default_factory=list, description="each evidence file `missing` or `altered`"
    )


class PublicKeyPublic(ReadOff):
    """The key that checks checkpoints: raw 32 bytes in base64, and PEM for openssl."""

    key_id: str
    base64: str
    pem: str
