"""AccountAttempts: per-account limits on password and code checks, shared by every such check."""

import uuid
from collections.abc import Sequence

from application.errors import TooManyAttempts
from application.ports import (
    NO_TELEMETRY,
    AuditEventType,
    Fingerprint,
    RequestContext,
    Telemetry,
    Throttle,
    ThrottleScope,
    UnitOfWork,
)
from domain.users import Email

PASSWORD_SCOPES = (ThrottleScope.LOGIN_PER_ACCOUNT,)
# A code counts against the login limit too: a stolen session cannot guess codes any faster
# than a stranger can guess passwords, and the code's own, tighter limit applies besides.
CODE_SCOPES = (ThrottleScope.LOGIN_PER_ACCOUNT, ThrottleScope.MFA_PER_ACCOUNT)


def account_key(email: Email) -> str:
    """The one key under which an account's attempts are counted, registered or not: the
    address in its normal form (see Email), so that no spelling of it dodges the limit."""
    return email.value


class AccountAttempts:
    """Count a check of a password or a code against the account's limits, and audit it.

    - Over any of the limits the answer is TooManyAttempts (audited, naming the limit) and the
      check does not run, even for the right password: a lockout is no oracle.
    - A failed check is audited, naming the account tried by its fingerprint (registered or
      not), so a spray across many addresses shows, and groups; a passed one clears the
      account's counts.
    """

    def __init__(
        self, throttle: Throttle, uow: UnitOfWork, fingerprint: Fingerprint,
        telemetry: Telemetry = NO_TELEMETRY,
    ) -> None:
        self._throttle = throttle
        self._uow = uow
        self._fingerprint = fingerprint
        self._telemetry = telemetry

    async def admit(
        self, *, account: str, scopes: Sequence[ThrottleScope], user_id: uuid.UUID | None,
        context: RequestContext,
    ) -> None:
        for scope in scopes:
            retry_after = await self._throttle.hit(scope, account)
            if retry_after is not None:
                self._telemetry.throttled(scope)
                await self.record(AuditEventType.THROTTLED, user_id=user_id, context=context,
                                  detail=scope.value)
                raise TooManyAttempts(retry_after)

    async def failed(
        self, event_type: AuditEventType, *, account: str, user_id: uuid.UUID | None,
        context: RequestContext,
    ) -> None:
        await self.record(event_type, user_id=user_id, context=context,
                          detail=f"account {self._fingerprint.of(account)}")

    async def passed(self, *, account: str, scopes: Sequence[ThrottleScope]) -> None:
        for scope in scopes:
            await self._throttle.reset(scope, account)

    async def record(
        self, event_type: AuditEventType, *, user_id: uuid.UUID | None,
        context: RequestContext, detail: str = "",
    ) -> None:
        """Audit in a transaction of its own: the check's caller goes on to raise."""
        async with self._uow:
            await self._uow.audit_log.record(event_type, context=context, user_id=user_id,
                                             detail=detail)
            await self._uow.commit()
