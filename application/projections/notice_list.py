"""The notice_list read table: one row per notice (通报), public or draft."""

from __future__ import annotations

from typing import Any

from application.projections import Row, RowPerRecord
from domain.notice import Notice, NoticeStatus
from domain.scorecard import month_of


class NoticeListProjection(RowPerRecord):
    """Keeps notice_list current: drafted, edited, published, withdrawn."""

    name = "notice_list"
    table = "notice_list"
    key = "id"
    topic_prefix = "oversight:Notice."

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if isinstance(event, Notice.Drafted):
            return {
                "id": event.originator_id,
                "status": NoticeStatus.DRAFT.value,
                "kind": event.kind,
                "title": event.title,
                "text": event.text,
                "subject_type": event.subject_type,
                "subject_id": event.subject_id,
                "subject_name": event.subject_name,
                "subject_department": event.subject_department,
                "subject_category": event.subject_category,
                "flagged_task": event.flagged_task,
                "drafted_at": event.timestamp,
                "published_at": None,
                "published_month": None,
                "withdrawn_at": None,
                "withdraw_reason": None,
                "updated_at": event.timestamp,
                "listed_position": position,
                "position": position,
            }
        if row is None:
            return None
        changed: Row = {"updated_at": event.timestamp, "position": position}
        if isinstance(event, Notice.Edited):
            changed.update(title=event.title, text=event.text, kind=event.kind)
        elif isinstance(event, Notice.Published):
            changed.update(
                status=NoticeStatus.PUBLISHED.value,
                published_at=event.timestamp,
                published_month=month_of(event.timestamp),
                listed_position=position,
            )
        elif isinstance(event, Notice.Withdrawn):
            changed.update(
                status=NoticeStatus.WITHDRAWN.value,
                withdrawn_at=event.timestamp,
                withdraw_reason=event.reason,
            )
        else:
            return row
        return {**row, **changed}
