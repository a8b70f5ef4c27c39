"""The shapes of case requests and answers at the HTTP edge."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal, Protocol
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
)

from application.views import CaseView, HistoryEntry, RegisteredCase
from domain.case import MAX_EXTENSION_WORKING_DAYS, Channel, Kind, Outcome, Satisfaction, Status
from domain.deadlines import Deadline
from domain.item import CODE_PATTERN
from domain.labels import described
from domain.task import MAX_REMINDER_MESSAGE_LENGTH
from interfaces.http.schemas.answers import labelled
from interfaces.http.schemas.attachments import ATTACHMENTS_DESCRIPTION, AttachmentPublic
from interfaces.http.schemas.office_time import OfficeTime, Recorded
from interfaces.http.schemas.text import RequestBody

DIRECTORY_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
PHONE = r"^\+?[0-9][0-9 -]{5,19}$"
# Days and moments a caller names are ISO 8601 text within the years the centre keeps
# records of. The pattern is in the OpenAPI, so clients and fuzzers know the bound, and it
# is checked on the text itself: pydantic alone would read "0" as 1 January 1970, and the
# centre's time zone had no whole-minute offset before 1901.
_DAY = r"20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_OFFSET = r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
DAY_PATTERN = rf"^{_DAY}$"
MOMENT_PATTERN = rf"^{_DAY}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{{1,6}})?{_OFFSET}$"


# The instant of record time an answer reflects, when it was asked for with `as_of` (§14).
AsOfAnswered = Annotated[
    OfficeTime | None,
    Field(description="the instant of record time (§14) this answer reflects; null: now"),
]


def _written_as(pattern: str, what: str) -> Callable[[object], object]:
    compiled = re.compile(pattern)

    def check(value: object) -> object:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValueError(f"{what}, from 2000 to 2099")
        return value

    return check


Day = Annotated[
    date,
    BeforeValidator(_written_as(DAY_PATTERN, "a day written YYYY-MM-DD")),
    Field(json_schema_extra={"pattern": DAY_PATTERN}),
]
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_written_as(MOMENT_PATTERN, "a moment written YYYY-MM-DDThh:mm:ss+hh:mm")),
    Field(json_schema_extra={"pattern": MOMENT_PATTERN}),
]


def _a_json_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a number, not text or true/false")
    return value


# A JSON integer: 5 and 5.0, as JSON Schema counts them; pydantic's lax int would also take
# `true` and `"5"`, and its strict one would refuse 5.0. Bounds go before it, as in `Points`:
# after it, pydantic would leave them out of the OpenAPI's `minimum` and `maximum`.
JSON_NUMBER = BeforeValidator(_a_json_number)
Integer = Annotated[int, JSON_NUMBER]
# The largest integer every JSON reader holds exactly (I-JSON, RFC 7493): past it, a reader
# working in doubles, as fuzzers and browsers do, would round a bound or a position.
LARGEST_JSON_INTEGER = 2**53 - 1
Points = Annotated[int, Field(ge=1, le=100), JSON_NUMBER]


class Strict(RequestBody):
    """Request bodies refuse fields they do not know, so typos are not silently ignored.

    Their numbers are `Integer` and their flags `StrictBool`: `true` is not 1, `"5"` is not
    5 and `"yes"` is not a flag, as the OpenAPI says. Their text is stripped of white space
    before its length is checked.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Complainant(Strict):
    """Who brought the case; `anonymous` hides them from everyone but operators and inspectors."""

    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, pattern=PHONE)
    address: str | None = Field(default=None, max_length=300)
    anonymous: StrictBool = False
    notify: StrictBool = Field(
        default=False,
        description="the citizen agreed to be told by SMS (registration, answer, callback; "
        "§17); needs `phone`, else 422 `notify_without_phone`",
    )


class CaseCreate(Strict):
    """A case to register (登记)."""

    kind: Kind = Field(description=f"诉求类型: {described('kind')}")
    channel: Channel = Field(description=f"渠道: {described('channel')}")
    department: str | None = Field(
        default=None,
        pattern=DIRECTORY_ID,
        description="the supervising department; defaults to the window's or staff member's",
    )
    window: str | None = Field(default=None, pattern=DIRECTORY_ID)
    staff: str | None = Field(default=None, pattern=DIRECTORY_ID)
    category: str | None = Field(default=None, max_length=50)
    urgent: StrictBool = False
    summary: str = Field(min_length=1, max_length=200)
    details: str = Field(default="", max_length=10_000)
    complainant: Complainant = Field(default_factory=Complainant)
    item: str | None = Field(
        default=None,
        pattern=CODE_PATTERN,
        description="the service item's code in the item catalogue (事项清单, GET /items); "
        "an item not in service is refused with `unknown_item`",
    )


