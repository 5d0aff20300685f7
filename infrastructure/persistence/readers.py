"""Reader: the faster path a unit of work tries first for its reads; which one a URL gets."""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Select

from infrastructure.persistence.database import DEFAULT_TIMEOUT_SECONDS
from infrastructure.persistence.postgres_reader import postgres_reader_for
from infrastructure.persistence.sqlite_reader import sqlite_reader_for


class Reader(Protocol):
    async def rows(
        self, statement: Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Any] | None:
        """Every row, as SQLAlchemy would give them; None when the reader cannot serve the
        read, and the session should run it instead."""
        ...

    async def dispose(self) -> None: ...


def reader_for(database_url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Reader | None:
    """The database's reader; None for memory://, and in-memory SQLite (one per connection)."""
    return sqlite_reader_for(database_url) or postgres_reader_for(database_url, timeout=timeout)
