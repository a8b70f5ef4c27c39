"""The outbox's sender against real local receivers (tests/receivers.py): what each channel
receives, retries and their back-off, dead and erased messages, quiet hours, and two senders
at once (§17). Rows are put into `outbox_messages` directly: the table is the contract with
the notification feed."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import psycopg
import pytest
import structlog

import infrastructure.outbox_sender as sender_module
from application.ports import Channel
from domain.calendar import OFFICE_TZ
from infrastructure.channels import (
    GroupRobot,
    MailServer,
    SmsGateway,
    SmtpServer,
    message_id,
)
from infrastructure.outbox_sender import OutboxSender, OutboxSenderThread
from infrastructure.personal_data_keys import PostgresPersonalDataKeys
from interfaces.bootstrap import bootstrap
from tests.integration.outbox_rows import (
    attempts,
    message,
    personal_data_keys,
    put_citizen_sms,
    put_message,
)
from tests.integration.read_side import wait_until
from tests.receivers import HttpReceiver, SmtpReceiver, http_receiver, smtp_receiver
from tests.support import SettableTimeSource, settings_for

__all__ = ["http_receiver", "smtp_receiver"]

GATEWAY_KEY = "gateway-secret-key"
PHONE = "13812345678"
CITIZEN_TEXT = "您的投诉已受理，受理编号 12345-20261127-0001，查询码 739182。"
MAIL_FROM = "notify@zwfw.example.gov.cn"


@pytest.fixture
def time_source() -> SettableTimeSource:
    return SettableTimeSource()


@pytest.fixture
def keys(database_url: str, time_source: SettableTimeSource) -> Iterator[PostgresPersonalDataKeys]:
    built = personal_data_keys(database_url, time_source)
    try:
        yield built
    finally:
        built.close()


def sms(receiver: HttpReceiver) -> SmsGateway:
    return SmsGateway(f"{receiver.url}/sms/send", GATEWAY_KEY)


def mail(receiver: SmtpReceiver) -> MailServer:
    return MailServer(SmtpServer.from_url(receiver.url), MAIL_FROM, SettableTimeSource().now)


@dataclass
class Outbox:
    """The test's outbox: its database, the keys that seal citizens' messages, and the clock
    that says when a message is due."""

    database_url: str
    keys: PostgresPersonalDataKeys
    time_source: SettableTimeSource

    def sender(self, *channels: Channel, max_attempts: int = 8) -> OutboxSender:
        """A sender over these channels, retrying after 30 s, doubled each time, no jitter."""
        return OutboxSender(
            self.database_url,
            channels={channel.name: channel for channel in channels},
            keys=self.keys,
            time_source=self.time_source,
            max_attempts=max_attempts,
            retry_seconds=30,
            jitter=lambda: 0.0,
        )

    def put(self, **fields: Any) -> tuple[UUID, str]:
        """A pending message due now (`put_message`'s fields): its id and idempotency key."""
        return put_message(self.database_url, due=self.time_source.now(), **fields)

    def citizen_sms(self, *, urgent: bool = False) -> tuple[UUID, str, UUID]:
        """A pending SMS to the citizen, its phone and text sealed, due now: its id, its
        idempotency key and its case's id."""
        return put_citizen_sms(
            self.database_url,
            self.keys,
            phone=PHONE,
            text=CITIZEN_TEXT,
            due=self.time_source.now(),
            urgent=urgent,
        )

    def row(self, message_id: UUID) -> dict[str, Any]:
        return message(self.database_url, message_id)

    def attempts(self, message_id: UUID) -> list[tuple[int, str, str]]:
        return attempts(self.database_url, message_id)


@pytest.fixture
def outbox(
    database_url: str, keys: PostgresPersonalDataKeys, time_source: SettableTimeSource
) -> Outbox:
    return Outbox(database_url, keys, time_source)


# Each channel delivers --------------------------------------------------------------------


def test_a_departments_email_arrives_in_chinese_with_a_message_id_from_its_idempotency_key(
    outbox: Outbox, time_source: SettableTimeSource, smtp_receiver: SmtpReceiver
) -> None:
    sent_id, key = outbox.put(channel="email", address="xfb@dept.example.gov.cn")
    sender = outbox.sender(mail(smtp_receiver))

    assert sender.run_once().delivered == 1

    (received,) = smtp_receiver.mails
    assert received.mail_from == MAIL_FROM
    assert received.recipients == ["xfb@dept.example.gov.cn"]
    mail_message: EmailMessage = received.message
    assert mail_message["Subject"] == "新案件待处理"
    assert mail_message["X-Idempotency-Key"] == key
    assert mail_message["Message-ID"] == message_id(key, MAIL_FROM)
    body = mail_message.get_body()
    assert body is not None
    assert "已分派给贵单位" in body.get_content()
    row = outbox.row(sent_id)
    assert (row["state"], row["attempts"]) == ("delivered", 1)
    assert row["delivered_at"] == time_source.now()
    assert outbox.attempts(sent_id) == [(1, "delivered", "delivered")]


def test_a_group_robot_gets_a_markdown_message_with_the_idempotency_key(
    outbox: Outbox, http_receiver: HttpReceiver
) -> None:
    robot_url = f"{http_receiver.url}/cgi-bin/webhook/send?key=robot-1"
    sent_id, key = outbox.put(
        channel="webhook",
        recipient_kind="inspectors",
        address=robot_url,
        subject="延期申请待审核",
        text="案件 12345-20261127-0001 申请延期 3 个工作日。",
    )
    sender = outbox.sender(GroupRobot())

    assert sender.run_once().delivered == 1

    (request,) = http_receiver.requests
    assert request.path == "/cgi-bin/webhook/send?key=robot-1"
    assert request.headers["idempotency-key"] == key
    body = request.json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "延期申请待审核"
    assert "申请延期 3 个工作日" in body["markdown"]["text"]
    assert body["markdown"]["content"] == body["markdown"]["text"]
    assert outbox.row(sent_id)["state"] == "delivered"


def test_a_citizens_sms_is_opened_from_its_seal_sent_whole_and_its_seal_cleared(
    outbox: Outbox, http_receiver: HttpReceiver
) -> None:
    sent_id, key, _ = outbox.citizen_sms()
    assert outbox.row(sent_id)["sealed"] is not None
    sender = outbox.sender(sms(http_receiver))

    assert sender.run_once().delivered == 1

    (request,) = http_receiver.requests
    assert request.path == "/sms/send"
    assert request.headers["authorization"] == f"Bearer {GATEWAY_KEY}"
    assert request.headers["idempotency-key"] == key
    assert request.json() == {"to": PHONE, "text": CITIZEN_TEXT, "idempotency_key": key}
    row = outbox.row(sent_id)
    assert (row["state"], row["sealed"]) == ("delivered", None)
    assert row["text"] == CITIZEN_TEXT.replace("739182", "******")


def test_no_log_line_of_the_sender_holds_the_citizens_phone_or_text(
    outbox: Outbox,
    time_source: SettableTimeSource,
    http_receiver: HttpReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outbox.citizen_sms()
    http_receiver.fail_next(1, 503, {"to": PHONE, "error": "busy"})
    sender = outbox.sender(sms(http_receiver))

    with structlog.testing.capture_logs() as logs:
        monkeypatch.setattr(sender_module, "log", structlog.get_logger("oversight.outbox"))
        sender.run_once()
        time_source.advance(seconds=30)
        sender.run_once()

    assert [entry["event"] for entry in logs] == ["outbox_attempt_failed", "outbox_delivered"]
    assert all(PHONE not in str(entry) and "739182" not in str(entry) for entry in logs)


# Retries, dead messages -------------------------------------------------------------------


def test_a_failing_gateway_is_retried_with_doubling_waits_then_delivered_under_one_key(
    outbox: Outbox, time_source: SettableTimeSource, http_receiver: HttpReceiver
) -> None:
    sent_id, key = outbox.put(channel="webhook", address=http_receiver.url)
    http_receiver.fail_next(1, 503)
    http_receiver.fail_next(1, 429)
    sender = outbox.sender(GroupRobot())
    start = time_source.now()

    assert sender.run_once().failed == 1
    assert outbox.row(sent_id)["next_attempt_at"] == start + timedelta(seconds=30)
    time_source.advance(seconds=29)
    assert sender.run_once().handled == 0  # not due yet
    time_source.advance(seconds=1)
    assert sender.run_once().failed == 1
    assert outbox.row(sent_id)["next_attempt_at"] == start + timedelta(seconds=90)
    time_source.advance(seconds=60)
    assert sender.run_once().delivered == 1

    row = outbox.row(sent_id)
    assert (row["state"], row["attempts"], row["last_error"]) == ("delivered", 3, None)
    assert outbox.attempts(sent_id) == [
        (1, "failed", "HTTP 503"),
        (2, "failed", "HTTP 429"),
        (3, "delivered", "delivered"),
    ]
    assert http_receiver.keys() == [key, key, key]


def test_the_retry_waits_carry_a_little_jitter(
    database_url: str, keys: PostgresPersonalDataKeys, time_source: SettableTimeSource
) -> None:
    sender = OutboxSender(
        database_url,
        channels={},
        keys=keys,
        time_source=time_source,
        retry_seconds=30,
        jitter=lambda: 1.0,
    )
    claimed = sender_module.Claimed(
        UUID(int=1), "k", "webhook", "department", "x", "s", "t", None, None, False, 0, "t", False
    )
    now = time_source.now()
    assert sender.next_attempt_at(now, 3, claimed) == now + timedelta(seconds=30 * 4 * 1.1)


def test_after_the_last_try_a_message_is_dead_with_every_attempt_recorded_and_its_seal_cleared(
    outbox: Outbox, time_source: SettableTimeSource, http_receiver: HttpReceiver
) -> None:
    sent_id, key, _ = outbox.citizen_sms(urgent=True)
    http_receiver.fail_next(10, 500)
    sender = outbox.sender(sms(http_receiver), max_attempts=3)

    for _ in range(3):
        sender.run_once()
        time_source.advance(hours=1)
    assert sender.run_once().handled == 0

    row = outbox.row(sent_id)
    assert (row["state"], row["attempts"], row["sealed"]) == ("dead", 3, None)
    assert row["last_error"] == "HTTP 500"
    assert [outcome for _, outcome, _ in outbox.attempts(sent_id)] == ["failed"] * 3
    assert http_receiver.keys() == [key] * 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_request_the_gateway_refuses_makes_the_message_dead_at_once(
    outbox: Outbox, http_receiver: HttpReceiver, status: int
) -> None:
    sent_id, _, _ = outbox.citizen_sms()
    http_receiver.fail_next(1, status)
    sender = outbox.sender(sms(http_receiver))

    assert sender.run_once().dead == 1

    row = outbox.row(sent_id)
    assert (row["state"], row["attempts"], row["sealed"]) == ("dead", 1, None)
    assert outbox.attempts(sent_id) == [(1, "failed", f"HTTP {status}")]


def test_a_robot_that_answers_an_error_code_has_failed_and_a_refused_robot_is_dead(
    outbox: Outbox, http_receiver: HttpReceiver
) -> None:
    busy_id, _ = outbox.put(channel="webhook", address=http_receiver.url)
    http_receiver.answer_next(1, {"errcode": 45009, "errmsg": "api freq out of limit"})
    sender = outbox.sender(GroupRobot())
    assert sender.run_once().failed == 1
    assert outbox.row(busy_id)["last_error"] == (
        "robot answered errcode 45009: api freq out of limit"
    )

    refused_id, _ = outbox.put(channel="webhook", address=http_receiver.url)
    http_receiver.answer_next(1, {"errcode": 310000, "errmsg": "keywords not in content"})
    assert sender.run_once().dead == 1
    assert outbox.row(refused_id)["state"] == "dead"


def test_a_mail_server_that_says_try_later_is_retried_and_one_that_refuses_makes_it_dead(
    outbox: Outbox, time_source: SettableTimeSource, smtp_receiver: SmtpReceiver
) -> None:
    later_id, _ = outbox.put(channel="email", address="a@dept.example.gov.cn")
    smtp_receiver.fail_next(1, "451 4.3.0 Try again later")
    sender = outbox.sender(mail(smtp_receiver))
    assert sender.run_once().failed == 1
    time_source.advance(seconds=30)
    assert sender.run_once().delivered == 1
    assert outbox.row(later_id)["state"] == "delivered"

    refused_id, _ = outbox.put(channel="email", address="b@dept.example.gov.cn")
    smtp_receiver.fail_next(1, "554 5.7.1 Rejected")
    assert sender.run_once().dead == 1
    assert outbox.row(refused_id)["last_error"] == "the mail server answered 554"


def test_an_unreachable_gateway_is_retried(outbox: Outbox) -> None:
    closed = HttpReceiver().start()
    url = closed.url
    closed.stop()
    sent_id, _ = outbox.put(channel="webhook", address=url)
    sender = outbox.sender(GroupRobot())

    assert sender.run_once().failed == 1
    row = outbox.row(sent_id)
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert row["last_error"].startswith("could not reach the receiver")


# Erasure, quiet hours, channels that are off ----------------------------------------------


def office(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=OFFICE_TZ)


def test_a_citizens_sms_retried_into_the_night_waits_for_eight_in_the_morning(
    outbox: Outbox, time_source: SettableTimeSource, http_receiver: HttpReceiver
) -> None:
    time_source.set(office("2026-11-27T20:59:50"))
    sent_id, _, _ = outbox.citizen_sms()
    http_receiver.fail_next(1, 503)
    sender = outbox.sender(sms(http_receiver))

    assert sender.run_once().failed == 1

    assert outbox.row(sent_id)["next_attempt_at"] == office("2026-11-28T08:00:00")


def test_an_urgent_citizens_sms_is_retried_through_the_night(
    outbox: Outbox, time_source: SettableTimeSource, http_receiver: HttpReceiver
) -> None:
    time_source.set(office("2026-11-27T20:59:50"))
    sent_id, _, _ = outbox.citizen_sms(urgent=True)
    http_receiver.fail_next(1, 503)
    sender = outbox.sender(sms(http_receiver))

    sender.run_once()

    expected = office("2026-11-27T21:00:20")
    assert outbox.row(sent_id)["next_attempt_at"] == expected


def test_a_citizens_sms_due_at_night_is_put_off_to_the_morning_without_an_attempt(
    outbox: Outbox, time_source: SettableTimeSource, http_receiver: HttpReceiver
) -> None:
    time_source.set(office("2026-11-27T23:30:00"))
    sent_id, _, _ = outbox.citizen_sms()
    sender = outbox.sender(sms(http_receiver))

    assert sender.run_once().postponed == 1

    assert http_receiver.requests == []
    row = outbox.row(sent_id)
    assert (row["state"], row["attempts"]) == ("pending", 0)
    assert row["next_attempt_at"] == office("2026-11-28T08:00:00")
    time_source.set(office("2026-11-28T08:00:00"))
    assert sender.run_once().delivered == 1


def test_a_message_whose_channel_is_off_stays_pending_and_is_logged_once(
    outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_id, _ = outbox.put(channel="email", address="a@dept.example.gov.cn")
    sender = outbox.sender(GroupRobot())

    with structlog.testing.capture_logs() as logs:
        monkeypatch.setattr(sender_module, "log", structlog.get_logger("oversight.outbox"))
        for _ in range(3):
            assert sender.run_once().handled == 0

    row = outbox.row(sent_id)
    assert (row["state"], row["attempts"]) == ("pending", 0)
    noted = [entry for entry in logs if entry["event"] == "outbox_channel_not_configured"]
    assert [(entry["channel"], entry["waiting"]) for entry in noted] == [("email", 1)]


# Senders at once, the thread --------------------------------------------------------------


def test_two_senders_at_once_deliver_each_message_exactly_once(
    outbox: Outbox, http_receiver: HttpReceiver
) -> None:
    sent = [outbox.put(channel="webhook", address=http_receiver.url) for _ in range(40)]
    senders = [
        outbox.sender(GroupRobot()),
        outbox.sender(GroupRobot()),
    ]
    go = threading.Barrier(2)

    def run(sender: OutboxSender) -> None:
        go.wait()
        sender.run_until_idle()

    threads = [threading.Thread(target=run, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(http_receiver.keys()) == Counter({key: 1 for _, key in sent})
    assert {outbox.row(sent_id)["state"] for sent_id, _ in sent} == {"delivered"}


def test_the_sender_thread_is_woken_by_notify_and_stops_cleanly(
    outbox: Outbox, database_url: str, http_receiver: HttpReceiver
) -> None:
    sender = outbox.sender(GroupRobot())
    sender.wake_seconds = 3600  # only a NOTIFY can wake it in time
    thread = OutboxSenderThread(sender)
    thread.start()
    try:
        assert wait_until(lambda: waiting_for_news(database_url))
        sent_id, _ = outbox.put(channel="webhook", address=http_receiver.url)
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute("NOTIFY oversight_outbox")
        assert wait_until(lambda: outbox.row(sent_id)["state"] == "delivered")
    finally:
        thread.stop()
    assert not thread.running


def waiting_for_news(database_url: str) -> bool:
    """Whether the sender finished its first round (it listens before it) and now waits."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'idle' AND query LIKE '%%channel <> ALL%%'"
        ).fetchone()
    return bool(row and row[0])


def test_the_active_worker_runs_the_sender_and_stops_it_with_itself(
    database_url: str, time_source: SettableTimeSource, http_receiver: HttpReceiver
) -> None:
    settings = settings_for(
        database_url,
        sms_gateway_url=f"{http_receiver.url}/sms/send",
        sms_gateway_key=GATEWAY_KEY,
    )
    with bootstrap(settings, time_source=time_source, initialise=False) as container:
        keys = container.supervision.personal_data_keys
        sent_id, key, _ = put_citizen_sms(
            database_url, keys, phone=PHONE, text=CITIZEN_TEXT, due=time_source.now()
        )
        handle = container.start_worker(poll_interval=0.1, standby_interval=0.1)
        assert wait_until(lambda: message(database_url, sent_id)["state"] == "delivered")
        handle.stop()
        assert not any(t.name == "oversight-outbox-sender" for t in threading.enumerate())

    assert http_receiver.keys() == [key]


# The receiver asks for AUTH over plain TCP (no certificate to make); aiosmtpd warns of that.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_mail_goes_through_a_server_that_wants_a_login_and_a_wrong_password_is_retried(
    outbox: Outbox, time_source: SettableTimeSource
) -> None:
    server = SmtpReceiver(login=("notify", "p@ss:word")).start()
    try:
        sent_id, _ = outbox.put(channel="email", address="a@dept.example.gov.cn")
        wrong = MailServer(
            SmtpServer.from_url(f"smtp://notify:nope@127.0.0.1:{server.port}"),
            MAIL_FROM,
            time_source.now,
        )
        assert outbox.sender(wrong).run_once().failed == 1
        assert outbox.row(sent_id)["last_error"] == "the mail server answered 535"

        right = MailServer(
            SmtpServer.from_url(f"smtp://notify:p%40ss%3Aword@127.0.0.1:{server.port}"),
            MAIL_FROM,
            time_source.now,
        )
        time_source.advance(seconds=30)
        assert outbox.sender(right).run_once().delivered == 1
        assert [mail.recipients for mail in server.mails] == [["a@dept.example.gov.cn"]]
    finally:
        server.stop()


def test_a_message_in_flight_when_its_case_is_erased_is_not_waited_for_nor_sent_afterwards(
    outbox: Outbox, http_receiver: HttpReceiver
) -> None:
    sent_id, _, case_id = outbox.citizen_sms()
    # The sender's process still holds the key in its cache; the erasure comes from another.
    assert outbox.keys.key_for_reading(case_id) is not None
    erasing_process = personal_data_keys(outbox.database_url, outbox.time_source)
    with psycopg.connect(outbox.database_url) as delivering, delivering.transaction():
        delivering.execute("SELECT 1 FROM outbox_messages WHERE id = %s FOR UPDATE", (sent_id,))
        assert erasing_process.erase(case_id) is True
    erasing_process.close()
    assert outbox.row(sent_id)["state"] == "pending"

    sender = outbox.sender(sms(http_receiver))

    assert sender.run_once().erased == 1
    assert http_receiver.requests == []
    row = outbox.row(sent_id)
    assert (row["state"], row["sealed"]) == ("erased", None)
