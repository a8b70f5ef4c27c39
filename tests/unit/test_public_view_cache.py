"""The cache of public views (§9): what it keeps, for how long, and when it serves nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from infrastructure.public_view_notices import FLUSH_ALL, MAX_PAYLOAD, changed_cases_payload
from infrastructure.public_views import PublicRecord, PublicViewCache

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def a_record(case_id: str | None = None, locked_until: datetime | None = None) -> PublicRecord:
    return PublicRecord(
        case_id=case_id or str(uuid4()),
        access_code_hash="hash",
        kind="complaint",
        status="assigned",
        department_id="real-estate-registration",
        registered_at=NOW,
        due_at=None,
        updated_at=NOW,
        timeline=(),
        locked_until=locked_until,
    )


async def heard_everything() -> bool:
    return True


async def cannot_tell() -> bool:
    return False


def listening_cache(capacity: int = 10) -> PublicViewCache:
    cache = PublicViewCache(capacity)
    cache.listening(heard_everything)
    return cache


def kept(cache: PublicViewCache, number: str, record: PublicRecord) -> None:
    cache.put(number, record, cache.ticket())


async def test_a_record_put_while_listening_is_served_again() -> None:
    cache = listening_cache()
    record = a_record()
    kept(cache, "HL20261204-0001", record)
    assert await cache.get("HL20261204-0001") is record


async def test_nothing_is_kept_or_served_before_the_process_listens() -> None:
    cache = PublicViewCache(10)
    kept(cache, "HL20261204-0001", a_record())
    assert len(cache) == 0
    assert await cache.get("HL20261204-0001") is None


async def test_losing_the_listener_empties_the_cache_and_stops_it_keeping_records() -> None:
    cache = listening_cache()
    kept(cache, "HL20261204-0001", a_record())
    cache.listening(None)
    assert await cache.get("HL20261204-0001") is None
    kept(cache, "HL20261204-0002", a_record())
    assert len(cache) == 0


async def test_listening_again_starts_empty() -> None:
    cache = listening_cache()
    kept(cache, "HL20261204-0001", a_record())
    cache.listening(heard_everything)
    assert await cache.get("HL20261204-0001") is None


async def test_a_record_is_not_served_when_the_listener_cannot_say_it_heard_everything() -> None:
    cache = PublicViewCache(10)
    cache.listening(cannot_tell)  # as when the connection dies under the round trip
    kept(cache, "HL20261204-0001", a_record())
    assert len(cache) == 1
    assert await cache.get("HL20261204-0001") is None


async def test_a_notification_of_a_case_drops_its_record_and_no_other() -> None:
    cache = listening_cache()
    changed, unchanged = a_record(), a_record()
    kept(cache, "HL20261204-0001", changed)
    kept(cache, "HL20261204-0002", unchanged)
    cache.heard(f"{uuid4()},{changed.case_id}")
    assert await cache.get("HL20261204-0001") is None
    assert await cache.get("HL20261204-0002") is unchanged


async def test_a_locked_number_is_dropped_by_its_notification() -> None:
    cache = listening_cache()
    kept(cache, "HL20261204-0001", a_record())
    cache.heard("number:HL20261204-0001")
    assert await cache.get("HL20261204-0001") is None


async def test_flush_all_drops_every_record() -> None:
    cache = listening_cache()
    kept(cache, "HL20261204-0001", a_record())
    kept(cache, "HL20261204-0002", a_record())
    cache.heard(FLUSH_ALL)
    assert len(cache) == 0


async def test_a_record_read_while_anything_was_dropped_is_not_kept() -> None:
    cache = listening_cache()
    ticket = cache.ticket()  # the read starts, then the case changes before it is kept
    record = a_record()
    cache.heard(record.case_id)
    cache.put("HL20261204-0001", record, ticket)
    assert await cache.get("HL20261204-0001") is None


async def test_the_least_recently_used_record_goes_first_when_the_cache_is_full() -> None:
    cache = listening_cache(capacity=2)
    kept(cache, "HL20261204-0001", a_record())
    kept(cache, "HL20261204-0002", a_record())
    await cache.get("HL20261204-0001")
    kept(cache, "HL20261204-0003", a_record())
    assert await cache.get("HL20261204-0002") is None
    assert await cache.get("HL20261204-0001") is not None
    assert await cache.get("HL20261204-0003") is not None


async def test_a_capacity_of_zero_keeps_nothing() -> None:
    cache = listening_cache(capacity=0)
    kept(cache, "HL20261204-0001", a_record())
    assert not cache.serving
    assert await cache.get("HL20261204-0001") is None


def test_a_record_tells_whether_its_number_is_locked_at_a_moment() -> None:
    record = a_record(locked_until=NOW + timedelta(minutes=15))
    assert record.locked_at(NOW)
    assert not record.locked_at(NOW + timedelta(minutes=15))
    assert not a_record().locked_at(NOW)


def test_changed_cases_are_announced_in_one_message_or_as_flush_all_beyond_the_limit() -> None:
    few = [uuid4() for _ in range(3)]
    assert changed_cases_payload(few) == ",".join(map(str, few))
    assert changed_cases_payload([few[0], few[0]]) == str(few[0])
    many = [uuid4() for _ in range(MAX_PAYLOAD // 36 + 1)]
    assert changed_cases_payload(many) == FLUSH_ALL
    assert changed_cases_payload([]) is None
