"""ResendVerification: mail a new verification link to an unverified account."""

from datetime import timedelta

from application.account_attempts import account_key
from application.account_mail import EMAIL_VERIFICATION_TTL, queue_verification
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    Throttle,
    ThrottleScope,
    UnitOfWork,
)
from domain.users import Email


class ResendVerification:
    """Queue a fresh verification link when the address belongs to an active, unverified account.

    - The caller learns nothing: every address gets the same answer.
    - Each account gets a limited number of links per period; over it, no mail.
    - The new link replaces the older ones.
    """

    def __init__(
        self, uow: UnitOfWork, throttle: Throttle, clock: Clock, *,
        ttl: timedelta = EMAIL_VERIFICATION_TTL,
    ) -> None:
        self._uow = uow
        self._throttle = throttle
        self._clock = clock
        self._ttl = ttl

    async def execute(self, *, email: Email, context: RequestContext = NO_REQUEST_CONTEXT) -> None:
        over_limit = await self._throttle.hit(ThrottleScope.VERIFICATION_PER_ACCOUNT,
                                              account_key(email))
        async with self._uow:
            user = await self._uow.users.get_by_email(email)
            if (over_limit is None and user is not None and user.is_active
                    and not user.email_verified):
                await queue_verification(self._uow, user, now=self._clock.now(), ttl=self._ttl)
                await self._uow.audit_log.record(AuditEventType.EMAIL_VERIFICATION_SENT,
                                                 context=context, user_id=user.id)
                await self._uow.commit()
