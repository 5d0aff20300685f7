"""CountActiveSessions: how many sessions are live right now, for the metrics."""

from application.ports import Clock, UnitOfWork


class CountActiveSessions:
    """Every user's sessions that are neither revoked nor expired (a count, never who)."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self) -> int:
        async with self._uow:
            return await self._uow.sessions.count_live(self._clock.now())
