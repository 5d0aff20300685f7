"""ThrottleClient: count one request of a client against a per-IP rate limit."""

from application.errors import TooManyAttempts
from application.ports import (
    NO_TELEMETRY,
    AuditEventType,
    LoginOutcome,
    RequestContext,
    Telemetry,
    Throttle,
    ThrottleScope,
    UnitOfWork,
)

# Clients whose address is unknown share one count rather than escaping every limit.
UNKNOWN_CLIENT = "unknown"


class ThrottleClient:
    """Refuse the request with TooManyAttempts when its client is over the scope's limit.

    - Every call counts, whatever the request goes on to do (an invalid one too).
    - A refusal is audited, naming the limit, and counted for the metrics; under the login
      limit, as a throttled login too.
    """

    def __init__(
        self, throttle: Throttle, uow: UnitOfWork, telemetry: Telemetry = NO_TELEMETRY
    ) -> None:
        self._throttle = throttle
        self._uow = uow
        self._telemetry = telemetry

    async def execute(self, *, scope: ThrottleScope, context: RequestContext) -> None:
        retry_after = await self._throttle.hit(scope, context.client_ip or UNKNOWN_CLIENT)
        if retry_after is None:
            return
        self._telemetry.throttled(scope)
        if scope is ThrottleScope.LOGIN_PER_IP:
            self._telemetry.login(LoginOutcome.THROTTLED)
        async with self._uow:
            await self._uow.audit_log.record(AuditEventType.THROTTLED, context=context,
                                             detail=scope.value)
            await self._uow.commit()
        raise TooManyAttempts(retry_after)
