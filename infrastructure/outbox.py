"""The outbox as administrators see it (§17): its messages newest first, one message with its
attempts, and sending a dead message again."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from application.notifications import (
    CITIZEN,
    MASKED_CODE,
    OutboxAttempt,
    OutboxMessage,
    OutboxMessageErased,
    OutboxMessageNotDead,
    OutboxMessageNotFound,
)
from application.personal_data import PersonalDataKeys, unseal
from application.ports import TimeSource
from application.queries import InvalidCursor, Page
from domain.case import CaseNotFound
from domain.personal_data import PersonalDataAlreadyErased
from domain.quiet_hours import first_moment_to_text_a_citizen
from infrastructure.notification_feed import OUTBOX_CHANNEL, SEALED_FIELD, sealed_message
from infrastructure.read_side import from_row
from infrastructure.sql_pool import SqlPool

_COLUMNS = (
    "SELECT id, channel, recipient_kind, recipient, masked_address, subject, text, state, "
    "attempts, next_attempt_at, created_at, delivered_at, last_error, record_type, record_id, "
    "case_id, template, position FROM outbox_messages"
)
_ATTEMPTS = (
    "SELECT attempt, at, outcome, detail FROM outbox_attempts WHERE message_id = $1 "
    "ORDER BY attempt"
)


def encode_outbox_cursor(created_at: datetime, message_id: UUID) -> str:
    """The cursor of the page after the message created at `created_at` with this id."""
    text = f"{created_at.isoformat()}|{message_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_outbox_cursor(cursor: str) -> tuple[datetime, UUID]:
    """What a cursor handed out by `encode_outbox_cursor` names; anything else is refused."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        moment, _, message = text.partition("|")
        at, message_id = datetime.fromisoformat(moment), UUID(message)
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidCursor("the cursor is not one this service handed out") from None
    if at.tzinfo is None:
        raise InvalidCursor("the cursor is not one this service handed out")
    return at, message_id


class OutboxOnPostgres:
    """The outbox's messages (read with asyncpg) and the resend (one psycopg transaction)."""

    def __init__(
        self,
        store: SqlPool,
        database_url: str,
        *,
        keys: PersonalDataKeys,
        time_source: TimeSource,
        citizen_of: Callable[[UUID], tuple[str, str | None] | None],
    ) -> None:
        self.store = store
        self.database_url = database_url
        self.keys = keys
        self.time_source = time_source
        self.citizen_of = citizen_of

    async def list_messages(self, *, state: str | None, limit: int, cursor: str | None) -> Page:
        """The messages, newest first, of one state if named."""
        conditions: list[str] = []
        args: list[Any] = []
        if state is not None:
            args.append(state)
            conditions.append(f"state = ${len(args)}")
        if cursor is not None:
            at, message_id = decode_outbox_cursor(cursor)
            args += [at, message_id]
            conditions.append(f"(created_at, id) < (${len(args) - 1}, ${len(args)})")
        args.append(limit + 1)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = await self.store.fetch(
            f"{_COLUMNS}{where} ORDER BY created_at DESC, id DESC LIMIT ${len(args)}", *args
        )
        items = [outbox_message(row) for row in rows[:limit]]
        following = (
            encode_outbox_cursor(items[-1].created_at, items[-1].id) if len(rows) > limit else None
        )
        return Page(items=items, next=following, position=0, caught_up=True)

    async def get_message(self, message_id: UUID) -> OutboxMessage:
        """One message with every attempt at delivering it."""
        row = await self.store.fetchrow(f"{_COLUMNS} WHERE id = $1", message_id)
        if row is None:
            raise OutboxMessageNotFound(f"there is no outbox message {message_id}")
        attempts = await self.store.fetch(_ATTEMPTS, message_id)
        return outbox_message(row, attempts)

    async def messages_of_case(self, case_id: UUID) -> list[OutboxMessage]:
        """What was sent (or is to be) about a case, oldest first: its internal timeline."""
        rows = await self.store.fetch(
            f"{_COLUMNS} WHERE case_id = $1 ORDER BY position, id", case_id
        )
        return [outbox_message(row) for row in rows]

    def resend(self, message_id: UUID) -> None:
        """A dead message back to `pending`, due now (a citizen's after quiet hours), with the
        same idempotency key and its attempts counted on; a citizen's message whose seal was
        cleared is sealed again from the case's phone while the case's personal data lasts."""
        with (
            psycopg.connect(self.database_url, autocommit=True) as connection,
            connection.transaction(),
        ):
            row = connection.execute(
                "SELECT state, recipient_kind, case_id, sealed, key_id, urgent "
                "FROM outbox_messages WHERE id = %s FOR UPDATE",
                (message_id,),
            ).fetchone()
            if row is None:
                raise OutboxMessageNotFound(f"there is no outbox message {message_id}")
            state, recipient_kind, case_id, sealed, key_id, urgent = row
            if state == "erased":
                raise OutboxMessageErased(_erased(message_id))
            if state != "dead":
                raise OutboxMessageNotDead(
                    f"outbox message {message_id} is {state}; only a dead one is resent"
                )
            now = self.time_source.now()
            due = now
            if recipient_kind == CITIZEN:
                due = first_moment_to_text_a_citizen(now, urgent=bool(urgent))
                if sealed is None:
                    sealed = self._sealed_again(message_id, case_id, key_id, connection)
            connection.execute(
                "UPDATE outbox_messages SET state = 'pending', next_attempt_at = %s, "
                "sealed = %s WHERE id = %s",
                (due, None if sealed is None else Jsonb(sealed), message_id),
            )
            connection.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(OUTBOX_CHANNEL)))

    def _sealed_again(
        self,
        message_id: UUID,
        case_id: UUID | None,
        key_id: UUID | None,
        connection: psycopg.Connection[Any],
    ) -> dict[str, Any]:
        """A citizen's message sealed again from what the case still holds: the phone, and
        for the registration SMS the access code its event keeps sealed."""
        contact = None
        if case_id is not None:
            try:
                contact = self.citizen_of(case_id)
            except CaseNotFound:
                contact = None
        if case_id is None or contact is None:
            raise OutboxMessageErased(_erased(message_id))
        phone, code = contact
        row = connection.execute(
            "SELECT text, template FROM outbox_messages WHERE id = %s", (message_id,)
        ).fetchone()
        text, template = row if row is not None else ("", "")
        if template == "citizen_registered":
            if code is None:
                raise OutboxMessageErased(_erased(message_id))
            text = str(text).replace(MASKED_CODE, code)
        try:
            return dict(sealed_message(self.keys, key_id or case_id, phone, str(text)).obj)
        except PersonalDataAlreadyErased:
            raise OutboxMessageErased(_erased(message_id)) from None


def _erased(message_id: UUID) -> str:
    return f"outbox message {message_id} can no longer be sent: its personal data was erased"


def opened(keys: PersonalDataKeys, key_id: UUID, sealed: dict[str, Any]) -> dict[str, str]:
    """A citizen's sealed message opened (the sender's side of the contract; tests use it)."""
    key = keys.key_for_reading(key_id)
    if key is None:
        raise PersonalDataAlreadyErased(f"the key {key_id} was erased")
    return dict(json.loads(unseal(key, key_id, SEALED_FIELD, sealed)))


def outbox_message(row: asyncpg.Record, attempts: Sequence[asyncpg.Record] = ()) -> OutboxMessage:
    attempt_log = tuple(from_row(OutboxAttempt, attempt) for attempt in attempts)
    return from_row(OutboxMessage, row, attempt_log=attempt_log)
