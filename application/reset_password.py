"""ResetPassword: set a new password with a token from a reset mail."""

from application.account_mail import queue_notice
from application.errors import InvalidToken
from application.mail import MailKind
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    PasswordHasher,
    RequestContext,
    UnitOfWork,
)
from domain.account_tokens import TokenPurpose, account_token_digest
from domain.passwords import PasswordPolicy, normalise_password
from domain.users import User


class ResetPassword:
    """Replace a forgotten password, proving control of the account's address.

    - The token must be the account's newest reset token, unused and unexpired, issued for the
      account's current address; any other is the same InvalidToken. It works once, even when
      presented twice at the same moment.
    - The new password must meet the password policy.
    - Every session of the user is revoked, and every other reset token dies.
    - The address is thereby proven, so it counts as verified.
    - The reset is audited, and the account's address is told.
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, policy: PasswordPolicy
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._policy = policy

    async def execute(
        self, *, token: str, new_password: str, context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> None:
        digest = account_token_digest(token)
        user = await self._token_holder(digest)
        self._policy.check(new_password, email=user.email,
                           max_bytes=self._hasher.max_password_bytes)
        new_hash = await self._hasher.hash(normalise_password(new_password))
        async with self._uow:
            now = self._clock.now()
            current = await self._uow.users.lock(user.id)
            if (current is None or not current.is_active or current.email != user.email
                    or not await self._uow.account_tokens.use(digest, now)):
                raise InvalidToken()
            current.password_hash = new_hash
            current.email_verified = True
            await self._uow.users.update(current)
            await self._uow.sessions.revoke_all(current.id, now)
            await self._uow.account_tokens.revoke_all(current.id, TokenPurpose.PASSWORD_RESET, now)
            await self._uow.audit_log.record(AuditEventType.PASSWORD_RESET, context=context,
                                             user_id=current.id)
            await queue_notice(self._uow, MailKind.PASSWORD_CHANGED,
                               recipient=current.email.value, now=now,
                               context=context, how="with a password-reset link")
            await self._uow.commit()

    async def _token_holder(self, digest: str) -> User:
        async with self._uow:
            record = await self._uow.account_tokens.get(digest)
            user = None if record is None else await self._uow.users.get(record.user_id)
        if (record is None or user is None or record.purpose is not TokenPurpose.PASSWORD_RESET
                or not record.is_usable(self._clock.now()) or not user.is_active
                or record.email != user.email.value):
            raise InvalidToken()
        return user
