"""The notification feed: turns events into outbox messages, exactly once (§17).

A worker task like the audit feed: each batch reads the notifications after its tracking
position, asks `application.notifications.messages_for` what each event sends, and writes
those messages, the new tracking position and a `NOTIFY oversight_outbox` (when it wrote
any) in one transaction under its own advisory lock. A crash before the commit leaves both
unwritten; the next run writes them again from the same events, with the same ids and
idempotency keys, and the outbox's UNIQUE constraints are the second guard.

Not a projection: `projections rebuild` never resets it, so rebuilt history sends nothing
again. Migration 0034 starts its position at the log's head as it was when the outbox came
in, so a database upgraded to this version does not notify its whole past.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import psycopg
import structlog
from eventsourcing.application import Application, Repository, project_aggregate
from eventsourcing.persistence import PersistenceError
from psycopg import sql
from psycopg.types.json import Jsonb

from application.base import StorageUnavailable
from application.notifications import (
    CITIZEN,
    TOPICS,
    Channels,
    Contact,
    Draft,
    Template,
    TemplateProblem,
    check_templates,
    messages_for,
)
from application.personal_data import PersonalDataKeys, seal
from application.ports import TimeSource
from domain.directory import Directory
from domain.personal_data import PersonalDataAlreadyErased
from infrastructure.notification_log import (
    DEFAULT_BATCH_SIZE,
    LazyConnection,
    TopicFilter,
    TrackedRunner,
    set_tracked_position,
)
from infrastructure.personal_data_keys import CACHE_SECONDS as KEY_CACHE_SECONDS
from infrastructure.projection_runner import (
    PROJECTION_LOCK_NAMESPACE,
    BatchResult,
    storable_value,
)
from infrastructure.settings import Settings
from infrastructure.yaml_files import ImportFileError, read_packaged_yaml

log = structlog.get_logger("oversight.notifications")

FEED_NAME = "notification_feed"
# The sender LISTENs here; whoever puts a message into `pending` NOTIFYs it.
OUTBOX_CHANNEL = "oversight_outbox"
NOTIFICATION_TEMPLATES = "notification_templates.yaml"
# The field name a citizen's message is sealed under (with the case id as the key id).
SEALED_FIELD = "outbox_message"
_MESSAGE_IDS = uuid5(NAMESPACE_URL, "https://oversight.invalid/outbox")
_COLUMNS = (
    "id",
    "idempotency_key",
    "position",
    "event_topic",
    "template",
    "channel",
    "recipient_kind",
    "recipient",
    "address",
    "masked_address",
    "subject",
    "text",
    "sealed",
    "key_id",
    "record_type",
    "record_id",
    "case_id",
    "urgent",
    "state",
    "next_attempt_at",
    "created_at",
)
_INSERT = sql.SQL("INSERT INTO outbox_messages ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
    sql.SQL(", ").join(map(sql.Identifier, _COLUMNS)),
    sql.SQL(", ").join(sql.Placeholder() * len(_COLUMNS)),
)


class NotificationTemplatesError(ImportFileError):
    """The notification templates file is not as the service needs it."""


def notification_templates() -> dict[str, Template]:
    """The packaged templates, checked (a service with a broken one refuses to start)."""
    document = read_packaged_yaml(NOTIFICATION_TEMPLATES, NotificationTemplatesError)
    try:
        return check_templates(document, NOTIFICATION_TEMPLATES)
    except TemplateProblem as problem:
        raise NotificationTemplatesError(str(problem), code="bad_template") from None


def message_id(idempotency_key: str) -> UUID:
    """The same id for the same event and recipient on every run."""
    return uuid5(_MESSAGE_IDS, idempotency_key)


def sealed_message(keys: PersonalDataKeys, case_id: UUID, phone: str, text: str) -> Jsonb:
    """A citizen's phone and full text, sealed under their case's key (the contract)."""
    plaintext = json.dumps({"to": phone, "text": text}, ensure_ascii=False).encode()
    return Jsonb(seal(keys.key_for_writing(case_id), case_id, SEALED_FIELD, plaintext))


class RecentRecords:
    """The records the feed read last, each as of the version it was read at.

    A case's next notifying event then reads only the events stored since, instead of
    replaying the case from its registration once for each of its messages.
    A record is kept no longer than a data key is (KEY_CACHE_SECONDS): its personal data was
    opened with a key that may since have been erased.
    """

    def __init__(
        self,
        repository: Repository[Any],
        *,
        size: int = 2_000,
        seconds: float = KEY_CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.repository = repository
        self.size = size
        self.seconds = seconds
        self._monotonic = monotonic
        self._records: OrderedDict[Any, tuple[float, Any]] = OrderedDict()

    def get(self, record_id: Any, version: int) -> Any:
        """The record as of `version`."""
        # Taken out while it is brought forward: a failure leaves nothing half-applied here.
        read_at, record = self._records.pop(record_id, (0.0, None))
        now = self._monotonic()
        if record is None or record.version > version or now - read_at > self.seconds:
            record, read_at = self.repository.get(record_id, version=version), now
        elif record.version < version:
            since = self.repository.event_store.get(record_id, gt=record.version, lte=version)
            record = project_aggregate(record, since)
        self._records[record_id] = (read_at, record)
        if len(self._records) > self.size:
            self._records.popitem(last=False)
        return record


class NotificationFeed(TrackedRunner):
    """Writes the outbox messages of every event of the log, once (a worker task)."""

    name = FEED_NAME
    lock_namespace = PROJECTION_LOCK_NAMESPACE

    def __init__(
        self,
        database_url: str,
        application: Application[Any],
        *,
        templates: Mapping[str, Template],
        channels: Channels,
        keys: PersonalDataKeys,
        time_source: TimeSource,
        directory: Callable[[], Directory],
        batch_size: int = DEFAULT_BATCH_SIZE,
        connection: LazyConnection | None = None,
    ) -> None:
        super().__init__(
            database_url,
            application,
            tracking_name=FEED_NAME,
            wanted=TopicFilter(topics=frozenset(TOPICS)),
            batch_size=batch_size,
            connection=connection,
        )
        self.application = application
        self.templates = templates
        self.channels = channels
        self.keys = keys
        self.time_source = time_source
        self.directory = directory
        self.records = RecentRecords(application.repository)

    def run_until_caught_up(self, *, should_stop: Callable[[], bool] | None = None) -> int:
        """Run batches until the log's end; answer how many notifications were read."""
        batches = self.batches_until_caught_up(self.run_batch, should_stop)
        return sum(batch.notifications for batch in batches)

    def run_batch(self) -> BatchResult:
        """Write the messages of the next batch of events and move the position past it."""
        with self.batch() as (connection, after):
            # Only the events that notify anyone are fetched whole.
            notifications = self.reader.read(connection, after=after, limit=self.batch_size)
            if not notifications:
                return BatchResult(0, 0, after)
            contacts: dict[str, Contact | None] | None = None
            written = 0
            for notification in notifications:
                if not self.wanted.wants(notification.topic):
                    continue
                if contacts is None:
                    contacts = _contacts(self.directory())
                drafts = self._drafts(notification, contacts)
                written += self._write(connection, notification.id, notification.topic, drafts)
            last = notifications[-1].id
            set_tracked_position(connection, self.tracking_name, last)
            if written:
                connection.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(OUTBOX_CHANNEL)))
        if written:
            log.info("notifications_written", messages=written, position=last)
        return BatchResult(len(notifications), written, last)

    def _drafts(self, notification: Any, contacts: Mapping[str, Contact | None]) -> list[Draft]:
        try:
            event = self.reader.decode(notification)
            record = self.records.get(notification.originator_id, notification.originator_version)
        except (psycopg.Error, PersistenceError, StorageUnavailable):
            raise  # the database: the batch is tried again, nothing of it written
        except Exception as error:  # an event that cannot be read sends nothing
            log.warning(
                "notification_event_unreadable",
                position=notification.id,
                error=type(error).__name__,
            )
            return []
        return messages_for(
            event,
            record,
            topic=notification.topic,
            templates=self.templates,
            channels=self.channels,
            contact=lambda department: contacts.get(department),
        )

    def _write(
        self, connection: psycopg.Connection[Any], position: int, topic: str, drafts: list[Draft]
    ) -> int:
        written = 0
        now = self.time_source.now()
        for draft in drafts:
            sealed = key_id = None
            if draft.recipient_kind == CITIZEN:
                if draft.case_id is None or draft.phone is None:
                    continue
                try:
                    sealed = sealed_message(self.keys, draft.case_id, draft.phone, draft.text)
                except PersonalDataAlreadyErased:
                    continue  # erased meanwhile: nothing personal is written again
                key_id = draft.case_id
            key = draft.idempotency_key(position)
            row = (
                message_id(key),
                key,
                position,
                topic,
                draft.template,
                draft.channel,
                draft.recipient_kind,
                draft.recipient,
                storable_value(draft.address),
                storable_value(draft.masked_address),
                storable_value(draft.subject),
                storable_value(draft.shown_text),
                sealed,
                key_id,
                draft.record_type,
                draft.record_id,
                draft.case_id,
                draft.urgent,
                "pending",
                draft.next_attempt_at,
                now,
            )
            cursor = connection.execute(_INSERT, row)
            written += cursor.rowcount
        return written


def _contacts(directory: Directory) -> dict[str, Contact | None]:
    """Every department ever listed, active or not, by id."""
    contacts: dict[str, Contact | None] = {}
    for department_id in directory.department_names:
        department = directory.department(department_id)
        if department is not None:
            contacts[department_id] = Contact(
                name=department.name,
                email=department.email,
                webhook=department.webhook,
                superior=department.superior,
            )
    return contacts


def channels_of(settings: Settings) -> Channels:
    """Which messages to make: for the channels the settings turn on (`Settings.sms_on`,
    `email_on`, the same the sender builds), a webhook wherever a recipient has one."""
    email = settings.email_on
    public = (settings.public_url or "").rstrip("/")
    return Channels(
        sms=settings.sms_on,
        email=email,
        inspectors_email=settings.inspectors_email if email else None,
        inspectors_webhook=settings.inspectors_webhook_url,
        status_url=f"{public}/status" if public else "政务服务中心网站“办理进度查询”",
    )
