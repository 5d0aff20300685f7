"""PostgresReader: the per-request reads on PostgreSQL, on a raw asyncpg pool.

PostgreSQL's optional fast path (see sql/reader.py): the backend works without it, through the
session alone, only with the engine's per-read overhead.
"""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
from sqlalchemy import URL, Select
from sqlalchemy.engine import Dialect

from application.errors import StorageUnavailable
from infrastructure.persistence.postgresql import connect_args
from infrastructure.persistence.sql.backend import DEFAULT_TIMEOUT_SECONDS
from infrastructure.persistence.sql.prepared import PreparedStatements

# A reader needs few connections: each read holds one for a single round trip.
_MAX_CONNECTIONS = 10
# How the reader's connections show in pg_stat_activity, apart from the engine's.
APPLICATION_NAME = "roomkey reader"
# Whatever ends a read on the reader's side, so that the session path runs it instead: a lost or
# refused connection, or an error the session path reports as SQLAlchemy does. (A timeout is
# answered at once: the session path would only wait as long again.)
_GIVE_WAY = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


class PostgresReader:
    """Runs the prebuilt SELECTs on a raw asyncpg pool, without SQLAlchemy's engine in between.

    The engine's path costs several times the read itself: a pre-ping on checkout, then BEGIN
    and ROLLBACK around the SELECT (four round trips for one), and SQLAlchemy's execution
    machinery around asyncpg. Statements given with parameters (the prebuilt per-request ones)
    are compiled once, with the asyncpg dialect, and run as asyncpg's cached prepared statements;
    their rows are named tuples with the columns' Python types, as SQLAlchemy would give them.
    Any other read, and any read that fails here, returns None: the session path then runs it,
    and reports what it finds.
    """

    def __init__(
        self, url: URL, *, statement_timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> None:
        self._dialect: Dialect = url.get_dialect()()
        self._connect_options = _connect_options(self._dialect, url, statement_timeout)
        self._timeout = statement_timeout
        self._prepared = PreparedStatements(self._dialect)
        # Made on first use: asyncpg binds a pool to the event loop that creates it.
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()

    async def rows(
        self, statement: Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Any] | None:
        """Every row, or None when this reader cannot serve the read: then use the session."""
        if parameters is None:
            return None
        prepared = self._prepared.get(statement)
        if prepared is None:
            return None
        try:
            pool = await self._connected_pool()
            # A connection the server dropped while idle is replaced on acquire; one dropped
            # during the read ends up here, and the session path (with its pre-ping) takes over.
            # The server's statement_timeout ends a slow read; this timeout (one timer on the
            # loop per read) ends one that a network partition would leave waiting forever.
            async with pool.acquire() as connection:
                fetched = await connection.fetch(prepared.sql, *prepared.values(parameters),
                                                 timeout=self._timeout)
        except (TimeoutError, asyncpg.QueryCanceledError) as error:
            # The read ran past the timeout, ended by this side or by the server's
            # statement_timeout, whichever came first: the session path would wait as long again.
            raise StorageUnavailable() from error
        except _GIVE_WAY:
            return None
        return prepared.rows(fetched)

    async def _connected_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._pool_lock:
                if self._pool is None:
                    # No connection yet (min_size 0): they open on demand, so making the pool
                    # needs no server, and none reconnects in the background while it is away.
                    self._pool = await asyncpg.create_pool(
                        min_size=0, max_size=_MAX_CONNECTIONS, reset=_keep_session,
                        **self._connect_options)
        return self._pool

    def connections_in_use(self) -> int:
        """Connections acquired from the pool right now (for the metrics)."""
        pool = self._pool
        return 0 if pool is None else pool.get_size() - pool.get_idle_size()

    async def dispose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


def _connect_options(dialect: Dialect, url: URL, statement_timeout: float) -> dict[str, Any]:
    """asyncpg.connect's arguments for the URL, as the engine would connect, read-only."""
    _, options = dialect.create_connect_args(url)
    # SQLAlchemy's own name for asyncpg's per-connection statement cache (0 for pgbouncer).
    cache_size = options.pop("prepared_statement_cache_size", None)
    if cache_size is not None:
        options["statement_cache_size"] = cache_size
    # A reader that can never write cannot write by mistake, as on SQLite.
    settings = {"default_transaction_read_only": "on", "application_name": APPLICATION_NAME,
                # The server ends a read that runs too long, and frees its backend; rows()'
                # own timeout ends a read whose answer the network lost.
                "statement_timeout": str(round(statement_timeout * 1000))}
    return {**options, **connect_args(statement_timeout), "command_timeout": None,
            "server_settings": settings}


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Replaces the pool's reset on release (RESET ALL, UNLISTEN *, ...: one more round trip
    per read): these connections only run SELECTs outside transactions, which leave no session
    state behind. asyncpg still rolls back a transaction left open, should there ever be one."""
