"""The notification feed writes each event's messages into the outbox exactly once, with its
position, leaves rebuilt history alone, starts at the head on an upgraded database, and lets
erasure take a citizen's undelivered messages with the key (§17)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from psycopg import sql

from application.notifications import MASKED_CODE
from domain.calendar import OFFICE_TZ
from domain.case import Outcome
from infrastructure.notification_feed import FEED_NAME
from infrastructure.notification_log import events_table_of, tracked_position
from infrastructure.outbox import opened
from infrastructure.schema import apply_migrations
from interfaces.bootstrap import Container, bootstrap
from tests.factories import (
    INSPECTOR,
    SAMPLE_DEPARTMENT,
    SAMPLE_DEPARTMENT_ACTOR,
    acknowledged_case,
    assign,
    assigned_case,
    import_sample_directory,
    registration,
)
from tests.integration.read_side import dict_rows
from tests.support import UNREACHABLE_CHANNELS, SettableTimeSource, run_worker_once, settings_for

CHANNELS = {**UNREACHABLE_CHANNELS, "public_url": "https://oversight.example.gov.cn"}
CITIZEN = {"name": "王芳", "phone": "13812345678", "notify": True}


@pytest.fixture
def container(database_url: str, time_source: SettableTimeSource) -> Iterator[Container]:
    """The application with every channel on (pointing nowhere: nothing is sent here)."""
    settings = settings_for(database_url, **CHANNELS)
    with bootstrap(settings, time_source=time_source, initialise=False) as built:
        import_sample_directory(built.supervision)
        yield built


def run_feed(container: Container, **options: Any) -> int:
    (feed,) = container.notification_tasks()
    with feed:  # type: ignore[attr-defined]
        for name, value in options.items():
            setattr(feed, name, value)
        return feed.run_until_caught_up()  # type: ignore[attr-defined, no-any-return]


def feed_position(database_url: str) -> int:
    """Where the notification feed has got to in the log."""
    with psycopg.connect(database_url) as connection:
        return tracked_position(connection, FEED_NAME)


def outbox(database_url: str, **where: Any) -> list[dict[str, Any]]:
    conditions = " AND ".join(f"{column} = %s" for column in where) or "true"
    return dict_rows(
        database_url,
        f"SELECT * FROM outbox_messages WHERE {conditions} ORDER BY position, channel",
        list(where.values()),
    )


def test_a_registration_with_consent_makes_one_sealed_sms_with_the_code_masked(
    container: Container, database_url: str
) -> None:
    registered = registration(container.supervision, complainant=CITIZEN)
    run_feed(container)

    (sms,) = outbox(database_url, channel="sms")
    number = registered.case.tracking_number
    assert sms["recipient_kind"] == "citizen"
    assert sms["recipient"] == "complainant"
    assert sms["address"] is None
    assert sms["masked_address"] == "138****5678"
    assert number in sms["text"]
    assert MASKED_CODE in sms["text"]
    assert registered.access_code not in sms["text"]
    assert "https://oversight.example.gov.cn/status" in sms["text"]
    assert sms["state"] == "pending"
    assert sms["case_id"] == registered.case.id
    sent = opened(container.supervision.personal_data_keys, sms["key_id"], sms["sealed"])
    assert sent["to"] == "13812345678"
    assert registered.access_code in sent["text"]
    assert number in sent["text"]


def test_a_citizen_who_did_not_agree_gets_no_sms(container: Container, database_url: str) -> None:
    registration(container.supervision, complainant={"name": "王芳", "phone": "13812345678"})
    run_feed(container)
    assert outbox(database_url, channel="sms") == []


def test_an_sms_registered_at_night_waits_for_eight_unless_urgent(
    container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    time_source.set(datetime(2026, 11, 27, 22, 30, tzinfo=OFFICE_TZ))
    calm = registration(container.supervision, complainant=CITIZEN).case.id
    urgent = registration(container.supervision, complainant=CITIZEN, urgent=True).case.id
    run_feed(container)

    (waiting,) = outbox(database_url, case_id=calm)
    (at_once,) = outbox(database_url, case_id=urgent)
    assert waiting["next_attempt_at"] == datetime(2026, 11, 28, 8, 0, tzinfo=OFFICE_TZ)
    assert at_once["next_attempt_at"] == datetime(2026, 11, 27, 22, 30, tzinfo=OFFICE_TZ)


def test_an_assignment_mails_the_department_at_its_directory_address(
    container: Container, database_url: str
) -> None:
    case_id = registration(container.supervision).case.id
    assign(container.supervision, case_id)
    run_feed(container)

    (mail,) = outbox(database_url, channel="email")
    assert mail["recipient"] == SAMPLE_DEPARTMENT
    assert mail["address"] == f"{SAMPLE_DEPARTMENT}@example.gov.cn"
    assert mail["template"] == "department_case_assigned"
    assert mail["event_topic"] == "oversight:Case.Assigned"
    assert mail["sealed"] is None


def test_the_feed_writes_each_message_once_however_often_it_runs_over_the_same_events(
    container: Container, database_url: str
) -> None:
    assigned_case(container.supervision, complainant=CITIZEN)
    run_feed(container, batch_size=1)
    first = outbox(database_url)
    # A crash after the write and before the position: the same events are read again.
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE projection_tracking SET position = 0 WHERE name = %s", (FEED_NAME,)
        )
    run_feed(container)

    again = outbox(database_url)
    assert len(first) == 2
    assert [m["id"] for m in again] == [m["id"] for m in first]
    assert [m["idempotency_key"] for m in again] == [m["idempotency_key"] for m in first]


def test_a_crash_after_writing_and_before_the_commit_leaves_neither_messages_nor_position(
    container: Container, database_url: str
) -> None:
    registration(container.supervision, complainant=CITIZEN)
    (feed,) = container.notification_tasks()

    class Crash(Exception):
        pass

    write = feed._write  # type: ignore[attr-defined]

    def write_then_crash(*args: Any) -> int:
        write(*args)
        raise Crash

    feed._write = write_then_crash  # type: ignore[attr-defined]
    with feed, pytest.raises(Crash):  # type: ignore[attr-defined]
        feed.run_until_caught_up()  # type: ignore[attr-defined]

    assert outbox(database_url) == []
    assert feed_position(database_url) == 0
    run_feed(container)
    assert len(outbox(database_url, channel="sms")) == 1


def test_a_rebuild_of_the_read_side_leaves_the_outbox_and_its_position_alone(
    container: Container, database_url: str
) -> None:
    assigned_case(container.supervision, complainant=CITIZEN)
    run_feed(container)
    before = outbox(database_url)
    position = feed_position(database_url)

    container.rebuild_projections()
    run_feed(container)

    assert outbox(database_url) == before
    assert feed_position(database_url) == position


def test_a_database_upgraded_to_the_outbox_starts_the_feed_at_its_head(
    container: Container, database_url: str
) -> None:
    assigned_case(container.supervision, complainant=CITIZEN)
    with psycopg.connect(database_url, autocommit=True) as connection:
        # As the database was before the outbox came in.
        connection.execute("DROP TABLE outbox_attempts, outbox_messages")
        connection.execute("DELETE FROM projection_tracking WHERE name = %s", (FEED_NAME,))
        connection.execute("DELETE FROM schema_migrations WHERE version = '0034_outbox'")
        head = connection.execute("SELECT max(notification_id) FROM oversight_events").fetchone()
    assert apply_migrations(database_url) == ["0034_outbox"]

    run_feed(container)
    assert outbox(database_url) == []
    assert head is not None
    assert feed_position(database_url) >= head[0]
    # What happens from now on is notified.
    registration(container.supervision, complainant=CITIZEN)
    run_feed(container)
    assert len(outbox(database_url, channel="sms")) == 1


def test_erasure_marks_the_cases_undelivered_messages_erased_and_clears_their_seal(
    container: Container, database_url: str
) -> None:
    case_id = assigned_case(container.supervision, complainant=CITIZEN)
    run_feed(container)
    container.supervision.erase_personal_data(case_id, reason="本人申请删除", by=INSPECTOR)

    (sms,) = outbox(database_url, channel="sms")
    (mail,) = outbox(database_url, channel="email")
    assert sms["state"] == "erased"
    assert sms["sealed"] is None
    assert mail["state"] == "pending"  # nothing personal in it


def test_an_erased_registration_sends_nothing_when_the_feed_comes_after(
    container: Container, database_url: str
) -> None:
    case_id = registration(container.supervision, complainant=CITIZEN).case.id
    container.supervision.erase_personal_data(case_id, reason="本人申请删除", by=INSPECTOR)
    run_feed(container)
    assert outbox(database_url, channel="sms") == []


def test_the_worker_runs_the_feed_with_the_other_runners(
    container: Container, database_url: str
) -> None:
    registration(container.supervision, complainant=CITIZEN)
    run_worker_once(container)
    assert len(outbox(database_url, channel="sms")) == 1


def test_a_registration_without_a_phone_cannot_ask_for_sms(container: Container) -> None:
    from domain.case import NotifyWithoutPhone

    with pytest.raises(NotifyWithoutPhone):
        registration(container.supervision, complainant={"name": "王芳", "notify": True})


def test_an_event_store_failure_while_reading_the_record_fails_the_batch_rather_than_skip_it(
    container: Container, database_url: str
) -> None:
    registration(container.supervision, complainant=CITIZEN)
    (feed,) = container.notification_tasks()

    def unavailable(*_: object, **__: object) -> None:
        raise OperationalError("the server closed the connection")

    feed.application.repository.get = unavailable  # type: ignore[attr-defined]
    try:
        with feed, pytest.raises(OperationalError):  # type: ignore[attr-defined]
            feed.run_until_caught_up()  # type: ignore[attr-defined]
    finally:
        del feed.application.repository.get  # type: ignore[attr-defined]

    assert feed_position(database_url) == 0
    run_feed(container)
    assert len(outbox(database_url, channel="sms")) == 1


def test_a_cases_later_messages_read_only_the_events_stored_since_its_earlier_ones(
    container: Container, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = acknowledged_case(container.supervision, complainant=CITIZEN)
    container.supervision.post_result(
        case_id,
        outcome=Outcome.RESOLVED,
        actions="核实",
        answer="已答复",
        by=SAMPLE_DEPARTMENT_ACTOR,
    )
    store = container.supervision.repository.event_store
    read_events = store.get

    def counting(originator_id: Any, **options: Any) -> Iterator[Any]:
        for event in read_events(originator_id, **options):
            if originator_id == case_id:
                read[0] += 1
            yield event

    read = [0]
    monkeypatch.setattr(store, "get", counting)
    run_feed(container, batch_size=1)  # one message per batch: the records outlive batches

    messages = outbox(database_url, case_id=case_id)
    result = max(message["position"] for message in messages)
    with psycopg.connect(database_url) as connection:
        (version,) = connection.execute(
            sql.SQL("SELECT originator_version FROM {} WHERE notification_id = %s").format(
                sql.Identifier(events_table_of(container.supervision))
            ),
            (result,),
        ).fetchone()
    # Registered, Assigned and ResultPosted notify: replayed from the start each time, the
    # case's first events would be read three times.
    assert {m["event_topic"].rsplit(".", 1)[1] for m in messages} >= {
        "Registered",
        "Assigned",
        "ResultPosted",
    }
    assert read[0] == version
