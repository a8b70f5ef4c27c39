"""The sender: delivers the outbox's due messages through their channels (§17).

Each message is claimed in a transaction of its own (`FOR UPDATE SKIP LOCKED`: senders in
other processes pass it by), delivered, and its outcome written with its attempt in that
transaction, so what the table says is what happened, message by message. A process that
dies in the middle of a delivery leaves the message pending, unlocked as its connection goes:
the next sender tries it again with the same idempotency key (the row's), so a receiver that
got it the first time can drop the repeat. Nothing is ever sent under another key.

A citizen's phone and text are opened from `sealed` (the case's personal data key) just
before the delivery and `sealed` is cleared once the message is delivered, dead or erased; a
key already erased makes the message `erased` without a delivery. Failures are retried after
`retry_seconds × 2^(attempts-1)` (plus up to a tenth as jitter), a citizen's SMS not before
08:00 office time unless the case is urgent; after `max_attempts` tries, or at once on a
permanent failure, the message is dead. A message whose channel is off stays pending (logged
once per channel) until the channel is configured.

It runs on a thread of its own in the active worker's process (`OutboxSenderThread`, started
and stopped by the worker as it takes and leaves the lead), woken by `NOTIFY oversight_outbox`
and at least every `wake_seconds`. Logs never hold a phone number or a citizen's text.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import structlog

from application.personal_data import PersonalDataKeyMissing, PersonalDataKeys, unseal
from application.ports import Channel, DeliveryFailed, OutgoingMessage, TimeSource
from domain.quiet_hours import first_moment_to_text_a_citizen
from infrastructure.channels import channels_from_settings
from infrastructure.database_waits import DatabaseWaits
from infrastructure.settings import Settings

log = structlog.get_logger("oversight.outbox")

NOTIFY_CHANNEL = "oversight_outbox"
APPLICATION_NAME = "oversight-outbox-sender"  # its connection in pg_stat_activity
SEALED_FIELD = "outbox_message"
BATCH_SIZE = 50
WAKE_SECONDS = 5.0
# How often a waiting sender looks whether it was asked to stop.
STOP_CHECK_SECONDS = 0.25
RECONNECT_SECONDS = 2.0
JITTER = 0.1
DETAIL_CHARS = 500

# A key erased in another process may still be in this one's key cache: whether it was erased
# is read from the key table itself, in the claim, so nothing is sent after an erasure.
_CLAIM = """
SELECT id, idempotency_key, channel, recipient_kind, address, subject, text, sealed, key_id,
       urgent, attempts, template,
       EXISTS (SELECT 1 FROM personal_data_keys k
               WHERE k.key_id = m.key_id AND k.erased_at IS NOT NULL) AS key_erased
FROM outbox_messages m
WHERE state = 'pending' AND next_attempt_at <= %s AND channel = ANY(%s)
ORDER BY next_attempt_at, id
LIMIT 1
FOR UPDATE OF m SKIP LOCKED
"""


@dataclass(frozen=True)
class Claimed:
    """A due message, locked by this sender's transaction."""

    id: UUID
    idempotency_key: str
    channel: str
    recipient_kind: str
    address: str | None
    subject: str
    text: str
    sealed: Mapping[str, Any] | None
    key_id: UUID | None
    urgent: bool
    attempts: int
    template: str
    key_erased: bool

    @property
    def to_a_citizen_phone(self) -> bool:
        return self.recipient_kind == "citizen" and self.channel == "sms"


