"""Which backend a URL names (one place decides), and MariaDB's DDL rules, without a server."""

import pytest
from sqlalchemy import String
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateTable

from infrastructure.persistence.backends import async_url, sql_backend, storage_kind
from infrastructure.persistence.mysql.backend import MysqlBackend, session_limits
from infrastructure.persistence.mysql.ddl import case_insensitive
from infrastructure.persistence.postgresql.backend import PostgresBackend
from infrastructure.persistence.sqlite.backend import SqliteBackend
from infrastructure.persistence.tables import mail_outbox, sessions, totp_credentials, users
from infrastructure.settings import Settings


@pytest.mark.parametrize(("url", "kind"), [
    ("memory://", "memory"),
    ("sqlite+aiosqlite:///./roomkey.db", "sql"),
    ("postgresql://roomkey@localhost/roomkey", "sql"),
    ("mysql+asyncmy://root@localhost/roomkey", "sql"),
])
def test_the_url_decides_between_memory_and_sql(url: str, kind: str) -> None:
    assert storage_kind(url) == kind
    assert Settings(database_url=url).uses_memory is (kind == "memory")


@pytest.mark.parametrize(("url", "backend", "driver"), [
    ("sqlite:///./roomkey.db", SqliteBackend, "sqlite+aiosqlite"),
    ("postgresql://roomkey@localhost/roomkey", PostgresBackend, "postgresql+asyncpg"),
    ("postgresql+asyncpg://roomkey@localhost/roomkey", PostgresBackend, "postgresql+asyncpg"),
    ("mysql://root@localhost/roomkey", MysqlBackend, "mysql+asyncmy"),
    ("mysql+asyncmy://root@localhost/roomkey", MysqlBackend, "mysql+asyncmy"),
])
def test_a_bare_scheme_gets_its_backends_async_driver(
    url: str, backend: type, driver: str,
) -> None:
    found, parsed = sql_backend(url)
    assert isinstance(found, backend)
    assert parsed.drivername == driver


@pytest.mark.parametrize("url", ["mysql+aiomysql://root@localhost/roomkey",
                                 "postgresql+psycopg://roomkey@localhost/roomkey",
                                 "oracle://scott@localhost/orcl"])
def test_other_drivers_and_databases_are_refused_with_the_supported_schemes(url: str) -> None:
    with pytest.raises(ValueError, match=r"use sqlite\+aiosqlite://, postgresql\+asyncpg://, "
                                         r"mysql\+asyncmy:// or memory://"):
        async_url(url)


@pytest.mark.parametrize("url", ["nonsense", "postgresql://roomkey:hunter2@localhost:port/db"])
def test_a_malformed_url_is_named_without_echoing_it(url: str) -> None:
    with pytest.raises(ValueError, match="ROOMKEY_DATABASE_URL is not a database URL") as caught:
        async_url(url)
    assert "hunter2" not in str(caught.value)


def test_mariadb_tables_keep_microseconds_compare_by_code_point_and_name_no_primary_key() -> None:
    ddl = str(CreateTable(sessions).compile(dialect=mysql.dialect()))

    assert "created_at DATETIME(6) NOT NULL" in ddl
    assert ddl.rstrip().endswith("DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
    assert "PRIMARY KEY (id)" in ddl
    assert "CONSTRAINT pk_sessions" not in ddl


def test_mariadb_binary_columns_with_a_length_are_varbinary_as_the_server_keeps_them() -> None:
    sized = str(CreateTable(totp_credentials).compile(dialect=mysql.dialect()))
    unsized = str(CreateTable(mail_outbox).compile(dialect=mysql.dialect()))

    assert "sealed_secret VARBINARY(255) NOT NULL" in sized
    assert "payload BLOB NOT NULL" in unsized


@pytest.mark.parametrize(("timeout", "mariadb", "statement"), [
    (5.0, True, "SET SESSION innodb_lock_wait_timeout = 5, max_statement_time = 5"),
    (0.5, True, "SET SESSION innodb_lock_wait_timeout = 1, max_statement_time = 0.5"),
    (2.5, False, "SET SESSION innodb_lock_wait_timeout = 3"),
])
def test_mariadb_sessions_end_lock_waits_and_statements_at_the_timeout(
    timeout: float, mariadb: bool, statement: str,
) -> None:
    assert session_limits(timeout, mariadb=mariadb) == statement


def test_the_rules_leave_other_databases_alone() -> None:
    ddl = str(CreateTable(users).compile(dialect=postgresql.dialect()))

    assert "TIMESTAMP WITH TIME ZONE" in ddl
    assert "CONSTRAINT pk_users PRIMARY KEY (id)" in ddl
    assert "COLLATE" not in ddl


@pytest.mark.parametrize(("dialect", "collation"), [
    (mysql.dialect(is_mariadb=True), "utf8mb4_uca1400_as_ci"),
    (mysql.dialect(), "utf8mb4_0900_as_ci"),
    (postgresql.dialect(), None),
])
def test_only_mysql_gets_a_case_insensitive_email_collation(
    dialect: Dialect, collation: str | None,
) -> None:
    email = case_insensitive(String(254), dialect)

    assert email.length == 254
    assert email.collation == collation
