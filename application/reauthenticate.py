"""Reauthenticate: prove again who you are, renewing the session's step-up time."""

import uuid

from application.errors import IncorrectCode, NotAuthenticated
from application.password_check import PasswordCheck
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    UnitOfWork,
)
from application.second_factor import SecondFactor
from domain.users import User


class Reauthenticate:
    """Renew the current session's last authentication, for the sensitive actions that follow.

    - The password is required, and with a second factor a code (or a recovery code) too.
    - Both checks count against the account's limits; failures are audited (see PasswordCheck
      and SecondFactor), and so is the renewal.
    - Only this session is renewed; the user's other sessions keep their own time.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, passwords: PasswordCheck, second_factor: SecondFactor
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._passwords = passwords
        self._second_factor = second_factor

    async def execute(
        self, *, actor: User, session_id: uuid.UUID, password: str, code: str | None = None,
        recovery_code: str | None = None, context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> None:
        await self._passwords.verify(actor, password, context=context)
        if actor.mfa_enabled:
            if code is None and recovery_code is None:
                raise IncorrectCode("An authentication code is required")
            await self._second_factor.verify(actor, code=code, recovery_code=recovery_code,
                                             context=context)
        async with self._uow:
            session = await self._uow.sessions.lock(session_id)
            now = self._clock.now()
            if session is None or session.user_id != actor.id or not session.is_live(now):
                raise NotAuthenticated()
            session.reauthenticate(now)
            await self._uow.sessions.update(session)
            await self._uow.audit_log.record(AuditEventType.REAUTHENTICATED, context=context,
                                             user_id=actor.id)
            await self._uow.commit()
