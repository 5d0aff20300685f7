"""The database schema as SQLAlchemy Core tables, shared by the SQL adapters and the migrations."""

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    false,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Deterministic constraint names, so that migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EMAIL_INDEX = "uq_users_email_lower"


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite drops the offset, so it is put back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            # A naive value would be stored as whatever local time it happens to mean.
            raise ValueError("Refusing to store a naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(naming_convention=NAMING_CONVENTION)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    # Stored normalised by domain.users.Email; the lower() index guards uniqueness regardless.
    Column("email", String(254), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("mfa_enabled", Boolean, nullable=False, server_default=false()),
)
Index(EMAIL_INDEX, func.lower(users.c.email), unique=True)

rooms = Table(
    "rooms",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("price", Integer, nullable=False),
    Column("quantity", Integer, nullable=False),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("room_id", Uuid, ForeignKey("rooms.id"), nullable=False),
    Column("date_from", Date, nullable=False),
    Column("date_to", Date, nullable=False),
    Column("price", Integer, nullable=False),
    # Serves count_overlapping, which runs on every booking while the room is locked.
    Index("ix_bookings_room_id_date_from_date_to", "room_id", "date_from", "date_to"),
    # Serves GET /bookings (a user's bookings by date) without a sort.
    Index("ix_bookings_user_id_date_from_id", "user_id", "date_from", "id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("description", String(200), nullable=False),
    # Null for sessions started before step-up existed: they never count as recent.
    Column("authenticated_at", UtcDateTime, nullable=True),
    Index("ix_sessions_user_id", "user_id"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("session_id", Uuid, ForeignKey("sessions.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index("ix_refresh_tokens_session_id", "session_id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("type", String(32), nullable=False),
    # No foreign keys: the trail must outlive the accounts it mentions.
    Column("user_id", Uuid, nullable=True),
    Column("actor_id", Uuid, nullable=True),
    Column("client_ip", String(45), nullable=True),
    Column("user_agent", String(256), nullable=True),
    Column("request_id", String(64), nullable=True),
    Column("detail", String(200), nullable=False),
    # Keyset pagination, newest first, over everything and over one user's events.
    Index("ix_audit_events_occurred_at_id", "occurred_at", "id"),
    Index("ix_audit_events_user_id_occurred_at_id", "user_id", "occurred_at", "id"),
)

totp_credentials = Table(
    "totp_credentials",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id"), primary_key=True),
    # AES-GCM sealed (infrastructure.secret_box): never the secret in clear.
    Column("sealed_secret", LargeBinary(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("confirmed_at", UtcDateTime, nullable=True),
    Column("last_step", Integer, nullable=True),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    Index("ix_recovery_codes_user_id", "user_id"),
)

mfa_challenges = Table(
    "mfa_challenges",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("failed_codes", Integer, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index("ix_mfa_challenges_user_id", "user_id"),
)
