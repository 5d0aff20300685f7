"""SqliteBackend: the file's pragmas, no savepoints around guarded writes, its reader."""

from typing import Any

from sqlalchemy import URL, Executable, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from infrastructure.persistence.sql.backend import SqlBackend
from infrastructure.persistence.sql.reader import Reader
from infrastructure.persistence.sqlite.reader import SqliteReader


class SqliteBackend(SqlBackend):
    name = "sqlite"
    drivers = ("aiosqlite",)

    def create_engine(self, url: URL, timeout: float) -> AsyncEngine:
        # The driver's busy timeout: writers queue for the write lock instead of failing at once,
        # for up to `timeout`.
        # The driver's default transaction control is relied upon: BEGIN is sent before the
        # first write, so a transaction's earlier reads hold no snapshot that could go stale
        # while it waits for the lock (SQLite would then fail instead of waiting).
        engine = create_async_engine(url, connect_args={"timeout": timeout})
        event.listen(engine.sync_engine, "connect", _pragmas(wal=is_sqlite_file(url)))
        return engine

    def reader(self, url: URL, timeout: float) -> Reader | None:
        """A file's reader; none for in-memory SQLite, which is one database per connection."""
        return SqliteReader(url) if is_sqlite_file(url) else None

    async def guarded_write(self, session: AsyncSession, statement: Executable) -> None:
        # SQLite undoes just the failed statement. A SAVEPOINT would even be harmful there:
        # opened before the driver's implicit BEGIN, its RELEASE commits.
        await session.execute(statement)


def is_sqlite_file(url: URL) -> bool:
    database = url.database or ""
    return database not in ("", ":memory:") and url.query.get("mode") != "memory"


def _pragmas(*, wal: bool) -> Any:
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # SQLite ignores foreign keys unless every connection asks for them.
        cursor.execute("PRAGMA foreign_keys=ON")
        if wal:
            # Readers no longer wait for the writer, nor the writer for readers.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return on_connect
