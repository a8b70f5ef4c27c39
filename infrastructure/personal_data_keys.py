"""The data keys of complainants' personal data, kept in PostgreSQL under a master key.

Each case's data key is 32 random bytes, stored in `personal_data_keys` only wrapped
(AES-256-GCM) by the master key, which never enters the database: OVERSIGHT_MASTER_KEY in
production, else `<data_dir>/master.key`. Erasing a key overwrites its row's wrapped key
with NULL and records when; the sealed fields in the events stay as they are, unreadable.

The database remembers a fingerprint of the master key it was first used with (an HMAC of a
fixed text, which reveals nothing of the key), so a process started with another master key
stops at start-up with a clear message instead of misreading every key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg_pool import ConnectionPool, PoolTimeout

from application.base import StorageUnavailable
from application.personal_data import PersonalDataKeyMissing, new_data_key
from application.ports import Clock
from domain.personal_data import PersonalDataAlreadyErased
from infrastructure.database_waits import DatabaseWaits
from infrastructure.secrets import read_or_create_key_file

log = structlog.get_logger("oversight.personal_data")

MASTER_KEY_BYTES = 32
MASTER_KEY_FILE_NAME = "master.key"
NONCE_BYTES = 12
_WRAP_AAD_PREFIX = b"oversight data key v1|"
_FINGERPRINT_TEXT = b"oversight personal data master key fingerprint v1"
# Unwrapped keys kept in memory per process. Another process's erasure reaches this one's
# cache at the latest after CACHE_SECONDS (its aggregates see the erasure event at once).
CACHE_SIZE = 10_000
CACHE_SECONDS = 60.0
POOL_SIZE = 4


class MasterKeyError(ValueError):
    """The configured master key is malformed."""


class MasterKeyMismatch(RuntimeError):
    """The master key is not the one this database's data keys were wrapped with."""


def decode_master_key(text: str) -> bytes:
    """A configured master key: base64 (standard or URL-safe, padding optional) of 32 bytes."""
    cleaned = "".join(text.split()).replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != MASTER_KEY_BYTES:
        raise MasterKeyError(
            f"OVERSIGHT_MASTER_KEY must be base64 of exactly {MASTER_KEY_BYTES} bytes; "
            'make one with: python -c "import os, base64; '
            'print(base64.b64encode(os.urandom(32)).decode())"'
        )
    return key


def read_or_create_master_key(data_dir: Path) -> bytes:
    """The master key kept in `<data_dir>/master.key` (32 bytes, mode 0600), made if absent."""
    path = data_dir / MASTER_KEY_FILE_NAME
    key = read_or_create_key_file(path, MASTER_KEY_BYTES)
    if len(key) != MASTER_KEY_BYTES:
        raise MasterKeyError(f"{path} must hold exactly {MASTER_KEY_BYTES} bytes")
    return key


def master_key_fingerprint(master_key: bytes) -> bytes:
    """What the database keeps to recognise its master key; useless for recovering it."""
    return hmac.new(master_key, _FINGERPRINT_TEXT, hashlib.sha256).digest()


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
        clock: Clock,
        cache: KeyCache | None = None,
    ) -> None:
        if len(master_key) != MASTER_KEY_BYTES:
            raise MasterKeyError(f"the master key must have exactly {MASTER_KEY_BYTES} bytes")
        self._pool = pool
        self._master_key = master_key
        self._clock = clock
        self._cache = cache if cache is not None else KeyCache()

    @classmethod
    def connect(
        cls,
        database_url: str,
        *,
        master_key: bytes,
        clock: Clock,
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
        pool = ConnectionPool(
            database_url,
            min_size=1,
            max_size=pool_size,
            timeout=connect_timeout,
            connection_class=waits.connection_class,
            kwargs={
                "autocommit": True,
                "application_name": "oversight-personal-data-keys",
                **waits.parameters(database_url),
            },
            # A database restart leaves dead connections in the pool: test each on checkout.
            check=ConnectionPool.check_connection,
            name="personal-data-keys",
            open=True,
        )
        try:
            keys = cls(pool, master_key, clock, cache)
            keys.check_master_key()
        except BaseException:
            pool.close()
            raise
        return keys

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; a database that does not answer is StorageUnavailable (503)."""
        try:
            with self._pool.connection() as connection:
                yield connection
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise StorageUnavailable(
                "the personal data keys could not be reached; retry in a moment"
            ) from error

    def check_master_key(self) -> None:
        """Record the master key's fingerprint on first use; refuse a different key after."""
        fingerprint = master_key_fingerprint(self._master_key)
        with self._pool.connection() as connection:
            connection.execute(
                "INSERT INTO personal_data_master_key (fingerprint, created_at) "
                "VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (fingerprint, self._clock.now()),
            )
            row = connection.execute("SELECT fingerprint FROM personal_data_master_key").fetchone()
        if row is None or not hmac.compare_digest(bytes(row[0]), fingerprint):
            raise MasterKeyMismatch(
                "OVERSIGHT_MASTER_KEY is not the master key this database's personal data keys "
                "were made with; start with that key (see docs/operations.md, Keys). With "
                "another key every complainant's personal data would be unreadable."
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
                "INSERT INTO personal_data_keys (key_id, wrapped_key, created_at) "
                "VALUES (%s, %s, %s) ON CONFLICT (key_id) DO NOTHING RETURNING key_id",
                (key_id, wrap(self._master_key, key_id, candidate), self._clock.now()),
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
        now = self._clock.now()
        with self._connection() as connection, connection.transaction():
            destroyed = connection.execute(
                "UPDATE personal_data_keys SET wrapped_key = NULL, erased_at = %s "
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
        self._cache.put(key_id, None)
        log.info("personal_data_key_erased", key_id=str(key_id), destroyed=destroyed is not None)
        return destroyed is not None


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
