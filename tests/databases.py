"""Pytest fixtures: throw-away migrated SQLite and PostgreSQL databases, and a UoW factory."""

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TypeVar, cast

import pytest
from sqlalchemy import TextClause, delete, make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from application.ports import Clock, UnitOfWork
from infrastructure.persistence.backends import async_url
from infrastructure.persistence.database import (
    create_engine_for,
    ping,
    reader_for,
    run_migrations,
)
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.persistence.sql.unit_of_work import SqlUnitOfWork
from infrastructure.persistence.tables import metadata

POSTGRES_URL_VARIABLE = "ROOMKEY_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "ROOMKEY_TEST_REQUIRE_POSTGRES"


class UnitOfWorkFactory(Protocol):
    def __call__(self, clock: Clock | None = None) -> UnitOfWork:
        """A fresh unit of work; `clock` stamps its audit events (the system clock if None)."""
        ...


T = TypeVar("T")


def run_blocking(work: Callable[[], Awaitable[T]]) -> T:
    """Run async set-up code to completion, even when called while a test's loop is running."""

    async def main() -> T:
        return await work()

    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, main()).result()


def sqlite_url_for(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per session; each test gets a copy, which is much faster than migrating."""
    path = tmp_path_factory.mktemp("sqlite-template") / "roomkey.db"
    run_migrations(sqlite_url_for(path))
    return path


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    return sqlite_url_for(tmp_path / "empty.db")


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite_template: Path) -> str:
    path = tmp_path / "roomkey.db"
    shutil.copyfile(migrated_sqlite_template, path)
    return sqlite_url_for(path)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The server from ROOMKEY_TEST_POSTGRES_URL, checked once; skips (or fails) without it."""
    url = os.environ.get(POSTGRES_URL_VARIABLE, "")
    if not url:
        _postgres_unavailable("<unset>")
    if not run_blocking(lambda: _answers(url)):
        _postgres_unavailable(make_url(url).render_as_string(hide_password=True))
    return url


def _postgres_unavailable(where: str) -> None:
    reason = f"PostgreSQL not reachable at {where}: set {POSTGRES_URL_VARIABLE}"
    # CI sets the variable so that a broken database service fails loudly instead of skipping.
    if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


async def _answers(url: str) -> bool:
    engine = create_engine_for(url)
    try:
        return await ping(engine, seconds=5)
    finally:
        await engine.dispose()


@contextmanager
def throwaway_postgres_database(server_url: str) -> Iterator[str]:
    """A new empty database `roomkey_test_<random>` on the server, dropped afterwards."""
    name = f"roomkey_test_{secrets.token_hex(6)}"
    run_blocking(lambda: administer(server_url, text(f'CREATE DATABASE "{name}"')))
    try:
        yield async_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        # A connection left open by a failed test would make DROP DATABASE fail.
        run_blocking(lambda: administer(
            server_url, terminate_connections(name), text(f'DROP DATABASE IF EXISTS "{name}"')
        ))


def terminate_connections(database: str) -> TextClause:
    """A statement that closes every other session on `database`, as a server restart would."""
    return text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = :name AND pid <> pg_backend_pid()"
    ).bindparams(name=database)


async def administer(server_url: str, *statements: TextClause) -> None:
    # CREATE and DROP DATABASE refuse to run inside a transaction.
    engine = create_async_engine(
        async_url(server_url), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(statement)
    finally:
        await engine.dispose()


@pytest.fixture
def empty_postgres_url(postgres_server_url: str) -> Iterator[str]:
    with throwaway_postgres_database(postgres_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_postgres_database(postgres_server_url: str) -> Iterator[str]:
    """One migrated database per session: CREATE DATABASE alone can take half a second."""
    with throwaway_postgres_database(postgres_server_url) as url:
        run_migrations(url)
        yield url


@pytest.fixture
def postgres_url(migrated_postgres_database: str) -> str:
    """The session's migrated database, emptied for this test."""
    run_blocking(lambda: _empty_tables(migrated_postgres_database))
    return migrated_postgres_database


async def _empty_tables(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            # Children first, for the foreign keys; DELETE beats TRUNCATE on a few rows.
            for table in reversed(metadata.sorted_tables):
                await connection.execute(delete(table))
    finally:
        await engine.dispose()


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def uow_factory(request: pytest.FixtureRequest) -> AsyncIterator[UnitOfWorkFactory]:
    """Makes fresh units of work over one database shared for the whole test."""
    if request.param == "memory":
        store = MemoryStore()
        # cast: memory.py types its repositories concretely, which the Protocol's mutable
        # attributes do not accept.
        yield lambda clock=None: cast(UnitOfWork, MemoryUnitOfWork(store, clock))
        return
    url = request.getfixturevalue(f"{request.param}_url")
    engine = create_engine_for(url)
    sessions = async_sessionmaker[AsyncSession](engine, expire_on_commit=False)
    # As the container wires it: a backend with a fast read path gets it.
    reader = reader_for(url)
    try:
        yield lambda clock=None: SqlUnitOfWork(sessions, clock, reader=reader)
    finally:
        await engine.dispose()
        if reader is not None:
            await reader.dispose()
