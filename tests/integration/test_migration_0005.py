"""Migration 0005 (mail) on every SQL backend: existing accounts stay, unverified, and the
case-insensitive email index survives the new column."""

import uuid

import pytest
from alembic import command
from sqlalchemy import Connection, exc, insert, select

from infrastructure.persistence.database import alembic_config, create_engine_for, run_migrations
from infrastructure.persistence.tables import EMAIL_INDEX, users
from tests.databases import SQL_BACKENDS
from tests.fakes import FIXED_NOW


@pytest.fixture(params=SQL_BACKENDS)
def empty_database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"empty_{request.param}_url")
    return url


def _user(email: str) -> dict[str, object]:
    return {"id": uuid.uuid4(), "email": email, "password_hash": "x", "role": "user",
            "is_active": True, "created_at": FIXED_NOW}


async def test_accounts_from_before_0005_are_kept_unverified(empty_database_url: str) -> None:
    command.upgrade(alembic_config(empty_database_url), "0004")
    engine = create_engine_for(empty_database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(users).values(_user("ada@example.com")))
        run_migrations(empty_database_url)

        async with engine.connect() as connection:
            rows = (await connection.execute(select(users.c.email, users.c.email_verified))).all()
            assert [tuple(row) for row in rows] == [("ada@example.com", False)]

            def insert_other_case(sync: Connection) -> None:
                sync.execute(insert(users).values(_user("ADA@example.com")))

            with pytest.raises(exc.IntegrityError, match=EMAIL_INDEX):
                await connection.run_sync(insert_other_case)
    finally:
        await engine.dispose()
