"""LoginUser: exchange an email and a password for an access token."""

from dataclasses import dataclass

from application.errors import InvalidCredentials, TooManyAttempts
from application.ports import (
    NO_REQUEST_CONTEXT,
    AccessToken,
    AuditEventType,
    PasswordHasher,
    RequestContext,
    Throttle,
    ThrottleScope,
    TokenCodec,
    UnitOfWork,
)
from domain.errors import InvalidEmail
from domain.passwords import normalise_password
from domain.users import Email, PasswordHash, User


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    access_token: AccessToken


class LoginUser:
    """Check the password and issue an access token.

    - Each account (normalised email, registered or not) has a limit of attempts: over it the
      answer is TooManyAttempts, even for the right password, so a lockout is no password
      oracle; a successful login clears the account's count.
    - Exactly one hash verification runs on every other path: against a dummy hash when the
      email is unknown, so response time does not tell which emails are registered.
    - Unknown email, wrong password and inactive user give the same InvalidCredentials.
    - A hash made with outdated parameters or scheme (e.g. bcrypt) is replaced on success.
    - Success, failure and throttling are audited.
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, tokens: TokenCodec, throttle: Throttle
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle

    async def execute(
        self, *, email: str, password: str, context: RequestContext = NO_REQUEST_CONTEXT
    ) -> LoginResult:
        password = normalise_password(password)
        account = _account_key(email)
        user = await self._find_user(account)
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
        new_hash = (await self._hasher.hash(password)
                    if self._hasher.needs_rehash(user.password_hash) else None)
        async with self._uow:
            if new_hash is not None:
                await self._upgrade_hash(user, new_hash)
            await self._uow.audit_log.record(AuditEventType.LOGIN_SUCCEEDED, context=context,
                                             user_id=user.id)
            await self._uow.commit()
        await self._throttle.reset(ThrottleScope.LOGIN_PER_ACCOUNT, account)
        return LoginResult(user=user, access_token=self._tokens.issue(subject=str(user.id)))

    async def _find_user(self, account: str) -> User | None:
        try:
            address = Email(account)
        except InvalidEmail:
            return None
        async with self._uow:
            return await self._uow.users.get_by_email(address)

    async def _upgrade_hash(self, user: User, new_hash: PasswordHash) -> None:
        # Re-read: an admin may have deactivated the user, or the password may have changed,
        # while we hashed; writing back the stale user would undo that.
        current = await self._uow.users.get(user.id)
        if current is None or current.password_hash != user.password_hash:
            return
        current.password_hash = new_hash
        await self._uow.users.update(current)

    async def _audit(
        self, event_type: AuditEventType, user: User | None, context: RequestContext,
        detail: str = "",
    ) -> None:
        async with self._uow:
            await self._uow.audit_log.record(event_type, context=context,
                                             user_id=user.id if user else None, detail=detail)
            await self._uow.commit()


def _account_key(email: str) -> str:
    """The email as Email normalises it, so that case and spaces cannot dodge the limit."""
    return email.strip().lower()
