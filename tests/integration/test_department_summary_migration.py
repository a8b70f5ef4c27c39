"""Migration 0015 on a database that already holds cases: no department reads a summary that
was projected before it, and an erased case keeps its summary nowhere in the read tables."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

import psycopg
from psycopg.types.json import Jsonb

from domain.calendar import OFFICE_TZ
from infrastructure.schema import packaged_migrations

MIGRATION = "0015_department_summary"
# Time travel projects the case list again from the log, which this test's rows are not in.
PROJECTED_AGAIN = "0036_time_travel"
REGISTERED_AT = datetime(2026, 11, 27, 10, 0, tzinfo=OFFICE_TZ)


def migrated(database_url: str, *, since: str = "", before: str) -> list[str]:
    """Apply the packaged migrations from `since` up to `before`; answer their versions."""
    applied = []
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for migration in packaged_migrations():
            if since <= migration.version < before:
                connection.execute(migration.sql.encode())
                connection.execute(
                    "INSERT INTO schema_migrations (version) VALUES (%s)", (migration.version,)
                )
                applied.append(migration.version)
    return applied


def a_case(
    connection: psycopg.Connection, position: int, summary: str, *, erased: bool = False
) -> UUID:
    case_id = uuid4()
    connection.execute(
        "INSERT INTO case_list (id, tracking_number, access_code_hash, kind, channel, status, "
        "urgent, summary, registered_at, registered_position, updated_at, last_position) "
        "VALUES (%s, %s, 'x', 'report', 'hotline', 'assigned', false, %s, %s, %s, %s, %s)",
        (
            case_id,
            f"HL20261127-{position:04d}",
            summary,
            REGISTERED_AT,
            position,
            REGISTERED_AT,
            position,
        ),
    )
    events = [("Case.Registered", {"summary": summary, "kind": "report"})]
    if erased:
        events.append(("Case.PersonalDataErased", {"reason": "本人申请"}))
    for version, (event_type, changes) in enumerate(events, start=1):
        connection.execute(
            "INSERT INTO audit_events (position, record_id, record_type, version, event_type, "
            "changes) VALUES (%s, %s, 'Case', %s, %s, %s)",
            (position * 10 + version, case_id, version, event_type, Jsonb(changes)),
        )
    return case_id


def test_rows_projected_before_show_departments_a_stand_in_and_erased_ones_keep_no_summary(
    empty_database_url: str,
) -> None:
    migrated(empty_database_url, before=MIGRATION)
    with psycopg.connect(empty_database_url, autocommit=True) as connection:
        kept = a_case(connection, 1, "举报人司马光华（13812340000）反映窗口吃拿卡要")
        erased = a_case(connection, 2, "举报人李雷反映窗口收费", erased=True)

    applied = migrated(empty_database_url, since=MIGRATION, before=PROJECTED_AGAIN)

    with psycopg.connect(empty_database_url) as connection:
        rows = {
            case_id: (summary, department_summary)
            for case_id, summary, department_summary in connection.execute(
                "SELECT id, summary, department_summary FROM case_list"
            )
        }
        feed = connection.execute(
            "SELECT changes FROM audit_events WHERE event_type = 'Case.Registered'"
        ).fetchall()
    assert applied[0] == MIGRATION
    assert rows[kept] == ("举报人司马光华（13812340000）反映窗口吃拿卡要", "（摘要暂不显示）")
    assert rows[erased] == ("（已删除个人信息）", "（已删除个人信息）")
    assert [changes for (changes,) in feed] == [{"kind": "report"}, {"kind": "report"}]
