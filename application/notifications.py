"""Which events make which notifications, to whom, from which template (§17).

The notification feed (infrastructure/notification_feed.py) reads the log in order and asks
`messages_for` what each event sends; it writes the answer into the outbox in the transaction
that moves its position. Everything here is pure: the event, the record it belongs to as of
that event, the directory and which channels are on come in; the drafts go out.

Citizens are told by SMS, only when they agreed (`complainant.notify`) and gave a phone:
registration (tracking number and access code), the answer posted, the callback. Departments
are told by e-mail and/or webhook: a new case, a rectification order, reminders (the clock's
and by hand), missed deadlines, supervision; an escalation goes to the department's superior
(or the inspectors when it has none). The inspectors are told of extension requests and
appeals. A citizen's SMS waits out quiet hours (21:00–08:00 office time) unless urgent.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.calendar import OFFICE_TZ
from domain.errors import Conflict, Gone, NotFound
from domain.personal_data import is_placeholder
from domain.privacy import mask_phone
from domain.quiet_hours import first_moment_to_text_a_citizen

SMS, EMAIL, WEBHOOK = "sms", "email", "webhook"
CITIZEN, DEPARTMENT, INSPECTORS = "citizen", "department", "inspectors"
COMPLAINANT = "complainant"  # the recipient of a citizen's message
STATES = ("pending", "delivered", "dead", "erased")
# What the access code reads as in the text staff are shown.
MASKED_CODE = "******"

# Every placeholder a template may use; each message fills those it knows, the rest are empty.
PLACEHOLDERS = frozenset(
    {
        "tracking_number",  # of the case or order
        "access_code",  # citizens' registration SMS only
        "status_url",  # the public status page
        "record",  # 诉求 HL20261127-0042, 整改通知 ZG20261127-0003, 申诉
        "department",  # the handling department's name
        "superior",  # the superior's name (escalations)
        "due_at",  # the deadline concerned, office time
        "note",  # supervision note, reminder message, extension reason, appeal reasons
        "working_days",  # an extension's working days
        "at",  # the event's moment, office time
    }
)

# Template name -> the kinds of recipient it is written for.
TEMPLATE_RECIPIENTS: Mapping[str, str] = {
    "citizen_registered": CITIZEN,
    "citizen_answered": CITIZEN,
    "citizen_callback": CITIZEN,
    "citizen_callback_missed": CITIZEN,
    "department_case_assigned": DEPARTMENT,
    "department_order_issued": DEPARTMENT,
    "department_reminder": DEPARTMENT,
    "department_deadline_missed": DEPARTMENT,
    "department_supervised": DEPARTMENT,
    "department_escalated": DEPARTMENT,
    "inspectors_escalated": INSPECTORS,
    "inspectors_extension_requested": INSPECTORS,
    "inspectors_appeal_filed": INSPECTORS,
}

_DEPARTMENT_PARTS = ("subject", "text", "markdown")
_RECORD_WORDS = {"Case": "诉求", "RectificationOrder": "整改通知", "Appeal": "申诉"}
_TASKS = ("Case", "RectificationOrder")
# Events of a department's task, by name, and the department template each makes.
_DEPARTMENT_TEMPLATES = {
    "Reminded": "department_reminder",
    "RemindedByHand": "department_reminder",
    "AcknowledgeDeadlineMissed": "department_deadline_missed",
    "DeadlineMissed": "department_deadline_missed",
    "Supervised": "department_supervised",
}
# The stable topics the feed hands over; the rest of the log sends nothing.
TOPICS = frozenset(
    {
        "oversight:Case.Registered",
        "oversight:Case.ResultPosted",
        "oversight:Case.CallbackRecorded",
        "oversight:Case.Assigned",
        "oversight:RectificationOrder.Issued",
        "oversight:Appeal.Filed",
        *(
            f"oversight:{task}.{name}"
            for task in _TASKS
            for name in (*_DEPARTMENT_TEMPLATES, "Escalated", "ExtensionRequested")
        ),
    }
)


class OutboxMessageNotFound(NotFound):
    """No outbox message has this id."""

    code = "outbox_message_not_found"


class OutboxMessageNotDead(Conflict):
    """Only a dead message (every try failed) is sent again; others are on their way or
    delivered."""

    code = "outbox_message_not_dead"


class OutboxMessageErased(Gone):
    """The complainant's personal data was erased: the message can never be sent."""

    code = "outbox_message_erased"


