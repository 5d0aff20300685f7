"""RequireRecentAuthentication: the step-up gate in front of sensitive actions."""

import uuid
from datetime import timedelta

from application.errors import RecentAuthenticationRequired
from application.ports import Clock, UnitOfWork

DEFAULT_STEP_UP_MAX_AGE = timedelta(minutes=10)


class RequireRecentAuthentication:
    """Let a sensitive action through only if, in this session, the user proved who they are
    (password or second factor) within the step-up age; otherwise RecentAuthenticationRequired,
    which POST /auth/reauthenticate lifts. A session left open for days changes nothing alone.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, *, max_age: timedelta = DEFAULT_STEP_UP_MAX_AGE
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._max_age = max_age

    async def execute(self, *, session_id: uuid.UUID) -> None:
        async with self._uow:
            session = await self._uow.sessions.get(session_id)
        if session is None or not session.authenticated_within(self._max_age, self._clock.now()):
            raise RecentAuthenticationRequired(int(self._max_age.total_seconds()))
