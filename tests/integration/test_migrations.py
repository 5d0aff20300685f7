"""The Alembic migrations build exactly the schema of tables.metadata, on SQLite and PostgreSQL."""

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
from sqlalchemy import Connection, exc, insert, inspect, make_url, text

from infrastructure.persistence.database import alembic_config, create_engine_for, run_migrations
from infrastructure.persistence.tables import EMAIL_INDEX, metadata, users
from tests.fakes import FIXED_NOW

INDEX_DEFINITION = {
    "sqlite": "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name",
    "postgresql": "SELECT indexdef FROM pg_indexes WHERE indexname = :name",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
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
    assert "lower(email)" in definition


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
    head = ScriptDirectory.from_config(alembic_config(empty_sqlite_url)).get_current_head()
    assert version == head
