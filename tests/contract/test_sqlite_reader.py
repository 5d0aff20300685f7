"""SqliteReader: only for SQLite files, it gives way on a locked database, and its compiled path
reads exactly what SQLAlchemy reads."""

import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Select, create_engine, insert, make_url, select

from infrastructure.persistence.database import reader_for
from infrastructure.persistence.sql.queries import BOOKINGS_OF_USER, LIVE_SESSION_USER, USER_BY_ID
from infrastructure.persistence.sqlite.reader import SqliteReader, uuid_from_hex
from infrastructure.persistence.tables import bookings, rooms, sessions, users

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
USER_ID, SESSION_ID, ROOM_ID = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize("parameters", [None, {"user_id": USER_ID}])
async def test_a_locked_database_sends_the_read_back_to_the_async_path(
    sqlite_url: str, parameters: dict[str, Any] | None
) -> None:
    statement = select(users) if parameters is None else USER_BY_ID
    reader = reader_for(sqlite_url)
    assert isinstance(reader, SqliteReader)
    assert await reader.rows(statement, parameters) == []
    # An exclusive-locking connection that has written shuts every other reader out.
    locker = sqlite3.connect(make_url(sqlite_url).database or "", isolation_level=None)
    try:
        locker.execute("PRAGMA locking_mode=EXCLUSIVE")
        locker.execute("BEGIN EXCLUSIVE")
        assert await reader.rows(statement, parameters) is None
    finally:
        locker.execute("ROLLBACK")
        locker.close()
        await reader.dispose()


@pytest.fixture
def stocked_sqlite_url(sqlite_url: str) -> str:
    engine = create_engine(make_url(sqlite_url).set(drivername="sqlite+pysqlite"))
    with engine.begin() as connection:
        connection.execute(insert(users).values(
            id=USER_ID, email="ada@example.com", password_hash="$argon2id$x", role="user",
            is_active=True, created_at=NOW))
        connection.execute(insert(sessions).values(
            id=SESSION_ID, user_id=USER_ID, created_at=NOW, last_used_at=NOW,
            expires_at=NOW + timedelta(days=1), revoked_at=None, description="test"))
        connection.execute(insert(rooms).values(
            id=ROOM_ID, name="Blue", description="", price=120, quantity=2))
        for night in (5, 1, 3):
            connection.execute(insert(bookings).values(
                id=uuid.uuid4(), user_id=USER_ID, room_id=ROOM_ID,
                date_from=date(2030, 2, night), date_to=date(2030, 2, night + 1), price=120))
    engine.dispose()
    return sqlite_url


@pytest.mark.parametrize(("statement", "parameters", "count"), [
    (USER_BY_ID, {"user_id": USER_ID}, 1),
    (USER_BY_ID, {"user_id": uuid.uuid4()}, 0),
    (LIVE_SESSION_USER, {"session_id": SESSION_ID, "user_id": USER_ID, "now": NOW}, 1),
    (LIVE_SESSION_USER,
     {"session_id": SESSION_ID, "user_id": USER_ID, "now": NOW + timedelta(days=2)}, 0),
    (BOOKINGS_OF_USER, {"user_id": USER_ID}, 3),
])
async def test_the_compiled_path_reads_what_sqlalchemy_reads(
    stocked_sqlite_url: str, statement: Select[Any], parameters: dict[str, Any], count: int
) -> None:
    reader = SqliteReader(make_url(stocked_sqlite_url))
    engine = create_engine(make_url(stocked_sqlite_url).set(drivername="sqlite+pysqlite"))
    try:
        with engine.connect() as connection:
            expected = connection.execute(statement, parameters).all()
        for _ in range(2):  # compiled on the first call, reused on the second
            found = await reader.rows(statement, parameters)
            assert found is not None and len(found) == count
            assert [tuple(row) for row in found] == [tuple(row) for row in expected]
            for row, sqlalchemy_row in zip(found, expected, strict=True):
                assert row._asdict() == sqlalchemy_row._asdict()
                assert [type(value) for value in row] == [type(v) for v in sqlalchemy_row]
    finally:
        await reader.dispose()
        engine.dispose()


@given(st.uuids(version=None))
def test_ids_read_back_are_the_uuids_that_were_written(value: uuid.UUID) -> None:
    for text in (value.hex, str(value)):  # as stored, and the dashed form the checked path takes
        read = uuid_from_hex(text)
        assert read == value and hash(read) == hash(value)
        assert (str(read), read.version, read.is_safe) == (str(value), value.version,
                                                           uuid.SafeUUID.unknown)
    assert uuid_from_hex(None) is None


def test_a_malformed_id_is_refused_not_misread() -> None:
    with pytest.raises(ValueError):
        uuid_from_hex("not-a-uuid")
