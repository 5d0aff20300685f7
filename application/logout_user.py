"""LogoutUser: end an access token on the server, not only in the browser."""

import uuid

from application.errors import NotAuthenticated
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    RequestContext,
    TokenCodec,
    UnitOfWork,
)


class LogoutUser:
    """Revoke the presented access token until it expires.

    - Logging out twice, without a token, or with a token that is already invalid is not an
      error: the client asked to be logged out, and afterwards it is.
    - A revocation is audited in its transaction.
    """

    def __init__(self, uow: UnitOfWork, tokens: TokenCodec) -> None:
        self._uow = uow
        self._tokens = tokens

    async def execute(
        self, *, token: str | None, context: RequestContext = NO_REQUEST_CONTEXT
    ) -> None:
        if not token:
            return
        try:
            claims = self._tokens.decode(token)
        except NotAuthenticated:
            return
        async with self._uow:
            if await self._uow.revoked_tokens.contains(claims.token_id):
                return
            await self._uow.revoked_tokens.add(claims.token_id, claims.expires_at)
            await self._uow.audit_log.record(AuditEventType.LOGOUT, context=context,
                                             user_id=_user_id(claims.subject))
            await self._uow.commit()


def _user_id(subject: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(subject)
    except ValueError:
        return None
