"""RequestPasswordReset: mail a one-time reset link to an account's address."""

from datetime import timedelta

from application.account_attempts import account_key
from application.account_mail import PASSWORD_RESET_TTL, issue_token, link_data
from application.mail import MailKind, OutgoingMail
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    Throttle,
    ThrottleScope,
    UnitOfWork,
)
from domain.account_tokens import TokenPurpose
from domain.users import Email


class RequestPasswordReset:
    """Queue a reset link for the address, if it belongs to an active account.

    - The caller learns nothing: registered, unknown and inactive addresses get the same answer,
      and the request path does the same work for each (one lookup, one token minted, one
      audited transaction); only a real account's transaction also stores the token and the mail.
    - Each account gets a limited number of links per period; over it, the same answer and no mail.
    - Only the newest link of an account works; it expires after its TTL and works once.
    - The token (256 random bits) is stored only as its SHA-256 digest; the mail is queued in the
      same transaction, so it is sent only if the request was recorded.
    """

    def __init__(
        self, uow: UnitOfWork, throttle: Throttle, clock: Clock, *,
        ttl: timedelta = PASSWORD_RESET_TTL,
    ) -> None:
        self._uow = uow
        self._throttle = throttle
        self._clock = clock
        self._ttl = ttl

    async def execute(self, *, email: Email, context: RequestContext = NO_REQUEST_CONTEXT) -> None:
        over_limit = await self._throttle.hit(ThrottleScope.PASSWORD_RESET_PER_ACCOUNT,
                                              account_key(email))
        now = self._clock.now()
        async with self._uow:
            user = await self._uow.users.get_by_email(email)
            if user is None:
                outcome = "unknown address"
            elif not user.is_active:
                outcome = "inactive account"
            elif over_limit is not None:
                outcome = ThrottleScope.PASSWORD_RESET_PER_ACCOUNT.value
            else:
                token = await issue_token(self._uow, user, purpose=TokenPurpose.PASSWORD_RESET,
                                          email=user.email.value, now=now, ttl=self._ttl)
                await self._uow.outbox.add(OutgoingMail(
                    MailKind.PASSWORD_RESET, user.email.value, link_data(token, self._ttl)))
                outcome = "link queued"
            await self._uow.audit_log.record(AuditEventType.PASSWORD_RESET_REQUESTED,
                                             context=context, user_id=user.id if user else None,
                                             detail=outcome)
            await self._uow.commit()
