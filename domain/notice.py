"""The Notice aggregate (通报, DESIGN §15): an inspector's public criticism or commendation.

A notice names its subject (a department, a window, a staff member, a case or a rectification
order) by what the public may read of it: the directory entry's name, or a case's or order's
tracking number and a case's category, taken when the notice is drafted; never a case's text
nor the people in it (§3: the public learns nothing of a complainant or a reporter).

    drafted ──edit──▶ drafted ──publish──▶ published ──withdraw──▶ withdrawn

An inspector's notice is drafted and published in one save; the clock's 5-day supervision
flag (§5.1) drafts one by itself (`flag_notice_id`: once per flag), for an inspector to edit
and publish. A withdrawn notice stays in the record and in the public list, marked withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import Conflict, Invalid, NotFound
from domain.task import require_reason

MAX_TITLE = 100
MAX_TEXT = 5_000

FLAG_NOTICE_NAMESPACE: UUID = uuid5(NAMESPACE_URL, "oversight:flag-notice")


class NoticeKind(StrEnum):
    """What a notice says of its subject (通报类型)."""

    CRITICISM = "criticism"
    COMMENDATION = "commendation"


class NoticeSubjectType(StrEnum):
    """What a notice is about (通报对象类型)."""

    DEPARTMENT = "department"
    WINDOW = "window"
    STAFF = "staff"
    CASE = "case"
    ORDER = "order"


class NoticeStatus(StrEnum):
    """Where a notice stands (通报状态)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class NoticeNotFound(NotFound):
    """No published notice has this id (drafts are not known to the public)."""

    code = "notice_not_found"


class NoticeSubjectNotFound(Invalid):
    """A notice's subject must exist: a directory entry, a case or a rectification order."""

    code = "notice_subject_not_found"


class NoticeContentRequired(Invalid):
    """A notice has a title and a text, within their lengths."""

    code = "notice_content_required"


class NoticeNotDraft(Conflict):
    """Only a draft is edited or published."""

    code = "notice_not_draft"


class NoticeNotPublished(Conflict):
    """Only a published notice is withdrawn."""

    code = "notice_not_published"


def flag_notice_id(task_id: UUID, flagged_at: datetime) -> UUID:
    """The id of the draft a task's public-notice flag proposes: the same every time, so the
    flag drafts one notice however often it is handled."""
    return uuid5(FLAG_NOTICE_NAMESPACE, f"{task_id}|{flagged_at.isoformat()}")


@dataclass(frozen=True)
class NoticeSubject:
    """A notice's subject as the public may read it: its type and id, its name (a directory
    entry's name, or a case's or order's tracking number), the department concerned, and a
    case's category."""

    type: NoticeSubjectType
    id: str
    name: str
    department: str | None
    category: str | None = None


def _checked(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise NoticeContentRequired("a notice needs a title and a text")
    if len(title) > MAX_TITLE or len(text) > MAX_TEXT:
        raise NoticeContentRequired(
            f"a notice's title is at most {MAX_TITLE} characters and its text {MAX_TEXT}"
        )
    return title, text


class Notice(Aggregate):
    """A public notice (通报) about a subject: drafted, published, perhaps withdrawn."""

    TOPIC = "oversight:Notice"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Notice.Event"
        actor: Actor

    class Drafted(Event, Aggregate.Created):
        TOPIC = "oversight:Notice.Drafted"
        title: str
        text: str
        kind: str
        subject_type: str
        subject_id: str
        subject_name: str
        subject_department: str | None
        subject_category: str | None
        flagged_task: str | None
        flagged_at: datetime | None

    def __init__(
        self,
        title: str,
        text: str,
        kind: str,
        subject_type: str,
        subject_id: str,
        subject_name: str,
        subject_department: str | None,
        subject_category: str | None,
        flagged_task: str | None,
        flagged_at: datetime | None,
        actor: Actor,
    ) -> None:
        self.title = title
        self.text = text
        self.kind = NoticeKind(kind)
        self.subject = NoticeSubject(
            type=NoticeSubjectType(subject_type),
            id=subject_id,
            name=subject_name,
            department=subject_department,
            category=subject_category,
        )
        self.flagged_task = flagged_task
        self.flagged_at = flagged_at
        self.drafted_by = actor
        self.status = NoticeStatus.DRAFT
        self.published_at: datetime | None = None
        self.withdrawn_at: datetime | None = None
        self.withdraw_reason: str | None = None

    @classmethod
    def draft(
        cls,
        *,
        notice_id: UUID,
        title: str,
        text: str,
        kind: NoticeKind,
        subject: NoticeSubject,
        by: Actor,
        at: datetime,
        flagged_task: UUID | None = None,
        flagged_at: datetime | None = None,
    ) -> Notice:
        """Draft a notice about `subject` (拟稿); a flagged task's draft names the task."""
        title, text = _checked(title, text)
        return cls._create(
            cls.Drafted,
            id=notice_id,
            title=title,
            text=text,
            kind=NoticeKind(kind).value,
            subject_type=subject.type.value,
            subject_id=subject.id,
            subject_name=subject.name,
            subject_department=subject.department,
            subject_category=subject.category,
            flagged_task=str(flagged_task) if flagged_task else None,
            flagged_at=flagged_at,
            actor=by,
            timestamp=at,
        )

    @property
    def is_public(self) -> bool:
        """Whether the public may read it: published, or withdrawn after publication."""
        return self.status is not NoticeStatus.DRAFT

    def _require_draft(self, verb: str) -> None:
        if self.status is not NoticeStatus.DRAFT:
            raise NoticeNotDraft(f"the notice is {self.status.value}: only a draft is {verb}")

    class Edited(Event):
        TOPIC = "oversight:Notice.Edited"
        title: str
        text: str
        kind: str

        def apply(self, notice: Notice) -> None:
            notice.title, notice.text, notice.kind = self.title, self.text, NoticeKind(self.kind)

    def edit(self, *, title: str, text: str, kind: NoticeKind, by: Actor, at: datetime) -> None:
        """Change a draft's title, text and kind before it is published."""
        self._require_draft("edited")
        title, text = _checked(title, text)
        self.trigger_event(
            self.Edited,
            title=title,
            text=text,
            kind=NoticeKind(kind).value,
            actor=by,
            timestamp=at,
        )

    class Published(Event):
        TOPIC = "oversight:Notice.Published"

        def apply(self, notice: Notice) -> None:
            notice.status = NoticeStatus.PUBLISHED
            notice.published_at = self.timestamp

    def publish(self, *, by: Actor, at: datetime) -> None:
        """Make the draft public (发布通报)."""
        self._require_draft("published")
        self.trigger_event(self.Published, actor=by, timestamp=at)

    class Withdrawn(Event):
        TOPIC = "oversight:Notice.Withdrawn"
        reason: str

        def apply(self, notice: Notice) -> None:
            notice.status = NoticeStatus.WITHDRAWN
            notice.withdrawn_at = self.timestamp
            notice.withdraw_reason = self.reason

    def withdraw(self, *, reason: str, by: Actor, at: datetime) -> None:
        """Withdraw a published notice (撤回通报), with the reason; it stays in the record."""
        if self.status is not NoticeStatus.PUBLISHED:
            raise NoticeNotPublished(
                f"the notice is {self.status.value}: only a published notice is withdrawn"
            )
        require_reason(reason, "withdrawing a notice")
        self.trigger_event(self.Withdrawn, reason=reason.strip(), actor=by, timestamp=at)
