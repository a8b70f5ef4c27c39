"""The ledger's hash chain (§8): a running SHA-256 chain over the notification log as stored.

Each row of `oversight_events` is hashed as its bytes stand in the table — position,
originator id, originator version, topic and state, never decoded — so encrypted fields and
erased keys cannot break the chain. The chain hash of an entry is SHA-256(previous chain hash
‖ entry hash). A run of positions that no event holds (a rolled-back transaction used them
up; a bigserial does that) is an explicit `gap` entry, and the chain covers it too. Each
ledger row is sealed with an HMAC under a key derived from the signing key, so a ledger
recomputed by someone without that key is told apart, row by row, from the one the service
wrote.

In the event store's table-lock mode the order of positions is the order of commits: once
an event at position n is visible, every lower position is settled, so a gap the ledger has
recorded never fills later (if one does, verification calls it an insertion).
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import psycopg
import structlog
from psycopg import sql

from infrastructure.ledger.checkpoints import newest_checkpoint
from infrastructure.notification_log import LazyConnection

log = structlog.get_logger("oversight.ledger")

LEDGER_FORMAT = "oversight-ledger/1"
# The chain hash before the first entry.
GENESIS = hashlib.sha256(b"oversight ledger genesis v1").digest()
EVENT_TAG = f"{LEDGER_FORMAT} event\x00".encode()
EVENT_TAG_NO_STATE = f"{LEDGER_FORMAT} event without state\x00".encode()
GAP_TAG = f"{LEDGER_FORMAT} gap\x00".encode()
NO_TOPIC = 0xFFFF_FFFF
# position, originator version, originator id (16 bytes), length of the topic (or NO_TOPIC)
_EVENT_HEAD = struct.Struct(">qq16sI").pack
_GAP = struct.Struct(">qq").pack
_SEAL = struct.Struct(">q").pack

# Serialises ledger writers (and checkpoints) across processes, per transaction.
LEDGER_LOCK_KEY = (0x0F_E2_54 << 32) | zlib.crc32(b"ledger")
LEDGER_BATCH_SIZE = 5_000


class LedgerHalted(RuntimeError):
    """The ledger must not be extended as it stands: appending would vouch for a tampered
    log, or mix signing keys."""


class LedgerTruncated(LedgerHalted):
    """The ledger ends before a checkpoint's position: someone removed its tail."""


class LedgerSealedByAnotherKey(LedgerHalted):
    """The ledger's last row is not sealed by this service's key."""


# Hashing -------------------------------------------------------------------------


def event_hash(
    position: int, originator_id: bytes, version: int, topic: bytes | None, state: bytes | None
) -> bytes:
    """The hash of one stored event, over its bytes exactly as stored."""
    head = _EVENT_HEAD(position, version, originator_id, NO_TOPIC if topic is None else len(topic))
    if state is None:
        return hashlib.sha256(EVENT_TAG_NO_STATE + head + (topic or b"")).digest()
    return hashlib.sha256(EVENT_TAG + head + (topic or b"") + state).digest()


def gap_hash(first: int, last: int) -> bytes:
    """The hash of a gap marker: positions `first` to `last` hold no event."""
    return hashlib.sha256(GAP_TAG + _GAP(first, last)).digest()


def chained(previous: bytes, entry_hash: bytes) -> bytes:
    """The chain hash after an entry."""
    return hashlib.sha256(previous + entry_hash).digest()


def seal(seal_key: bytes, through: int, chain_hash: bytes) -> bytes:
    """The HMAC that shows a ledger row was written by a holder of the signing key."""
    return hmac.digest(seal_key, _SEAL(through) + chain_hash, "sha256")


def seal_holds(seal_key: bytes, through: int, chain_hash: bytes, sealed: bytes) -> bool:
    """Whether a ledger row's seal was made with this key for this chain hash."""
    return hmac.compare_digest(sealed, seal(seal_key, through, chain_hash))


# Entries -------------------------------------------------------------------------


class Entry(NamedTuple):
    """One entry of the chain: an event at `position`, or a gap `position`..`through`."""

    position: int
    through: int
    gap: bool
    originator_id: bytes | None
    originator_version: int | None
    hash: bytes


# A raw row of the events table: notification id, originator id (16 bytes), originator
# version, topic (UTF-8 bytes), state (bytes as stored).
RawEvent = tuple[int, bytes, int, bytes | None, bytes | None]


def raw_events_query(events_table: str, *, after: bool, upto: bool = False) -> sql.Composed:
    """The rows of the events table in position order, as stored (no decoding)."""
    conditions = [
        sql.SQL("notification_id > %s") if after else None,
        sql.SQL("notification_id <= %s") if upto else None,
    ]
    where = [c for c in conditions if c is not None]
    return sql.SQL(
        "SELECT notification_id, uuid_send(originator_id), originator_version, "
        "convert_to(topic, 'UTF8'), state FROM {events}{where} ORDER BY notification_id"
    ).format(
        events=sql.Identifier(events_table),
        where=sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where) if where else sql.SQL(""),
    )


