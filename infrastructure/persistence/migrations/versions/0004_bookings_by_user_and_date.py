"""Bookings listed per user in date order straight from an index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Leads with user_id, so it serves every lookup the old index did, and it hands GET /bookings
    # its rows already sorted: no sort of the user's bookings on every request.
    op.create_index("ix_bookings_user_id_date_from_id", "bookings", ["user_id", "date_from", "id"])
    op.drop_index("ix_bookings_user_id", table_name="bookings")


def downgrade() -> None:
    op.create_index("ix_bookings_user_id", "bookings", ["user_id"])
    op.drop_index("ix_bookings_user_id_date_from_id", table_name="bookings")
