"""The Alembic migrations build exactly the schema of tables.metadata on every SQL backend."""

import sqlite3
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, exc, insert, inspect, make_url, select, text

from infrastructure.persistence.database import alembic_config, create_engine_for, run_migrations
from infrastructure.persistence.sql.queries import BOOKINGS_OF_USER
from infrastructure.persistence.tables import (
    EMAIL_INDEX,
    metadata,
    refresh_tokens,
    sessions,
    users,
)
from tests.databases import SQL_BACKENDS
from tests.fakes import FIXED_NOW

# Later migrations (the audit table, ...) must keep the session tables as 0002 made them.
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
SESSION_TABLES = {"sessions", "refresh_tokens"}
INITIAL_TABLES = {"users", "rooms", "bookings", "revoked_tokens", "alembic_version"}
INDEX_DEFINITION = {
    "sqlite": "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name",
    "postgresql": "SELECT indexdef FROM pg_indexes WHERE indexname = :name",
    # MariaDB has no expression index: the unique index is on the column, whose collation
    # ignores case.
    "mysql": "SELECT CONCAT(IF(s.non_unique, '', 'unique '), s.column_name, ' ', c.collation_name)"
             " FROM information_schema.statistics s JOIN information_schema.columns c"
             " ON c.table_schema = s.table_schema AND c.table_name = s.table_name"
             " AND c.column_name = s.column_name"
             " WHERE s.table_schema = DATABASE() AND s.index_name = :name",
}
EMAIL_INDEX_KEY = {"sqlite": "lower(email)", "postgresql": "lower(email)",
                   "mysql": "email utf8mb4_uca1400_as_ci"}


@pytest.fixture(params=SQL_BACKENDS)
def empty_database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield request.getfixturevalue(f"empty_{request.param}_url")


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    with warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; _email_index() checks that one directly.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        return list(compare_metadata(context, metadata))


def _email_index(connection: Connection) -> str:
    query = text(INDEX_DEFINITION[connection.dialect.name]).bindparams(name=EMAIL_INDEX)
    return str(connection.execute(query).scalar_one()).lower().replace("(email)::text", "email")


def _user_row(email: str) -> dict[str, Any]:
    return {"id": uuid.uuid4(), "email": email, "password_hash": "x", "role": "user",
            "is_active": True, "created_at": FIXED_NOW}


def _insert_mixed_case_twice(connection: Connection) -> None:
    # Bypasses domain.users.Email, whose normalisation would hide a missing index.
    connection.execute(insert(users).values(_user_row("Ada@Example.com")))
    connection.execute(insert(users).values(_user_row("ada@example.COM")))


