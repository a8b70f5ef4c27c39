"""Reads as the record stood at a past instant (§14): row versions, record time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from application.queries import CaseFilter, Page, Past
from domain.actor import Role
from domain.calendar import OFFICE_TZ
from domain.case import Case
from domain.personal_data import ERASED_TEXT
from domain.scorecard import SourceType
from infrastructure.conduct_file import default_conduct_rules
from infrastructure.history import KEPT_HISTORY
from interfaces.bootstrap import Container
from tests.factories import (
    ADMIN,
    INSPECTOR,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    a_deduction,
    assign,
    registered_case,
)
from tests.integration.campaign_store import campaign_store
from tests.integration.read_side import DEPARTMENT, dict_rows, events_of
from tests.support import START, SettableTimeSource, run_worker_once

NOVEMBER = "2026-11"
# The sample directory's staff member the factories' deductions are for.
STAFF = "S0001"


def deduct(container: Container) -> UUID:
    container.supervision.load_conduct_rules(default_conduct_rules(), ADMIN)
    return container.supervision.record_deduction(
        a_deduction(
            rule="harsh_attitude",
            staff=STAFF,
            occurred_at=datetime(2026, 11, 3, 10, 15, tzinfo=OFFICE_TZ),
            evidence="暗访录像",
            source_type=SourceType.UNANNOUNCED_VISIT,
        ),
        INSPECTOR,
    ).id


async def board_of(container: Container, department: str, past: Past | None) -> Page:
    """A department's board now, or as of `past`."""
    queries = container.queries if past is None else container.queries.as_of(past.position)
    return await queries.board(
        department,
        role=Role.DEPARTMENT,
        now=container.supervision.time_source.now() if past is None else past.instant,
        calendar=container.supervision.calendar,
        after=None if past is None else past.position,
    )


async def board_ids(container: Container, department: str, past: Past | None) -> list[UUID]:
    """The tasks on a department's board now, or as of `past`."""
    return [item.id for item in (await board_of(container, department, past)).items]


async def cases_as_of(
    container: Container, past: Past, case_filter: CaseFilter | None = None, limit: int = 10
) -> Page:
    """The first page of the case list an operator saw as of `past`."""
    return await container.queries.as_of(past.position).list_cases(
        case_filter or CaseFilter(),
        role=Role.OPERATOR,
        visible_to_department=None,
        limit=limit,
        cursor=None,
        now=past.instant,
        after=past.position,
    )


async def revoked_an_hour_after(
    reading: Container, time_source: SettableTimeSource
) -> tuple[UUID, Past]:
    """A deduction, revoked an hour after the past also answered; the read side caught up."""
    deduction = deduct(reading)
    before_revocation = time_source.advance(hours=1)
    time_source.advance(hours=1)
    reading.supervision.revoke_deduction(deduction, reason="申诉成立", by=INSPECTOR)
    run_worker_once(reading)
    return deduction, await reading.record_time.past(before_revocation)


async def test_a_deduction_revoked_later_still_counts_as_of_before_its_revocation(
    reading: Container, time_source: SettableTimeSource
) -> None:
    deduction, past = await revoked_an_hour_after(reading, time_source)

    then = await reading.scores.as_of(past.position).blue_list(
        date(2026, 11, 3), department=None, after=past.position
    )
    now = await reading.scores.blue_list(date(2026, 11, 3), department=None, after=None)

    assert then.caught_up
    assert then.position == past.position
    assert [line.id for line in then.items] == [deduction]
    assert not now.items


async def test_a_deduction_revoked_later_lowers_the_score_as_of_before_its_revocation(
    reading: Container, time_source: SettableTimeSource
) -> None:
    _, past = await revoked_an_hour_after(reading, time_source)

    then = await reading.scores.as_of(past.position).scores(
        NOVEMBER, subject="staff", department=None, after=past.position
    )
    now = await reading.scores.scores(NOVEMBER, subject="staff", department=None, after=None)

    [scored_then] = [score for score in then.items if score.id == STAFF]
    [scored_now] = [score for score in now.items if score.id == STAFF]
    assert (scored_then.deductions, scored_then.score < 100) == (1, True)
    assert (scored_now.deductions, scored_now.score) == (0, 100)


async def test_a_deduction_revoked_later_keeps_its_subject_off_the_red_list_as_of_before(
    reading: Container, time_source: SettableTimeSource
) -> None:
    _, past = await revoked_an_hour_after(reading, time_source)
    [staff] = [member for member in reading.supervision.list_staff() if member.id == STAFF]

    then = await reading.scores.as_of(past.position).red_list(NOVEMBER, after=past.position)
    now = await reading.scores.red_list(NOVEMBER, after=None)

    assert staff.name not in [
        honoured.name for honoured in then.items if honoured.subject == "staff"
    ]
    assert staff.name in [honoured.name for honoured in now.items if honoured.subject == "staff"]


