"""The tamper-evident ledger on real PostgreSQL, attacked the ways a database user could.

Each attack changes the stored log (or the ledger, or the checkpoints) with plain SQL, the
way someone with write access to the database would; verification must notice and name the
first bad position and what is wrong there.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from application.audit import Problem
from domain.calendar import OFFICE_TZ
from domain.case import Case, Channel, Intake, Kind
from domain.tracking import tracking_number
from infrastructure.ledger.adapter import CheckpointRefused
from infrastructure.ledger.chain import (
    GENESIS,
    LedgerTruncated,
    chained,
    entries,
    raw_events_query,
    seal,
)
from infrastructure.ledger.checkpoints import Statement, statement_hash
from infrastructure.signing import SigningKey
from interfaces.bootstrap import Container
from tests.factories import OPERATOR, registered_case
from tests.integration.read_side import a_mix_of_cases, head
from tests.support import START, SettableTimeSource


@pytest.fixture
def container(container: Container) -> Container:
    """The application on the test's database, the sample directory and a mix of cases in it."""
    a_mix_of_cases(container)
    return container


def ledgered(container: Container) -> int:
    """Bring the ledger up to the log's end (as the worker does); answer the head."""
    container.ledger.catch_up()
    return head(container)


def checkpointed(container: Container) -> int:
    """Bring the ledger up to the log's end and seal it with a checkpoint; answer the head."""
    last = ledgered(container)
    container.ledger.make_checkpoint()
    return last


def exported_checkpoint(container: Container) -> dict[str, Any]:
    """Bring the ledger up to the log's end and seal it; answer the checkpoint as exported."""
    ledgered(container)
    return container.ledger.make_checkpoint().as_export()


