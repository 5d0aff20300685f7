"""RequestEmailChange: start moving an account to a new address, proven by a mailed link."""

from datetime import timedelta

from application.account_mail import EMAIL_VERIFICATION_TTL, issue_token, link_data
from application.errors import NotAuthenticated
from application.mail import MailKind, OutgoingMail
from application.password_check import PasswordCheck
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    UnitOfWork,
)
from domain.account_tokens import TokenPurpose
from domain.users import Email, User


class RequestEmailChange:
    """Mail a confirmation link to the new address; the change happens when it is followed.

    - The current password must be given; it counts against the account's login limit and a
      wrong one is audited. The route also needs a recent authentication (step-up).
    - The answer is the same whether or not the new address is free, so this is no way to find
      out who is registered; a taken address gets no mail.
    - Only the newest change link works; it expires like a verification link.
    - The request is audited.
    """

    def __init__(
        self, uow: UnitOfWork, passwords: PasswordCheck, clock: Clock, *,
        ttl: timedelta = EMAIL_VERIFICATION_TTL,
    ) -> None:
        self._uow = uow
        self._passwords = passwords
        self._clock = clock
        self._ttl = ttl

    async def execute(
        self, *, actor: User, new_email: Email, current_password: str,
        context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> None:
        address = new_email
        verified_hash = actor.password_hash
        await self._passwords.verify(actor, current_password, context=context)
        async with self._uow:
            user = await self._uow.users.lock(actor.id)
            if user is None or not user.is_active or user.password_hash != verified_hash:
                raise NotAuthenticated()
            holder = await self._uow.users.get_by_email(address)
            if holder is None:
                token = await issue_token(self._uow, user, purpose=TokenPurpose.CHANGE_EMAIL,
                                          email=address.value, now=self._clock.now(),
                                          ttl=self._ttl)
                await self._uow.outbox.add(OutgoingMail(
                    MailKind.CONFIRM_EMAIL_CHANGE, address.value, link_data(token, self._ttl)))
            await self._uow.audit_log.record(
                AuditEventType.EMAIL_CHANGE_REQUESTED, context=context, user_id=user.id,
                detail="link queued" if holder is None else "address taken")
            await self._uow.commit()
