"""LogoutEverywhere: end every session of the acting user, on every device."""

from application.ports import Clock, UnitOfWork
from domain.users import User


class LogoutEverywhere:
    """Revoke all of the user's sessions, the current one included."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, *, actor: User) -> None:
        async with self._uow:
            await self._uow.sessions.revoke_all(actor.id, self._clock.now())
            await self._uow.commit()
