"""ReplaceRecoveryCodes: a fresh set of ten recovery codes; the old ones stop working."""

from application.errors import MfaConflict
from application.ports import NO_REQUEST_CONTEXT, AuditEventType, RequestContext, UnitOfWork
from domain.mfa import new_recovery_codes, recovery_code_digest
from domain.users import User


class ReplaceRecoveryCodes:
    """Replace every recovery code of a user with a second factor; shown this once, audited."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, *, actor: User, context: RequestContext = NO_REQUEST_CONTEXT
    ) -> list[str]:
        codes = new_recovery_codes()
        async with self._uow:
            user = await self._uow.users.lock(actor.id)
            if user is None or not user.mfa_enabled:
                raise MfaConflict()
            await self._uow.mfa.replace_recovery_codes(
                user.id, [recovery_code_digest(code) for code in codes])
            await self._uow.audit_log.record(AuditEventType.RECOVERY_CODES_REPLACED,
                                             context=context, user_id=user.id)
            await self._uow.commit()
        return codes