@dataclass(frozen=True)
class OutboxAttempt:
    """One try at delivering a message."""

    attempt: int
    at: datetime
    outcome: str
    detail: str


@dataclass(frozen=True)
class OutboxMessage:
    """A message of the outbox as administrators see it (a citizen's phone masked, their
    access code masked)."""

    id: UUID
    channel: str
    recipient_kind: str
    recipient: str
    masked_address: str
    subject: str
    text: str
    state: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    record_type: str
    record_id: UUID
    case_id: UUID | None
    template: str
    position: int
    attempt_log: tuple[OutboxAttempt, ...] = ()


class TemplateProblem(ValueError):
    """A notification template file that is missing a template, a part, or names a
    placeholder no message fills."""


@dataclass(frozen=True)
class Template:
    """One message's words: a subject, a plain text (SMS, e-mail) and a markdown text
    (webhook; departments and inspectors only)."""

    subject: str
    text: str
    markdown: str | None = None

    def render(self, values: Mapping[str, str]) -> Template:
        filled = {name: values.get(name, "") for name in PLACEHOLDERS}
        return Template(
            subject=self.subject.format_map(filled),
            text=self.text.format_map(filled),
            markdown=None if self.markdown is None else self.markdown.format_map(filled),
        )


def check_templates(document: Any, source: str) -> dict[str, Template]:
    """The templates a loaded document holds, refused with `TemplateProblem` unless every
    template is there with its parts and names only known placeholders."""
    if not isinstance(document, Mapping):
        raise TemplateProblem(f"{source}: expected a mapping of template names")
    unknown = sorted(set(map(str, document)) - set(TEMPLATE_RECIPIENTS))
    if unknown:
        raise TemplateProblem(f"{source}: unknown template {unknown[0]!r}")
    templates: dict[str, Template] = {}
    for name, recipient_kind in TEMPLATE_RECIPIENTS.items():
        entry = document.get(name)
        if not isinstance(entry, Mapping):
            raise TemplateProblem(f"{source}: missing template {name!r}")
        parts = ("subject", "text") if recipient_kind == CITIZEN else _DEPARTMENT_PARTS
        extra = sorted(set(map(str, entry)) - set(parts))
        if extra:
            raise TemplateProblem(f"{source}: {name}: unknown part {extra[0]!r}")
        for part in parts:
            value = entry.get(part)
            if not isinstance(value, str) or not value.strip():
                raise TemplateProblem(f"{source}: {name}: missing text for {part!r}")
            for _, placeholder, _, _ in _parsed(value, f"{source}: {name}.{part}"):
                if placeholder is not None and placeholder not in PLACEHOLDERS:
                    raise TemplateProblem(
                        f"{source}: {name}.{part}: unknown placeholder {{{placeholder}}}"
                    )
                if placeholder == "access_code" and name != "citizen_registered":
                    raise TemplateProblem(
                        f"{source}: {name}.{part}: only citizen_registered tells the access code"
                    )
        templates[name] = Template(**{part: str(entry[part]).strip() for part in parts})
    return templates