async def test_a_case_reassigned_later_is_on_the_old_departments_board_as_of_before(
    reading: Container, time_source: SettableTimeSource
) -> None:
    case_id = registered_case(reading.supervision)
    assign(reading.supervision, case_id, department=SAMPLE_DEPARTMENT)
    before_reassignment = time_source.advance(hours=1)
    time_source.advance(hours=1)
    assign(reading.supervision, case_id, department=OTHER_DEPARTMENT)
    run_worker_once(reading)

    past = await reading.record_time.past(before_reassignment)

    assert await board_ids(reading, SAMPLE_DEPARTMENT, past) == [case_id]
    assert await board_ids(reading, OTHER_DEPARTMENT, past) == []
    assert await board_ids(reading, SAMPLE_DEPARTMENT, None) == []
    assert await board_ids(reading, OTHER_DEPARTMENT, None) == [case_id]


async def test_a_deadline_missed_is_not_overdue_as_of_before_its_moment_and_is_after_it(
    reading: Container, time_source: SettableTimeSource
) -> None:
    case_id = registered_case(reading.supervision)
    deadline = assign(reading.supervision, case_id).acknowledge_deadline
    assert deadline is not None
    # The worker's clock records the missed deadline a day after it passed.
    time_source.set(deadline.due_at + timedelta(days=1))
    run_worker_once(reading)

    overdue = CaseFilter(overdue=True)

    before = await reading.record_time.past(deadline.due_at - timedelta(minutes=1))
    after = await reading.record_time.past(deadline.due_at + timedelta(minutes=1))
    board_before = await board_of(reading, SAMPLE_DEPARTMENT, before)

    missed = [
        e for e in events_of(reading, case_id) if isinstance(e, Case.AcknowledgeDeadlineMissed)
    ]
    assert [event.timestamp for event in missed] == [deadline.due_at + timedelta(days=1)]
    assert before.position == after.position  # nothing recorded between the two instants
    assert [(item.id, item.overdue) for item in board_before.items] == [(case_id, False)]
    assert (await cases_as_of(reading, before, overdue)).items == []
    assert [case.id for case in (await cases_as_of(reading, after, overdue)).items] == [case_id]


async def test_as_of_before_the_first_event_every_list_is_empty(
    reading: Container, time_source: SettableTimeSource
) -> None:
    deduct(reading)
    assign(reading.supervision, registered_case(reading.supervision))
    time_source.advance(hours=1)
    run_worker_once(reading)

    past = await reading.record_time.past(START - timedelta(days=1))
    scores = reading.scores.as_of(past.position)
    listed = await cases_as_of(reading, past)
    board = await board_ids(reading, SAMPLE_DEPARTMENT, past)
    scored = await scores.scores(NOVEMBER, subject=None, department=None, after=past.position)
    blue = await scores.blue_list(date(2026, 11, 3), department=None, after=past.position)
    red = await scores.red_list(NOVEMBER, after=past.position)
    report = await scores.monthly_report(NOVEMBER, department=None, after=past.position)

    assert past.position == 0
    assert (listed.items, board, scored.items, blue.items, red.items) == ([], [], [], [], [])
    assert report.departments == ()
    assert await board_ids(reading, SAMPLE_DEPARTMENT, None) != []


