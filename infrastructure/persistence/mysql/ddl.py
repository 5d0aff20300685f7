"""How the portable schema is written on MariaDB and MySQL; registered once, used by every
migration (including ones that know nothing of MariaDB).

- Timestamps keep microseconds, as on the other databases: DATETIME(6), not DATETIME.
- Binary columns with a length are VARBINARY(n): SQLAlchemy's BLOB(n) would come back from
  the server as whichever BLOB type holds n bytes (TINYBLOB for 255), unlike the models.
- Primary keys go unnamed: MySQL calls every one PRIMARY, and answers a name with a note
  that the driver logs as a warning.
- Tables default to utf8mb4 with a binary collation, so that text compares and sorts by code
  point as on PostgreSQL ("C") and SQLite (BINARY), instead of the server's case- and
  accent-insensitive default. A table that names its own collation keeps it, and a column
  can ask for case-insensitive text (`case_insensitive`).
"""

import re
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import DateTime, LargeBinary, PrimaryKeyConstraint, String
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.compiler import DDLCompiler, TypeCompiler

BINARY_TABLE_OPTIONS = " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"


@compiles(DateTime, "mysql")
def _datetime_with_microseconds(type_: DateTime, compiler: TypeCompiler, **kw: Any) -> str:
    return "DATETIME(6)"


@compiles(LargeBinary, "mysql")
def _sized_binary_as_varbinary(type_: LargeBinary, compiler: TypeCompiler, **kw: Any) -> str:
    return "BLOB" if type_.length is None else f"VARBINARY({type_.length})"


@compiles(PrimaryKeyConstraint, "mysql")
def _unnamed_primary_key(
    constraint: PrimaryKeyConstraint, compiler: DDLCompiler, **kw: Any
) -> str:
    visit = cast(Callable[..., str], compiler.visit_primary_key_constraint)
    return re.sub(r"^CONSTRAINT \S+ ", "", visit(constraint, **kw))


@compiles(CreateTable, "mysql")
def _binary_text_by_default(create: CreateTable, compiler: DDLCompiler, **kw: Any) -> str:
    # SQLAlchemy's own CREATE TABLE (untyped), then the default options appended.
    visit_create_table = cast(Callable[..., str], compiler.visit_create_table)
    sql = visit_create_table(create, **kw)
    if "mysql_collate" in create.element.kwargs:
        return sql
    return sql.rstrip() + BINARY_TABLE_OPTIONS + "\n\n"


def case_insensitive(column_type: String, dialect: Dialect) -> String:
    """The type, with a collation that ignores case (not accents) on MariaDB and MySQL.

    For the unique email index: MariaDB has no index on an expression such as lower(email), so
    the column's collation makes a plain unique index ignore case. Other databases get the type
    unchanged.
    """
    if dialect.name != "mysql":
        return column_type
    collation = ("utf8mb4_uca1400_as_ci" if getattr(dialect, "is_mariadb", False)
                 else "utf8mb4_0900_as_ci")
    return String(column_type.length, collation=collation)
