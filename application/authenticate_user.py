"""AuthenticateUser: turn an access token into the active user it was issued to."""

import uuid

from application.errors import NotAuthenticated
from application.ports import AccessClaims, TokenCodec, UnitOfWork
from domain.users import User


class AuthenticateUser:
    """Accept a token only while it is valid, not revoked, and its user exists and is active.

    Every defect gives the same NotAuthenticated, so callers learn nothing about why.
    """

    def __init__(self, uow: UnitOfWork, tokens: TokenCodec) -> None:
        self._uow = uow
        self._tokens = tokens

    async def execute(self, *, token: str | None) -> User:
        if not token:
            raise NotAuthenticated()
        claims = self._tokens.decode(token)
        user_id = _user_id(claims)
        async with self._uow:
            if await self._uow.revoked_tokens.contains(claims.token_id):
                raise NotAuthenticated()
            user = await self._uow.users.get(user_id)
        if user is None or not user.is_active:
            raise NotAuthenticated()
        return user


def _user_id(claims: AccessClaims) -> uuid.UUID:
    try:
        return uuid.UUID(claims.subject)
    except ValueError:
        raise NotAuthenticated() from None
