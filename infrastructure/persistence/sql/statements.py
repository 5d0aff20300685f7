"""Statements: where one unit-of-work block's statements run, reader first, then the session."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Row, Select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infrastructure.persistence.sql.backend import SqlBackend
from infrastructure.persistence.sql.errors import storage_errors
from infrastructure.persistence.sql.reader import Reader


class Statements:
    """Where one unit-of-work block's statements run.

    Reads that come before the block's first write go to the backend's Reader, if it has one,
    and run outside any transaction. On a SQLite file the driver sends BEGIN only before the first
    write, so the session would run them outside a transaction too; the reader just skips the
    thread hop. On PostgreSQL, READ COMMITTED gives each statement a fresh snapshot anyway, so a
    read outside the transaction sees what it would have seen inside; the reader skips the
    engine's checkout and execution machinery. From the first write on, everything runs in the
    session, inside the transaction. Without a reader, everything runs in the session.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], backend: SqlBackend,
        reader: Reader | None,
    ) -> None:
        self._session_factory = session_factory
        self.backend = backend
        self._reader = reader
        self.session: AsyncSession | None = None

    def in_session(self) -> AsyncSession:
        if self.session is None:
            self.session = self._session_factory()
        return self.session

    async def rows(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        if self._reader is not None and self.session is None and isinstance(statement, Select):
            found = await self._reader.rows(statement, parameters)
            if found is not None:
                return found
        with storage_errors(self.backend.is_connection_failure):
            return (await self.in_session().execute(statement, parameters)).all()

    async def locked_rows(self, statement: Executable) -> Sequence[Row[Any]]:
        """The rows a lock statement (SqlBackend.lock) returns, always read in the transaction:
        a SELECT ... FOR UPDATE given to a reader would lock nothing."""
        with storage_errors(self.backend.is_connection_failure):
            return (await self.in_session().execute(statement)).all()

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> int:
        """Run a write in the transaction; the number of rows it matched.

        A prebuilt statement with `parameters` skips building and keying a statement per call,
        which costs more than the write itself on SQLite.
        """
        with storage_errors(self.backend.is_connection_failure):
            result = await self.in_session().execute(statement, parameters)
        return int(getattr(result, "rowcount", 0))

    async def guarded_write(self, statement: Executable) -> None:
        """A write whose failure the caller handles and then goes on (see SqlBackend)."""
        with storage_errors(self.backend.is_connection_failure):
            await self.backend.guarded_write(self.in_session(), statement)
