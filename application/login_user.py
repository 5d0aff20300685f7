"""LoginUser: exchange an email and a password for a new session and its tokens."""

from dataclasses import dataclass
from datetime import timedelta

from application.errors import InvalidCredentials, TooManyAttempts
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    PasswordHasher,
    RequestContext,
    Throttle,
    ThrottleScope,
    TokenCodec,
    UnitOfWork,
)
from application.session_tokens import SessionTokens, issue_access_token, store_new_refresh_token
from domain.passwords import normalise_password
from domain.sessions import Session
from domain.users import Email, PasswordHash, User

DEFAULT_SESSION_LIFETIME = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    tokens: SessionTokens


class LoginUser:
    """Check the password and start a session (one per device login).

    - Each account (its email, registered or not) has a limit of attempts: over it the
      answer is TooManyAttempts, even for the right password, so a lockout is no password
      oracle; a successful login clears the account's count.
    - Exactly one hash verification runs on every other path: against a dummy hash when the
      email is unknown, so response time does not tell which emails are registered.
    - Unknown email, wrong password and inactive user give the same InvalidCredentials.
    - A hash made with outdated parameters or scheme (e.g. bcrypt) is replaced on success.
    - The session ends at an absolute expiry, however often it is refreshed.
    - Success, failure and throttling are audited.

    Five collaborators, one over the house limit: the throttle and the clock are both part of
    what a login is (who may try, and when the session it starts ends).
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, tokens: TokenCodec, throttle: Throttle,
        clock: Clock, *, session_lifetime: timedelta = DEFAULT_SESSION_LIFETIME,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle
        self._clock = clock
        self._session_lifetime = session_lifetime

    async def execute(
        self, *, email: Email, password: str, device: str = "",
        context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> LoginResult:
        password = normalise_password(password)
        account = email.value
        user = await self._find_user(email)
        retry_after = await self._throttle.hit(ThrottleScope.LOGIN_PER_ACCOUNT, account)
        if retry_after is not None:
            await self._audit(AuditEventType.THROTTLED, user, context,
                              detail=ThrottleScope.LOGIN_PER_ACCOUNT.value)
            raise TooManyAttempts(retry_after)
        password_hash = user.password_hash if user else self._hasher.dummy_hash
        password_ok = await self._hasher.verify(password, password_hash)
        if user is None or not password_ok or not user.is_active:
            await self._audit(AuditEventType.LOGIN_FAILED, user, context)
            raise InvalidCredentials()
        tokens = await self._start_session(user, password, device, context)
        await self._throttle.reset(ThrottleScope.LOGIN_PER_ACCOUNT, account)
        return LoginResult(user=user, tokens=tokens)

    async def _find_user(self, email: Email) -> User | None:
        async with self._uow:
            return await self._uow.users.get_by_email(email)

    async def _start_session(
        self, user: User, password: str, device: str, context: RequestContext
    ) -> SessionTokens:
        upgraded = (await self._hasher.hash(password)
                    if self._hasher.needs_rehash(user.password_hash) else None)
        session = Session.start(user_id=user.id, now=self._clock.now(),
                                lifetime=self._session_lifetime, description=device)
        async with self._uow:
            if upgraded is not None:
                await self._upgrade_hash(user, verified=user.password_hash, new=upgraded)
            await self._uow.sessions.add(session)
            refresh_token = await store_new_refresh_token(self._uow, session)
            await self._uow.audit_log.record(AuditEventType.LOGIN_SUCCEEDED, context=context,
                                             user_id=user.id)
            await self._uow.commit()
        access_token = issue_access_token(self._tokens, session)
        return SessionTokens(session=session, access_token=access_token,
                             refresh_token=refresh_token)

    async def _upgrade_hash(self, user: User, *, verified: PasswordHash, new: PasswordHash) -> None:
        # Re-read under lock: an admin may have deactivated the user, or the password may have
        # changed, while we hashed; writing back the stale user would undo that.
        current = await self._uow.users.lock(user.id)
        if current is None or current.password_hash != verified:
            return
        current.password_hash = user.password_hash = new
        await self._uow.users.update(current)

    async def _audit(
        self, event_type: AuditEventType, user: User | None, context: RequestContext,
        detail: str = "",
    ) -> None:
        async with self._uow:
            await self._uow.audit_log.record(event_type, context=context,
                                             user_id=user.id if user else None, detail=detail)
            await self._uow.commit()
