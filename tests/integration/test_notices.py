"""Notices (通报) on real PostgreSQL: notice_list kept by the worker and replayed by a rebuild
into the same rows, and the draft that a supervision flag proposes made exactly once, across
a crash between the draft and the policy's position, a restart, a replay and a rebuild."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from application.notices import notice_draft_policies
from domain.calendar import OFFICE_TZ
from domain.notice import NoticeSubjectType, flag_notice_id
from domain.rectification import RectificationOrder
from domain.task import Task
from infrastructure.policy_runner import PolicyRunner
from interfaces.bootstrap import Container
from tests.factories import INSPECTOR, import_sample_directory, issued_order
from tests.integration.read_side import dict_rows, events_of, head, open_container, tracking
from tests.notice_story import a_kept_and_a_withdrawn_notice, flagged_case
from tests.support import SettableTimeSource, worker_turns

POLICIES = ("notice_drafts_cases", "notice_drafts_orders")


def rows(database_url: str) -> list[dict[str, Any]]:
    return dict_rows(database_url, "SELECT * FROM notice_list ORDER BY listed_position")


def turn(container: Container, times: int = 1) -> int:
    """Run the worker's turns; answer how many records its policies made."""
    return sum(turn.policy_records for turn in worker_turns(container, times))


def flag_of(container: Container, task_id: UUID) -> Any:
    (flag,) = [e for e in events_of(container, task_id) if isinstance(e, Task.PublicNoticeFlagged)]
    return flag


def flag_order(container: Container, time_source: SettableTimeSource, order_id: UUID) -> None:
    """An order issued on 27 November is due on Friday 11 December: supervised on the 14th,
    it is flagged 5 working days on."""
    app = container.supervision
    time_source.set(datetime(2026, 12, 14, 10, 0, tzinfo=OFFICE_TZ))
    app.observe_task_clock(order_id)
    app.supervise_order(order_id, note="逾期未整改，督办", by=INSPECTOR)
    time_source.set(datetime(2026, 12, 22, 10, 0, tzinfo=OFFICE_TZ))
    app.observe_task_clock(order_id)


def test_the_worker_keeps_notice_list_and_a_rebuild_gives_the_same_rows(
    container: Container, database_url: str
) -> None:
    kept, gone = a_kept_and_a_withdrawn_notice(
        container.supervision, subject_type=NoticeSubjectType.DEPARTMENT, subject_id="taxation"
    )
    turn(container)
    incremental = rows(database_url)

    container.rebuild_projections()

    assert rows(database_url) == incremental
    assert tracking(database_url, "notice_list") == head(container)
    assert [(r["id"], r["status"], r["withdraw_reason"]) for r in incremental] == [
        (kept.id, "published", None),
        (gone.id, "withdrawn", "对象认定有误"),
    ]
    assert incremental[0]["published_month"] == "2026-11"
    assert incremental[1]["subject_department"] == "taxation"


def test_the_flags_of_a_case_and_an_order_draft_one_notice_each(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    order_id = issued_order(container.supervision)
    case_id = flagged_case(container.supervision, time_source)
    flag_order(container, time_source, order_id)

    made = turn(container, times=2)

    drafts = rows(database_url)
    assert made == 2
    assert {(r["subject_type"], r["status"], r["kind"]) for r in drafts} == {
        ("case", "draft", "criticism"),
        ("order", "draft", "criticism"),
    }
    assert {r["id"] for r in drafts} == {
        flag_notice_id(case_id, flag_of(container, case_id).notice_at),
        flag_notice_id(order_id, flag_of(container, order_id).notice_at),
    }
    assert all(tracking(database_url, name) == head(container) for name in POLICIES)
    assert isinstance(container.supervision.repository.get(order_id), RectificationOrder)


def test_a_crash_after_the_draft_was_saved_but_before_the_position_moved_drafts_no_second(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    # given: the policy drafted the notice and the process died before its position moved
    case_id = flagged_case(container.supervision, time_source)
    cases, _ = notice_draft_policies(container.supervision)
    assert cases.handle(flag_of(container, case_id)) == 1
    with PolicyRunner(database_url, container.supervision, cases) as runner:
        assert runner.position() == 0
    after_crash = head(container)

    # when: the worker starts again and replays the log from the old position
    made = turn(container, times=2)

    # then: one draft, and the replay recorded nothing at all
    assert made == 0
    assert head(container) == after_crash
    assert len(rows(database_url)) == 1


def test_a_restart_a_replay_from_the_start_and_a_rebuild_draft_nothing_more(
    database_url: str, time_source: SettableTimeSource
) -> None:
    with open_container(database_url, time_source) as first:
        import_sample_directory(first.supervision)
        flagged_case(first.supervision, time_source)
        assert turn(first) == 1
        drafted = head(first)

    with open_container(database_url, time_source) as second:
        assert turn(second) == 0  # restarted
        with psycopg.connect(database_url) as connection:  # the policies' positions lost
            connection.execute(
                "UPDATE projection_tracking SET position = 0 WHERE name = ANY(%s)",
                (list(POLICIES),),
            )
        assert turn(second) == 0
        second.rebuild_projections()
        assert turn(second) == 0
        assert head(second) == drafted

    assert [r["status"] for r in rows(database_url)] == ["draft"]
