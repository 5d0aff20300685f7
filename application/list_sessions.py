"""ListSessions: the acting user's live sessions (their logged-in devices)."""

from application.ports import Clock, UnitOfWork
from domain.sessions import Session
from domain.users import User


class ListSessions:
    """Only the user's own sessions, and only live ones, newest first."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, *, actor: User) -> list[Session]:
        now = self._clock.now()
        async with self._uow:
            sessions = await self._uow.sessions.list_for_user(actor.id)
        return [session for session in sessions if session.is_live(now)]
