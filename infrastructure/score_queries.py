"""Scores, blue and red lists and monthly reports, read with asyncpg from the projected tables.

Every window and staff member in `directory_subjects` (active, or deducted from in the month)
is joined in SQL with the sum of the month's deductions in force; its score is then the
domain's own rule (`score_after`: 100 less the points, never below the floor), so the read
side cannot drift from the scorecards.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import asyncpg

from application.queries import Page
from application.scores import (
    DeductionEntry,
    DeductionFilter,
    DeductionLine,
    DepartmentReport,
    Honoured,
    Listing,
    MonthlyReport,
    SubjectScore,
)
from domain.conduct import FULL_MARKS
from domain.scorecard import SubjectKind, score_after
from infrastructure.assessment_queries import AssessmentQueriesOnPostgres
from infrastructure.item_queries import items_of_month
from infrastructure.notice_queries import NoticeQueriesOnPostgres
from infrastructure.post_cover_queries import PostCoverQueriesOnPostgres
from infrastructure.read_side import NewestFirstPage, ProjectedQueries, ReadsThePast, from_row
from infrastructure.survey_queries import SurveyQueriesOnPostgres
from infrastructure.visit_queries import VisitQueriesOnPostgres

# The read tables these queries join; an answer waits for both to pass the caller's write.
PROJECTIONS = ("deductions", "directory_subjects", "appeal_list")
SUBJECT_KINDS = [SubjectKind.WINDOW.value, SubjectKind.STAFF.value]
Beside = TypeVar("Beside", bound=ProjectedQueries)

_SCORES = """
WITH totals AS (
    SELECT d.subject_kind, d.subject_id, sum(d.points) AS points, count(*) AS deductions,
           count(*) FILTER (WHERE a.status = 'open') AS under_appeal
    FROM deductions d
    LEFT JOIN appeal_list a ON a.deduction_id = d.deduction_id
    WHERE d.month = $1 AND NOT d.revoked
    GROUP BY d.subject_kind, d.subject_id
)
SELECT s.kind, s.id, s.name, s.department, dep.name AS department_name, s.window_id, s.active,
       COALESCE(t.points, 0) AS points,
       COALESCE(t.deductions, 0) AS deductions,
       COALESCE(t.under_appeal, 0) AS under_appeal
FROM directory_subjects s
LEFT JOIN totals t ON t.subject_kind = s.kind AND t.subject_id = s.id
LEFT JOIN directory_subjects dep ON dep.key = 'department:' || s.department
WHERE s.kind = ANY($2::text[])
  AND (s.active OR t.subject_id IS NOT NULL)
  AND ($3::text IS NULL OR s.department = $3)
ORDER BY s.department, s.kind DESC, s.id
"""

# One line per deduction (its rows, one per card it costs, grouped), with the directory's names.
_DEDUCTION_LINES = """
SELECT d.deduction_id, d.occurred_at, d.occurred_on, d.month, d.department,
       dep.name AS department_name, d.window_id, w.name AS window_name, d.staff_id,
       st.name AS staff_name,
       array_agg(d.subject_kind ORDER BY d.subject_kind DESC) AS charged,
       d.rule, d.rule_name, d.points, d.all_remaining, d.evidence, d.source_type, d.source_ref,
       d.revoked, d.revoked_at, d.revoke_reason, d.recorded_at,
       min(d.recorded_position) AS position,
       a.id AS appeal_id, a.status AS appeal_status, a.decision_reason AS appeal_reason
FROM deductions d
LEFT JOIN directory_subjects dep ON dep.key = 'department:' || d.department
LEFT JOIN directory_subjects w ON w.key = 'window:' || d.window_id
LEFT JOIN directory_subjects st ON st.key = 'staff:' || d.staff_id
LEFT JOIN appeal_list a ON a.deduction_id = d.deduction_id
{where}
GROUP BY d.deduction_id, d.occurred_at, d.occurred_on, d.month, d.department, dep.name,
         d.window_id, w.name, d.staff_id, st.name, d.rule, d.rule_name, d.points,
         d.all_remaining, d.evidence, d.source_type, d.source_ref, d.revoked, d.revoked_at,
         d.revoke_reason, d.recorded_at, a.id, a.status, a.decision_reason
"""

# Every deduction, for the list to filter and page: constant SQL, whose conditions come as
# numbered parameters (NewestFirstPage), never a caller's text.
_DEDUCTION_LIST = "SELECT * FROM (" + _DEDUCTION_LINES.format(where="") + ") AS lines"  # noqa: S608

_DEDUCTIONS = (
    _DEDUCTION_LINES.format(
        where="WHERE ($3::boolean OR NOT d.revoked) AND {period}"
        " AND ($2::text IS NULL OR d.department = $2)"
    )
    + "ORDER BY d.occurred_at, d.deduction_id"
)

_RED_LIST = """
SELECT s.kind, s.name, s.department, dep.name AS department_name, s.id, s.window_id
FROM directory_subjects s
LEFT JOIN directory_subjects dep ON dep.key = 'department:' || s.department
WHERE s.kind = ANY($2::text[]) AND s.active
  AND ($3::text IS NULL OR s.department = $3)
  AND NOT EXISTS (
    SELECT 1 FROM deductions d
    WHERE d.month = $1 AND NOT d.revoked AND d.subject_kind = s.kind AND d.subject_id = s.id
  )
