"""SqliteReader: reads of a SQLite file run on the event loop, without a hop to a driver thread."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import URL, Engine, Row, Select, create_engine, event, exc

from infrastructure.persistence.database import async_url, is_sqlite_file, storage_errors

# How long a read may wait for a lock before it gives way to the async path. In WAL mode readers
# do not wait for writers; this bounds the rare wait (a checkpoint) that would stall the loop.
_BUSY_TIMEOUT_SECONDS = 0.02


class SqliteReader:
    """Runs SELECTs through a synchronous pysqlite engine, in the calling (event loop) thread.

    A read of the few indexed rows a request needs takes tens of microseconds: less than the
    round trip to aiosqlite's thread that it replaces, which is what bounds reads on SQLite.
    """

    def __init__(self, url: URL) -> None:
        self._engine: Engine = create_engine(
            url.set(drivername="sqlite+pysqlite"),
            # The pool hands a connection to one caller at a time, whatever its thread.
            connect_args={"timeout": _BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        event.listen(self._engine, "connect", _read_only)

    def rows(
        self, statement: Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]] | None:
        """Every row, or None when the database is busy: then use the async path."""
        with storage_errors():
            try:
                with self._engine.connect() as connection:
                    # Fetched in full, so no cursor (and no read lock) outlives this call.
                    return connection.execute(statement, parameters).all()
            except exc.OperationalError:
                # Busy, or worse: the async path waits its turn in a thread, or reports it.
                return None

    def dispose(self) -> None:
        self._engine.dispose()


def sqlite_reader_for(database_url: str) -> SqliteReader | None:
    """A reader for a SQLite file; None for PostgreSQL and in-memory SQLite (one per connection)."""
    if database_url.startswith("memory://"):
        return None
    url = async_url(database_url)
    if url.get_backend_name() != "sqlite" or not is_sqlite_file(url):
        return None
    return SqliteReader(url)


def _read_only(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # A reader that can never write cannot take the write lock by mistake.
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()