class CaseAssign(Strict):
    """Hand the case to a department (派单); `final` arbitrates (审定): no more returns."""

    department: str = Field(pattern=DIRECTORY_ID)
    urgent: StrictBool | None = None
    final: StrictBool = False
    note: str | None = Field(default=None, max_length=2_000)


class Reason(Strict):
    """A decision's reason in words."""

    reason: str = Field(min_length=1, max_length=2_000)


class ExtensionBody(Strict):
    """More working days, asked before the deadline (申请延期)."""

    working_days: Integer = Field(ge=1, le=MAX_EXTENSION_WORKING_DAYS)
    reason: str = Field(min_length=1, max_length=2_000)


class ProposedDeductionCreate(Strict):
    """A deduction the department proposes with a substantiated result (建议扣分)."""

    rule: str = Field(min_length=1, max_length=64, description="a rule of the conduct catalogue")
    staff: str | None = Field(
        default=None, pattern=DIRECTORY_ID, description="defaults to the case's staff member"
    )
    window: str | None = Field(
        default=None, pattern=DIRECTORY_ID, description="defaults to the case's window"
    )
    points: Points | None = Field(default=None, description="the rule's if left out")


class ResultCreate(Strict):
    """What the department found and did, and its answer to the complainant (办理结果)."""

    outcome: Outcome = Field(description=f"办理结果: {described('outcome')}")
    actions: str = Field(default="", max_length=10_000)
    answer: str = Field(min_length=1, max_length=10_000)
    proposed_deduction: ProposedDeductionCreate | None = Field(
        default=None,
        description="only with a `substantiated` complaint or report; an inspector decides",
    )


class CallbackReached(Strict):
    """The callback reached the complainant, who said how satisfied they are (回访)."""

    reached: Literal[True]
    satisfaction: Satisfaction = Field(description=f"满意度: {described('satisfaction')}")
    comment: str | None = Field(default=None, max_length=2_000)


class CallbackNotReached(Strict):
    """The callback did not reach the complainant, so there is no satisfaction to record."""

    reached: Literal[False]
    satisfaction: None = None
    comment: str | None = Field(default=None, max_length=2_000)


# One shape per outcome, so the OpenAPI itself says satisfaction comes with `reached` only.
CallbackCreate = CallbackReached | CallbackNotReached


class MergeBody(Strict):
    """Merge this case into the first case about the same facts."""

    into: UUID


class NoteCreate(Strict):
    """A note; public ones appear on the citizen's timeline."""

    text: str = Field(min_length=1, max_length=5_000)
    public: StrictBool = False


class SuperviseBody(Strict):
    """An inspector's escalation of an overdue case (督办)."""

    note: str = Field(min_length=1, max_length=2_000)


class ReminderCreate(Strict):
    """A reminder by hand to the department handling a case or an order (人工催办)."""

    message: str = Field(
        min_length=1, max_length=MAX_REMINDER_MESSAGE_LENGTH, description="催办内容"
    )


REMINDERS_DESCRIPTION = (
    "the reminders sent by hand (人工催办), oldest first, each `at`, `message`, "
    "`department` (the one reminded), `role` and `name` of who sent it"
)


class DeadlinePublic(BaseModel):
    """A deadline and how it was computed."""

    due_at: OfficeTime
    policy: str
    unit: str
    amount: int
    counted_from: OfficeTime
    calendar_version: str
    provisional: bool
    explanation: str

    @classmethod
    def of(cls, deadline: Deadline | None) -> DeadlinePublic | None:
        return None if deadline is None else cls(**deadline.as_dict())  # type: ignore[arg-type]


class DeadlineTaskView(Protocol):
    """A case's or an order's view: both run on the same two deadlines."""

    acknowledge_deadline: Deadline | None
    deadline: Deadline | None


