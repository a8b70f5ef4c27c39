"""The data keys of complainants' personal data, kept in PostgreSQL under a master key.

Each case's data key is 32 random bytes, stored in `personal_data_keys` only wrapped
(AES-256-GCM) by the master key, which never enters the database: OVERSIGHT_MASTER_KEY in
production, else `<data_dir>/master.key`. Erasing a key overwrites its row's wrapped key
with NULL and records when; the sealed fields in the events stay as they are, unreadable.

The database remembers a fingerprint of its master key (an HMAC of a fixed text, which
reveals nothing of the key), and each wrapped key the fingerprint of the master key that
wraps it, so a process started with another master key stops at start-up with a clear
message instead of misreading every key.

`rotate_master_key` re-wraps every data key under a new master key, in batches, each in a
transaction of its own; the events never change. The database records the rotation before
the first batch and switches its fingerprint to the new key only once no key is left under
the old one, so a rotation stopped anywhere resumes when run again with the same two keys;
meanwhile no process starts (the message names the command that finishes it).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg import sql
from psycopg_pool import ConnectionPool

from application.personal_data import PersonalDataKeyMissing, new_data_key
from application.ports import TimeSource
from domain.personal_data import PersonalDataAlreadyErased
from infrastructure.database_waits import DatabaseWaits, pooled_connection
from infrastructure.key_files import decode_base64_key, read_or_create_key_file, replace_key_file

log = structlog.get_logger("oversight.personal_data")

MASTER_KEY_BYTES = 32
MASTER_KEY_FILE_NAME = "master.key"
NEXT_MASTER_KEY_FILE_NAME = "master.key.next"
NONCE_BYTES = 12
_WRAP_AAD_PREFIX = b"oversight data key v1|"
_FINGERPRINT_TEXT = b"oversight personal data master key fingerprint v1"
# Unwrapped keys kept in memory per process. Another process's erasure reaches this one's
# cache at the latest after CACHE_SECONDS (its aggregates see the erasure event at once).
CACHE_SIZE = 10_000
CACHE_SECONDS = 60.0
POOL_SIZE = 4
# How the service's processes name their connections to the key table: a rotation counts
# them to refuse to run beside the service.
POOL_APPLICATION_NAME = "oversight-personal-data-keys"
# How long a rotation waits for the key connections of a process that has just stopped to go.
SERVICE_EXIT_GRACE_SECONDS = 5.0
SERVICE_EXIT_POLL_SECONDS = 0.1
ROTATION_APPLICATION_NAME = "oversight-master-key-rotation"
ROTATION_BATCH_SIZE = 500
# Any fixed number shared by every process of the service: it serialises rotations.
ROTATION_LOCK_KEY = 0x0F_E2_51_6A
# The data keys a rotation re-wraps: those the old key wraps. A row written by a process of a
# version before `wrapped_by` names no key: the database's key wraps it, which during a
# rotation is the old one.
_UNDER_OLD_KEY = "wrapped_key IS NOT NULL AND (wrapped_by = %s OR wrapped_by IS NULL)"


class MasterKeyError(ValueError):
    """The configured master key is malformed."""


class MasterKeyMismatch(RuntimeError):
    """The master key is not the one this database's data keys were wrapped with."""


class MasterKeyRotationUnfinished(MasterKeyMismatch):
    """A rotation of the master key started and did not finish: the data keys are wrapped
    partly by the old key, partly by the new one, until `oversight keys rotate` finishes."""


class MasterKeyRotationRefused(RuntimeError):
    """A rotation cannot start or go on as asked (the message says why and what to do)."""


def decode_master_key(text: str) -> bytes:
    """A configured master key: base64 (standard or URL-safe, padding optional) of 32 bytes."""
    return decode_base64_key(
        text,
        MASTER_KEY_BYTES,
        MasterKeyError,
        setting="OVERSIGHT_MASTER_KEY",
        hint='; make one with: python -c "import os, base64; '
        'print(base64.b64encode(os.urandom(32)).decode())"',
    )


