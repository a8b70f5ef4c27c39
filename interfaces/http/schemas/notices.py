"""The shapes of notice (通报, §15) requests and answers at the HTTP edge."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.labels import described
from domain.notice import MAX_TEXT, MAX_TITLE, NoticeKind, NoticeStatus, NoticeSubjectType
from interfaces.http.schemas.answers import ReadOff, RecordPosition, labelled
from interfaces.http.schemas.cases import Strict
from interfaces.http.schemas.lists import ListPage, ListQuery
from interfaces.http.schemas.office_time import OfficeTime

# A directory id (department, window, staff member) or a case's or order's id (a UUID).
SUBJECT_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class NoticeSubjectBody(Strict):
    """What the notice is about: a directory entry by its id, a case or an order by its id."""

    type: NoticeSubjectType = Field(description=f"通报对象类型: {described('notice_subject')}")
    id: str = Field(
        pattern=SUBJECT_ID,
        description="a department's, window's or staff member's id, or a case's or "
        "rectification order's id (UUID)",
    )


class NoticeEdit(Strict):
    """A notice's words and kind (a draft's, when editing it)."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    kind: NoticeKind = Field(description=f"通报类型: {described('notice_kind')}")


class NoticeCreate(NoticeEdit):
    """A notice to publish (发布通报)."""

    subject: NoticeSubjectBody


class NoticeSubjectPublic(BaseModel):
    """A notice's subject as the public may read it: a name, or a tracking number and the
    case's category; never a case's text or the people in it."""

    model_config = ConfigDict(from_attributes=True)

    type: NoticeSubjectType
    id: str
    name: str = Field(description="the entry's name, or the case's or order's tracking number")
    department: str | None
    category: str | None = Field(description="a case's category (分类)")

    type_label = labelled("notice_subject", "type")


class NoticePublic(ReadOff):
    """A notice (通报): published, withdrawn (with the reason) or, for inspectors, a draft."""

    id: UUID
    status: NoticeStatus = Field(description=f"状态: {described('notice_status')}")
    kind: NoticeKind = Field(description=f"类型: {described('notice_kind')}")
    title: str
    text: str
    subject: NoticeSubjectPublic
    drafted_at: OfficeTime
    published_at: OfficeTime | None
    withdrawn_at: OfficeTime | None
    withdraw_reason: str | None
    position: RecordPosition = None

    status_label = labelled("notice_status", "status")
    kind_label = labelled("notice_kind", "kind")


class NoticeListQuery(ListQuery):
    """A page of the notice list; unknown parameters are refused."""


class NoticeList(ListPage[NoticePublic]):
    """A page of notices, newest first; `next` is the cursor of the following page."""
