"""The read side's connections: an asyncpg pool on the primary or a read-only replica."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import quote, urlencode

import asyncpg
from psycopg.conninfo import conninfo_to_dict


async def _init_connection(connection: asyncpg.Connection) -> None:
    await connection.set_type_codec(
        "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
    )


def asyncpg_dsn(database_url: str) -> str:
    """asyncpg reads only URLs; psycopg (and so DATABASE_URL) also takes `key=value` strings."""
    if "://" in database_url:
        return database_url
    params = {key: str(value) for key, value in conninfo_to_dict(database_url).items()}
    user = quote(params.pop("user", ""), safe="")
    password = params.pop("password", "")
    dbname = quote(params.pop("dbname", ""), safe="")
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    query = f"?{urlencode(params)}" if params else ""
    return f"postgresql://{auth}/{dbname}{query}"


class ReadStore:
    """A pool of asyncpg connections for queries; opened inside the server's event loop."""

    def __init__(self, database_url: str, *, max_size: int = 10) -> None:
        self.database_url = database_url
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        """Connect; called once the event loop runs (never at import or bootstrap)."""
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                asyncpg_dsn(self.database_url),
                min_size=1,
                max_size=self.max_size,
                init=_init_connection,
            )

    async def close(self) -> None:
        """Close every connection."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def terminate(self) -> None:
        """Drop every connection at once (synchronous, for shutting a container down)."""
        if self._pool is not None:
            # The loop that opened the pool may already be closed; its connections went with it.
            with contextlib.suppress(RuntimeError):
                self._pool.terminate()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the read store is not open")
        return self._pool

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        return await self.pool.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        return await self.pool.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self.pool.fetchval(query, *args)
