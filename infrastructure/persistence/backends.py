"""Which backend a database URL names: the one place that reads a URL's scheme."""

from typing import Literal

from sqlalchemy import URL, exc, make_url

from infrastructure.persistence.mysql.backend import MysqlBackend
from infrastructure.persistence.postgresql.backend import PostgresBackend
from infrastructure.persistence.sql.backend import SqlBackend
from infrastructure.persistence.sqlite.backend import SqliteBackend

MEMORY_URL = "memory://"
# Every SQL backend, by SQLAlchemy's backend name (the scheme before "+driver").
SQL_BACKENDS: dict[str, SqlBackend] = {
    backend.name: backend for backend in (SqliteBackend(), PostgresBackend(), MysqlBackend())
}


def is_memory(database_url: str) -> bool:
    return database_url.startswith(MEMORY_URL)


def storage_kind(database_url: str) -> Literal["memory", "sql"]:
    """Which unit of work the container builds for the URL."""
    return "memory" if is_memory(database_url) else "sql"


def sql_backend_named(name: str) -> SqlBackend:
    """The backend of a SQLAlchemy dialect name (an engine's `dialect.name`)."""
    return SQL_BACKENDS[name]


def is_connection_failure(error: BaseException) -> bool:
    """Whether any backend reads the error as its database being out of reach, for callers that
    hold no engine (the command line, reporting why it stopped)."""
    return any(backend.is_connection_failure(error) for backend in SQL_BACKENDS.values())


def async_url(url: str | URL) -> URL:
    """The URL with its async driver: `postgresql://` becomes `postgresql+asyncpg://`.

    A bare scheme gets the backend's default driver; an explicit other driver is refused, not
    swapped, and so is any scheme no backend knows.
    """
    schemes = ", ".join(f"{name}+{b.drivers[0]}://" for name, b in SQL_BACKENDS.items())
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError):
        # SQLAlchemy's message quotes the URL, password and all (or just a bad port number).
        raise ValueError(f"ROOMKEY_DATABASE_URL is not a database URL: use {schemes} "
                         f"or {MEMORY_URL}, e.g. sqlite+aiosqlite:///path/to/file.db") from None
    backend = SQL_BACKENDS.get(parsed.get_backend_name())
    named_driver = parsed.drivername.partition("+")[2]
    if backend is None or named_driver not in ("", *backend.drivers):
        raise ValueError(
            f"Unsupported database URL scheme {parsed.drivername!r}: use {schemes} or {MEMORY_URL}"
        )
    return parsed.set(drivername=f"{backend.name}+{named_driver or backend.drivers[0]}")


def sql_backend(url: str | URL) -> tuple[SqlBackend, URL]:
    """The backend a SQL URL names, and the URL with its async driver."""
    parsed = async_url(url)
    return SQL_BACKENDS[parsed.get_backend_name()], parsed
