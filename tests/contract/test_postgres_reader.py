"""PostgresReader: only for PostgreSQL, its compiled path reads exactly what SQLAlchemy reads, and
whatever it cannot serve (a lost connection too) it leaves to the session, never raising."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Float, Select, bindparam, func, insert, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from application.errors import StorageUnavailable
from infrastructure.persistence.database import create_engine_for, reader_for
from infrastructure.persistence.postgresql.reader import APPLICATION_NAME, PostgresReader
from infrastructure.persistence.sql.queries import (
    BOOKINGS_OF_USER,
    LIVE_SESSION_USER,
    REFRESH_TOKEN,
    USER_BY_ID,
)
from infrastructure.persistence.sql.unit_of_work import SqlUnitOfWork
from infrastructure.persistence.sqlite.reader import SqliteReader
from infrastructure.persistence.tables import bookings, refresh_tokens, rooms, sessions, users
from tests.databases import sqlite_url_for

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
USER_ID, SESSION_ID, ROOM_ID = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
DIGEST = "d" * 64
# A read that takes long enough for another connection to end it halfway.
_SLEEP = select(func.pg_sleep(bindparam("seconds", type_=Float)).label("slept"))


def test_each_database_gets_its_own_reader(tmp_path: Path) -> None:
    assert reader_for("memory://") is None
    assert reader_for("sqlite+aiosqlite:///:memory:") is None
    assert isinstance(reader_for(sqlite_url_for(tmp_path / "roomkey.db")), SqliteReader)
    assert isinstance(reader_for("postgresql+asyncpg://roomkey@localhost/roomkey"),
                      PostgresReader)
    assert isinstance(reader_for("postgresql://roomkey@localhost/roomkey"), PostgresReader)


@pytest.fixture
async def reader(postgres_url: str) -> AsyncIterator[PostgresReader]:
    reader = PostgresReader(make_url(postgres_url))
    yield reader
    await reader.dispose()


@pytest.fixture
async def stocked_postgres_url(postgres_url: str) -> str:
    engine = create_async_engine(postgres_url, poolclass=NullPool)
    async with engine.begin() as connection:
        await connection.execute(insert(users).values(
            id=USER_ID, email="ada@example.com", password_hash="$argon2id$x", role="user",
            is_active=True, created_at=NOW))
        await connection.execute(insert(sessions).values(
            id=SESSION_ID, user_id=USER_ID, created_at=NOW, last_used_at=NOW,
            expires_at=NOW + timedelta(days=1), revoked_at=None, description="test"))
        await connection.execute(insert(refresh_tokens).values(
            digest=DIGEST, session_id=SESSION_ID, created_at=NOW, used_at=None))
        await connection.execute(insert(rooms).values(
            id=ROOM_ID, name="Blue", description="", price=120, quantity=2))
        for night in (5, 1, 3):
            await connection.execute(insert(bookings).values(
                id=uuid.uuid4(), user_id=USER_ID, room_id=ROOM_ID,
                date_from=date(2030, 2, night), date_to=date(2030, 2, night + 1), price=120))
    await engine.dispose()
    return postgres_url


@pytest.mark.postgres
@pytest.mark.parametrize(("statement", "parameters", "count"), [
    (USER_BY_ID, {"user_id": USER_ID}, 1),
    (USER_BY_ID, {"user_id": uuid.uuid4()}, 0),
    (LIVE_SESSION_USER, {"session_id": SESSION_ID, "user_id": USER_ID, "now": NOW}, 1),
    (LIVE_SESSION_USER,
     {"session_id": SESSION_ID, "user_id": USER_ID, "now": NOW + timedelta(days=2)}, 0),
    (BOOKINGS_OF_USER, {"user_id": USER_ID}, 3),
    (REFRESH_TOKEN, {"digest": DIGEST}, 1),
])
async def test_the_compiled_path_reads_what_sqlalchemy_reads(
    stocked_postgres_url: str, statement: Select[Any], parameters: dict[str, Any], count: int
) -> None:
    reader = PostgresReader(make_url(stocked_postgres_url))
    engine = create_async_engine(stocked_postgres_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            expected = (await connection.execute(statement, parameters)).all()
        for _ in range(2):  # compiled on the first call, reused on the second
            found = await reader.rows(statement, parameters)
            assert found is not None and len(found) == count
            assert [tuple(row) for row in found] == [tuple(row) for row in expected]
            for row, sqlalchemy_row in zip(found, expected, strict=True):
                assert row._asdict() == sqlalchemy_row._asdict()
                assert [type(value) for value in row] == [type(v) for v in sqlalchemy_row]
    finally:
        await reader.dispose()
        await engine.dispose()


@pytest.mark.postgres
async def test_rows_have_the_python_types_of_the_tables(
    stocked_postgres_url: str, reader: PostgresReader
) -> None:
    [user] = await _served(reader, USER_BY_ID, {"user_id": USER_ID})
    assert isinstance(user.id, uuid.UUID) and user.id == USER_ID
    assert user.created_at == NOW and user.created_at.tzinfo is UTC
    assert user.is_active is True
    [token] = await _served(reader, REFRESH_TOKEN, {"digest": DIGEST})
    assert token.used_at is None and token.session_id == SESSION_ID
    booking, *_ = await _served(reader, BOOKINGS_OF_USER, {"user_id": USER_ID})
    assert booking.date_from == date(2030, 2, 1) and type(booking.date_from) is date
    assert booking.price == 120 and type(booking.price) is int


async def _served(
    reader: PostgresReader, statement: Select[Any], parameters: dict[str, Any]
) -> Sequence[Any]:
    found = await reader.rows(statement, parameters)
    assert found is not None
    return found


@pytest.mark.postgres
async def test_what_it_does_not_serve_is_left_to_the_session(reader: PostgresReader) -> None:
    # Not prebuilt: no parameters.
    assert await reader.rows(select(users)) is None
    # A bad statement is reported by the session path, as SQLAlchemy reports it.
    broken = select(users).where(func.no_such_function(users.c.id) == bindparam("user_id"))
    assert await reader.rows(broken, {"user_id": USER_ID}) is None
    assert await reader.rows(USER_BY_ID, {"user_id": USER_ID}) == []


@pytest.mark.postgres
async def test_fresh_statements_stop_being_compiled_once_the_map_is_full(
    reader: PostgresReader,
) -> None:
    fresh = [select(users.c.id).where(users.c.email == bindparam("email")) for _ in range(64)]
    for statement in fresh:
        assert await reader.rows(statement, {"email": "ada@example.com"}) == []
    one_too_many = select(users.c.id).where(users.c.email == bindparam("email"))
    assert await reader.rows(one_too_many, {"email": "ada@example.com"}) is None
    # The statements it already knows are still served.
    assert await reader.rows(fresh[0], {"email": "ada@example.com"}) == []


@pytest.mark.postgres
async def test_its_connections_are_read_only(reader: PostgresReader) -> None:
    setting = select(func.current_setting(bindparam("name")).label("value"))
    found = await reader.rows(setting, {"name": "transaction_read_only"})
    assert found is not None and [tuple(row) for row in found] == [("on",)]


@pytest.mark.postgres
async def test_the_server_ends_a_read_that_runs_too_long(postgres_url: str) -> None:
    reader = PostgresReader(make_url(postgres_url), statement_timeout=0.2)
    try:
        # Answered 503 at once: the session path would only wait as long again.
        with pytest.raises(StorageUnavailable):
            await asyncio.wait_for(reader.rows(_SLEEP, {"seconds": 5}), 3)
        found = await reader.rows(USER_BY_ID, {"user_id": USER_ID})
        assert found == []
    finally:
        await reader.dispose()


@pytest.mark.postgres
async def test_a_connection_the_server_dropped_while_idle_is_replaced(
    stocked_postgres_url: str, postgres_server_url: str, reader: PostgresReader
) -> None:
    assert await reader.rows(USER_BY_ID, {"user_id": USER_ID})
    assert await _terminate_reader_connections(postgres_server_url, stocked_postgres_url) == 1
    await asyncio.sleep(0.1)  # the server's goodbye arrives: the pool sees the connection closed
    found = await reader.rows(USER_BY_ID, {"user_id": USER_ID})
    assert found is not None and len(found) == 1


@pytest.mark.postgres
async def test_a_connection_lost_during_a_read_gives_way_then_recovers(
    stocked_postgres_url: str, postgres_server_url: str, reader: PostgresReader
) -> None:
    sleeping = asyncio.create_task(reader.rows(_SLEEP, {"seconds": 5}))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if await _terminate_reader_connections(postgres_server_url, stocked_postgres_url):
            break
    else:
        pytest.fail("the read never reached the server")
    assert await asyncio.wait_for(sleeping, 5) is None
    found = await reader.rows(USER_BY_ID, {"user_id": USER_ID})
    assert found is not None and len(found) == 1


@pytest.mark.postgres
async def test_a_unit_of_work_reads_on_after_the_server_dropped_the_readers_connections(
    stocked_postgres_url: str, postgres_server_url: str, reader: PostgresReader
) -> None:
    engine = create_engine_for(stocked_postgres_url)
    sessions = async_sessionmaker[AsyncSession](engine, expire_on_commit=False)
    try:
        async with SqlUnitOfWork(sessions, reader=reader) as uow:
            assert await uow.users.get(USER_ID) is not None
        sleeping = asyncio.create_task(reader.rows(_SLEEP, {"seconds": 5}))
        await asyncio.sleep(0.3)
        await _terminate_reader_connections(postgres_server_url, stocked_postgres_url)
        assert await sleeping is None
        async with SqlUnitOfWork(sessions, reader=reader) as uow:
            assert await uow.users.get(USER_ID) is not None
            assert len(await uow.bookings.list_for_user(USER_ID)) == 3
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_dispose_closes_its_connections(
    stocked_postgres_url: str, postgres_server_url: str, reader: PostgresReader
) -> None:
    database = make_url(stocked_postgres_url).database
    await asyncio.gather(*(reader.rows(_SLEEP, {"seconds": 0.2}) for _ in range(3)))
    assert await _reader_connections(postgres_server_url, database) == 3
    await reader.dispose()
    assert await _reader_connections(postgres_server_url, database, until=0) == 0
    # A disposed reader connects again when next used, as the engine does.
    assert await reader.rows(USER_BY_ID, {"user_id": USER_ID})
    await reader.dispose()
    assert await _reader_connections(postgres_server_url, database, until=0) == 0


async def _terminate_reader_connections(server_url: str, database_url: str) -> int:
    """How many of the reader's busy or idle connections the server was told to end."""
    statement = text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = :database AND application_name = :application"
    ).bindparams(database=make_url(database_url).database, application=APPLICATION_NAME)
    engine = create_async_engine(make_url(server_url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(statement)).scalar_one())
    finally:
        await engine.dispose()


async def _reader_connections(server_url: str, database: str | None, until: int = -1) -> int:
    """The reader's connections to `database`, waited for (a few seconds) to drop to `until`:
    a closed connection's server process takes a moment to leave pg_stat_activity."""
    statement = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = :database AND application_name = :application"
    ).bindparams(database=database, application=APPLICATION_NAME)
    engine = create_async_engine(make_url(server_url), poolclass=NullPool)
    try:
        for _ in range(50):
            async with engine.connect() as connection:
                count = int((await connection.execute(statement)).scalar_one())
            if count == until or until < 0:
                break
            await asyncio.sleep(0.1)
        return count
    finally:
        await engine.dispose()