async def _inspect(url: str, check: Any) -> Any:
    engine = create_engine_for(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(check)
    finally:
        await engine.dispose()


async def test_upgrade_head_builds_the_schema_of_the_tables(empty_database_url: str) -> None:
    run_migrations(empty_database_url)

    assert await _inspect(empty_database_url, _differences) == []
    definition = await _inspect(empty_database_url, _email_index)
    assert "unique" in definition
    assert EMAIL_INDEX_KEY[make_url(empty_database_url).get_backend_name()] in definition


async def test_the_email_index_ignores_case(empty_database_url: str) -> None:
    run_migrations(empty_database_url)
    with pytest.raises(exc.IntegrityError, match=EMAIL_INDEX):
        await _inspect(empty_database_url, _insert_mixed_case_twice)


async def test_downgrade_to_base_then_upgrade_to_head(empty_database_url: str) -> None:
    run_migrations(empty_database_url)
    command.downgrade(alembic_config(empty_database_url), "base")

    def tables(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    assert await _inspect(empty_database_url, tables) == {"alembic_version"}

    run_migrations(empty_database_url)
    run_migrations(empty_database_url)  # at head already: nothing to do, nothing fails
    assert await _inspect(empty_database_url, tables) == {*metadata.tables, "alembic_version"}
    assert await _inspect(empty_database_url, _differences) == []


def test_run_migrations_works_from_synchronous_code(empty_sqlite_url: str) -> None:
    # The CLI calls it with no event loop running; the async tests above call it inside one.
    run_migrations(empty_sqlite_url)
    database = make_url(empty_sqlite_url).database
    assert database is not None
    with sqlite3.connect(database) as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == HEAD


def test_a_users_bookings_come_in_date_order_from_an_index(empty_sqlite_url: str) -> None:
    run_migrations(empty_sqlite_url)
    database = make_url(empty_sqlite_url).database
    assert database is not None
    query = str(BOOKINGS_OF_USER.compile(compile_kwargs={"literal_binds": False}))
    with sqlite3.connect(database) as connection:
        plan = " ".join(str(step) for step in connection.execute(
            f"EXPLAIN QUERY PLAN {query.replace(':user_id', '?')}", ("x",)).fetchall())
    assert "ix_bookings_user_id_date_from_id" in plan
    assert "TEMP B-TREE" not in plan  # no sort on every GET /bookings


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _version(connection: Connection) -> str:
    return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


async def test_head_has_the_session_tables_with_their_keys_and_indexes(
    empty_database_url: str,
) -> None:
    run_migrations(empty_database_url)

    def describe(connection: Connection) -> dict[str, Any]:
        schema = inspect(connection)
        return {
            table: (
                schema.get_pk_constraint(table)["constrained_columns"],
                sorted((fk["constrained_columns"][0], fk["referred_table"])
                       for fk in schema.get_foreign_keys(table)),
                sorted(str(index["name"]) for index in schema.get_indexes(table)),
            )
            for table in SESSION_TABLES
        }

    assert "revoked_tokens" not in await _inspect(empty_database_url, _tables)
    assert await _inspect(empty_database_url, _version) == HEAD
    assert await _inspect(empty_database_url, describe) == {
        "sessions": (["id"], [("user_id", "users")], ["ix_sessions_user_id"]),
        "refresh_tokens": (["digest"], [("session_id", "sessions")],
                           ["ix_refresh_tokens_session_id"]),
    }


async def test_a_refresh_token_needs_an_existing_session(empty_database_url: str) -> None:
    run_migrations(empty_database_url)

    def orphan(connection: Connection) -> None:
        connection.execute(insert(refresh_tokens).values(
            digest="0" * 64, session_id=uuid.uuid4(), created_at=FIXED_NOW, used_at=None))

    with pytest.raises(exc.IntegrityError):
        await _inspect(empty_database_url, orphan)


async def test_downgrade_to_0001_restores_the_revoked_token_list(empty_database_url: str) -> None:
    run_migrations(empty_database_url)
    command.downgrade(alembic_config(empty_database_url), "0001")

    assert await _inspect(empty_database_url, _tables) == INITIAL_TABLES
    assert await _inspect(empty_database_url, _version) == "0001"


async def test_upgrading_from_0001_keeps_the_users_and_adds_usable_session_tables(
    empty_database_url: str,
) -> None:
    command.upgrade(alembic_config(empty_database_url), "0001")
    row = _user_row("ada@example.com")

    def add_user(connection: Connection) -> None:
        connection.execute(insert(users).values(row))
        connection.commit()

    await _inspect(empty_database_url, add_user)

    run_migrations(empty_database_url)

    session_id = uuid.uuid4()

    def add_session(connection: Connection) -> list[Any]:
        connection.execute(insert(sessions).values(
            id=session_id, user_id=row["id"], created_at=FIXED_NOW, last_used_at=FIXED_NOW,
            expires_at=FIXED_NOW, revoked_at=None, description="laptop"))
        connection.execute(insert(refresh_tokens).values(
            digest="f" * 64, session_id=session_id, created_at=FIXED_NOW, used_at=None))
        return list(connection.execute(
            select(users.c.email, sessions.c.id, refresh_tokens.c.digest)
            .join(sessions, sessions.c.user_id == users.c.id)
            .join(refresh_tokens, refresh_tokens.c.session_id == sessions.c.id)).all())

    assert await _inspect(empty_database_url, add_session) == [
        ("ada@example.com", session_id, "f" * 64)]
    assert await _inspect(empty_database_url, _tables) == {*metadata.tables, "alembic_version"}
