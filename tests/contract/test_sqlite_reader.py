"""SqliteReader: only for SQLite files, and it gives way instead of waiting on a locked database."""

import sqlite3

from sqlalchemy import make_url, select

from infrastructure.persistence.sqlite_reader import sqlite_reader_for
from infrastructure.persistence.tables import users


def test_there_is_no_reader_for_postgres_or_in_memory_databases() -> None:
    assert sqlite_reader_for("memory://") is None
    assert sqlite_reader_for("postgresql+asyncpg://roomkey@localhost/roomkey") is None
    assert sqlite_reader_for("sqlite+aiosqlite:///:memory:") is None


def test_a_locked_database_sends_the_read_back_to_the_async_path(sqlite_url: str) -> None:
    reader = sqlite_reader_for(sqlite_url)
    assert reader is not None
    assert reader.rows(select(users)) == []
    # An exclusive-locking connection that has written shuts every other reader out.
    locker = sqlite3.connect(make_url(sqlite_url).database or "", isolation_level=None)
    try:
        locker.execute("PRAGMA locking_mode=EXCLUSIVE")
        locker.execute("BEGIN EXCLUSIVE")
        assert reader.rows(select(users)) is None
    finally:
        locker.execute("ROLLBACK")
        locker.close()
        reader.dispose()
