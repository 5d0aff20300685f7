"""VerifyEmail: confirm an address with the token mailed to it (verification or change)."""

from application.account_mail import queue_notice
from application.errors import EmailAlreadyRegistered, InvalidToken
from application.mail import MailKind
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    UnitOfWork,
)
from domain.account_tokens import AccountToken, TokenPurpose, account_token_digest
from domain.users import Email, User

_PURPOSES = (TokenPurpose.VERIFY_EMAIL, TokenPurpose.CHANGE_EMAIL)


class VerifyEmail:
    """Mark the address proven, or, for an email-change token, switch to the new address.

    - The token must be the newest of its kind, unused and unexpired; a verification token only
      counts while the account still has the address it was sent to. Otherwise InvalidToken.
    - An email change fails with EmailAlreadyRegistered when another account took the address
      meanwhile; the token then stays unused.
    - After a change the old address is told, and every outstanding verification, change and
      reset token dies (they were sent to, or for, the old state).
    - Each outcome is audited.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, *, token: str, context: RequestContext = NO_REQUEST_CONTEXT) -> User:
        digest = account_token_digest(token)
        async with self._uow:
            now = self._clock.now()
            record = await self._uow.account_tokens.get(digest)
            if record is None or record.purpose not in _PURPOSES or not record.is_usable(now):
                raise InvalidToken()
            user = await self._uow.users.lock(record.user_id)
            if (user is None or not user.is_active
                    or not await self._uow.account_tokens.use(digest, now)):
                raise InvalidToken()
            if record.purpose is TokenPurpose.VERIFY_EMAIL:
                await self._verify(user, record, context)
            else:
                await self._change(user, record, context)
            await self._uow.commit()
        return user

    async def _verify(self, user: User, record: AccountToken, context: RequestContext) -> None:
        if user.email.value != record.email:
            raise InvalidToken()
        user.email_verified = True
        await self._uow.users.update(user)
        await self._uow.audit_log.record(AuditEventType.EMAIL_VERIFIED, context=context,
                                         user_id=user.id)

    async def _change(self, user: User, record: AccountToken, context: RequestContext) -> None:
        new_address = Email(record.email)
        holder = await self._uow.users.get_by_email(new_address)
        if holder is not None and holder.id != user.id:
            raise EmailAlreadyRegistered()
        old_address = user.email
        user.email = new_address
        user.email_verified = True
        await self._uow.users.update(user)  # the unique index still decides a race
        now = self._clock.now()
        for purpose in TokenPurpose:
            await self._uow.account_tokens.revoke_all(user.id, purpose, now)
        await self._uow.audit_log.record(AuditEventType.EMAIL_CHANGED, context=context,
                                         user_id=user.id)
        await queue_notice(self._uow, MailKind.EMAIL_CHANGED, recipient=old_address.value,
                           now=now, context=context)
