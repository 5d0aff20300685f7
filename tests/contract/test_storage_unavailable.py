"""Connection failures reach the use cases as StorageUnavailable, never as driver errors."""

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import exc, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from application.errors import StorageUnavailable
from infrastructure.persistence.database import create_engine_for, ping
from infrastructure.persistence.sql.errors import is_lost_connection
from infrastructure.persistence.sql.unit_of_work import SqlUnitOfWork
from tests.contract.test_repositories import make_booking, make_room, make_user
from tests.databases import (
    SQL_BACKENDS,
    administer,
    end_mariadb_connections,
    terminate_connections,
)


def unit_of_work(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(async_sessionmaker[AsyncSession](engine, expire_on_commit=False))


@pytest.fixture(params=[
    "sqlite-missing-directory",
    pytest.param("postgres-refused", marks=pytest.mark.postgres),
    pytest.param("postgres-missing-database", marks=pytest.mark.postgres),
    pytest.param("mariadb-refused", marks=pytest.mark.mariadb),
    pytest.param("mariadb-missing-database", marks=pytest.mark.mariadb),
])
def unreachable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite-missing-directory":
        return f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'roomkey.db'}"
    backend, problem = request.param.split("-", 1)
    server = make_url(request.getfixturevalue(f"{backend}_server_url"))
    if problem == "refused":
        server = server.set(port=1)
    else:
        server = server.set(database=f"missing_{uuid.uuid4().hex}")
    return server.render_as_string(hide_password=False)


@pytest.fixture(params=SQL_BACKENDS)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(request.getfixturevalue(f"{request.param}_url"))
    yield engine
    await engine.dispose()


async def test_an_unreachable_database_raises_storage_unavailable(unreachable_url: str) -> None:
    engine = create_engine_for(unreachable_url)
    try:
        started = time.monotonic()
        with pytest.raises(StorageUnavailable) as raised:
            async with unit_of_work(engine) as uow:
                await uow.users.list()
        assert raised.value.__cause__ is not None
        assert not await ping(engine)
        assert time.monotonic() - started < 10
    finally:
        await engine.dispose()
        await _aiosqlite_workers_finished()


async def _aiosqlite_workers_finished() -> None:
    # aiosqlite stops the worker thread of a failed connection without waiting for it; the
    # thread then reports to this test's event loop, which must still be open.
    for _ in range(200):
        if not any("_connection_worker_thread" in t.name for t in threading.enumerate()):
            return
        await asyncio.sleep(0.01)


async def test_a_reachable_database_answers_the_ping(engine: AsyncEngine) -> None:
    assert await ping(engine)


async def test_other_database_errors_are_not_disguised(engine: AsyncEngine) -> None:
    user, room = make_user(), make_room()
    async with unit_of_work(engine) as uow:
        with pytest.raises(exc.IntegrityError):
            await uow.bookings.add(make_booking(user, room, date(2030, 2, 1)))


@pytest.mark.postgres
async def test_a_connection_lost_mid_transaction_raises_storage_unavailable(
    postgres_server_url: str, postgres_url: str,
) -> None:
    engine = create_engine_for(postgres_url)
    database = make_url(postgres_url).database
    assert database is not None
    try:
        with pytest.raises(StorageUnavailable):
            async with unit_of_work(engine) as uow:
                await uow.users.add(make_user())
                await administer(postgres_server_url, terminate_connections(database))
                await uow.commit()
        # The pool replaces the dead connection: the next transaction works again.
        async with unit_of_work(engine) as uow:
            assert await uow.users.list() == []
    finally:
        await engine.dispose()


@pytest.mark.mariadb
async def test_a_mariadb_connection_lost_mid_transaction_raises_storage_unavailable(
    mariadb_server_url: str, mariadb_url: str,
) -> None:
    engine = create_engine_for(mariadb_url)
    database = make_url(mariadb_url).database
    assert database is not None
    try:
        with pytest.raises(StorageUnavailable):
            async with unit_of_work(engine) as uow:
                await uow.users.add(make_user())
                await end_mariadb_connections(mariadb_server_url, database)
                await uow.commit()
        async with unit_of_work(engine) as uow:
            assert await uow.users.list() == []
    finally:
        await engine.dispose()


@pytest.mark.mariadb
async def test_a_deadlock_victim_gets_storage_unavailable_and_the_other_commits(
    mariadb_url: str,
) -> None:
    engine = create_engine_for(mariadb_url)
    first, second = make_room(), make_room()
    holding_one_each = asyncio.Barrier(2)

    async def lock_both(one: uuid.UUID, other: uuid.UUID) -> str:
        async with unit_of_work(engine) as uow:
            await uow.rooms.lock(one)
            await holding_one_each.wait()
            await uow.rooms.lock(other)  # InnoDB sees the cycle and rolls one of them back
            await uow.commit()
        return "committed"

    try:
        async with unit_of_work(engine) as uow:
            await uow.rooms.add(first)
            await uow.rooms.add(second)
            await uow.commit()
        outcomes = await asyncio.gather(lock_both(first.id, second.id),
                                        lock_both(second.id, first.id), return_exceptions=True)
    finally:
        await engine.dispose()

    assert sorted(map(str, map(type, outcomes))) == [
        "<class 'application.errors.StorageUnavailable'>", "<class 'str'>"], outcomes


@pytest.mark.parametrize(("error", "expected"), [
    (ConnectionRefusedError(111, "refused"), True),
    (TimeoutError(), True),
    (exc.TimeoutError("pool exhausted"), True),
    (exc.OperationalError("SELECT 1", {}, Exception("database is locked")), True),
    (exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), False),
    (exc.ProgrammingError("SELEC", {}, Exception("syntax error")), False),
    (ValueError("not a database problem"), False),
])
def test_connection_failures_are_told_apart(error: Exception, expected: bool) -> None:
    assert is_lost_connection(error) is expected
