"""StartSession: after a verified password, a session or the challenge for the second factor."""

from dataclasses import dataclass
from datetime import timedelta

from application.ports import (
    NO_TELEMETRY,
    AuditEventType,
    Clock,
    LoginOutcome,
    RequestContext,
    Telemetry,
    TokenCodec,
    UnitOfWork,
)
from application.session_tokens import SessionTokens, issue_access_token, store_new_refresh_token
from domain.mfa import MfaToken
from domain.sessions import Session
from domain.users import User

DEFAULT_SESSION_LIFETIME = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class LoginResult:
    """Either the new session's tokens, or (for an account with a second factor) the MFA token
    that POST /auth/mfa/verify exchanges for them."""

    user: User
    tokens: SessionTokens | None = None
    mfa_token: MfaToken | None = None


class StartSession:
    """Start a session for a user who has proved who they are.

    - An account with a second factor gets a session only once the factor was verified too;
      before that, it gets a single-use MFA token that expires within minutes.
    - The session records this moment as its last authentication (step-up starts fresh).
    - The session ends at an absolute expiry, however often it is refreshed.
    - The login (or the awaited second factor) is audited; a started session is counted as a
      succeeded login for the metrics, after one step or two.
    """

    def __init__(
        self, uow: UnitOfWork, tokens: TokenCodec, clock: Clock, *,
        session_lifetime: timedelta = DEFAULT_SESSION_LIFETIME, telemetry: Telemetry = NO_TELEMETRY,
    ) -> None:
        self._uow = uow
        self._tokens = tokens
        self._clock = clock
        self._session_lifetime = session_lifetime
        self._telemetry = telemetry

    async def execute(
        self, *, user: User, device: str, context: RequestContext,
        second_factor_verified: bool = False,
    ) -> LoginResult:
        if user.mfa_enabled and not second_factor_verified:
            return LoginResult(user=user, mfa_token=await self._challenge(user, context))
        session = Session.start(user_id=user.id, now=self._clock.now(),
                                lifetime=self._session_lifetime, description=device)
        async with self._uow:
            await self._uow.sessions.add(session)
            refresh_token = await store_new_refresh_token(self._uow, session)
            await self._uow.audit_log.record(AuditEventType.LOGIN_SUCCEEDED, context=context,
                                             user_id=user.id)
            await self._uow.commit()
        self._telemetry.login(LoginOutcome.SUCCEEDED)
        access_token = issue_access_token(self._tokens, session)
        return LoginResult(user=user, tokens=SessionTokens(
            session=session, access_token=access_token, refresh_token=refresh_token))

    async def _challenge(self, user: User, context: RequestContext) -> MfaToken:
        token = MfaToken.mint(user_id=user.id, now=self._clock.now())
        async with self._uow:
            await self._uow.mfa_challenges.add(token.challenge)
            await self._uow.audit_log.record(AuditEventType.MFA_REQUIRED, context=context,
                                             user_id=user.id)
            await self._uow.commit()
        return token