def deadline_task_fields(schema: type[BaseModel], view: DeadlineTaskView) -> dict[str, Any]:
    """The fields of `schema` the view holds, with its two deadlines published and their due times
    beside them: cases and rectification orders answer their deadlines alike."""
    fields = {name: getattr(view, name) for name in schema.model_fields if hasattr(view, name)}
    fields["acknowledge_deadline"] = DeadlinePublic.of(view.acknowledge_deadline)
    fields["deadline"] = DeadlinePublic.of(view.deadline)
    fields["acknowledge_due_at"] = (
        view.acknowledge_deadline.due_at if view.acknowledge_deadline else None
    )
    fields["due_at"] = view.deadline.due_at if view.deadline else None
    return fields


class CaseLabels(BaseModel):
    """The Chinese labels of a case's codes, beside the codes (domain/labels.py)."""

    kind: Kind
    channel: Channel
    status: Status
    satisfaction: Satisfaction | None

    kind_label = labelled("kind", "kind")
    channel_label = labelled("channel", "channel")
    status_label = labelled("status", "status")
    satisfaction_label = labelled("satisfaction", "satisfaction", nullable=True)


class CasePublic(CaseLabels):
    """A case as the caller may see it; `position` is the global position of its last event."""

    id: UUID
    tracking_number: str
    kind: Kind
    channel: Channel
    status: Status = Field(description=f"状态: {described('status')}")
    department: str | None
    assigned_department: str | None
    window: str | None
    staff: str | None
    category: str | None
    urgent: bool
    final: bool
    summary: str
    details: str
    complainant: Recorded | None
    registered_at: OfficeTime
    updated_at: OfficeTime
    assigned_at: OfficeTime | None
    acknowledged_at: OfficeTime | None
    acknowledge_due_at: OfficeTime | None
    due_at: OfficeTime | None
    acknowledge_deadline: DeadlinePublic | None
    deadline: DeadlinePublic | None
    clock_stopped: bool
    pending_extension: Recorded | None
    result: Recorded | None
    answered_at: OfficeTime | None
    satisfaction: Satisfaction | None
    callbacks: list[Recorded]
    closed_at: OfficeTime | None
    reopenings: int
    merged_into: UUID | None
    duplicates: list[UUID]
    notes: list[Recorded]
    supervisions: list[Recorded]
    version: int
    position: int | None
    proposed_deduction: Recorded | None = Field(
        default=None,
        description=f"rule, staff, window, points, status: {described('proposal_status')}",
    )
    bad_ratings: list[Recorded] = Field(
        default_factory=list,
        description="the bad ratings (差评) recorded on a case of channel `rating`: the one "
        "that opened it and the later ones of the same client, window and office day, each "
        "`evaluation`, `window`, `rating`, `comment`, `rated_at`, `added_at`",
    )
    reminders: list[Recorded] = Field(default_factory=list, description=REMINDERS_DESCRIPTION)
    item: str | None = Field(default=None, description="the catalogue's item code (事项, §16)")
    source: Recorded | None = Field(
        default=None,
        description="`{type: visit, ref: <visit id>}` when an inspection visit found the case "
        "(POST /visits/{id}/findings); null otherwise",
    )
    attachments: list[AttachmentPublic] = Field(
        default_factory=list, description=ATTACHMENTS_DESCRIPTION
    )
    as_of: AsOfAnswered = None

    @classmethod
    def of(cls, view: CaseView, as_of: datetime | None = None) -> CasePublic:
        return cls(**deadline_task_fields(cls, view), as_of=as_of)


class CaseRegistered(CasePublic):
    """A new case, with the access code the citizen needs; it is shown only this once."""

    access_code: str

    @classmethod
    def of_registered(cls, registered: RegisteredCase) -> CaseRegistered:
        public = CasePublic.of(registered.case)
        return cls(**public.model_dump(), access_code=registered.access_code)


class HistoryEntryPublic(BaseModel):
    """One event: what happened, when, by whom, why, through which request."""

    version: int
    type: str
    at: OfficeTime
    actor: Recorded | None
    reason: str | None
    request_id: str | None
    fields: Recorded

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryEntryPublic:
        return cls(**vars(entry))


class CaseHistory(BaseModel):
    """Every event of a case, oldest first."""

    items: list[HistoryEntryPublic]
