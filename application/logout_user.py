"""LogoutUser: end the session behind the presented tokens, on the server."""

import uuid

from application.errors import NotAuthenticated
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    TokenCodec,
    UnitOfWork,
)
from domain.sessions import refresh_token_digest


class LogoutUser:
    """Revoke the session named by the access token, or else by the refresh token.

    - Its access token stops working on the next request, its refresh token at once.
    - Logging out twice, without tokens, or with tokens that are already invalid is not an
      error: the client asked to be logged out, and afterwards it is.
    - A revocation is audited in its transaction.
    """

    def __init__(self, uow: UnitOfWork, tokens: TokenCodec, clock: Clock) -> None:
        self._uow = uow
        self._tokens = tokens
        self._clock = clock

    async def execute(
        self, *, access_token: str | None, refresh_token: str | None,
        context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> None:
        async with self._uow:
            session_id = self._from_access_token(access_token)
            if session_id is None and refresh_token:
                record = await self._uow.refresh_tokens.get(refresh_token_digest(refresh_token))
                session_id = None if record is None else record.session_id
            session = None if session_id is None else await self._uow.sessions.lock(session_id)
            now = self._clock.now()
            if session is None or not session.is_live(now):
                return  # already over: nothing to revoke, and no logout to audit
            session.revoke(now)
            await self._uow.sessions.update(session)
            await self._uow.audit_log.record(AuditEventType.LOGOUT, context=context,
                                             user_id=session.user_id)
            await self._uow.commit()

    def _from_access_token(self, token: str | None) -> uuid.UUID | None:
        if not token:
            return None
        try:
            return uuid.UUID(self._tokens.decode(token).session_id)
        except (NotAuthenticated, ValueError):
            return None
