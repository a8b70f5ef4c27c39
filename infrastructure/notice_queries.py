"""Notices (通报) read with asyncpg from notice_list: the list, a page at a time, and the
notices a month published, for the monthly report."""

from __future__ import annotations

import asyncpg

from application.notices import NoticeSummary
from application.queries import Page
from domain.notice import NoticeStatus, NoticeSubject, NoticeSubjectType
from infrastructure.read_side import NewestFirstPage, ProjectedQueries, from_row

PROJECTIONS = ("notice_list",)
_COLUMNS = (
    "SELECT id, status, kind, title, text, subject_type, subject_id, subject_name, "
    "subject_department, subject_category, drafted_at, published_at, withdrawn_at, "
    "withdraw_reason, listed_position FROM notice_list"
)
_OF_MONTH = (
    _COLUMNS + " WHERE published_month = $1 AND ($2::text IS NULL OR subject_department = $2)"
    " ORDER BY listed_position"
)


class NoticeQueriesOnPostgres(ProjectedQueries):
    """The notice queries, waiting (boundedly) for the read side to see a client's write."""

    projections = PROJECTIONS

    async def list_notices(
        self, *, drafts: bool, limit: int, cursor: str | None, after: int | None
    ) -> Page:
        page = NewestFirstPage("listed_position", limit=limit, cursor=cursor)
        page.where_holds(f"status = '{NoticeStatus.DRAFT.value}'", drafts)
        return await self.fetch_page(page, _COLUMNS, notice_summary, after=after)

    async def notices_of_month(
        self, month: str, *, department: str | None, after: int | None = None
    ) -> list[NoticeSummary]:
        """The notices published in `month` (withdrawn ones too), about `department` if named,
        oldest first, once notice_list has passed `after`."""
        await self.projected(after)
        rows = await self.store.fetch(_OF_MONTH, month, department)
        return [notice_summary(row) for row in rows]


def notice_summary(row: asyncpg.Record) -> NoticeSummary:
    subject = NoticeSubject(
        type=NoticeSubjectType(row["subject_type"]),
        id=row["subject_id"],
        name=row["subject_name"],
        department=row["subject_department"],
        category=row["subject_category"],
    )
    return from_row(NoticeSummary, row, subject=subject, position=row["listed_position"])