def read_master_key_file(path: Path) -> bytes:
    """A master key given in a file, written as OVERSIGHT_MASTER_KEY is (base64 of 32 bytes)."""
    try:
        return decode_master_key(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise MasterKeyError(f"{path}: {error}") from error
    except MasterKeyError:
        raise MasterKeyError(
            f"{path} must hold a master key as OVERSIGHT_MASTER_KEY takes it: base64 of "
            f"exactly {MASTER_KEY_BYTES} bytes"
        ) from None


def read_or_create_master_key(data_dir: Path) -> bytes:
    """The master key kept in `<data_dir>/master.key` (32 bytes, mode 0600), made if absent."""
    return read_or_create_key_file(
        data_dir / MASTER_KEY_FILE_NAME, MASTER_KEY_BYTES, MasterKeyError
    )


def read_or_create_next_master_key(data_dir: Path, given: bytes | None = None) -> bytes:
    """The key a rotation moves to when the master key lives in the data folder:
    `<data_dir>/master.key.next`, kept until the rotation is done so that a run interrupted
    part-way finds it again. Made from `given`, else at random, if absent."""
    path = data_dir / NEXT_MASTER_KEY_FILE_NAME
    if given is not None and not path.exists():
        replace_key_file(path, given)
    key = read_or_create_key_file(path, MASTER_KEY_BYTES, MasterKeyError)
    if given is not None and key != given:
        raise MasterKeyRotationRefused(
            f"{path} holds the new key of an unfinished rotation, not the one given: run the "
            "command again without --new-key-file to finish that rotation first"
        )
    return key


def install_master_key(data_dir: Path, key: bytes) -> Path:
    """Put the new key in `<data_dir>/master.key` in one step, then drop `master.key.next`."""
    path = data_dir / MASTER_KEY_FILE_NAME
    replace_key_file(path, key)
    (data_dir / NEXT_MASTER_KEY_FILE_NAME).unlink(missing_ok=True)
    return path


def master_key_fingerprint(master_key: bytes) -> bytes:
    """What the database keeps to recognise its master key; useless for recovering it."""
    return hmac.new(master_key, _FINGERPRINT_TEXT, hashlib.sha256).digest()


def master_key_id(fingerprint: bytes) -> str:
    """How messages name a master key: the start of its fingerprint, in hex."""
    return fingerprint.hex()[:12]


def wrap(master_key: bytes, key_id: UUID, data_key: bytes) -> bytes:
    """The data key encrypted under the master key, bound to its id: nonce | ciphertext+tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master_key).encrypt(nonce, data_key, _WRAP_AAD_PREFIX + key_id.bytes)


def unwrap(master_key: bytes, key_id: UUID, wrapped: bytes) -> bytes:
    """The data key; MasterKeyMismatch if the master key (or the row) is not the right one."""
    nonce, ciphertext = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    try:
        return AESGCM(master_key).decrypt(nonce, ciphertext, _WRAP_AAD_PREFIX + key_id.bytes)
    except InvalidTag as error:
        raise MasterKeyMismatch(
            f"the data key {key_id} does not open with the master key in use: the master key "
            "is not the one the key was made with, or its row was altered"
        ) from error


class KeyCache:
    """A bounded, least-recently-used cache of unwrapped keys; erased ones are kept as None.

    Keys expire after `seconds`; knowing that a key is erased never expires (erasure is final).
    """

    def __init__(
        self,
        maxsize: int = CACHE_SIZE,
        seconds: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.maxsize = maxsize
        self.seconds = seconds
        self._monotonic = monotonic
        self._entries: OrderedDict[UUID, tuple[float, bytes | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key_id: UUID) -> tuple[bool, bytes | None]:
        """(found, key): key None means erased."""
        with self._lock:
            entry = self._entries.get(key_id)
            if entry is None:
                return False, None
            stored_at, key = entry
            if key is not None and self._monotonic() - stored_at > self.seconds:
                del self._entries[key_id]
                return False, None
            self._entries.move_to_end(key_id)
            return True, key

    def put(self, key_id: UUID, key: bytes | None) -> None:
        with self._lock:
            self._entries[key_id] = (self._monotonic(), key)
            self._entries.move_to_end(key_id)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class PostgresPersonalDataKeys:
    """Data keys in the `personal_data_keys` table, wrapped by the master key; a small
    connection pool of its own and a bounded cache of unwrapped keys."""

    def __init__(
        self,
        pool: ConnectionPool,
        master_key: bytes,
        time_source: TimeSource,
        cache: KeyCache | None = None,
    ) -> None:
        if len(master_key) != MASTER_KEY_BYTES:
            raise MasterKeyError(f"the master key must have exactly {MASTER_KEY_BYTES} bytes")
        self._pool = pool
        self._master_key = master_key
        self._fingerprint = master_key_fingerprint(master_key)
        self._time_source = time_source
        self._cache = cache if cache is not None else KeyCache()

    @classmethod
    def connect(
        cls,
        database_url: str,
        *,
        master_key: bytes,
        time_source: TimeSource,
        pool_size: int = POOL_SIZE,
        connect_timeout: int = 10,
        statement_timeout: float | None = None,
        lock_timeout: float | None = None,
        cache: KeyCache | None = None,
    ) -> PostgresPersonalDataKeys:
        """Open the pool and check the master key against the database's (MasterKeyMismatch).

        Every wait ends (StorageUnavailable): for a connection after `connect_timeout`, for a
        key's row locked by another transaction after `lock_timeout`, for any statement
        after `statement_timeout`, for a vanished server after the TCP bounds."""
        waits = DatabaseWaits(
            connect_seconds=connect_timeout,
            statement_seconds=statement_timeout,
            lock_seconds=lock_timeout,
        )
        pool = waits.small_pool(
            database_url,
            name="personal-data-keys",
            size=pool_size,
            application_name=POOL_APPLICATION_NAME,
        )
        try:
            keys = cls(pool, master_key, time_source, cache)
            keys.check_master_key()
        except BaseException:
            pool.close()
            raise
        return keys

    def close(self) -> None:
        self._pool.close()

    def _connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        return pooled_connection(self._pool, "the personal data keys")

    def check_master_key(self) -> None:
        """Record the master key's fingerprint on first use; refuse a different key after,
        and any key while a rotation is unfinished."""
        fingerprint = self._fingerprint
        with self._pool.connection() as connection:
            connection.execute(
                "INSERT INTO personal_data_master_key (fingerprint, created_at) "
                "VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (fingerprint, self._time_source.now()),
            )
            row = connection.execute(
                "SELECT fingerprint, rotating_to FROM personal_data_master_key"
            ).fetchone()
        if row is not None and row[1] is not None:
            raise MasterKeyRotationUnfinished(
                f"a rotation of the master key (from {master_key_id(bytes(row[0]))} to "
                f"{master_key_id(bytes(row[1]))}) is unfinished: run `oversight keys rotate` "
                "again with the same keys to finish it, then start with the new key"
            )
        if row is None or not hmac.compare_digest(bytes(row[0]), fingerprint):
            raise MasterKeyMismatch(
                "OVERSIGHT_MASTER_KEY is not the master key this database's personal data keys "
                "were made with; start with that key (see docs/operations.md, Keys). With "
                "another key every complainant's personal data would be unreadable. If "
                "`oversight keys rotate` was interrupted, run it again to finish."
            )

    def key_for_writing(self, key_id: UUID) -> bytes:
        found, key = self._cache.get(key_id)
        if found and key is not None:
            return key
        if found:
            raise _already_erased(key_id)
        candidate = new_data_key()
        with self._connection() as connection, connection.transaction():
            # No flush of its own: the event that uses the key commits after it, on the same
            # server, and flushing the event's commit flushes everything logged before it, so
            # no stored event can outlive its key; a key whose event never came is harmless.
            connection.execute("SET LOCAL synchronous_commit TO off")
            made = connection.execute(
                "INSERT INTO personal_data_keys (key_id, wrapped_key, wrapped_by, created_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (key_id) DO NOTHING RETURNING key_id",
                (
                    key_id,
                    wrap(self._master_key, key_id, candidate),
                    self._fingerprint,
                    self._time_source.now(),
                ),
            ).fetchone()
            row = None
            if made is None:  # made before: by an earlier attempt, or by another process
                row = connection.execute(
                    "SELECT wrapped_key FROM personal_data_keys WHERE key_id = %s", (key_id,)
                ).fetchone()
        if made is not None:
            key: bytes | None = candidate
        elif row is not None and row[0] is not None:
            key = unwrap(self._master_key, key_id, bytes(row[0]))
        else:
            key = None
        self._cache.put(key_id, key)
        if key is None:
            raise _already_erased(key_id)
        return key

    def key_for_reading(self, key_id: UUID) -> bytes | None:
        found, key = self._cache.get(key_id)
        if found:
            return key
        with self._connection() as connection:
            row = connection.execute(
                "SELECT wrapped_key FROM personal_data_keys WHERE key_id = %s", (key_id,)
            ).fetchone()
        if row is None:
            log.warning("personal_data_key_missing", key_id=str(key_id))
            raise PersonalDataKeyMissing(f"there is no data key {key_id}")
        key = None if row[0] is None else unwrap(self._master_key, key_id, bytes(row[0]))
        self._cache.put(key_id, key)
        return key

    def erase(self, key_id: UUID) -> bool:
        now = self._time_source.now()
        with self._connection() as connection, connection.transaction():
            destroyed = connection.execute(
                "UPDATE personal_data_keys SET wrapped_key = NULL, wrapped_by = NULL, "
                "erased_at = %s "
                "WHERE key_id = %s AND erased_at IS NULL RETURNING key_id",
                (now, key_id),
            ).fetchone()
            if destroyed is None:
                # No key to destroy: erased before, or personal data from before sealing.
                # The row still bars new personal data under this id.
                connection.execute(
                    "INSERT INTO personal_data_keys (key_id, wrapped_key, created_at, erased_at) "
                    "VALUES (%s, NULL, %s, %s) ON CONFLICT (key_id) DO NOTHING",
                    (key_id, now, now),
                )
            # A citizen's messages not yet delivered go with the key (§17): never sent, and
            # their sealed phone and text cleared in the same transaction. One the sender is
            # delivering right now is passed by rather than waited for: the sender sees the
            # key erased in the database before any later try (infrastructure/outbox_sender.py).
            connection.execute(
                "UPDATE outbox_messages SET state = 'erased', sealed = NULL WHERE id IN ("
                "SELECT id FROM outbox_messages WHERE key_id = %s AND state IN ('pending', 'dead') "
                "FOR UPDATE SKIP LOCKED)",
                (key_id,),
            )
        self._cache.put(key_id, None)
        log.info("personal_data_key_erased", key_id=str(key_id), destroyed=destroyed is not None)
        return destroyed is not None


@dataclass(frozen=True)
class RotationReport:
    """What a rotation of the master key did."""

    rewrapped: int  # data keys re-wrapped by this run
    under_new_key: int  # data keys the new master key wraps now
    erased: int  # erased keys: nothing to re-wrap
    old_key_id: str
    new_key_id: str
    already_done: bool  # an earlier run had finished it


RotationProgress = Callable[[int, int], None]


def rotate_master_key(
    database_url: str,
    *,
    old_key: bytes,
    new_key: bytes,
    time_source: TimeSource,
    batch_size: int = ROTATION_BATCH_SIZE,
    progress: RotationProgress | None = None,
) -> RotationReport:
    """Re-wrap every data key wrapped by `old_key` under `new_key`, then make `new_key` the
    database's master key. Run it again after an interruption: it resumes.

    Refuses (MasterKeyRotationRefused) while a process of the service holds connections to
    the key table: it would read keys wrapped by a key it does not have.
    """
    if len(old_key) != MASTER_KEY_BYTES or len(new_key) != MASTER_KEY_BYTES:
        raise MasterKeyError(f"a master key has exactly {MASTER_KEY_BYTES} bytes")
    old, new = master_key_fingerprint(old_key), master_key_fingerprint(new_key)
    with psycopg.connect(
        database_url, autocommit=True, application_name=ROTATION_APPLICATION_NAME
    ) as connection:
        locked = connection.execute(
            "SELECT pg_try_advisory_lock(%s)", (ROTATION_LOCK_KEY,)
        ).fetchone()
        if not (locked and locked[0]):
            raise MasterKeyRotationRefused("another `oversight keys rotate` is running")
        try:
            stage = _begin_rotation(connection, old, new, time_source)
            rewrapped = 0
            if stage != "done":
                # Checked after the rotation is on record: a process starting from now on refuses.
                _refuse_beside_the_service(connection, undo=stage == "started")
                total = _count(connection, _UNDER_OLD_KEY, old)
                while True:
                    rewrapped += _rewrap_all(
                        connection, old_key, new_key, batch_size, progress, rewrapped, total
                    )
                    if _finish_rotation(connection, new, time_source):
                        break
                log.info(
                    "master_key_rotated",
                    old_key_id=master_key_id(old),
                    new_key_id=master_key_id(new),
                    rewrapped=rewrapped,
                )
            return RotationReport(
                rewrapped=rewrapped,
                under_new_key=_count(connection, "wrapped_by = %s", new),
                erased=_count(connection, "wrapped_key IS NULL"),
                old_key_id=master_key_id(old),
                new_key_id=master_key_id(new),
                already_done=stage == "done",
            )
        finally:
            _release_rotation_lock(connection)


def _release_rotation_lock(connection: psycopg.Connection[Any]) -> None:
    """Let go of the rotation's lock at once, even after a failure: the server would only
    free it once this session's backend has gone, which a run started right after may beat."""
    if connection.closed:
        return
    with contextlib.suppress(psycopg.Error):
        connection.execute("SELECT pg_advisory_unlock(%s)", (ROTATION_LOCK_KEY,))


def _begin_rotation(
    connection: psycopg.Connection[Any], old: bytes, new: bytes, time_source: TimeSource
) -> str:
    """Record that a rotation from `old` to `new` runs: answer `started`, `resumed` (an
    earlier run stopped part-way) or `done` (the database's key is `new` already)."""
    with connection.transaction():
        row = connection.execute(
            "SELECT fingerprint, rotating_to FROM personal_data_master_key FOR UPDATE"
        ).fetchone()
        if row is None:
            # No process ever ran on this database, so no data key was ever made: the new
            # key is the one the first process must bring.
            connection.execute(
                "INSERT INTO personal_data_master_key (fingerprint, created_at) VALUES (%s, %s)",
                (new, time_source.now()),
            )
            return "done"
        recognised = bytes(row[0])
        rotating_to = bytes(row[1]) if row[1] is not None else None
        if recognised == new and rotating_to is None:
            return "done"
        if old == new:
            raise MasterKeyRotationRefused(
                "the new master key is the key in use: give the database's key as "
                "OVERSIGHT_MASTER_KEY (or in the data folder) and the new one with --new-key-file"
            )
        if rotating_to is not None and rotating_to != new:
            raise MasterKeyRotationRefused(
                f"a rotation to another master key ({master_key_id(rotating_to)}) is "
                "unfinished: run the command again with that key as --new-key-file"
            )
        if recognised != old:
            raise MasterKeyMismatch(
                f"the master key in use ({master_key_id(old)}) is not this database's "
                f"({master_key_id(recognised)}): give the database's key as OVERSIGHT_MASTER_KEY"
            )
        if rotating_to is not None:
            return "resumed"
        connection.execute(
            "UPDATE personal_data_master_key SET rotating_to = %s, rotation_started_at = %s",
            (new, time_source.now()),
        )
    log.info(
        "master_key_rotation_started", old_key_id=master_key_id(old), new_key_id=master_key_id(new)
    )
    return "started"


def _refuse_beside_the_service(connection: psycopg.Connection[Any], *, undo: bool) -> None:
    """Refuse while processes of the service hold key connections; a rotation that has only
    just been recorded is taken back (nothing was re-wrapped), so they may go on."""
    running = _key_connections_after_grace(connection)
    if not running:
        return
    if undo:
        connection.execute(
            "UPDATE personal_data_master_key SET rotating_to = NULL, rotation_started_at = NULL"
        )
    raise MasterKeyRotationRefused(
        f"the service is running ({running} connections to the personal data keys): stop "
        "every process (serve, worker, other commands), then run the command again"
    )


def _key_connections_after_grace(connection: psycopg.Connection[Any]) -> int:
    """How many key connections other processes hold, once those of a process that has just
    stopped have had a moment to go: PostgreSQL lists a closed connection until its backend
    has exited, which on a busy machine can take a while."""
    deadline = time.monotonic() + SERVICE_EXIT_GRACE_SECONDS
    while True:
        # The activity view is read once per transaction unless its snapshot is cleared.
        connection.execute("SELECT pg_stat_clear_snapshot()")
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            (POOL_APPLICATION_NAME,),
        ).fetchone()
        running = int(row[0]) if row else 0
        if not running or time.monotonic() >= deadline:
            return running
        time.sleep(SERVICE_EXIT_POLL_SECONDS)


