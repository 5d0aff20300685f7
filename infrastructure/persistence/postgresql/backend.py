"""PostgresBackend: pool options, SQLSTATE classes of failure, code-point order, its reader."""

from sqlalchemy import URL, ColumnElement
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.persistence.postgresql import connect_args
from infrastructure.persistence.postgresql.reader import PostgresReader
from infrastructure.persistence.sql.backend import SqlBackend, server_engine
from infrastructure.persistence.sql.errors import is_lost_connection
from infrastructure.persistence.sql.reader import Reader

# SQLSTATE classes that mean "the server cannot be used", as opposed to a bad statement:
# connection exception, invalid authorization, invalid catalog (no such database),
# insufficient resources (too many connections), operator intervention (shutdown), system error.
_CONNECTION_SQLSTATE_CLASSES = frozenset({"08", "28", "3D", "53", "57", "58"})


class PostgresBackend(SqlBackend):
    name = "postgresql"
    drivers = ("asyncpg",)

    def create_engine(self, url: URL, timeout: float) -> AsyncEngine:
        return server_engine(url, connect_args(timeout), timeout=timeout)

    def reader(self, url: URL, timeout: float) -> Reader | None:
        return PostgresReader(url, statement_timeout=timeout)

    def is_connection_failure(self, error: BaseException) -> bool:
        if is_lost_connection(error):
            return True
        # asyncpg reports refused logins and missing databases as generic errors with a SQLSTATE.
        cause = getattr(error, "orig", None) or error
        sqlstate = getattr(cause, "sqlstate", None)
        return isinstance(sqlstate, str) and sqlstate[:2] in _CONNECTION_SQLSTATE_CLASSES

    def codepoint_order(self, column: ColumnElement[str]) -> ColumnElement[str]:
        # A linguistic collation such as en_US would put "a" before "B"; "C" sorts by code point.
        return column.collate("C")
