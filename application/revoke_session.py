"""RevokeSession: log one of your devices out."""

import uuid

from application.errors import SessionNotFound
from application.ports import Clock, UnitOfWork
from domain.users import User


class RevokeSession:
    """Someone else's session is reported as not found, so session ids cannot be probed."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, *, actor: User, session_id: uuid.UUID) -> None:
        now = self._clock.now()
        async with self._uow:
            session = await self._uow.sessions.lock(session_id)
            if session is None or session.user_id != actor.id or not session.is_live(now):
                raise SessionNotFound()
            session.revoke(now)
            await self._uow.sessions.update(session)
            await self._uow.commit()