def _rewrap_all(
    connection: psycopg.Connection[Any],
    old_key: bytes,
    new_key: bytes,
    batch_size: int,
    progress: RotationProgress | None,
    done: int,
    total: int,
) -> int:
    """Re-wrap, a batch per transaction, every data key the old key wraps; answer how many."""
    old = master_key_fingerprint(old_key)
    new = master_key_fingerprint(new_key)
    rewrapped = 0
    after = UUID(int=0)
    while True:
        with connection.transaction():
            rows = connection.execute(
                sql.SQL(
                    "SELECT key_id, wrapped_key FROM personal_data_keys "
                    "WHERE key_id > %s AND {} ORDER BY key_id LIMIT %s FOR UPDATE"
                ).format(sql.SQL(_UNDER_OLD_KEY)),
                (after, old, batch_size),
            ).fetchall()
            if not rows:
                return rewrapped
            rewrapped_rows = [
                (key_id, wrap(new_key, key_id, unwrap(old_key, key_id, bytes(wrapped))))
                for key_id, wrapped in rows
            ]
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE personal_data_keys SET wrapped_key = %s, wrapped_by = %s "
                    "WHERE key_id = %s",
                    [(wrapped, new, key_id) for key_id, wrapped in rewrapped_rows],
                )
        rewrapped += len(rows)
        after = rows[-1][0]
        if progress is not None:
            progress(min(done + rewrapped, total), total)


