"""ChangePassword: set a new password, proving the current one."""

import uuid

from application.errors import NotAuthenticated
from application.password_check import PasswordCheck
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    UnitOfWork,
)
from domain.users import User


class ChangePassword:
    """Replace the password of the acting user.

    - The current password must be given, so a hijacked session alone cannot lock the owner
      out; it counts against the account's login limit and a wrong one is audited.
    - The new password must meet the password policy.
    - Every other session is revoked; the one making the change stays logged in.
    - The change is audited.
    """

    def __init__(self, uow: UnitOfWork, passwords: PasswordCheck, clock: Clock) -> None:
        self._uow = uow
        self._passwords = passwords
        self._clock = clock

    async def execute(
        self, *, actor: User, session_id: uuid.UUID, current_password: str, new_password: str,
        context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> None:
        verified_hash = actor.password_hash
        await self._passwords.verify(actor, current_password, context=context)
        new_hash = await self._passwords.hash_new(new_password, user=actor)
        async with self._uow:
            user = await self._uow.users.lock(actor.id)
            # Changed meanwhile (another change, a deactivation): the check above is stale.
            if user is None or not user.is_active or user.password_hash != verified_hash:
                raise NotAuthenticated()
            user.password_hash = new_hash
            await self._uow.users.update(user)
            await self._uow.sessions.revoke_all(user.id, self._clock.now(), keep=session_id)
            await self._uow.audit_log.record(AuditEventType.PASSWORD_CHANGE, context=context,
                                             user_id=user.id)
            await self._uow.commit()
