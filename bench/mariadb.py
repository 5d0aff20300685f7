"""Throw-away MariaDB databases for the bench, with users inserted in one statement."""

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from infrastructure.persistence.database import run_migrations

ADMIN_URL = os.environ.get("BENCH_MARIADB_URL", "mysql+asyncmy://root@127.0.0.1:3306/test")


async def _execute(url: str, *statements: str, **parameters: object) -> None:
    engine = create_async_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement), parameters)
    finally:
        await engine.dispose()


def available() -> bool:
    try:
        asyncio.run(_execute(ADMIN_URL, "SELECT 1"))
    except Exception:  # any failure to connect means "not here"
        return False
    return True


@contextmanager
def database(name: str, users: int, password_hash: str) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a migrated database holding `users` users; drop it after."""
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_execute(ADMIN_URL, f"DROP DATABASE IF EXISTS `{name}`",
                         f"CREATE DATABASE `{name}`"))
    try:
        run_migrations(url)
        if users:
            # One INSERT ... SELECT over MariaDB's sequence engine and one hash for every row.
            asyncio.run(_execute(
                url, "INSERT INTO users (id, email, password_hash, role, is_active, created_at) "
                "SELECT REPLACE(UUID(), '-', ''), CONCAT('user', seq, '@bench.test'), :hash, "
                "'user', true, UTC_TIMESTAMP(6) FROM seq_1_to_1000000 WHERE seq <= :count",
                hash=password_hash, count=users))
            asyncio.run(_execute(url, "ANALYZE TABLE users"))
        yield url
    finally:
        asyncio.run(_execute(ADMIN_URL, f"DROP DATABASE IF EXISTS `{name}`"))
