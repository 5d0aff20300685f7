"""ConfirmTotp: a first code proves the authenticator works; the second factor is then on."""

from dataclasses import replace

from application.errors import MfaConflict
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    UnitOfWork,
)
from application.second_factor import SecondFactor
from domain.mfa import new_recovery_codes, recovery_code_digest
from domain.users import User


class ConfirmTotp:
    """Activate the pending TOTP secret with a code from the authenticator.

    - The code counts against the account's limits and cannot be used again (SecondFactor).
    - The answer holds ten recovery codes, shown this once; only their digests are kept.
    - From now on, logins need the second step. The change is audited.
    """

    def __init__(self, uow: UnitOfWork, second_factor: SecondFactor, clock: Clock) -> None:
        self._uow = uow
        self._second_factor = second_factor
        self._clock = clock

    async def execute(
        self, *, actor: User, code: str, context: RequestContext = NO_REQUEST_CONTEXT
    ) -> list[str]:
        await self._second_factor.verify(actor, code=code, context=context, enrolling=True)
        codes = new_recovery_codes()
        async with self._uow:
            user = await self._uow.users.lock(actor.id)
            credential = await self._uow.mfa.get(actor.id)
            if user is None or credential is None or credential.is_active or user.mfa_enabled:
                raise MfaConflict("Start the enrolment first")
            await self._uow.mfa.save(replace(credential, confirmed_at=self._clock.now()))
            await self._uow.mfa.replace_recovery_codes(
                user.id, [recovery_code_digest(code) for code in codes])
            user.mfa_enabled = True
            await self._uow.users.update(user)
            await self._uow.audit_log.record(AuditEventType.MFA_ENABLED, context=context,
                                             user_id=user.id)
            await self._uow.commit()
        return codes
