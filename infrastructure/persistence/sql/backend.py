"""SqlBackend: what one SQL database does its own way; the defaults are what the others share."""

from typing import Any, ClassVar

from sqlalchemy import URL, Column, ColumnElement, Executable, Table, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from infrastructure.persistence.sql import queries
from infrastructure.persistence.sql.errors import is_lost_connection
from infrastructure.persistence.sql.reader import Reader

# How long a request may wait on the database before it is answered 503 (ROOMKEY_DB_TIMEOUT).
DEFAULT_TIMEOUT_SECONDS = 5.0


class SqlBackend:
    """One SQL database, as the shared repositories and unit of work need to know it.

    A new backend subclasses this in a module of its own, names its SQLAlchemy backend and async
    drivers, builds its engine, and overrides only what its SQL does differently; then it is
    listed in `persistence/backends.py`.
    """

    name: ClassVar[str]  # SQLAlchemy's backend name: the URL scheme before any "+driver"
    drivers: ClassVar[tuple[str, ...]]  # the async drivers it accepts; the first is the default
    # A user by normalised email; the default serves it from the unique index on lower(email).
    user_by_email: ClassVar[Executable] = queries.USER_BY_EMAIL

    def create_engine(self, url: URL, timeout: float) -> AsyncEngine:
        """The app's engine, every wait on the database (connect, pool checkout, statement,
        lock) bounded by `timeout` seconds; it calls `prepare` on it."""
        raise NotImplementedError

    def prepare(self, engine: AsyncEngine) -> None:
        """What every engine on this backend needs, the migrations' engine too."""

    def reader(self, url: URL, timeout: float) -> Reader | None:
        """Its fast read path, if it has one (optional: see sql/reader.py), its reads bounded
        by `timeout` seconds like the engine's."""
        return None

    def is_connection_failure(self, error: BaseException) -> bool:
        """True when the error says the database cannot be reached or used, not that a
        statement is bad: the error then becomes StorageUnavailable (503)."""
        return is_lost_connection(error)

    def codepoint_order(self, column: ColumnElement[str]) -> ColumnElement[str]:
        """The column sorted by code point, as Python (and the memory adapter) sorts strings."""
        return column

    def lock(
        self, table: Table, condition: ColumnElement[bool], *, unchanged: Column[Any]
    ) -> Executable:
        """A statement that locks the matching rows until the transaction ends and returns them.

        The default is a no-op write (`unchanged` set to itself), because a write locks on both
        PostgreSQL and SQLite: the row on PostgreSQL, the whole database on SQLite (which has no
        SELECT ... FOR UPDATE), where waiters queue for up to the driver's busy timeout. Later
        transactions see what earlier ones committed.
        """
        return update(table).where(condition).values({unchanged: unchanged}).returning(*table.c)

    async def guarded_write(self, session: AsyncSession, statement: Executable) -> None:
        """Run a write whose failure (a taken email) the caller handles and then goes on.

        The default contains it in a savepoint: PostgreSQL aborts the whole transaction on an
        error unless a savepoint contains it.
        """
        async with session.begin_nested():
            await session.execute(statement)


def server_engine(url: URL, connect_args: dict[str, Any], *, timeout: float) -> AsyncEngine:
    """An engine for a database server: a bounded pool whose dead connections are replaced, and
    whose checkout waits at most `timeout` seconds for a free connection."""
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_timeout=timeout,
        # Connections broken by a server restart are replaced instead of failing one request.
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=connect_args,
    )