async def test_personal_data_erased_later_reads_as_erased_as_of_before_and_no_version_keeps_it(
    reading: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    case_id = registered_case(reading.supervision, summary="王芳反映窗口人员态度生硬")
    assign(reading.supervision, case_id)
    run_worker_once(reading)
    before_erasure = time_source.advance(hours=1)
    time_source.advance(hours=1)
    reading.supervision.erase_personal_data(case_id, reason="当事人申请删除", by=INSPECTOR)
    run_worker_once(reading)

    past = await reading.record_time.past(before_erasure)
    then = await cases_as_of(reading, past)
    kept = {
        (version["summary"], version["department_summary"], version["phone_digest"])
        for version in versions(database_url, "case_list", case_id)
    }

    assert [(case.id, case.summary) for case in then.items] == [(case_id, ERASED_TEXT)]
    assert kept == {(ERASED_TEXT, ERASED_TEXT, None)}


def versions(database_url: str, table: str, key: Any) -> list[dict[str, Any]]:
    """The versions of one row of a table keeping history, oldest first."""
    query = sql.SQL("SELECT * FROM {} WHERE {} = %s ORDER BY valid_from").format(
        sql.Identifier(f"{table}_history"), sql.Identifier(KEPT_HISTORY[table])
    )
    return dict_rows(database_url, query, (key,))


def test_an_event_that_leaves_a_row_as_it_was_makes_no_version_of_it(
    container: Container, database_url: str
) -> None:
    case_id = registered_case(container.supervision)
    assign(container.supervision, case_id)
    container.supervision.acknowledge_case(case_id, DEPARTMENT)
    run_worker_once(container)
    assignments_before = versions(database_url, "case_assignments", case_id)
    cases_before = versions(database_url, "case_list", case_id)

    # A note is nothing an assignment keeps: case_assignments' row stays as it was.
    container.supervision.add_case_note(case_id, text="已联系申请人", public=False, by=DEPARTMENT)
    run_worker_once(container)

    assert len(assignments_before) == 2  # assigned, then acknowledged
    assert versions(database_url, "case_assignments", case_id) == assignments_before
    assert len(versions(database_url, "case_list", case_id)) == len(cases_before) + 1


def history_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every version of every table keeping history, in the order of their keys and positions."""
    found = {}
    with psycopg.connect(database_url) as connection:
        for table, key in KEPT_HISTORY.items():
            query = sql.SQL("SELECT * FROM {} ORDER BY {}, valid_from").format(
                sql.Identifier(f"{table}_history"), sql.Identifier(key)
            )
            found[table] = connection.execute(query).fetchall()
    return found


def version_faults(database_url: str) -> list[str]:
    """Where a table keeping history has versions of a row that overlap or leave a gap, or
    standing versions unlike its rows."""
    faults = []
    with psycopg.connect(database_url) as connection:
        for table, key in KEPT_HISTORY.items():
            history = sql.Identifier(f"{table}_history")
            # No projection of these tables removes a row once made: each row's versions run
            # from its first event to now, each ending where the next begins.
            broken = connection.execute(
                sql.SQL(
                    "SELECT {key}, valid_from, valid_to, next_from FROM ("
                    " SELECT {key}, valid_from, valid_to,"
                    "  lead(valid_from) OVER (PARTITION BY {key} ORDER BY valid_from) AS next_from"
                    " FROM {history}) AS v WHERE valid_to IS DISTINCT FROM next_from"
                ).format(key=sql.Identifier(key), history=history)
            ).fetchall()
            columns = sql.SQL(", ").join(
                sql.Identifier(name)
                for (name,) in connection.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass"
                    " AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                    (table,),
                )
            )
            unlike_rows = connection.execute(
                sql.SQL(
                    "(SELECT {columns} FROM {live} EXCEPT"
                    " SELECT {columns} FROM {history} WHERE valid_to IS NULL)"
                    " UNION ALL (SELECT {columns} FROM {history} WHERE valid_to IS NULL"
                    " EXCEPT SELECT {columns} FROM {live})"
                ).format(columns=columns, live=sql.Identifier(table), history=history)
            ).fetchall()
            faults += [f"{table}: versions overlap or leave a gap: {row}" for row in broken]
            faults += [f"{table}: a standing version is not the row: {row}" for row in unlike_rows]
    return faults


@pytest.mark.slow
def test_the_versions_of_a_row_follow_one_another_without_overlap_or_gap(
    database_url: str,
) -> None:
    with campaign_store(database_url, days=14, scale=0.1, seed=16):
        faults = version_faults(database_url)

    assert faults == []


async def past_reads(container: Container, instant: datetime) -> list[Any]:
    """A few reads as of `instant`: where it falls in the log, the case list, a board and the
    month's scores."""
    past = await container.record_time.past(instant)
    listed = await cases_as_of(container, past, limit=10_000)
    board = await board_of(container, SAMPLE_DEPARTMENT, past)
    scores = await container.scores.as_of(past.position).scores(
        NOVEMBER, subject=None, department=None, after=past.position
    )
    return [past, listed, board, scores]


@pytest.mark.slow
async def test_a_rebuild_keeps_every_version_and_the_past_reads_as_it_did(
    database_url: str,
) -> None:
    with campaign_store(database_url, days=14, scale=0.1, seed=16) as (container, time_source):
        end = time_source.now()
        instants = [end - timedelta(days=9, hours=5), end - timedelta(days=2, hours=1), end]
        await container.reads.open()
        try:
            history_before = history_rows(database_url)
            before = [await past_reads(container, instant) for instant in instants]
            container.rebuild_projections()
            after = [await past_reads(container, instant) for instant in instants]
        finally:
            await container.reads.close()

    assert history_rows(database_url) == history_before
    assert after == before  # read through schema as_of's views, made again by the swap
    assert version_faults(database_url) == []


async def test_a_column_a_migration_adds_shows_in_the_past_as_in_the_present(
    reading: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    earlier = registered_case(reading.supervision)
    run_worker_once(reading)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "ALTER TABLE case_list ADD COLUMN intake_desk text NOT NULL DEFAULT '综合窗口'"
        )
        connection.execute("SELECT keep_history('case_list', 'id')")
    time_source.advance(hours=1)
    later = registered_case(reading.supervision)
    run_worker_once(reading)

    past = await reading.record_time.past(time_source.now())
    query = "SELECT id, intake_desk FROM case_list ORDER BY registered_position"
    then = await reading.reads.as_of(past.position).fetch(query)
    now = await reading.reads.fetch(query)

    assert [tuple(row) for row in then] == [(earlier, "综合窗口"), (later, "综合窗口")]
    assert then == now
