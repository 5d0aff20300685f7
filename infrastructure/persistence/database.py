"""A SQL database by its URL: its engine, its reader, a health ping, and its migrations."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from application.errors import StorageUnavailable
from infrastructure.persistence.backends import is_memory, sql_backend, sql_backend_named
from infrastructure.persistence.sql.backend import DEFAULT_TIMEOUT_SECONDS
from infrastructure.persistence.sql.errors import storage_errors
from infrastructure.persistence.sql.reader import Reader

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_engine_for(url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> AsyncEngine:
    """An engine tuned for the backend the URL names, its waits bounded by `timeout` seconds.
    The caller disposes of it."""
    backend, parsed = sql_backend(url)
    return backend.create_engine(parsed, timeout)


def reader_for(database_url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Reader | None:
    """The backend's fast read path; None for memory:// and for backends without one."""
    if is_memory(database_url):
        return None
    backend, parsed = sql_backend(database_url)
    return backend.reader(parsed, timeout)


async def ping(engine: AsyncEngine, *, seconds: float = 2.0) -> bool:
    """Whether the database answers `SELECT 1` within `seconds`."""
    backend = sql_backend_named(engine.dialect.name)
    try:
        with storage_errors(backend.is_connection_failure):
            async with asyncio.timeout(seconds), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except StorageUnavailable:
        return False
    return True


def alembic_config(url: str) -> Config:
    """An Alembic configuration built in code, so no alembic.ini needs to ship or be found."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser would read "%" in an escaped password as interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def run_migrations(url: str) -> None:
    """`alembic upgrade head` for the database at `url`.

    It blocks; from async code, `await asyncio.to_thread(run_migrations, url)` keeps the loop free.
    """
    command.upgrade(alembic_config(url), "head")
