"""Engines for SQLite and PostgreSQL, a health ping, migrations, and connection-error mapping."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, event, exc, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from application.errors import StorageUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# SQLSTATE classes that mean "the server cannot be used", as opposed to a bad statement:
# connection exception, invalid authorization, invalid catalog (no such database),
# insufficient resources (too many connections), operator intervention (shutdown), system error.
_CONNECTION_SQLSTATE_CLASSES = frozenset({"08", "28", "3D", "53", "57", "58"})

_ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}

# How long a request may wait on the database before it is answered 503 (ROOMKEY_DB_TIMEOUT).
DEFAULT_TIMEOUT_SECONDS = 5.0


def postgres_connect_args(timeout: float) -> dict[str, Any]:
    """asyncpg's connect arguments: every wait bounded by `timeout` (asyncpg's default is 60 s).

    The server ends a statement that runs, or waits on a lock, for longer (statement_timeout,
    SQLSTATE 57014); the client's command_timeout covers a server that no longer answers at all.
    """
    return {"timeout": timeout, "command_timeout": timeout,
            "server_settings": {"statement_timeout": str(round(timeout * 1000))}}


def async_url(url: str | URL) -> URL:
    """The URL with its async driver: `postgresql://` becomes `postgresql+asyncpg://`."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        # SQLAlchemy's message quotes the URL, password and all.
        raise ValueError("ROOMKEY_DATABASE_URL is not a database URL: use "
                         "sqlite+aiosqlite:///path/to/file.db or "
                         "postgresql+asyncpg://user@host/database") from None
    backend = parsed.get_backend_name()
    async_driver = _ASYNC_DRIVERS.get(backend)
    # A bare scheme gets the async driver; an explicit other driver is refused, not swapped.
    named_driver = parsed.drivername.partition("+")[2]
    if async_driver is None or named_driver not in ("", async_driver):
        raise ValueError(
            f"Unsupported database URL scheme {parsed.drivername!r}: "
            "use sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    return parsed.set(drivername=f"{backend}+{async_driver}")


def create_engine_for(url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> AsyncEngine:
    """An engine tuned for the backend the URL names, its waits bounded by `timeout` seconds.
    The caller disposes of it."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        # The driver's busy timeout: writers queue for the write lock instead of failing at once.
        # The driver's default transaction control is relied upon: BEGIN is sent before the
        # first write, so a transaction's earlier reads hold no snapshot that could go stale
        # while it waits for the lock (SQLite would then fail instead of waiting).
        engine = create_async_engine(parsed, connect_args={"timeout": timeout})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(wal=is_sqlite_file(parsed)))
        return engine
    return create_async_engine(
        parsed,
        pool_size=10,
        max_overflow=10,
        pool_timeout=timeout,
        # Connections broken by a server restart are replaced instead of failing one request.
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=postgres_connect_args(timeout),
    )


def is_sqlite_file(url: URL) -> bool:
    database = url.database or ""
    return database not in ("", ":memory:") and url.query.get("mode") != "memory"


def _sqlite_pragmas(*, wal: bool) -> Any:
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # SQLite ignores foreign keys unless every connection asks for them.
        cursor.execute("PRAGMA foreign_keys=ON")
        if wal:
            # Readers no longer wait for the writer, nor the writer for readers.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return on_connect


def is_connection_failure(error: BaseException) -> bool:
    """True when the error says the database cannot be reached or used, not that a query is bad."""
    if isinstance(error, OSError | TimeoutError | exc.TimeoutError | exc.DisconnectionError):
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(
            error, exc.OperationalError | exc.InterfaceError
        ):
            return True
        error = error.orig if error.orig is not None else error
    # asyncpg reports refused logins and missing databases as generic errors with a SQLSTATE.
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate[:2] in _CONNECTION_SQLSTATE_CLASSES


@contextmanager
def storage_errors() -> Iterator[None]:
    """Re-raise connection failures as StorageUnavailable; let every other error through."""
    try:
        yield
    except Exception as error:
        if is_connection_failure(error):
            raise StorageUnavailable() from error
        raise


async def ping(engine: AsyncEngine, *, seconds: float = 2.0) -> bool:
    """Whether the database answers `SELECT 1` within `seconds`."""
    try:
        with storage_errors():
            async with asyncio.timeout(seconds), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except StorageUnavailable:
        return False
    return True


def alembic_config(url: str) -> Config:
    """An Alembic configuration built in code, so no alembic.ini needs to ship or be found."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser would read "%" in an escaped password as interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def run_migrations(url: str) -> None:
    """`alembic upgrade head` for the database at `url`.

    It blocks; from async code, `await asyncio.to_thread(run_migrations, url)` keeps the loop free.
    """
    command.upgrade(alembic_config(url), "head")