def _finish_rotation(
    connection: psycopg.Connection[Any], new: bytes, time_source: TimeSource
) -> bool:
    """Make `new` the database's key if no data key is left under another; answer whether
    it was done."""
    with connection.transaction():
        # No key can be written between the check and the switch.
        connection.execute("LOCK TABLE personal_data_keys IN SHARE MODE")
        if _count(connection, "wrapped_key IS NOT NULL AND wrapped_by IS DISTINCT FROM %s", new):
            return False
        connection.execute(
            "UPDATE personal_data_master_key SET fingerprint = %s, rotating_to = NULL, "
            "rotation_started_at = NULL, rotated_at = %s",
            (new, time_source.now()),
        )
    return True


def _count(connection: psycopg.Connection[Any], condition: str, *params: object) -> int:
    """How many rows of personal_data_keys meet `condition` (a constant of this module)."""
    query = sql.SQL("SELECT count(*) FROM personal_data_keys WHERE {}").format(sql.SQL(condition))
    row = connection.execute(query, params).fetchone()
    return int(row[0]) if row else 0


class InMemoryPersonalDataKeys:
    """Data keys in a dictionary: for the in-memory event store of unit tests."""

    def __init__(self) -> None:
        self._keys: dict[UUID, bytes | None] = {}
        self._lock = threading.Lock()

    def key_for_writing(self, key_id: UUID) -> bytes:
        with self._lock:
            key = self._keys.setdefault(key_id, new_data_key())
        if key is None:
            raise _already_erased(key_id)
        return key

    def key_for_reading(self, key_id: UUID) -> bytes | None:
        with self._lock:
            if key_id not in self._keys:
                raise PersonalDataKeyMissing(f"there is no data key {key_id}")
            return self._keys[key_id]

    def erase(self, key_id: UUID) -> bool:
        with self._lock:
            destroyed = self._keys.get(key_id) is not None
            self._keys[key_id] = None
        return destroyed

    def forget(self, key_id: UUID) -> None:
        """Lose a key without erasing it (tests of a key table restored from an old backup)."""
        with self._lock:
            self._keys.pop(key_id, None)


def _already_erased(key_id: UUID) -> PersonalDataAlreadyErased:
    return PersonalDataAlreadyErased(
        f"the personal data of case {key_id} was erased; nothing personal is recorded again"
    )
