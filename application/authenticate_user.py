"""AuthenticateUser: turn an access token into the active user and the session it belongs to."""

import uuid
from dataclasses import dataclass

from application.errors import NotAuthenticated
from application.ports import Clock, TokenCodec, UnitOfWork
from domain.users import User


@dataclass(frozen=True, slots=True)
class Authentication:
    user: User
    session_id: uuid.UUID


class AuthenticateUser:
    """Accept a token only while it is valid, its session is live and its user is active.

    Logout, revocation and deactivation therefore take effect on the very next request. Every
    defect gives the same NotAuthenticated, so callers learn nothing about why.
    """

    def __init__(self, uow: UnitOfWork, tokens: TokenCodec, clock: Clock) -> None:
        self._uow = uow
        self._tokens = tokens
        self._clock = clock

    async def execute(self, *, token: str | None) -> Authentication:
        if not token:
            raise NotAuthenticated()
        claims = self._tokens.decode(token)
        user_id, session_id = _uuid(claims.subject), _uuid(claims.session_id)
        async with self._uow:
            user = await self._uow.sessions.live_user(session_id, user_id, self._clock.now())
        if user is None:
            raise NotAuthenticated()
        return Authentication(user=user, session_id=session_id)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotAuthenticated() from None
