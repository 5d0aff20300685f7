"""MysqlBackend: MariaDB and MySQL over asyncmy, row locks by SELECT ... FOR UPDATE."""

import math
from typing import Any, ClassVar

from sqlalchemy import URL, Column, ColumnElement, Executable, Table, bindparam, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from infrastructure.persistence.mysql import ddl  # noqa: F401 - registers the DDL rules
from infrastructure.persistence.sql.backend import SqlBackend, server_engine
from infrastructure.persistence.tables import users


def connect_args(timeout: float) -> dict[str, Any]:
    """asyncmy's connect arguments: connecting, and waiting for any answer, bounded by `timeout`
    (a server that no longer answers; the connection is then dropped)."""
    return {"connect_timeout": timeout, "read_timeout": timeout, "charset": "utf8mb4"}


def session_limits(timeout: float, *, mariadb: bool) -> str:
    """The statement that has the server itself end a lock wait, and on MariaDB any statement,
    that lasts longer than `timeout`, freeing what it holds (MySQL's max_execution_time only
    covers SELECTs: there the client's read timeout ends the rest)."""
    # Whole seconds, at least one: InnoDB counts lock waits no finer.
    limits = f"SET SESSION innodb_lock_wait_timeout = {max(1, math.ceil(timeout))}"
    return limits + (f", max_statement_time = {timeout:g}" if mariadb else "")


class MysqlBackend(SqlBackend):
    """InnoDB under its default REPEATABLE READ.

    Locks are explicit row locks: MariaDB has no UPDATE ... RETURNING, and a locking read
    always sees the latest committed row, whatever snapshot the transaction holds. The reads a
    use case decides on come after its lock (the room before counting its bookings), or are
    themselves the arbiter (the conditional UPDATE that uses a refresh token). A deadlock or a
    lock wait timeout is an OperationalError like a lost connection: StorageUnavailable (503),
    and the transaction is rolled back, never half-written.
    """

    name = "mysql"
    drivers = ("asyncmy",)
    # The email column's collation ignores case (see ddl.case_insensitive): a plain
    # comparison uses the unique index, where lower(email) would scan the table.
    user_by_email: ClassVar[Executable] = select(users).where(
        users.c.email == bindparam("email"))

    def create_engine(self, url: URL, timeout: float) -> AsyncEngine:
        engine = server_engine(url, connect_args(timeout), timeout=timeout)
        self.prepare(engine)
        dialect = engine.dialect

        def bound_waits(dbapi_connection: Any, connection_record: Any) -> None:
            # Like ids_as_text, after the dialect has seen which server this is.
            cursor = dbapi_connection.cursor()
            cursor.execute(session_limits(timeout, mariadb=getattr(dialect, "is_mariadb", False)))
            cursor.close()

        event.listen(engine.sync_engine, "connect", bound_waits)
        return engine

    def prepare(self, engine: AsyncEngine) -> None:
        """Ids as CHAR(32) hex, not MariaDB's native UUID type (10.7+), which orders its values
        by rearranged segments: ids must sort (and compare, for the audit log's keyset pages)
        as they do on the other databases and in Python. Set once the dialect has looked at
        the server (a listener after its first-connect initialisation)."""
        dialect = engine.dialect

        def ids_as_text(dbapi_connection: Any, connection_record: Any) -> None:
            dialect.supports_native_uuid = False

        event.listen(engine.sync_engine, "connect", ids_as_text)

    def codepoint_order(self, column: ColumnElement[str]) -> ColumnElement[str]:
        # Binary by default (see ddl.py); the email column alone ignores case.
        return column.collate("utf8mb4_bin")

    def lock(
        self, table: Table, condition: ColumnElement[bool], *, unchanged: Column[Any]
    ) -> Executable:
        return select(table).where(condition).with_for_update()

    async def guarded_write(self, session: AsyncSession, statement: Executable) -> None:
        # InnoDB undoes just the statement that hit a duplicate key; the transaction goes on.
        await session.execute(statement)