ORDER BY s.department, s.kind DESC, s.id
"""

_DEPARTMENTS = """
SELECT id, name FROM directory_subjects
WHERE kind = 'department' AND ($1::text IS NULL OR id = $1)
ORDER BY id
"""


class ScoreQueriesOnPostgres(ReadsThePast):
    """The discipline queries, waiting (boundedly) for the read side to see a client's write."""

    projections = PROJECTIONS

    async def scores(
        self, month: str, *, subject: str | None, department: str | None, after: int | None
    ) -> Listing:
        position, caught_up = await self.projected(after)
        kinds = [subject] if subject else SUBJECT_KINDS
        rows = await self.store.fetch(_SCORES, month, kinds, department)
        return Listing([_score(row) for row in rows], position, caught_up)

    async def blue_list(self, day: date, *, department: str | None, after: int | None) -> Listing:
        position, caught_up = await self.projected(after)
        rows = await self.store.fetch(
            _DEDUCTIONS.format(period="d.occurred_on = $1"), day, department, False
        )
        return Listing([_deduction(row) for row in rows], position, caught_up)

    async def red_list(
        self, month: str, *, after: int | None, department: str | None = None
    ) -> Listing:
        position, caught_up = await self.projected(after)
        rows = await self.store.fetch(_RED_LIST, month, SUBJECT_KINDS, department)
        return Listing([_honoured(row) for row in rows], position, caught_up)

    async def deductions(
        self, criteria: DeductionFilter, *, limit: int, cursor: str | None, after: int | None
    ) -> Page:
        page = NewestFirstPage("position", limit=limit, cursor=cursor)
        page.where_equal(
            department=criteria.department,
            window_id=criteria.window,
            staff_id=criteria.staff,
            rule=criteria.rule,
            revoked=criteria.revoked,
        )
        if criteria.occurred_from is not None:
            page.where("occurred_on >= ?", criteria.occurred_from)
        if criteria.occurred_to is not None:
            page.where("occurred_on <= ?", criteria.occurred_to)
        return await self.fetch_page(page, _DEDUCTION_LIST, _entry, after=after)

    def _beside(self, queries: type[Beside]) -> Beside:
        """The `queries` of other tables, on the same store (the past's, if these read it)
        and waiting as long as these."""
        return queries(self.store, wait_seconds=self.wait_seconds)

    async def monthly_report(
        self,
        month: str,
        *,
        department: str | None,
        after: int | None,
        with_revoked: bool = False,
    ) -> MonthlyReport:
        position, caught_up = await self.projected(after)
        departments = await self.store.fetch(_DEPARTMENTS, department)
        scores = [
            _score(row) for row in await self.store.fetch(_SCORES, month, SUBJECT_KINDS, department)
        ]
        deductions = [
            _deduction(row)
            for row in await self.store.fetch(
                _DEDUCTIONS.format(period="d.month = $1"), month, department, with_revoked
            )
        ]
        reports = []
        for row in departments:
            own_scores = [s for s in scores if s.department == row["id"]]
            own_deductions = tuple(d for d in deductions if d.department == row["id"])
            if not own_scores and not own_deductions:
                continue
            reports.append(
                DepartmentReport(
                    id=row["id"],
                    name=row["name"],
                    windows=tuple(s for s in own_scores if s.subject == SubjectKind.WINDOW.value),
                    staff=tuple(s for s in own_scores if s.subject == SubjectKind.STAFF.value),
                    deductions=own_deductions,
                )
            )
        # The report's other sections, each read once its own tables have passed `after`.
        section = {"department": department, "after": after}
        notices = await self._beside(NoticeQueriesOnPostgres).notices_of_month(month, **section)
        surveys = await self._beside(SurveyQueriesOnPostgres).month_satisfaction(month, **section)
        cover_gaps = await self._beside(PostCoverQueriesOnPostgres).cover_gaps_of_month(
            month, **section
        )
        assessments = await self._beside(AssessmentQueriesOnPostgres).standings_of_month(
            month, **section
        )
        items = await items_of_month(self.store, month, department=department)
        visits = await self._beside(VisitQueriesOnPostgres).visits_of_month(month, **section)
        return MonthlyReport(
            month,
            tuple(reports),
            position,
            caught_up,
            notices=tuple(notices),
            surveys=tuple(surveys),
            cover_gaps=tuple(cover_gaps),
            assessments=tuple(assessments),
            items=items,
            visits=tuple(visits),
        )


def _score(row: asyncpg.Record) -> SubjectScore:
    score = score_after(row["points"])
    return from_row(
        SubjectScore,
        row,
        subject=row["kind"],
        window=row["window_id"],
        score=score,
        deducted=FULL_MARKS - score,
    )


def _deduction(row: asyncpg.Record) -> DeductionLine:
    return from_row(DeductionLine, row, **_deduction_columns(row))


def _entry(row: asyncpg.Record) -> DeductionEntry:
    return from_row(DeductionEntry, row, **_deduction_columns(row))


def _deduction_columns(row: asyncpg.Record) -> dict[str, Any]:
    """The fields of a deduction's line whose columns are named otherwise."""
    return {
        "id": row["deduction_id"],
        "window": row["window_id"],
        "staff": row["staff_id"],
        "charged": tuple(row["charged"]),
    }


def _honoured(row: Any) -> Honoured:
    window = row["id"] if row["kind"] == SubjectKind.WINDOW.value else row["window_id"]
    return from_row(Honoured, row, subject=row["kind"], window=window)
