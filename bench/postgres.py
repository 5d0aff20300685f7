"""Throw-away PostgreSQL databases for the bench, with users inserted in one statement."""

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from infrastructure.persistence.database import run_migrations

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def available() -> bool:
    async def probe() -> None:
        connection = await asyncpg.connect(ADMIN_URL, timeout=3)
        await connection.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    return True


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _seed_users(url: str, count: int, password_hash: str) -> None:
    # One INSERT ... SELECT and one hash for every row: 100,000 argon2 runs would take minutes.
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO users (id, email, password_hash, role, is_active, created_at) "
            "SELECT gen_random_uuid(), 'user' || g || '@bench.test', $1, 'user', true, now() "
            "FROM generate_series(1, $2::int) AS g", password_hash, count)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


@contextmanager
def database(name: str, users: int, password_hash: str) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a migrated database holding `users` users; drop it after."""
    base = ADMIN_URL.rsplit("/", 1)[0]
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{base}/{name}"
        run_migrations(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        asyncio.run(_seed_users(url, users, password_hash))
        yield url.replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
