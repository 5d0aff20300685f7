"""Is the database's schema the one this code was written for? Alembic's revision, compared."""

import asyncio
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.persistence.backends import sql_backend_named
from infrastructure.persistence.database import alembic_config
from infrastructure.persistence.sql.errors import storage_errors


class SchemaState(StrEnum):
    CURRENT = "ok"
    EMPTY = "empty"  # never migrated
    BEHIND = "behind"  # migrations are pending
    AHEAD = "ahead"  # migrated by newer code than this


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    state: SchemaState
    database: tuple[str, ...]
    code: tuple[str, ...]

    @property
    def current(self) -> bool:
        return self.state is SchemaState.CURRENT

    def describe(self) -> str:
        """One line for an operator: the revisions, and what to do."""
        database = ", ".join(self.database) or "none (empty database)"
        code = ", ".join(self.code)
        if self.state is SchemaState.AHEAD:
            return (f"the database schema is at revision {database}, newer than this code's "
                    f"{code}: run the Roomkey version that migrated it")
        return (f"the database schema is at revision {database}, this code needs {code}: "
                "run `roomkey migrate`")


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def code_heads() -> tuple[str, ...]:
    """The head revisions of the migration scripts that ship with this code."""
    return tuple(sorted(_scripts().get_heads()))


def compare(database: tuple[str, ...]) -> SchemaStatus:
    code = code_heads()
    return SchemaStatus(_state(database, code), database, code)


def _state(database: tuple[str, ...], code: tuple[str, ...]) -> SchemaState:
    if not database:
        return SchemaState.EMPTY
    if set(database) == set(code):
        return SchemaState.CURRENT
    scripts = _scripts()
    try:
        for revision in database:
            scripts.get_revision(revision)
    except CommandError:
        return SchemaState.AHEAD  # a revision these scripts do not know came later
    return SchemaState.BEHIND


def _database_heads(connection: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


async def schema_status(engine: AsyncEngine, *, seconds: float) -> SchemaStatus:
    """The database's revision against the code's; StorageUnavailable when it does not answer."""
    with storage_errors(sql_backend_named(engine.dialect.name).is_connection_failure):
        async with asyncio.timeout(seconds), engine.connect() as connection:
            database = await connection.run_sync(_database_heads)
    return compare(database)


class SchemaWatch:
    """The schema check for readiness probes: once the schema is seen at head it stays so for
    this process (a running process's code cannot fall behind; only a migration by newer code
    could move it ahead, and that code's deploy replaces this process). Until then, each probe
    asks the database again, so a migration run while Roomkey waits is noticed at once."""

    def __init__(self, engine: AsyncEngine, *, seconds: float) -> None:
        self._engine = engine
        self._seconds = seconds
        self._current = False

    async def state(self) -> SchemaState:
        if self._current:
            return SchemaState.CURRENT
        status = await schema_status(self._engine, seconds=self._seconds)
        self._current = status.current
        return status.state
