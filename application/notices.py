"""Verbs on notices (通报, DESIGN §15): publish, draft from a flag, edit, withdraw, read.

The public reads published notices (and withdrawn ones, marked so); drafts are the
inspectors'. A notice's subject is resolved here, once, into what the public may read of it
(`NoticeSubject`): never a case's summary, details or people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from application.directory import DirectoryVerbs
from application.queries import Page
from application.views import view_of
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import CATEGORIES, Case
from domain.labels import label
from domain.notice import (
    Notice,
    NoticeKind,
    NoticeNotFound,
    NoticeSubject,
    NoticeSubjectNotFound,
    NoticeSubjectType,
    flag_notice_id,
)
from domain.rectification import RectificationOrder
from domain.task import Task

_DIRECTORY_SUBJECTS = {
    NoticeSubjectType.DEPARTMENT: "department",
    NoticeSubjectType.WINDOW: "window",
    NoticeSubjectType.STAFF: "staff_member",
}


@dataclass(frozen=True)
class NoticeSummary:
    """A notice as the lists show it; `position`: where it stands in a list, newest first
    (a command's answer: the global position of its last event)."""

    id: UUID
    status: str
    kind: str
    title: str
    text: str
    subject: NoticeSubject
    drafted_at: datetime
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdraw_reason: str | None
    position: int | None


@dataclass(frozen=True)
class NoticeView(NoticeSummary):
    """A notice as its readers see it: the flagged task a draft came from, and its version."""

    flagged_task: str | None
    version: int

    @classmethod
    def of(cls, notice: Notice, position: int | None) -> NoticeView:
        return view_of(
            cls,
            notice,
            status=notice.status.value,
            kind=notice.kind.value,
            drafted_at=notice.created_on,
            position=position,
        )


class NoticeQueries(Protocol):
    """The notice list and the month's notices, read from the notice_list table."""

    async def list_notices(
        self, *, drafts: bool, limit: int, cursor: str | None, after: int | None
    ) -> Page:
        """Public notices (published and withdrawn), or the drafts, newest first."""
        ...

    async def notices_of_month(self, month: str, *, department: str | None) -> list[NoticeSummary]:
        """The notices published in a month (withdrawn ones too), oldest first."""
        ...


class NoticeVerbs(DirectoryVerbs):
    """Publish and withdraw notices; drafts proposed by the clock's public-notice flag."""

    def _notice(self, notice_id: UUID) -> Notice:
        return self._load_as(
            notice_id, Notice, lambda: NoticeNotFound(f"there is no notice {notice_id}")
        )

    def get_notice(self, notice_id: UUID, viewer: Actor | None = None) -> NoticeView:
        """One notice: published or withdrawn for anyone, a draft for inspectors only."""
        notice = self._notice(notice_id)
        if not notice.is_public and (viewer is None or viewer.role is not Role.INSPECTOR):
            raise NoticeNotFound(f"there is no notice {notice_id}")
        return NoticeView.of(notice, position=None)

    def notice_subject(self, subject_type: NoticeSubjectType, subject_id: str) -> NoticeSubject:
        """What the public may read of a subject; refused when there is no such subject."""
        subject_type = NoticeSubjectType(subject_type)
        missing = NoticeSubjectNotFound(
            f"there is no {subject_type.value} {subject_id!r} to give notice of"
        )
        if subject_type in _DIRECTORY_SUBJECTS:
            entry = getattr(self.directory(), _DIRECTORY_SUBJECTS[subject_type])(subject_id)
            if entry is None:
                raise missing
            department = entry.id if subject_type is NoticeSubjectType.DEPARTMENT else None
            return NoticeSubject(
                type=subject_type,
                id=entry.id,
                name=entry.name,
                department=department or entry.department,
            )
        try:
            record_id = UUID(subject_id)
        except ValueError:
            raise missing from None
        kind = Case if subject_type is NoticeSubjectType.CASE else RectificationOrder
        task = self._load_or_none(record_id)
        if not isinstance(task, kind):
            raise missing
        return _task_subject(task)

    def publish_notice(
        self,
        *,
        title: str,
        text: str,
        kind: NoticeKind,
        subject_type: NoticeSubjectType,
        subject_id: str,
        by: Actor,
    ) -> NoticeView:
        """Publish a notice about a subject (发布通报), drafted and published in one save."""
        subject = self.notice_subject(subject_type, subject_id)
        now = self.time_source.now()
        notice = Notice.draft(
            notice_id=self.ids(), title=title, text=text, kind=kind, subject=subject, by=by, at=now
        )
        notice.publish(by=by, at=now)
        return NoticeView.of(notice, self._commit(notice))

    def _on_notice(self, notice_id: UUID, by: Actor, verb: Any, **arguments: Any) -> NoticeView:
        """Load the notice, run the verb on it by `by` now, save it and answer."""
        notice = self._notice(notice_id)
        verb(notice, **arguments, by=by, at=self.time_source.now())
        return NoticeView.of(notice, self._commit(notice))

    def edit_notice(
        self, notice_id: UUID, *, title: str, text: str, kind: NoticeKind, by: Actor
    ) -> NoticeView:
        """Change a draft's title, text and kind before publishing it."""
        return self._on_notice(notice_id, by, Notice.edit, title=title, text=text, kind=kind)

    def publish_draft(
        self, notice_id: UUID, by: Actor, *, edited: tuple[str, str, NoticeKind] | None = None
    ) -> NoticeView:
        """Publish a draft (发布通报): as it stands, or with its `edited` (title, text, kind)
        saved with the publication, in one save."""
        notice = self._notice(notice_id)
        now = self.time_source.now()
        if edited is not None and edited != (notice.title, notice.text, notice.kind):
            title, text, kind = edited
            notice.edit(title=title, text=text, kind=kind, by=by, at=now)
        notice.publish(by=by, at=now)
        return NoticeView.of(notice, self._commit(notice))

    def withdraw_notice(self, notice_id: UUID, *, reason: str, by: Actor) -> NoticeView:
        """Withdraw a published notice with the reason (撤回通报); it stays in the record."""
        return self._on_notice(notice_id, by, Notice.withdraw, reason=reason)

    def draft_notice_for_flag(self, task_id: UUID, flagged_at: datetime) -> bool:
        """Draft the notice a task's public-notice flag proposes, once: answer whether this
        call drafted it (False: drafted before, or the task is gone)."""
        notice_id = flag_notice_id(task_id, flagged_at)
        if self._load_or_none(notice_id) is not None:
            return False
        task = self._load_or_none(task_id)
        if not isinstance(task, Case | RectificationOrder):
            return False
        subject = _task_subject(task)
        department = self.directory().department(subject.department or "")
        notice = Notice.draft(
            notice_id=notice_id,
            title=_flag_title(subject, department.name if department else subject.department),
            text=_flag_text(subject, task.supervised_at),
            kind=NoticeKind.CRITICISM,
            subject=subject,
            by=Actor.system(),
            at=self.time_source.now(),
            flagged_task=task_id,
            flagged_at=flagged_at,
        )
        self._commit(notice)
        return True


class NoticeDraftPolicy:
    """Every public-notice flag of a case or an order drafts one notice, exactly once (the
    draft's id is derived from the flag). One policy per kind of task: a policy reads one
    topic prefix."""

    def __init__(self, notices: NoticeVerbs, *, tasks: str) -> None:
        self.notices = notices
        self.name = f"notice_drafts_{tasks}"
        self.topic_prefix = (
            "oversight:Case." if tasks == "cases" else "oversight:RectificationOrder."
        )

    def handle(self, event: Any) -> int:
        if isinstance(event, Task.PublicNoticeFlagged):
            return int(self.notices.draft_notice_for_flag(event.originator_id, event.notice_at))
        return 0


def notice_draft_policies(notices: NoticeVerbs) -> list[NoticeDraftPolicy]:
    """The policies that draft notices from the flags of cases and of orders."""
    return [NoticeDraftPolicy(notices, tasks="cases"), NoticeDraftPolicy(notices, tasks="orders")]


def _task_subject(task: Case | RectificationOrder) -> NoticeSubject:
    """A case or order as a notice names it: its tracking number, department and (a case) its
    category when it is one of the catalogue's; nothing of its text or people."""
    if isinstance(task, Case):
        category = task.category if task.category in CATEGORIES else None
        return NoticeSubject(
            type=NoticeSubjectType.CASE,
            id=str(task.id),
            name=task.tracking_number,
            department=task.department,
            category=category,
        )
    return NoticeSubject(
        type=NoticeSubjectType.ORDER,
        id=str(task.id),
        name=task.tracking_number,
        department=task.department,
    )


def _prose_date(moment: datetime) -> str:
    """A moment's office day in prose: 2026年12月3日."""
    day = moment.astimezone(OFFICE_TZ)
    return f"{day.year}年{day.month}月{day.day}日"


def _flag_title(subject: NoticeSubject, department: str | None) -> str:
    what = label("notice_subject", subject.type)
    return f"关于{department or ''}{what} {subject.name} 督办后仍超期未办结的通报"


def _flag_text(subject: NoticeSubject, supervised_at: datetime | None) -> str:
    what = label("notice_subject", subject.type)
    about = f"（{subject.category}）" if subject.category else ""
    when = f"已于{_prose_date(supervised_at)}督办，" if supervised_at else "已经督办，"
    return (
        f"{what} {subject.name}{about}{when}督办后超过 5 个工作日仍未办结，"
        "现予通报批评，请承办部门立即办结并举一反三。"
    )
