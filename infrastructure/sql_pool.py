"""The asyncpg side of the database: pools on the primary or a read-only replica, for the read
side's queries and the HTTP side's small writes (rate limits, idempotency keys)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator, Sequence
from typing import Any, Literal
from urllib.parse import quote, urlencode

import asyncpg
from psycopg.conninfo import conninfo_to_dict

from application.base import StorageUnavailable

Method = Literal["fetch", "fetchrow", "fetchval", "execute"]


class DatabaseUnreachable(StorageUnavailable):
    """The server refused or lost the connection, or did not answer in time."""


async def _keep_session(_: asyncpg.Connection) -> None:
    """Queries leave no session state (no locks, listeners or settings) to clear, so a
    connection goes back to the pool without asyncpg's reset round trip."""


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


class SqlPool:
    """A pool of asyncpg connections, opened on first use inside the event loop.

    Every statement is bounded by `statement_timeout` seconds, in the server (so a slow query
    stops holding locks and a connection) and in the client (so a dead server cannot hold a
    request). Timeouts and lost connections become `StorageUnavailable`: a 503 to be retried,
    never a 500.
    """

    def __init__(
        self,
        database_url: str,
        *,
        max_size: int = 10,
        statement_timeout: float = 15.0,
        connect_timeout: float = 60.0,
    ) -> None:
        self.database_url = database_url
        self.max_size = max_size
        self.statement_timeout = statement_timeout
        self.connect_timeout = connect_timeout
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    @property
    def server(self) -> str:
        """Where the pool connects (host and port, never the credentials), for logs."""
        return server_of(self.database_url)

    async def open(self) -> None:
        """Connect; called once the event loop runs (never at import or bootstrap)."""
        await self._open_pool()

    async def _open_pool(self) -> None:
        async with self._opening:
            if self._pool is None:
                with _unavailable_on_failure():
                    self._pool = await asyncpg.create_pool(
                        asyncpg_dsn(self.database_url),
                        min_size=1,
                        max_size=self.max_size,
                        init=_init_connection,
                        reset=_keep_session,
                        command_timeout=self.statement_timeout,
                        timeout=self.connect_timeout,
                        server_settings={
                            "statement_timeout": str(int(self.statement_timeout * 1000)),
                        },
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

    def usage(self) -> tuple[int, int, int]:
        """Open connections, idle ones and the most it may open (0, 0, max before it opens)."""
        pool = self._pool
        if pool is None:
            return 0, 0, self.max_size
        return pool.get_size(), pool.get_idle_size(), pool.get_max_size()

    async def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            await self._open_pool()
        if self._pool is None:  # closed again while this request waited for it
            raise StorageUnavailable("the database connections are closed; retry in a moment")
        return self._pool

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        return await self.run("fetch", query, args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        return await self.run("fetchrow", query, args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self.run("fetchval", query, args)

    async def execute(self, query: str, *args: Any) -> str:
        return await self.run("execute", query, args)

    async def run(self, method: Method, query: str, args: Sequence[Any]) -> Any:
        """One statement through the pool method named (`fetch`, `fetchrow`, …)."""
        pool = await self._opened()
        with _unavailable_on_failure():
            return await getattr(pool, method)(query, *args)

    def as_of(self, position: int) -> SqlPool:
        """The same connections reading the tables as they stood at log `position` (§14)."""
        return PastPool(self, position)


# Schema as_of first: its views stand in for the tables that keep history, showing the
# versions standing at the position set beside them (migration 0036).
_READ_THE_PAST = (
    "SELECT set_config('search_path', 'as_of, ' || current_setting('search_path'), true),"
    " set_config('oversight.as_of_position', $1, true)"
)


class PastPool(SqlPool):
    """Reads through `present`'s connections, each statement in a read-only transaction that
    sees the read tables as they stood at a log position: the same query text reads the past.

    A replica's pool reads the past on its primary: the history a replica holds may lag the
    position asked for, and the primary's never does once its projections have passed it.
    """

    def __init__(self, present: SqlPool, position: int) -> None:
        primary = getattr(present, "primary", present)
        super().__init__(
            primary.database_url,
            max_size=primary.max_size,
            statement_timeout=primary.statement_timeout,
            connect_timeout=primary.connect_timeout,
        )
        self.present = primary
        self.position = position

    async def open(self) -> None:
        await self.present.open()

    async def close(self) -> None:
        """The connections are the present's: it closes them."""

    def usage(self) -> tuple[int, int, int]:
        return self.present.usage()

    async def run(self, method: Method, query: str, args: Sequence[Any]) -> Any:
        pool = await self.present._opened()
        with _unavailable_on_failure():
            async with pool.acquire() as connection, connection.transaction(readonly=True):
                await connection.execute(_READ_THE_PAST, str(self.position))
                return await getattr(connection, method)(query, *args)

    def as_of(self, position: int) -> SqlPool:
        return PastPool(self.present, position)


# The server cannot be reached, or went away: another server (the primary, for a replica)
# may still answer. A statement cancelled for its time is not among them: it would be as slow
# elsewhere.
_UNREACHABLE = (
    OSError,  # refused, reset, unreachable; TimeoutError (a connect or a reply too late) too
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,  # starting up, shutting down, in recovery not yet open
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


@contextlib.contextmanager
def _unavailable_on_failure() -> Iterator[None]:
    try:
        yield
    except _UNREACHABLE as error:
        raise DatabaseUnreachable(
            "the database did not answer in time; retry in a moment"
        ) from error
    except asyncpg.QueryCanceledError as error:
        raise StorageUnavailable(
            "the database did not answer in time; retry in a moment"
        ) from error


def server_of(database_url: str) -> str:
    """The host and port a database URL names (never its credentials), for logs."""
    params = conninfo_to_dict(database_url)
    return f"{params.get('host', 'localhost')}:{params.get('port', 5432)}"
