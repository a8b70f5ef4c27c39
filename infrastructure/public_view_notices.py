"""What the writers of public views announce on `oversight_public_views` (see
infrastructure/public_views.py), each within the transaction of its write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

PUBLIC_VIEWS_CHANNEL = "oversight_public_views"
# The read tables whose rows are public views: their writers announce the keys they wrote.
ANNOUNCED_TABLES = frozenset({"case_list"})
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a longer list is sent as this.
FLUSH_ALL = "*"
MAX_PAYLOAD = 7999
# A locked tracking number is announced as this prefix and the number.
NUMBER_PREFIX = "number:"


def changed_cases_payload(case_ids: Iterable[Any]) -> str | None:
    """The notification announcing these cases: their ids, comma-separated, or flush all when
    they would not fit in one; None for no case."""
    payload = ",".join(dict.fromkeys(str(case_id) for case_id in case_ids))
    if not payload:
        return None
    return payload if len(payload.encode()) <= MAX_PAYLOAD else FLUSH_ALL


def announce_changed(connection: psycopg.Connection[Any], case_ids: Iterable[Any]) -> None:
    """NOTIFY, within the caller's transaction, that these cases' public views changed."""
    payload = changed_cases_payload(case_ids)
    if payload is not None:
        connection.execute("SELECT pg_notify(%s, %s)", (PUBLIC_VIEWS_CHANNEL, payload))


def announce_flush(connection: psycopg.Connection[Any]) -> None:
    """NOTIFY, within the caller's transaction, that every public view may have changed."""
    connection.execute("SELECT pg_notify(%s, %s)", (PUBLIC_VIEWS_CHANNEL, FLUSH_ALL))
