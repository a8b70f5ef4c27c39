"""Where the bytes of evidence files are kept (§17): in PostgreSQL (the default) or in a
directory (OVERSIGHT_ATTACHMENTS_DIR), named by the SHA-256 of the bytes as stored.

Both write the same bytes once: a second `put` of stored content does nothing. A file in the
directory is written to a temporary name beside its place, flushed to disk and renamed, so
a reader never sees half a file and a crash leaves at worst a temporary file behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from infrastructure.database_waits import DatabaseWaits, pooled_connection

POOL_SIZE = 4
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_INSERT = (
    "INSERT INTO attachment_blobs (sha256, size, content) VALUES (%s, %s, %s) "
    "ON CONFLICT (sha256) DO NOTHING"
)
_SELECT = "SELECT content FROM attachment_blobs WHERE sha256 = %s"


def _checked(digest: str) -> str:
    if not _DIGEST.match(digest):
        raise ValueError(f"not a SHA-256 in hex: {digest!r}")
    return digest


class PostgresAttachmentStore:
    """File bytes in the attachment_blobs table (migration 0035)."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self._pool = pool

    @classmethod
    def connect(
        cls, database_url: str, *, connect_timeout: int = 10, statement_timeout: float | None = None
    ) -> PostgresAttachmentStore:
        """Open a small pool on the primary; every wait on it ends (StorageUnavailable)."""
        waits = DatabaseWaits(connect_seconds=connect_timeout, statement_seconds=statement_timeout)
        return cls(waits.small_pool(database_url, name="attachments", size=POOL_SIZE))

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        with pooled_connection(self._pool, "the evidence files") as connection:
            yield connection

    def put(self, digest: str, data: bytes) -> None:
        with self._connection() as connection:
            connection.execute(_INSERT, (_checked(digest), len(data), data))

    def get(self, digest: str) -> bytes | None:
        with self._connection() as connection:
            row = connection.execute(_SELECT, (_checked(digest),)).fetchone()
        return None if row is None else bytes(row[0])


class DirectoryAttachmentStore:
    """File bytes as files under a directory: `ab/cd/abcd…` by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, digest: str) -> Path:
        digest = _checked(digest)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, digest: str, data: bytes) -> None:
        path = self.path_of(digest)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, digest: str) -> bytes | None:
        try:
            return self.path_of(digest).read_bytes()
        except FileNotFoundError:
            return None


def open_attachment_store(
    directory: Path | None,
    database_url: str,
    *,
    connect_timeout: int = 10,
    statement_timeout: float | None = None,
) -> PostgresAttachmentStore | DirectoryAttachmentStore:
    """The directory's store when one is configured, else the database's."""
    if directory is not None:
        return DirectoryAttachmentStore(directory)
    return PostgresAttachmentStore.connect(
        database_url, connect_timeout=connect_timeout, statement_timeout=statement_timeout
    )
