"""The real `roomkey` command: each refusal to start is one line without a traceback, and the
schema, admin and role commands say what they did."""

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import make_url

from domain.users import Email
from infrastructure.persistence.database import alembic_config, run_migrations
from infrastructure.persistence.schema import code_heads
from infrastructure.settings import Settings
from interfaces.http.app import build_container
from tests.api.conftest import ADMIN_PASSWORD, PASSWORD
from tests.databases import run_blocking, sqlite_url_for
from tests.live_server import SECRET, roomkey_environment, run_concurrently, run_roomkey
from tests.production import PRODUCTION_ESSENTIALS

PRODUCTION = {"env": "production", "secret_key": SECRET + "-production-grade-key-material",
              "allowed_hosts": "localhost", **PRODUCTION_ESSENTIALS}
HEAD = ", ".join(code_heads())
SERVE = ("serve", "--port", "9")


def _refusal(stderr: str) -> str:
    """The one line of a refusal (a second line is allowed); fails on a traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, stderr
    assert "Traceback" not in stderr
    return lines[-1]


REFUSALS = {
    "ROOMKEY_DATABASE_URL: Unsupported database URL scheme 'oracle'":
        {"database_url": "oracle://x"},
    "ROOMKEY_DATABASE_URL is not a database URL": {"database_url": "nonsense"},
    "ROOMKEY_PREVIOUS_SECRET_KEYS does not parse: expected a JSON list":
        {"previous_secret_keys": "oldkey"},
    "ROOMKEY_DB_TIMEOUT: Input should be a valid number":
        {"db_timeout": "soon"},
    "the database at ROOMKEY_DATABASE_URL does not answer":
        {"database_url": "postgresql+asyncpg://nobody:hunter2@127.0.0.1:9/none"},
    "Redis at ROOMKEY_REDIS_URL does not answer": {"redis_url": "redis://127.0.0.1:9/0"},
}


def test_each_refusal_to_start_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    results = run_concurrently(*[(SERVE, roomkey_environment(**settings))
                                 for settings in REFUSALS.values()], cwd=tmp_path)

    for expected, result in zip(REFUSALS, results, strict=True):
        assert result.returncode == 2, result.stderr
        assert expected in _refusal(result.stderr)
        assert "hunter2" not in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    env = roomkey_environment(database_url="oracle://x")

    results = run_concurrently((("--debug", *SERVE), env),
                               (SERVE, env | {"ROOMKEY_LOG_LEVEL": "debug"}), cwd=tmp_path)

    for result in results:
        assert result.returncode != 0
        assert "Traceback" in result.stderr
        assert "Unsupported database URL scheme" in result.stderr


def test_production_refuses_a_database_that_was_never_migrated(tmp_path: Path) -> None:
    """With the admin variables it used to die in a traceback; without, it served 503s; the
    account commands said "temporarily unavailable"."""
    settings = PRODUCTION | {"database_url": sqlite_url_for(tmp_path / "new.db")}
    admin = {"admin_email": "admin@example.com", "admin_password": ADMIN_PASSWORD}

    results = run_concurrently((SERVE, roomkey_environment(**settings, **admin)),
                               (SERVE, roomkey_environment(**settings)),
                               (("migrate", "--check"), roomkey_environment(**settings)),
                               (("set-role", "a@example.com", "admin"),
                                roomkey_environment(**settings)),
                               cwd=tmp_path)

    expected = (f"roomkey: the database schema is at revision none (empty database), this "
                f"code needs {HEAD}: run `roomkey migrate`")
    assert [result.returncode for result in results] == [2, 2, 1, 2]
    assert [_refusal(result.stderr) for result in results] == [expected] * 4


@pytest.mark.postgres
def test_a_postgres_database_behind_is_refused_until_migrated(
    tmp_path: Path, empty_postgres_url: str
) -> None:
    env = roomkey_environment(**PRODUCTION, database_url=empty_postgres_url)
    command.upgrade(alembic_config(empty_postgres_url), "0003")

    behind, check_behind = run_concurrently((SERVE, env), (("migrate", "--check"), env),
                                            cwd=tmp_path)
    run_migrations(empty_postgres_url)
    check_current = run_roomkey("migrate", "--check", env=env, cwd=tmp_path)

    assert behind.returncode == 2
    assert f"at revision 0003, this code needs {HEAD}" in _refusal(behind.stderr)
    assert check_behind.returncode == 1
    assert "run `roomkey migrate`" in _refusal(check_behind.stderr)
    assert check_current.returncode == 0, check_current.stderr
    assert f"revision {HEAD}" in check_current.stdout


def test_a_schema_ahead_of_the_code_is_refused_even_in_development(
    tmp_path: Path, sqlite_url: str
) -> None:
    with sqlite3.connect(make_url(sqlite_url).database or "") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    env = roomkey_environment(database_url=sqlite_url)

    check, development = run_concurrently((("migrate", "--check"), env), (SERVE, env),
                                          cwd=tmp_path)

    assert check.returncode == 1
    assert "at revision 9999, newer than this code's" in _refusal(check.stderr)
    assert development.returncode == 2
    assert "newer than this code's" in _refusal(development.stderr)


def test_create_admin_for_a_user_account_says_how_to_promote_it(
    tmp_path: Path, sqlite_url: str
) -> None:
    container = build_container(Settings(database_url=sqlite_url, secret_key=SECRET))
    run_blocking(lambda: container.register_user().execute(email=Email("ops@example.com"),
                                                           password=PASSWORD))
    env = roomkey_environment(database_url=sqlite_url)

    refused = run_roomkey("create-admin", "--email", "ops@example.com", "--password-stdin",
                          env=env, cwd=tmp_path, stdin=PASSWORD)
    promoted, unknown = run_concurrently(
        (("set-role", "ops@example.com", "admin"), env),
        (("set-role", "nobody@example.com", "admin"), env), cwd=tmp_path)

    assert refused.returncode == 1
    assert _refusal(refused.stderr) == (
        "roomkey: ops@example.com already has an account, as a user; make it an admin with "
        "`roomkey set-role ops@example.com admin`")
    assert promoted.returncode == 0, promoted.stderr
    assert promoted.stdout.strip() == "ops@example.com is now an admin"
    assert unknown.returncode == 1
    assert _refusal(unknown.stderr) == "roomkey: nobody@example.com: User not found"
    with sqlite3.connect(make_url(sqlite_url).database or "") as connection:
        role, = connection.execute(
            "SELECT role FROM users WHERE email = 'ops@example.com'").fetchone()
        changes = connection.execute(
            "SELECT detail FROM audit_events WHERE type = 'role_change'").fetchall()
    assert role == "admin"
    assert changes == [("user -> admin",)]
