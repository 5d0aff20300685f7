"""Pytest fixtures: throw-away migrated SQLite, PostgreSQL and MariaDB databases; a UoW factory."""

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
MARIADB_URL_VARIABLE = "ROOMKEY_TEST_MARIADB_URL"
REQUIRE_MARIADB_VARIABLE = "ROOMKEY_TEST_REQUIRE_MARIADB"
# Every SQL backend's fixtures: `<name>_url` is a migrated, emptied database for one test.
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
                pytest.param("mariadb", marks=pytest.mark.mariadb)]


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
    return _server_url("PostgreSQL", POSTGRES_URL_VARIABLE, REQUIRE_POSTGRES_VARIABLE)


@pytest.fixture(scope="session")
def mariadb_server_url() -> str:
    """The server from ROOMKEY_TEST_MARIADB_URL, checked once; skips (or fails) without it."""
    return _server_url("MariaDB", MARIADB_URL_VARIABLE, REQUIRE_MARIADB_VARIABLE)


def _server_url(server: str, url_variable: str, require_variable: str) -> str:
    url = os.environ.get(url_variable, "")
    where = make_url(url).render_as_string(hide_password=True) if url else "<unset>"
    if not url or not run_blocking(lambda: _answers(url)):
        reason = f"{server} not reachable at {where}: set {url_variable}"
        # CI sets the variable so that a broken database service fails loudly instead of skipping.
        if os.environ.get(require_variable) == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return url


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


@contextmanager
def throwaway_mariadb_database(server_url: str) -> Iterator[str]:
    """A new empty database `roomkey_test_<random>` on the server, dropped afterwards."""
    name = f"roomkey_test_{secrets.token_hex(6)}"
    run_blocking(lambda: administer(server_url, text(f"CREATE DATABASE `{name}`")))
    try:
        yield async_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        run_blocking(lambda: administer(server_url, text(f"DROP DATABASE IF EXISTS `{name}`")))


async def end_mariadb_connections(server_url: str, database: str) -> None:
    """Kill every connection to `database`, as a server restart would."""
    engine = create_async_engine(async_url(server_url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(text(
                "SELECT id FROM information_schema.processlist"
                " WHERE db = :name AND id <> CONNECTION_ID()").bindparams(name=database))
            for (thread_id,) in found.all():
                await connection.execute(text(f"KILL CONNECTION {int(thread_id)}"))
    finally:
        await engine.dispose()


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


@pytest.fixture
def empty_mariadb_url(mariadb_server_url: str) -> Iterator[str]:
    with throwaway_mariadb_database(mariadb_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_mariadb_database(mariadb_server_url: str) -> Iterator[str]:
    with throwaway_mariadb_database(mariadb_server_url) as url:
        run_migrations(url)
        yield url


@pytest.fixture
def mariadb_url(migrated_mariadb_database: str) -> str:
    """The session's migrated database, emptied for this test."""
    run_blocking(lambda: _empty_tables(migrated_mariadb_database))
    return migrated_mariadb_database


async def _empty_tables(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            # Children first, for the foreign keys; DELETE beats TRUNCATE on a few rows.
            for table in reversed(metadata.sorted_tables):
                await connection.execute(delete(table))
    finally:
        await engine.dispose()


@pytest.fixture(params=["memory", *SQL_BACKENDS])
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