@dataclass
class Round:
    """What one round of the sender did."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    erased: int = 0
    postponed: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.failed + self.dead + self.erased + self.postponed


@dataclass(eq=False, repr=False)  # its repr would show the database URL, password and all
class OutboxSender:
    """Delivers due outbox messages; `run_once` for a round, `run_forever` on a thread."""

    database_url: str
    _: KW_ONLY
    channels: Mapping[str, Channel]
    keys: PersonalDataKeys
    time_source: TimeSource
    max_attempts: int = 8
    retry_seconds: float = 30.0
    batch_size: int = BATCH_SIZE
    wake_seconds: float = WAKE_SECONDS
    jitter: Callable[[], float] = random.random
    _connection: psycopg.Connection[Any] | None = field(default=None, init=False)
    _unconfigured_logged: set[str] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.channels = dict(self.channels)  # the sender's own, whatever the caller does after

    # One round ---------------------------------------------------------------

    def run_once(self, should_stop: Callable[[], bool] | None = None) -> Round:
        """Deliver the messages due now, up to `batch_size`, one transaction each."""
        done = Round()
        for _ in range(self.batch_size):
            if should_stop is not None and should_stop():
                break
            if not self._send_one(done):
                break
        self._note_unconfigured_channels()
        return done

    def run_until_idle(self, should_stop: Callable[[], bool] | None = None) -> Round:
        """Rounds until nothing is due (for tests and for a wake with a full batch)."""
        total = Round()
        while True:
            done = self.run_once(should_stop)
            for name in ("delivered", "failed", "dead", "erased", "postponed"):
                setattr(total, name, getattr(total, name) + getattr(done, name))
            if done.handled < self.batch_size or (should_stop is not None and should_stop()):
                return total

    def _send_one(self, done: Round) -> bool:
        connection = self.connection()
        now = self.time_source.now()
        with connection.transaction():
            row = connection.execute(_CLAIM, (now, sorted(self.channels))).fetchone()
            if row is None:
                return False
            message = Claimed(*row)
            self._handle(connection, message, now, done)
        return True

    def _handle(
        self, connection: psycopg.Connection[Any], message: Claimed, now: datetime, done: Round
    ) -> None:
        if message.to_a_citizen_phone:
            morning = first_moment_to_text_a_citizen(now, urgent=message.urgent)
            if morning > now:  # put in the outbox, or resent, during quiet hours
                self._postpone(connection, message, morning)
                done.postponed += 1
                return
        opened = self._open(connection, message, done)
        if opened is None:
            return
        attempt = message.attempts + 1
        channel = self.channels[message.channel]
        try:
            channel.deliver(opened)
        except DeliveryFailed as failure:
            self._failed(connection, message, attempt, now, failure, done)
            return
        except Exception as error:  # a channel's own bug: retried like a failure, and shown
            log.exception("outbox_channel_error", message_id=str(message.id))
            failure = DeliveryFailed(f"the channel failed ({type(error).__name__})")
            self._failed(connection, message, attempt, now, failure, done)
            return
        connection.execute(
            "UPDATE outbox_messages SET state = 'delivered', attempts = %s, delivered_at = %s,"
            " sealed = NULL, last_error = NULL WHERE id = %s",
            (attempt, now, message.id),
        )
        self._record_attempt(connection, message.id, attempt, now, "delivered", "delivered")
        done.delivered += 1
        log.info("outbox_delivered", attempt=attempt, **_fields(message))

    def _open(
        self, connection: psycopg.Connection[Any], message: Claimed, done: Round
    ) -> OutgoingMessage | None:
        """The message as the channel sends it; a citizen's phone and text from the seal.
        None when it cannot be sent (its key erased, its seal broken), recorded so."""
        if message.recipient_kind != "citizen":
            if not message.address:
                self._dead(connection, message, message.attempts, "the message has no address")
                done.dead += 1
                return None
            return OutgoingMessage(
                message.channel,
                message.address,
                message.subject,
                message.text,
                message.idempotency_key,
            )
        if message.sealed is None or message.key_id is None:
            self._dead(connection, message, message.attempts, "the citizen's message is not sealed")
            done.dead += 1
            return None
        try:
            key = None if message.key_erased else self.keys.key_for_reading(message.key_id)
        except PersonalDataKeyMissing:
            self._dead(connection, message, message.attempts, "the case has no data key")
            done.dead += 1
            return None
        if key is None:
            connection.execute(
                "UPDATE outbox_messages SET state = 'erased', sealed = NULL,"
                " last_error = 'personal data erased' WHERE id = %s",
                (message.id,),
            )
            done.erased += 1
            log.info("outbox_erased", **_fields(message))
            return None
        try:
            content = json.loads(unseal(key, message.key_id, SEALED_FIELD, message.sealed))
            to, text = str(content["to"]), str(content["text"])
        except (ValueError, KeyError, TypeError):
            self._dead(connection, message, message.attempts, "the sealed message cannot be opened")
            done.dead += 1
            return None
        return OutgoingMessage(message.channel, to, message.subject, text, message.idempotency_key)

    def _failed(
        self,
        connection: psycopg.Connection[Any],
        message: Claimed,
        attempt: int,
        now: datetime,
        failure: DeliveryFailed,
        done: Round,
    ) -> None:
        detail = _detail(failure.reason)
        self._record_attempt(connection, message.id, attempt, now, "failed", detail)
        if failure.permanent or attempt >= self.max_attempts:
            self._dead(connection, message, attempt, detail, permanent=failure.permanent)
            done.dead += 1
            return
        later = self.next_attempt_at(now, attempt, message)
        connection.execute(
            "UPDATE outbox_messages SET attempts = %s, next_attempt_at = %s, last_error = %s"
            " WHERE id = %s",
            (attempt, later, detail, message.id),
        )
        done.failed += 1
        log.warning(
            "outbox_attempt_failed",
            attempt=attempt,
            reason=detail,
            next_attempt_at=later.isoformat(),
            **_fields(message),
        )

    def next_attempt_at(self, now: datetime, attempt: int, message: Claimed) -> datetime:
        """After failed attempt number `attempt`: back off, then respect quiet hours."""
        wait = self.retry_seconds * 2 ** (attempt - 1) * (1 + JITTER * self.jitter())
        later = now + timedelta(seconds=wait)
        if message.to_a_citizen_phone:
            later = first_moment_to_text_a_citizen(later, urgent=message.urgent)
        return later

    def _dead(
        self,
        connection: psycopg.Connection[Any],
        message: Claimed,
        attempts: int,
        detail: str,
        *,
        permanent: bool = True,
    ) -> None:
        connection.execute(
            "UPDATE outbox_messages SET state = 'dead', attempts = %s, sealed = NULL,"
            " last_error = %s WHERE id = %s",
            (attempts, detail, message.id),
        )
        log.error(
            "outbox_dead", attempts=attempts, reason=detail, permanent=permanent, **_fields(message)
        )

    def _postpone(
        self, connection: psycopg.Connection[Any], message: Claimed, morning: datetime
    ) -> None:
        connection.execute(
            "UPDATE outbox_messages SET next_attempt_at = %s WHERE id = %s",
            (morning, message.id),
        )
        log.info("outbox_quiet_hours", next_attempt_at=morning.isoformat(), **_fields(message))

    @staticmethod
    def _record_attempt(
        connection: psycopg.Connection[Any],
        message_id: UUID,
        attempt: int,
        at: datetime,
        outcome: str,
        detail: str,
    ) -> None:
        connection.execute(
            "INSERT INTO outbox_attempts (message_id, attempt, at, outcome, detail)"
            " VALUES (%s, %s, %s, %s, %s)",
            (message_id, attempt, at, outcome, detail),
        )

    def _note_unconfigured_channels(self) -> None:
        """Log once per channel that due messages wait for it to be configured."""
        rows = (
            self.connection()
            .execute(
                "SELECT channel, count(*) FROM outbox_messages WHERE state = 'pending'"
                " AND next_attempt_at <= %s AND channel <> ALL(%s) GROUP BY channel",
                (self.time_source.now(), sorted(self.channels)),
            )
            .fetchall()
        )
        for channel, waiting in rows:
            if channel not in self._unconfigured_logged:
                self._unconfigured_logged.add(channel)
                log.warning("outbox_channel_not_configured", channel=channel, waiting=waiting)

    # Forever -------------------------------------------------------------------

    def connection(self) -> psycopg.Connection[Any]:
        if self._connection is None or self._connection.closed:
            waits = DatabaseWaits().parameters(self.database_url)
            self._connection = psycopg.connect(
                self.database_url, autocommit=True, application_name=APPLICATION_NAME, **waits
            )
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def run_forever(self, stop_event: threading.Event) -> None:
        """Deliver what is due whenever woken, until `stop_event` is set."""
        log.info("outbox_sender_started", channels=sorted(self.channels))
        try:
            while not stop_event.is_set():
                try:
                    self._listen()
                    self._serve(stop_event)
                except psycopg.Error as error:
                    log.warning("outbox_sender_connection_lost", error=type(error).__name__)
                except Exception:
                    log.exception("outbox_sender_failed")
                self.close()
                stop_event.wait(RECONNECT_SECONDS)
        finally:
            self.close()
            log.info("outbox_sender_stopped")

    def _listen(self) -> None:
        self.connection().execute(f"LISTEN {NOTIFY_CHANNEL}")

    def _serve(self, stop_event: threading.Event) -> None:
        while not stop_event.is_set():
            self.run_until_idle(stop_event.is_set)
            self._wait(stop_event)

    def _wait(self, stop_event: threading.Event) -> None:
        """Until a NOTIFY, `wake_seconds`, or a request to stop."""
        connection = self.connection()
        waited = 0.0
        while waited < self.wake_seconds and not stop_event.is_set():
            woken = False
            for _ in connection.notifies(timeout=STOP_CHECK_SECONDS, stop_after=1):
                woken = True
            if woken:
                for _ in connection.notifies(timeout=0):  # the rest come with this round
                    pass
                return
            waited += STOP_CHECK_SECONDS


class OutboxSenderThread:
    """The sender on a thread of its own; the worker starts it on taking the lead and stops it
    on leaving it, so one process delivers at a time (others would only skip locked rows)."""

    def __init__(self, sender: OutboxSender) -> None:
        self.sender = sender
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self.sender.run_forever,
            args=(self._stop,),
            name="oversight-outbox-sender",
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Let the delivery under way finish (its timeouts are short), then end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def _fields(message: Claimed) -> dict[str, str]:
    """What a log line may say about a message: never its address, phone or text."""
    return {
        "message_id": str(message.id),
        "channel": message.channel,
        "recipient_kind": message.recipient_kind,
        "template": message.template,
    }


def _detail(reason: str) -> str:
    """A failure's reason, on one line and bounded, for the attempts table and the log."""
    line = " ".join(reason.split())
    return line[:DETAIL_CHARS] if line else "failed"


def outbox_sender_from_settings(
    settings: Settings, database_url: str, keys: PersonalDataKeys, time_source: TimeSource
) -> OutboxSenderThread:
    """The sender with the channels the settings turn on (OVERSIGHT_SMS_GATEWAY_URL, …)."""
    channels = channels_from_settings(settings, time_source.now)
    sender = OutboxSender(
        database_url,
        channels=channels,
        keys=keys,
        time_source=time_source,
        max_attempts=settings.notify_max_attempts,
        retry_seconds=settings.notify_retry_seconds,
    )
    # The channels live as long as the process: the worker stops and starts the sender again
    # as it loses and regains the lead, with the same channels.
    return OutboxSenderThread(sender)