def _parsed(value: str, where: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(string.Formatter().parse(value))
    except ValueError as error:
        raise TemplateProblem(f"{where}: {error}") from None


@dataclass(frozen=True)
class Channels:
    """Which channels are on (from the settings) and the inspectors' addresses."""

    sms: bool = False
    email: bool = False
    inspectors_email: str | None = None
    inspectors_webhook: str | None = None
    status_url: str = "/status"


@dataclass(frozen=True)
class Contact:
    """Where a department's notifications go, and its name and superior."""

    name: str
    email: str | None = None
    webhook: str | None = None
    superior: str | None = None


@dataclass(frozen=True)
class Draft:
    """A message to put in the outbox. For a citizen, `text` is what is sent (sealed) and
    `shown_text` what staff see (the access code masked); `phone` is sealed too."""

    template: str
    channel: str
    recipient_kind: str
    recipient: str
    address: str | None
    phone: str | None
    masked_address: str
    subject: str
    text: str
    shown_text: str
    record_type: str
    record_id: UUID
    case_id: UUID | None
    urgent: bool
    next_attempt_at: datetime

    def idempotency_key(self, position: int) -> str:
        """The same for the same event and recipient on every run (and every resend)."""
        return f"oversight-{position}-{self.channel}-{self.recipient}"


def office_time(moment: datetime | None) -> str:
    """A moment as people in the centre read it (office time, to the minute)."""
    return "" if moment is None else moment.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")


def messages_for(
    event: Any,
    record: Any,
    *,
    topic: str,
    templates: Mapping[str, Template],
    channels: Channels,
    contact: Callable[[str], Contact | None],
) -> list[Draft]:
    """The messages one event sends. `record` is its aggregate as of the event (its
    complainant readable unless erased); `contact` answers a department id's contact."""
    if topic not in TOPICS:
        return []
    record_type, _, name = topic.partition(":")[2].partition(".")
    at: datetime = event.timestamp
    values = {
        "tracking_number": str(getattr(record, "tracking_number", "") or ""),
        "status_url": channels.status_url,
        "record": _record_words(record_type, record),
        "at": office_time(at),
    }
    department_id = _department_of(record_type, record)
    department = contact(department_id) if department_id else None
    values["department"] = department.name if department else (department_id or "")
    deadline = getattr(record, "deadline", None)
    values["due_at"] = office_time(getattr(deadline, "due_at", None))
    made = _Made(event, record, record_type, at, templates, channels)

    if record_type == "Case" and name in ("Registered", "ResultPosted", "CallbackRecorded"):
        return made.to_citizen(name)
    if name in ("Assigned", "Issued") and department_id and department:
        template = "department_case_assigned" if name == "Assigned" else "department_order_issued"
        return made.to_department(template, department_id, department, values)
    if name in _DEPARTMENT_TEMPLATES and department_id and department:
        if name == "RemindedByHand":
            values["note"] = str(event.message)
            reminded = contact(event.department)
            if reminded is None:
                return []
            template = _DEPARTMENT_TEMPLATES[name]
            return made.to_department(template, event.department, reminded, values)
        if name == "Supervised":
            values["note"] = str(event.note)
        if name in ("AcknowledgeDeadlineMissed", "DeadlineMissed", "Reminded"):
            values["due_at"] = office_time(event.due_at)
        return made.to_department(_DEPARTMENT_TEMPLATES[name], department_id, department, values)
    if name == "Escalated":
        superior = contact(event.superior) if event.superior else None
        if event.superior and superior is not None:
            values["superior"] = superior.name
            return made.to_department("department_escalated", event.superior, superior, values)
        return made.to_inspectors("inspectors_escalated", values)
    if name == "ExtensionRequested":
        values["note"] = str(event.reason)
        values["working_days"] = str(event.working_days)
        return made.to_inspectors("inspectors_extension_requested", values)
    if name == "Filed":
        values["note"] = str(event.reasons)
        department = contact(event.department)
        values["department"] = department.name if department else str(event.department)
        return made.to_inspectors("inspectors_appeal_filed", values)
    return []


def _record_words(record_type: str, record: Any) -> str:
    number = getattr(record, "tracking_number", None)
    word = _RECORD_WORDS.get(record_type, record_type)
    return f"{word} {number}" if number else word


def _department_of(record_type: str, record: Any) -> str | None:
    if record_type == "Case":
        return getattr(record, "assigned_department", None)
    return getattr(record, "department", None)


@dataclass(eq=False)
class _Made:
    """Drafts for one event: the parts every draft of it shares."""

    event: Any
    record: Any
    record_type: str
    at: datetime
    templates: Mapping[str, Template]
    channels: Channels
    record_id: UUID = field(init=False)
    case_id: UUID | None = field(init=False)
    urgent: bool = field(init=False)

    def __post_init__(self) -> None:
        self.record_id = self.event.originator_id
        self.case_id = self.record_id if self.record_type == "Case" else _case_of(self.record)
        self.urgent = bool(getattr(self.record, "urgent", False))

    def to_citizen(self, name: str) -> list[Draft]:
        if not self.channels.sms:
            return []
        complainant = getattr(self.record, "complainant", None)
        if not isinstance(complainant, Mapping) or is_placeholder(complainant):
            return []
        phone = complainant.get("phone")
        if not complainant.get("notify") or not isinstance(phone, str) or not phone:
            return []
        values = {
            "tracking_number": str(self.record.tracking_number),
            "status_url": self.channels.status_url,
            "record": _record_words("Case", self.record),
            "at": office_time(self.at),
        }
        if name == "Registered":
            template = "citizen_registered"
            kept = getattr(self.event, "notification", None)
            if not isinstance(kept, Mapping) or not isinstance(kept.get("access_code"), str):
                return []  # erased, or recorded before notifications existed
            code = str(kept["access_code"])
        elif name == "ResultPosted":
            template, code = "citizen_answered", ""
        else:
            reached = bool(self.event.reached)
            template, code = ("citizen_callback" if reached else "citizen_callback_missed"), ""
        sent = self.templates[template].render({**values, "access_code": code})
        shown = self.templates[template].render({**values, "access_code": MASKED_CODE})
        return [
            self._draft(
                template=template,
                channel=SMS,
                recipient_kind=CITIZEN,
                recipient=COMPLAINANT,
                address=None,
                phone=phone,
                masked_address=mask_phone(phone) or "",
                subject=sent.subject,
                text=sent.text,
                shown_text=shown.text,
                next_attempt_at=first_moment_to_text_a_citizen(self.at, urgent=self.urgent),
            )
        ]

    def _draft(self, **message: Any) -> Draft:
        """A draft about this event's record; `message`: to whom, how, what and when."""
        return Draft(
            **message,
            record_type=self.record_type,
            record_id=self.record_id,
            case_id=self.case_id,
            urgent=self.urgent,
        )

    def to_department(
        self, template: str, department_id: str, contact: Contact, values: Mapping[str, str]
    ) -> list[Draft]:
        return self._to(template, DEPARTMENT, department_id, contact.email, contact.webhook, values)

    def to_inspectors(self, template: str, values: Mapping[str, str]) -> list[Draft]:
        return self._to(
            template,
            INSPECTORS,
            INSPECTORS,
            self.channels.inspectors_email,
            self.channels.inspectors_webhook,
            values,
        )

    def _to(
        self,
        template: str,
        recipient_kind: str,
        recipient: str,
        email: str | None,
        webhook: str | None,
        values: Mapping[str, str],
    ) -> list[Draft]:
        words = self.templates[template].render(values)
        routes: Iterable[tuple[str, str | None, str]] = (
            (EMAIL, email if self.channels.email else None, words.text),
            (WEBHOOK, webhook, words.markdown or words.text),
        )
        return [
            self._draft(
                template=template,
                channel=channel,
                recipient_kind=recipient_kind,
                recipient=recipient,
                address=address,
                phone=None,
                masked_address=address,
                subject=words.subject,
                text=text,
                shown_text=text,
                next_attempt_at=self.at,
            )
            for channel, address, text in routes
            if address
        ]


def _case_of(record: Any) -> UUID | None:
    """The case an order was issued about, if it was."""
    if getattr(record, "source_type", None) == "case":
        try:
            return UUID(str(record.source_ref))
        except ValueError:
            return None
    return None
