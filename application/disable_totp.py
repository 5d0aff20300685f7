"""DisableTotp: turn the second factor off, proving it one last time."""

from application.errors import MfaConflict
from application.ports import NO_REQUEST_CONTEXT, AuditEventType, RequestContext, UnitOfWork
from application.second_factor import SecondFactor
from domain.users import User


class DisableTotp:
    """Remove the user's TOTP secret and recovery codes.

    - A current code (or a recovery code) is required, besides the recent authentication the
      route asks for: a session alone, or a password alone, cannot turn the factor off.
    - The change is audited.
    """

    def __init__(self, uow: UnitOfWork, second_factor: SecondFactor) -> None:
        self._uow = uow
        self._second_factor = second_factor

    async def execute(
        self, *, actor: User, code: str | None = None, recovery_code: str | None = None,
        context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> None:
        if not actor.mfa_enabled:
            raise MfaConflict()
        await self._second_factor.verify(actor, code=code, recovery_code=recovery_code,
                                         context=context)
        async with self._uow:
            user = await self._uow.users.lock(actor.id)
            if user is None or not user.mfa_enabled:
                raise MfaConflict()
            await self._uow.mfa.remove(user.id)
            user.mfa_enabled = False
            await self._uow.users.update(user)
            await self._uow.audit_log.record(AuditEventType.MFA_DISABLED, context=context,
                                             user_id=user.id)
            await self._uow.commit()
