"""RefreshSession: trade a refresh token for a new access token and a new refresh token."""

from application.account_mail import queue_notice
from application.errors import NotAuthenticated, RefreshTokenReused
from application.mail import MailKind
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    TokenCodec,
    UnitOfWork,
)
from application.session_tokens import SessionTokens, issue_access_token, store_new_refresh_token
from domain.sessions import refresh_token_digest


class RefreshSession:
    """Rotate the refresh token: the presented one dies, a new pair is issued.

    - A refresh token works once. Presenting a used one again means it was copied: the whole
      session is revoked (reuse detection), which also kills the token that replaced it.
    - Of several concurrent refreshes with one token, exactly one succeeds; the others count as
      reuse. Clients must not refresh in parallel.
    - The session's absolute expiry holds, however often it is refreshed; an inactive user's
      sessions refresh no more.
    - Refreshes and reuse are audited; a reuse is also mailed to the account's address.
    """

    def __init__(self, uow: UnitOfWork, tokens: TokenCodec, clock: Clock) -> None:
        self._uow = uow
        self._tokens = tokens
        self._clock = clock

    async def execute(
        self, *, refresh_token: str | None, context: RequestContext = NO_REQUEST_CONTEXT
    ) -> SessionTokens:
        if not refresh_token:
            raise NotAuthenticated()
        digest = refresh_token_digest(refresh_token)
        now = self._clock.now()
        async with self._uow:
            record = await self._uow.refresh_tokens.get(digest)
            session = None if record is None else await self._uow.sessions.lock(record.session_id)
            if record is None or session is None or not session.is_live(now):
                raise NotAuthenticated()
            if record.used_at is not None or not await self._uow.refresh_tokens.use(digest, now):
                session.revoke(now)
                await self._uow.sessions.update(session)
                await self._uow.audit_log.record(AuditEventType.REFRESH_REUSE, context=context,
                                                 user_id=session.user_id)
                owner = await self._uow.users.get(session.user_id)
                if owner is not None:
                    await queue_notice(self._uow, MailKind.REFRESH_TOKEN_REUSE,
                                       recipient=owner.email.value, now=now,
                                       context=context, session=session.description)
                await self._uow.commit()
                raise RefreshTokenReused()
            user = await self._uow.users.get(session.user_id)
            if user is None or not user.is_active:
                raise NotAuthenticated()
            session.touch(now)
            await self._uow.sessions.update(session)
            new_token = await store_new_refresh_token(self._uow, session)
            await self._uow.audit_log.record(AuditEventType.REFRESH, context=context,
                                             user_id=user.id)
            await self._uow.commit()
        access_token = issue_access_token(self._tokens, session)
        return SessionTokens(session=session, access_token=access_token, refresh_token=new_token)
