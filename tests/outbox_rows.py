"""Outbox messages written straight into the table, in the state a test needs (the sender
that moves them on is tested on its own)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg.types.json import Jsonb


def insert_message(database_url: str, **fields: Any) -> UUID:
    """A department's e-mail about a case, dead after 8 tries unless `fields` say otherwise."""
    message_id = fields.pop("id", uuid4())
    at = fields.pop("at", datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
    row: dict[str, Any] = {
        "id": message_id,
        "idempotency_key": f"test-{message_id}",
        "position": uuid4().int % 2**53,  # one of its own: (position, channel, recipient) is unique
        "event_topic": "oversight:Case.Assigned",
        "template": "department_case_assigned",
        "channel": "email",
        "recipient_kind": "department",
        "recipient": "real-estate-registration",
        "address": "real-estate-registration@example.gov.cn",
        "masked_address": "real-estate-registration@example.gov.cn",
        "subject": "新派单：诉求 HL20261127-0001",
        "text": "不动产登记中心：\n政务服务中心向贵单位派发诉求 HL20261127-0001。",
        "record_type": "Case",
        "record_id": uuid4(),
        "state": "dead",
        "attempts": 8,
        "next_attempt_at": at,
        "created_at": at,
        "last_error": "connection refused",
        **fields,
    }
    if isinstance(row.get("sealed"), dict):
        row["sealed"] = Jsonb(row["sealed"])
    columns = ", ".join(row)
    values = ", ".join(["%s"] * len(row))
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            f"INSERT INTO outbox_messages ({columns}) VALUES ({values})",
            list(row.values()),
        )
    return message_id  # type: ignore[no-any-return]


def insert_delivered_sms(database_url: str, **fields: Any) -> UUID:
    """The citizen's SMS that a complaint was registered, delivered on the first try."""
    return insert_message(
        database_url,
        **{
            "channel": "sms",
            "recipient_kind": "citizen",
            "recipient": "complainant",
            "address": None,
            "masked_address": "138****5678",
            "subject": "诉求已登记",
            "text": "【政务服务中心】您的诉求已登记，受理编号HL20261127-0001，查询码******。",
            "state": "delivered",
            "attempts": 1,
            "delivered_at": datetime(2026, 11, 27, 2, 1, tzinfo=UTC),
            **fields,
        },
    )


def add_attempt(database_url: str, message_id: UUID, attempt: int, detail: str) -> None:
    """Record a failed try at delivering the message."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO outbox_attempts (message_id, attempt, at, outcome, detail) "
            "VALUES (%s, %s, now(), 'failed', %s)",
            (message_id, attempt, detail),
        )
