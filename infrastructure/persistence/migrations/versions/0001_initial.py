"""Initial schema: users, rooms, bookings and revoked tokens.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from infrastructure.persistence.mysql.ddl import case_insensitive

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_context().dialect
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", case_insensitive(sa.String(254), dialect), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    if dialect.name == "mysql":
        # MariaDB has no expression indexes: the column's collation ignores case instead.
        op.create_index("uq_users_email_lower", "users", ["email"], unique=True)
    else:
        # Written by hand: autogenerate cannot see expression indexes on SQLite and would drop it.
        op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "rooms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rooms"),
    )

    op.create_table(
        "bookings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bookings"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_bookings_user_id_users"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_bookings_room_id_rooms"),
    )
    op.create_index(
        "ix_bookings_room_id_date_from_date_to", "bookings", ["room_id", "date_from", "date_to"]
    )
    op.create_index("ix_bookings_user_id", "bookings", ["user_id"])

    op.create_table(
        "revoked_tokens",
        sa.Column("token_id", sa.String(255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_id", name="pk_revoked_tokens"),
    )


def downgrade() -> None:
    op.drop_table("revoked_tokens")
    # Its indexes go with it (MariaDB refuses to drop one that a foreign key needs).
    op.drop_table("bookings")
    op.drop_table("rooms")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_table("users")
