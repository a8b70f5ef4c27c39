"""Rows of the outbox (migration 0034) as the notification feed writes them, for the sender's
tests: the table is the contract between the two."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg

from application.personal_data import seal
from infrastructure.personal_data_keys import PostgresPersonalDataKeys, decode_master_key
from tests.integration.read_side import dict_rows
from tests.outbox_rows import insert_message
from tests.support import TEST_MASTER_KEY, SettableTimeSource


def personal_data_keys(
    database_url: str, time_source: SettableTimeSource
) -> PostgresPersonalDataKeys:
    return PostgresPersonalDataKeys.connect(
        database_url, master_key=decode_master_key(TEST_MASTER_KEY), time_source=time_source
    )


def put_message(
    database_url: str,
    *,
    channel: str,
    recipient_kind: str = "department",
    address: str | None = None,
    subject: str = "新案件待处理",
    text: str = "案件 12345-20261127-0001 已分派给贵单位，请在规定时限内签收。",
    due: datetime,
    urgent: bool = False,
    sealed: dict[str, str] | None = None,
    key_id: UUID | None = None,
    masked_address: str = "—",
) -> tuple[UUID, str]:
    """Insert a pending message due at `due`; answer its id and idempotency key."""
    message_id = uuid4()
    key = f"outbox-{message_id}"
    recipient = {"citizen": "complainant", "inspectors": "inspectors"}.get(
        recipient_kind, str(uuid4())
    )
    insert_message(
        database_url,
        id=message_id,
        idempotency_key=key,
        at=due,
        template="case_assigned",
        channel=channel,
        recipient_kind=recipient_kind,
        recipient=recipient,
        address=address,
        masked_address=masked_address,
        subject=subject,
        text=text,
        sealed=sealed,
        key_id=key_id,
        record_type="case",
        record_id=key_id or uuid4(),
        case_id=key_id,
        urgent=urgent,
        state="pending",
        attempts=0,
        last_error=None,
    )
    return message_id, key


def put_citizen_sms(
    database_url: str,
    keys: PostgresPersonalDataKeys,
    *,
    phone: str,
    text: str,
    due: datetime,
    urgent: bool = False,
    case_id: UUID | None = None,
) -> tuple[UUID, str, UUID]:
    """A citizen's SMS, its phone and full text sealed under the case's key; answer its id,
    idempotency key and the case id."""
    case_id = case_id or uuid4()
    sealed = seal(
        keys.key_for_writing(case_id),
        case_id,
        "outbox_message",
        json.dumps({"to": phone, "text": text}, ensure_ascii=False).encode(),
    )
    masked_text = text.replace("739182", "******")
    message_id, key = put_message(
        database_url,
        channel="sms",
        recipient_kind="citizen",
        text=masked_text,
        subject="投诉受理",
        due=due,
        urgent=urgent,
        sealed=sealed,
        key_id=case_id,
        masked_address=phone[:3] + "****" + phone[-4:],
    )
    return message_id, key, case_id


def message(database_url: str, message_id: UUID) -> dict[str, Any]:
    (row,) = dict_rows(database_url, "SELECT * FROM outbox_messages WHERE id = %s", (message_id,))
    return row


def attempts(database_url: str, message_id: UUID) -> list[tuple[int, str, str]]:
    with psycopg.connect(database_url, autocommit=True) as connection:
        return [
            (number, outcome, detail)
            for number, outcome, detail in connection.execute(
                "SELECT attempt, outcome, detail FROM outbox_attempts WHERE message_id = %s"
                " ORDER BY attempt",
                (message_id,),
            ).fetchall()
        ]
