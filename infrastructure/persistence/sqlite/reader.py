"""SqliteReader: reads of a SQLite file run on the event loop, without a hop to a driver thread.

SQLite's optional fast path (see sql/reader.py): the backend works without it, through the
session alone, only with a thread hop per read.
"""

import sqlite3
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import URL, Engine, Select, Uuid, create_engine, event, exc

from infrastructure.persistence.sql.errors import storage_errors
from infrastructure.persistence.sql.prepared import (
    Prepared,
    PreparedStatements,
    Processor,
    dialect_result_processor,
)

# How long a read may wait for a lock before it gives way to the async path. In WAL mode readers
# do not wait for writers; this bounds the rare wait (a checkpoint) that would stall the loop.
_BUSY_TIMEOUT_SECONDS = 0.02


class SqliteReader:
    """Runs SELECTs on the calling (event loop) thread, with no driver thread in between.

    A read of the few indexed rows a request needs takes tens of microseconds: less than the
    round trip to aiosqlite's thread that it replaces, which is what bounds reads on SQLite.
    Statements given with parameters (the prebuilt per-request ones) are compiled once and then
    run on a plain sqlite3 connection, skipping SQLAlchemy's per-call execution machinery; their
    rows are named tuples with the columns' Python types, as SQLAlchemy would give them.
    """

    def __init__(self, url: URL) -> None:
        self._url = url.set(drivername="sqlite+pysqlite")
        self._engine: Engine = create_engine(
            self._url,
            # The pool hands a connection to one caller at a time, whatever its thread.
            connect_args={"timeout": _BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        event.listen(self._engine, "connect", _read_only)
        self._prepared = PreparedStatements(self._engine.dialect, _result_processor)
        self._connection: sqlite3.Connection | None = None
        # Reads normally come from the loop's one thread; another thread takes the engine path.
        self._lock = threading.Lock()

    async def rows(
        self, statement: Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Any] | None:
        """Every row, or None when the database is busy: then use the async path.

        Async to fit the Reader protocol only: it never awaits, so the read runs to its end on
        the loop's thread."""
        if parameters is not None and self._lock.acquire(blocking=False):
            try:
                prepared = self._prepared.get(statement)
                if prepared is not None:
                    return self._run(prepared, parameters)
            finally:
                self._lock.release()
        with storage_errors():
            try:
                with self._engine.connect() as connection:
                    # Fetched in full, so no cursor (and no read lock) outlives this call.
                    return connection.execute(statement, parameters).all()
            except exc.OperationalError:
                # Busy, or worse: the async path waits its turn in a thread, or reports it.
                return None

    def _run(self, prepared: Prepared, parameters: Mapping[str, Any]) -> Sequence[Any] | None:
        try:
            fetched = self._connect().execute(prepared.sql, prepared.values(parameters)).fetchall()
        except sqlite3.OperationalError:
            # Busy, or worse: the async path waits its turn in a thread, or reports it.
            return None
        return prepared.rows(fetched)

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(self._url.database or "", timeout=_BUSY_TIMEOUT_SECONDS,
                                         check_same_thread=False)
            _read_only(connection, None)
            self._connection = connection
        return self._connection

    async def dispose(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
        self._engine.dispose()


def _result_processor(column_type: Any, dialect: Any) -> Processor:
    if isinstance(column_type, Uuid) and column_type.as_uuid:
        return uuid_from_hex
    return dialect_result_processor(column_type, dialect)


_UNKNOWN_SAFETY = uuid.SafeUUID.unknown  # read once: an enum member is a property lookup


def uuid_from_hex(value: str | None) -> uuid.UUID | None:
    """What SQLAlchemy's Uuid reads from SQLite's 32-hex-digit column, in under half the time.

    UUID(hex=...) re-checks and re-parses text that only ever came from a UUID; at a dozen ids a
    request that was a tenth of a bookings read. Text of any other shape takes the checked path.
    """
    if value is None:
        return None
    if len(value) != 32:
        return uuid.UUID(value)
    made = object.__new__(uuid.UUID)
    object.__setattr__(made, "int", int(value, 16))
    object.__setattr__(made, "is_safe", _UNKNOWN_SAFETY)
    return made


def _read_only(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # A reader that can never write cannot take the write lock by mistake.
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()
