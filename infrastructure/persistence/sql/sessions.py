"""The session and refresh-token repositories on SQLAlchemy Core, for every SQL backend."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update

from domain.sessions import RefreshTokenRecord, Session
from domain.users import User
from infrastructure.persistence.sql import queries
from infrastructure.persistence.sql.repositories import SqlRepository, to_user
from infrastructure.persistence.tables import refresh_tokens, sessions


class SqlSessionRepository(SqlRepository):
    async def add(self, session: Session) -> None:
        await self._execute(queries.INSERT_SESSION, {"id": session.id, **_session_values(session)})

    async def get(self, session_id: uuid.UUID) -> Session | None:
        rows = await self._rows(select(sessions).where(sessions.c.id == session_id))
        return _session(rows[0]) if rows else None

    async def lock(self, session_id: uuid.UUID) -> Session | None:
        statement = self._backend.lock(sessions, sessions.c.id == session_id,
                                       unchanged=sessions.c.revoked_at)
        rows = await self._statements.locked_rows(statement)
        return _session(rows[0]) if rows else None

    async def update(self, session: Session) -> None:
        await self._execute(
            update(sessions).where(sessions.c.id == session.id).values(**_session_values(session))
        )

    async def list_for_user(self, user_id: uuid.UUID) -> list[Session]:
        query = (select(sessions).where(sessions.c.user_id == user_id)
                 .order_by(sessions.c.created_at.desc(), sessions.c.id.desc()))
        return [_session(row) for row in await self._rows(query)]

    async def revoke_all(
        self, user_id: uuid.UUID, now: datetime, *, keep: uuid.UUID | None = None
    ) -> None:
        conditions = [sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None)]
        if keep is not None:
            conditions.append(sessions.c.id != keep)
        await self._execute(update(sessions).where(*conditions).values(revoked_at=now))

    async def live_user(
        self, session_id: uuid.UUID, user_id: uuid.UUID, now: datetime
    ) -> User | None:
        rows = await self._rows(queries.LIVE_SESSION_USER,
                                {"session_id": session_id, "user_id": user_id, "now": now})
        return to_user(rows[0]) if rows else None

    async def count_live(self, now: datetime) -> int:
        query = select(func.count()).select_from(sessions).where(
            sessions.c.revoked_at.is_(None), sessions.c.expires_at > now)
        rows = await self._rows(query)
        return int(rows[0][0])


def _session_values(session: Session) -> dict[str, Any]:
    return {
        "user_id": session.user_id,
        "created_at": session.created_at,
        "last_used_at": session.last_used_at,
        "expires_at": session.expires_at,
        "revoked_at": session.revoked_at,
        "description": session.description,
        "authenticated_at": session.authenticated_at,
    }


def _session(row: Row[Any]) -> Session:
    return Session(id=row.id, user_id=row.user_id, created_at=row.created_at,
                   last_used_at=row.last_used_at, expires_at=row.expires_at,
                   revoked_at=row.revoked_at, description=row.description,
                   authenticated_at=row.authenticated_at)


class SqlRefreshTokenRepository(SqlRepository):
    async def add(self, record: RefreshTokenRecord) -> None:
        await self._execute(queries.INSERT_REFRESH_TOKEN, {
            "digest": record.digest, "session_id": record.session_id,
            "created_at": record.created_at, "used_at": record.used_at,
        })

    async def get(self, digest: str) -> RefreshTokenRecord | None:
        rows = await self._rows(queries.REFRESH_TOKEN, {"digest": digest})
        return None if not rows else RefreshTokenRecord(
            digest=rows[0].digest, session_id=rows[0].session_id,
            created_at=rows[0].created_at, used_at=rows[0].used_at)

    async def use(self, digest: str, now: datetime) -> bool:
        # The conditional UPDATE is the arbiter: concurrent callers queue on the row (or, on
        # SQLite, the database) lock, and only the first still finds used_at empty.
        statement = (update(refresh_tokens)
                     .where(refresh_tokens.c.digest == digest, refresh_tokens.c.used_at.is_(None))
                     .values(used_at=now))
        return await self._execute(statement) == 1