def entries(rows: Iterable[RawEvent], next_position: int) -> Iterator[Entry]:
    """The chain's entries for consecutive rows, with a gap entry before any skipped positions."""
    for position, originator, version, topic, state in rows:
        if position > next_position:
            yield Entry(
                next_position, position - 1, True, None, None, gap_hash(next_position, position - 1)
            )
        yield Entry(
            position,
            position,
            False,
            bytes(originator),
            version,
            event_hash(position, bytes(originator), version, topic, state),
        )
        next_position = position + 1


# The ledger table ------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerHead:
    """The last entry of the ledger: the position it covers to and the chain hash there."""

    through: int
    chain_hash: bytes
    seal: bytes | None = None

    @classmethod
    def empty(cls) -> LedgerHead:
        return cls(0, GENESIS)


def ledger_head(connection: psycopg.Connection[Any]) -> LedgerHead:
    """Where the ledger has got to (an empty ledger stands at position 0, the genesis hash)."""
    row = connection.execute(
        "SELECT through, chain_hash, seal FROM ledger ORDER BY position DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return LedgerHead.empty()
    return LedgerHead(int(row[0]), bytes(row[1]), bytes(row[2]))


class LedgerWriter:
    """Appends the notification log to the ledger, in batches, exactly once.

    A worker task: `run_until_caught_up()` each turn. Each batch reads the events after the
    ledger's head and writes their entries in one transaction under an advisory lock, so two
    writers never interleave and a crash leaves the ledger at a batch boundary.
    """

    name = "ledger"

    def __init__(
        self,
        database_url: str,
        events_table: str,
        seal_key: bytes,
        *,
        batch_size: int = LEDGER_BATCH_SIZE,
        after_catching_up: Callable[[psycopg.Connection[Any]], object] | None = None,
        connection: LazyConnection | None = None,
    ) -> None:
        self.database_url = database_url
        self.events_table = events_table
        self.seal_key = seal_key
        self.batch_size = batch_size
        self.after_catching_up = after_catching_up
        self._connection = connection or LazyConnection(database_url)
        self._query = raw_events_query(events_table, after=True) + sql.SQL(" LIMIT %s")

    def connection(self) -> psycopg.Connection[Any]:
        """The writer's connection (autocommit; each batch opens its own transaction)."""
        return self._connection()

    def close(self) -> None:
        self._connection.close()

    def position(self) -> int:
        """The last position the ledger covers."""
        return ledger_head(self.connection()).through

    def run_until_caught_up(self, *, should_stop: Callable[[], bool] | None = None) -> int:
        """The worker's task: append until the log's end, then (say) checkpoint; answer how
        many events were appended. A halted ledger raises `LedgerHalted`, which the worker
        records as this runner failing (runner_health) while the rest of its turn runs."""
        appended = self.append_all(should_stop=should_stop)
        if self.after_catching_up is not None:
            self.after_catching_up(self.connection())
        return appended

    def append_all(self, *, should_stop: Callable[[], bool] | None = None) -> int:
        """Append batches until the log's end; raises `LedgerHalted` when it must not."""
        appended = 0
        while True:
            count = self.append_batch()
            appended += count
            if count < self.batch_size or (should_stop is not None and should_stop()):
                return appended

    def append_batch(self) -> int:
        """Append the next batch of events; answer how many."""
        connection = self.connection()
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (LEDGER_LOCK_KEY,))
            head = ledger_head(connection)
            checkpointed = newest_checkpoint(connection)
            if checkpointed is not None and head.through < checkpointed[0]:
                # Appending now would seal whatever stands in the removed positions today.
                raise LedgerTruncated(
                    f"the ledger ends at position {head.through} but a checkpoint covers up to "
                    f"{checkpointed[0]}: its tail was removed; run `oversight audit verify`"
                )
            if head.seal is not None and not seal_holds(
                self.seal_key, head.through, head.chain_hash, head.seal
            ):
                raise LedgerSealedByAnotherKey(
                    f"the ledger's last row (position {head.through}) is not sealed by this "
                    "service's signing key: the key changed (set OVERSIGHT_SIGNING_KEY back) "
                    "or the ledger was rewritten; run `oversight audit verify`"
                )
            with connection.cursor(binary=True) as cursor:
                rows = cursor.execute(self._query, (head.through, self.batch_size)).fetchall()
            if not rows:
                return 0
            chain = head.chain_hash
            records: list[tuple[Any, ...]] = []
            for entry in entries(rows, head.through + 1):
                chain = chained(chain, entry.hash)
                records.append(
                    (
                        entry.position,
                        entry.through,
                        "gap" if entry.gap else "event",
                        entry.originator_id.hex() if entry.originator_id else None,
                        entry.originator_version,
                        entry.hash,
                        chain,
                        seal(self.seal_key, entry.through, chain),
                    )
                )
            with (
                connection.cursor() as cursor,
                cursor.copy(
                    "COPY ledger (position, through, kind, originator_id, originator_version, "
                    "event_hash, chain_hash, seal) FROM STDIN"
                ) as copy,
            ):
                for record in records:
                    copy.write_row(record)
        gaps = sum(1 for record in records if record[2] == "gap")
        if gaps:
            log.info("ledger_gap_recorded", gaps=gaps, through=records[-1][1])
        return len(rows)
