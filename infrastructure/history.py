"""Which read tables keep their rows' past versions, and where (§14, time travel).

Each such table has a `<table>_history` beside it (migration 0036): every version
of every row, valid from the log position of the event that made it until the next version's.
The projection writing the table writes the versions in the same transaction, so they are
kept exactly once and a rebuild replays them with the rows.
"""

from __future__ import annotations

HISTORY_SUFFIX = "_history"

# The tables the as-of reads read (cases, boards, scores, lists, metrics, the monthly
# report), each with its key column.
KEPT_HISTORY: dict[str, str] = {
    "case_list": "id",
    "order_list": "id",
    "appeal_list": "id",
    "case_assignments": "case_id",
    "case_reminders": "id",
    "order_reminders": "id",
    "evaluation_list": "id",
    "survey_list": "id",
    "deductions": "id",
    "directory_subjects": "key",
    # The monthly report's other sections: notices, cover gaps, assessments, items, visits.
    "notice_list": "id",
    "cover_gap_list": "id",
    "assessment_list": "id",
    "item_list": "code",
    "case_items": "case_id",
    "rating_items": "evaluation_id",
    "visit_list": "id",
}


# Erasure is for good (§10): the columns of a table keeping history that hold a record's
# personal data. When an event erases it (domain.personal_data.ERASURE_TOPICS), the row's
# earlier versions take the erased row's values of these columns too: no version keeps what
# the erasure removed, and the past reads as the erased events, replayed, show it. A
# projection that writes personal data into another column names it here.
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "case_list": ("summary", "department_summary", "phone_digest"),
}


def history_of(table: str) -> str | None:
    """The history table of a live table, if it keeps one."""
    return f"{table}{HISTORY_SUFFIX}" if table in KEPT_HISTORY else None
