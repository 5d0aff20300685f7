"""A request waiting on a lock answers 503 within ROOMKEY_DB_TIMEOUT, on every SQL backend."""

import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncmy
import asyncpg
import pytest
from sqlalchemy import make_url, text

from application.errors import StorageUnavailable
from infrastructure.persistence.database import create_engine_for
from tests.api.conftest import AppFactory
from tests.databases import SQL_BACKENDS

TIMEOUT = 1.0
# The wait may overrun the timeout by the statement's own round trips and the retry of a read
# on the session's path; never by another timeout's worth.
BOUND = TIMEOUT * 2


@asynccontextmanager
async def _sqlite_writer_holding_the_lock(url: str) -> AsyncIterator[None]:
    connection = sqlite3.connect(make_url(url).database or "", isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")  # the database's one write lock, held
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@asynccontextmanager
async def _postgres_transaction_locking_rooms(url: str) -> AsyncIterator[None]:
    parsed = make_url(url)
    connection = await asyncpg.connect(user=parsed.username, host=parsed.host, port=parsed.port,
                                       database=parsed.database)
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("SELECT * FROM rooms FOR UPDATE")
    try:
        yield
    finally:
        await transaction.rollback()
        await connection.close()


@asynccontextmanager
async def _mariadb_transaction_locking_rooms(url: str) -> AsyncIterator[None]:
    parsed = make_url(url)
    connection = await asyncmy.connect(user=parsed.username, password=parsed.password or "",
                                       host=parsed.host, port=parsed.port or 3306,
                                       database=parsed.database)
    async with connection.cursor() as cursor:
        await cursor.execute("BEGIN")
        await cursor.execute("SELECT * FROM rooms FOR UPDATE")
        await cursor.fetchall()
    try:
        yield
    finally:
        await connection.rollback()
        connection.close()


LOCKERS: dict[str, Callable[[str], AbstractAsyncContextManager[None]]] = {
    "sqlite": _sqlite_writer_holding_the_lock,
    "postgresql": _postgres_transaction_locking_rooms,
    "mysql": _mariadb_transaction_locking_rooms,
}


@pytest.fixture(params=SQL_BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


async def test_a_booking_waiting_on_a_locked_room_is_503_within_the_timeout(
    api_factory: AppFactory, database_url: str
) -> None:
    api = await api_factory(db_timeout=TIMEOUT)
    room_id = await api.room()
    headers = await api.bearer_for("guest@example.com")
    async with LOCKERS[make_url(database_url).get_backend_name()](database_url):
        started = time.monotonic()
        response = await api.client.post(
            "/bookings", headers=headers,
            json={"room_id": room_id, "date_from": "2030-02-01", "date_to": "2030-02-03"})
        waited = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"detail": StorageUnavailable.message}
    assert response.headers["retry-after"].isdigit()
    assert TIMEOUT * 0.8 <= waited < BOUND, waited
    # Once the lock is gone the same request goes through.
    retried = await api.client.post(
        "/bookings", headers=headers,
        json={"room_id": room_id, "date_from": "2030-02-01", "date_to": "2030-02-03"})
    assert retried.status_code == 201, retried.text


@pytest.mark.mariadb
async def test_mariadb_sessions_carry_the_timeout_as_server_limits(mariadb_url: str) -> None:
    """The server ends the lock wait or statement itself, freeing what it holds, where the
    client's read timeout would only drop the connection."""
    engine = create_engine_for(mariadb_url, timeout=2.5)
    try:
        async with engine.connect() as connection:
            limits = (await connection.execute(
                text("SELECT @@innodb_lock_wait_timeout, @@max_statement_time"))).one()
    finally:
        await engine.dispose()

    assert (int(limits[0]), float(limits[1])) == (3, 2.5)
