"""A request waiting on a lock answers 503 within ROOMKEY_DB_TIMEOUT (SQLite, PostgreSQL)."""

import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import pytest
from sqlalchemy import make_url

from application.errors import StorageUnavailable
from tests.api.conftest import AppFactory

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


LOCKERS: dict[str, Callable[[str], AbstractAsyncContextManager[None]]] = {
    "sqlite": _sqlite_writer_holding_the_lock,
    "postgres": _postgres_transaction_locking_rooms,
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


async def test_a_booking_waiting_on_a_locked_room_is_503_within_the_timeout(
    api_factory: AppFactory, database_url: str
) -> None:
    api = await api_factory(db_timeout=TIMEOUT)
    room_id = await api.room()
    headers = await api.bearer_for("guest@example.com")
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"

    async with LOCKERS[backend](database_url):
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