def sql(database_url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as connection:
        cursor = connection.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def a_case_event(database_url: str, after: int = 0) -> int:
    """The position of a Case event after `after` (cases are what an attacker would change)."""
    rows = sql(
        database_url,
        "SELECT min(notification_id) FROM oversight_events "
        "WHERE topic LIKE 'oversight:Case.%%' AND notification_id > %s",
        after,
    )
    return int(rows[0][0])


def flip_a_byte(database_url: str, position: int) -> None:
    sql(
        database_url,
        "UPDATE oversight_events SET state = set_byte(state, 12, get_byte(state, 12) # 1) "
        "WHERE notification_id = %s",
        position,
    )


def swap(database_url: str, first: int, second: int) -> None:
    # The unique index is checked row by row, so the swap goes through a free position.
    for old, new in ((first, -1), (second, first), (-1, second)):
        sql(
            database_url,
            "UPDATE oversight_events SET notification_id = %s WHERE notification_id = %s",
            new,
            old,
        )


def forge_row(database_url: str, position: int) -> None:
    """Insert a plausible event at `position`: a note on an existing case, copied and edited."""
    originator, version, topic, state = sql(
        database_url,
        "SELECT originator_id, originator_version, topic, state FROM oversight_events "
        "WHERE topic = 'oversight:Case.NoteAdded' ORDER BY notification_id LIMIT 1",
    )[0]
    latest = sql(
        database_url,
        "SELECT max(originator_version) FROM oversight_events WHERE originator_id = %s",
        originator,
    )[0][0]
    forged = bytes(state).replace("已联系申请人".encode(), "已经处理完毕".encode())
    sql(
        database_url,
        "INSERT INTO oversight_events "
        "(notification_id, originator_id, originator_version, topic, state) "
        "VALUES (%s, %s, %s, %s, %s)",
        position,
        originator,
        latest + 1,
        topic,
        forged,
    )
    del version


def make_a_gap(container: Container, database_url: str) -> int:
    """Use up a position as a rolled-back transaction would, then record more events."""
    skipped = int(sql(database_url, "SELECT nextval('oversight_events_notification_id_seq')")[0][0])
    registered_case(container.supervision, summary="窗口人员离岗")
    return skipped


# A clean store ------------------------------------------------------------------------


def test_a_clean_store_verifies_and_every_event_is_chained(
    container: Container, database_url: str
) -> None:
    last = checkpointed(container)

    report = container.ledger.verify()

    assert report.ok, report.message
    assert report.checked == last
    assert report.first_bad_position is None
    assert report.problem is None
    assert sql(database_url, "SELECT count(*), max(through) FROM ledger")[0] == (last, last)


def test_a_position_skipped_by_a_rolled_back_transaction_is_chained_as_a_gap(
    container: Container, database_url: str
) -> None:
    skipped = make_a_gap(container, database_url)
    ledgered(container)

    gaps = sql(database_url, "SELECT position, through FROM ledger WHERE kind = 'gap'")
    report = container.ledger.verify()

    assert gaps == [(skipped, skipped)]
    assert report.ok, report.message


def test_events_recorded_after_the_ledger_are_counted_but_not_yet_compared(
    container: Container,
) -> None:
    last = ledgered(container)
    registered_case(container.supervision)

    report = container.ledger.verify()

    assert report.ok
    assert report.checked == last
    assert report.unledgered >= 1
    assert "not in the ledger yet" in report.message


@pytest.mark.slow
def test_a_clean_store_of_ten_thousand_events_verifies(
    container: Container, database_url: str
) -> None:
    fill(container, 10_000)
    last = checkpointed(container)

    report = container.ledger.verify()

    assert last >= 10_000
    assert report.ok, report.message
    assert report.checked == last


def fill(container: Container, events: int) -> None:
    """Cases with many notes, a hundred aggregates per save: thousands of events a second."""
    access_code_hash = container.supervision.secrets.hash_access_code("fill")
    n = 0
    while head(container) < events:
        cases = []
        for _ in range(100):
            at = START + timedelta(minutes=n)
            case = Case.register(
                Intake(
                    kind=Kind.CONSULTATION,
                    channel=Channel.HOTLINE,
                    department="taxation",
                    summary=f"咨询 {n}",
                    complainant={"name": "测试", "phone": "13800000000"},
                ),
                case_id=uuid4(),
                tracking_number=tracking_number("hotline", at.astimezone(OFFICE_TZ).date(), n + 1),
                access_code_hash=access_code_hash,
                by=OPERATOR,
                at=at,
            )
            for i in range(19):
                case.add_note(text=f"跟进 {i}", public=False, by=OPERATOR, at=at)
            cases.append(case)
            n += 1
        container.supervision.save(*cases)


# Attacks on the events ------------------------------------------------------------------


def test_one_altered_byte_is_named_at_its_position(container: Container, database_url: str) -> None:
    ledgered(container)
    target = a_case_event(database_url, after=150)
    flip_a_byte(database_url, target)

    report = container.ledger.verify()

    assert not report.ok
    assert (report.first_bad_position, report.problem) == (target, Problem.ALTERED)
    assert report.checked == target - 1
    assert f"position {target}" in report.message


def test_an_altered_topic_is_an_alteration_too(container: Container, database_url: str) -> None:
    ledgered(container)
    target = a_case_event(database_url, after=160)
    sql(
        database_url,
        "UPDATE oversight_events SET topic = 'oversight:Case.Closed' WHERE notification_id = %s",
        target,
    )

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (target, Problem.ALTERED)


def test_a_deleted_row_is_named_missing(container: Container, database_url: str) -> None:
    ledgered(container)
    target = a_case_event(database_url, after=170)
    sql(database_url, "DELETE FROM oversight_events WHERE notification_id = %s", target)

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (target, Problem.MISSING)
    assert "deleted" in report.message


def test_a_deleted_row_and_its_ledger_row_are_named_missing(
    container: Container, database_url: str
) -> None:
    ledgered(container)
    target = a_case_event(database_url, after=170)
    sql(database_url, "DELETE FROM oversight_events WHERE notification_id = %s", target)
    sql(database_url, "DELETE FROM ledger WHERE position = %s", target)

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (target, Problem.MISSING)


def test_a_row_forged_into_a_gap_between_events_is_named_inserted(
    container: Container, database_url: str
) -> None:
    skipped = make_a_gap(container, database_url)
    ledgered(container)
    forge_row(database_url, skipped)

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (skipped, Problem.INSERTED)
    assert "never recorded" in report.message


def test_a_row_forged_by_shifting_the_later_events_up_is_named_inserted(
    container: Container, database_url: str
) -> None:
    last = ledgered(container)
    target = a_case_event(database_url, after=180)
    for position in range(last, target - 1, -1):
        sql(
            database_url,
            "UPDATE oversight_events SET notification_id = %s WHERE notification_id = %s",
            position + 1,
            position,
        )
    sql(database_url, "SELECT setval('oversight_events_notification_id_seq', %s)", last + 1)
    forge_row(database_url, target)

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (target, Problem.INSERTED)


def test_a_row_forged_at_the_end_is_named_inserted_even_once_the_worker_chained_it(
    container: Container, database_url: str
) -> None:
    last = ledgered(container)
    forge_row(database_url, last + 1)

    before = container.ledger.verify()
    ledgered(container)
    after = container.ledger.verify()

    for report in (before, after):
        assert (report.first_bad_position, report.problem) == (last + 1, Problem.INSERTED)
        assert "sequence never handed out" in report.message


def test_two_swapped_rows_are_named_reordered_at_the_first(
    container: Container, database_url: str
) -> None:
    ledgered(container)
    first = a_case_event(database_url, after=150)
    second = a_case_event(database_url, after=first + 5)
    swap(database_url, first, second)

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (first, Problem.REORDERED)
    assert f"position {second}" in report.message


def test_a_tail_removed_after_a_checkpoint_is_named_truncated(
    container: Container, database_url: str
) -> None:
    last = checkpointed(container)
    cut = last - 5
    sql(database_url, "DELETE FROM oversight_events WHERE notification_id > %s", cut)
    sql(database_url, "DELETE FROM ledger WHERE position > %s", cut)

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (
        cut + 1,
        Problem.TRUNCATED_AFTER_CHECKPOINT,
    )
    assert f"up to position {last}" in report.message


def test_a_tail_removed_from_the_events_alone_is_named_truncated_too(
    container: Container, database_url: str
) -> None:
    last = checkpointed(container)
    sql(database_url, "DELETE FROM oversight_events WHERE notification_id > %s", last - 3)

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (
        last - 2,
        Problem.TRUNCATED_AFTER_CHECKPOINT,
    )


def test_the_worker_does_not_seal_again_what_stands_where_a_checkpointed_tail_was_removed(
    container: Container, database_url: str
) -> None:
    last = checkpointed(container)
    sql(database_url, "DELETE FROM ledger WHERE position > %s", last - 10)

    with pytest.raises(LedgerTruncated):
        container.ledger.writer().append_batch()
    with pytest.raises(CheckpointRefused):
        container.ledger.catch_up()


# Attacks on the ledger and the checkpoints ---------------------------------------------------


def recompute_ledger(database_url: str, seal_key: bytes, *, after: int = 0) -> None:
    """What an attacker without the signing key can do: rebuild the chain from `after` on,
    with seals made under a key of their own."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        chain = (
            bytes(
                connection.execute(
                    "SELECT chain_hash FROM ledger WHERE through = %s", (after,)
                ).fetchone()[0]
            )
            if after
            else None
        )
        rows = (
            connection.cursor(binary=True)
            .execute(raw_events_query("oversight_events", after=True), (after,))
            .fetchall()
        )
        connection.execute("DELETE FROM ledger WHERE position > %s", (after,))
        chain = chain or GENESIS
        for entry in entries(rows, after + 1):
            chain = chained(chain, entry.hash)
            connection.execute(
                "INSERT INTO ledger (position, through, kind, originator_id, "
                "originator_version, event_hash, chain_hash, seal) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    entry.position,
                    entry.through,
                    "gap" if entry.gap else "event",
                    UUID(bytes=entry.originator_id) if entry.originator_id else None,
                    entry.originator_version,
                    entry.hash,
                    chain,
                    seal(seal_key, entry.through, chain),
                ),
            )


def test_an_event_altered_and_the_ledger_recomputed_from_there_is_named_exactly(
    container: Container, database_url: str
) -> None:
    checkpointed(container)
    target = a_case_event(database_url, after=150)
    flip_a_byte(database_url, target)
    recompute_ledger(database_url, SigningKey.generate().seal_key, after=target - 1)

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (target, Problem.ALTERED)
    assert "rewritten" in report.message


def test_the_whole_chain_recomputed_without_the_key_is_caught_by_the_checkpoints(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    first = checkpointed(container)
    a_mix_of_cases(container)
    time_source.advance(hours=1)
    checkpointed(container)
    target = a_case_event(database_url, after=first)
    flip_a_byte(database_url, target)
    recompute_ledger(database_url, SigningKey.generate().seal_key)

    report = container.ledger.verify()

    assert not report.ok
    assert report.problem is Problem.ALTERED
    # Nothing in the database vouches for single events any more; the checkpoints bracket it.
    assert report.first_bad_position == first + 1 <= target
    assert "checkpoint #2" in report.message


def test_checkpoints_re_signed_with_another_key_are_named_forged(
    container: Container, database_url: str
) -> None:
    ledgered(container)
    made = container.ledger.make_checkpoint()
    intruder = SigningKey.generate()
    statement = made.statement.replace(made.key_id, intruder.key_id)
    sql(
        database_url,
        "UPDATE ledger_checkpoints SET statement = %s, signature = %s, key_id = %s "
        "WHERE number = %s",
        statement,
        intruder.sign(statement.encode()),
        intruder.key_id,
        made.number,
    )

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (
        made.position,
        Problem.FORGED_CHECKPOINT,
    )
    assert intruder.key_id in report.message


def test_a_checkpoint_whose_hash_was_edited_no_longer_verifies(
    container: Container, database_url: str
) -> None:
    ledgered(container)
    made = container.ledger.make_checkpoint()
    statement = made.statement.replace(made.chain_hash, "00" * 32)
    sql(
        database_url,
        "UPDATE ledger_checkpoints SET statement = %s, chain_hash = %s WHERE number = %s",
        statement,
        bytes(32),
        made.number,
    )

    report = container.ledger.verify()

    assert (report.first_bad_position, report.problem) == (
        made.position,
        Problem.FORGED_CHECKPOINT,
    )
    assert "altered" in report.message


def test_a_removed_checkpoint_breaks_the_chain_of_checkpoints(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    checkpointed(container)
    time_source.advance(hours=1)
    container.ledger.make_checkpoint()
    time_source.advance(hours=1)
    third = container.ledger.make_checkpoint()
    sql(database_url, "DELETE FROM ledger_checkpoints WHERE number = %s", third.number - 1)

    report = container.ledger.verify()

    assert report.problem is Problem.FORGED_CHECKPOINT
    assert "does not follow" in report.message


# Checkpoints ------------------------------------------------------------------------------


def test_each_checkpoint_names_the_one_before_and_extends_its_chain(
    container: Container, time_source: SettableTimeSource
) -> None:
    ledgered(container)
    first = container.ledger.make_checkpoint()
    registered_case(container.supervision)
    time_source.advance(hours=2)
    ledgered(container)
    second = container.ledger.make_checkpoint()

    assert second.number == first.number + 1
    assert second.previous == first.hash == statement_hash(first.statement).hex()
    assert second.position > first.position
    assert json.loads(second.statement)["previous"] == first.hash
    assert [c.number for c in container.ledger.checkpoints()][-2:] == [first.number, second.number]


def test_no_checkpoint_is_signed_over_a_chain_that_does_not_extend_the_last_one(
    container: Container, database_url: str
) -> None:
    ledgered(container)
    previous = container.ledger.make_checkpoint()
    registered_case(container.supervision)
    ledgered(container)
    flip_a_byte(database_url, a_case_event(database_url, after=previous.position))

    with pytest.raises(CheckpointRefused, match="do not match the ledger"):
        container.ledger.make_checkpoint()


def test_the_worker_signs_a_checkpoint_once_a_day_by_the_applications_time_source(
    container: Container, time_source: SettableTimeSource
) -> None:
    worker = container.worker()
    try:
        worker.run_once()
        worker.run_once()
        first = len(container.ledger.checkpoints())
        time_source.advance(hours=23)
        registered_case(container.supervision)
        worker.run_once()
        same_day = len(container.ledger.checkpoints())
        time_source.advance(hours=2)
        worker.run_once()
        next_day = len(container.ledger.checkpoints())
    finally:
        worker.close()

    assert (first, same_day, next_day) == (1, 1, 2)
    assert container.ledger.checkpoints()[-1].position == head(container)


def test_an_exported_checkpoint_is_checked_against_the_log(container: Container) -> None:
    made = exported_checkpoint(container)

    check = container.ledger.check_checkpoint(made)

    assert check.ok, check.message
    assert check.position == made["position"]


def test_an_exported_checkpoint_detects_history_rewritten_after_it(
    container: Container, database_url: str
) -> None:
    made = exported_checkpoint(container)
    target = a_case_event(database_url, after=150)
    flip_a_byte(database_url, target)

    check = container.ledger.check_checkpoint(made)

    assert not check.ok
    assert (check.position, check.problem) == (target, Problem.ALTERED)


def test_a_forged_checkpoint_is_refused_with_a_clear_message(container: Container) -> None:
    made = exported_checkpoint(container)
    statement = made["statement"].replace(made["chain_hash"], "ab" * 32)
    forged = {**made, "statement": statement, "chain_hash": "ab" * 32}

    check = container.ledger.check_checkpoint(forged)

    assert not check.ok
    assert check.problem is Problem.FORGED_CHECKPOINT
    assert "signature does not match" in check.message


def test_a_foreign_checkpoint_is_refused_naming_the_other_key(container: Container) -> None:
    ours = exported_checkpoint(container)
    theirs = SigningKey.generate()
    statement = Statement(
        number=1,
        position=ours["position"],
        chain_hash=bytes.fromhex(ours["chain_hash"]),
        made_at=ours["made_at"],
        previous=None,
        key_id=theirs.key_id,
        log="oversight_events",
    ).text()
    foreign = {
        "statement": statement,
        "signature": base64.b64encode(theirs.sign(statement.encode())).decode(),
        "public_key": theirs.public.base64,
    }

    check = container.ledger.check_checkpoint(foreign)

    assert not check.ok
    assert check.problem is Problem.FOREIGN_CHECKPOINT
    assert theirs.key_id in check.message
    assert "foreign" in check.message


def test_a_checkpoint_whose_fields_disagree_with_its_statement_is_refused(
    container: Container,
) -> None:
    made = exported_checkpoint(container)

    check = container.ledger.check_checkpoint({**made, "position": made["position"] + 1})

    assert check.problem is Problem.FORGED_CHECKPOINT
    assert "`position`" in check.message


def test_a_worker_with_another_signing_key_halts_the_ledger_but_still_runs_its_turn(
    container: Container, database_url: str
) -> None:
    ledgered(container)
    registered_case(container.supervision)
    container.ledger.key = SigningKey.generate()  # as if OVERSIGHT_SIGNING_KEY had changed
    worker = container.worker()
    try:
        turn = worker.run_once()
    finally:
        worker.close()

    assert turn.notifications > 0  # the read side kept going
    assert sql(database_url, "SELECT max(through) FROM ledger")[0][0] < head(container)
    with pytest.raises(CheckpointRefused, match="not sealed by this service's signing key"):
        container.ledger.catch_up()
