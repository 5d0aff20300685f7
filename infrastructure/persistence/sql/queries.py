"""The per-request statements, built once and shared by every SQL backend.

SQLAlchemy memoises a statement's cache key, which it would otherwise compute anew for every
freshly built statement; a backend's reader compiles these once for its raw driver.
"""

from sqlalchemy import bindparam, func, insert, select

from infrastructure.persistence.tables import bookings, refresh_tokens, sessions, users

USER_BY_ID = select(users).where(users.c.id == bindparam("user_id"))
USER_BY_EMAIL = select(users).where(func.lower(users.c.email) == bindparam("email"))
REFRESH_TOKEN = select(refresh_tokens).where(refresh_tokens.c.digest == bindparam("digest"))
# The per-request session check: a primary-key lookup joined to its user, one round trip.
LIVE_SESSION_USER = (
    select(users)
    .join(sessions, sessions.c.user_id == users.c.id)
    .where(
        sessions.c.id == bindparam("session_id"),
        sessions.c.user_id == bindparam("user_id"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > bindparam("now", type_=sessions.c.expires_at.type),
        users.c.is_active.is_(True),
    )
)
BOOKINGS_OF_USER = (select(bookings).where(bookings.c.user_id == bindparam("user_id"))
                    .order_by(bookings.c.date_from, bookings.c.id))
# A login's writes, given their values as parameters (see Statements.execute).
INSERT_SESSION = insert(sessions)
INSERT_REFRESH_TOKEN = insert(refresh_tokens)
