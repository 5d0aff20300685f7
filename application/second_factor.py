"""SecondFactor: check a TOTP code or a recovery code, once each, under the account's limits."""

from enum import StrEnum

from application.account_attempts import CODE_SCOPES, AccountAttempts, account_key
from application.account_mail import queue_notice
from application.errors import IncorrectCode, MfaConflict
from application.mail import MailKind
from application.mfa_ports import SecretBox, TotpVerifier
from application.ports import AuditEventType, RequestContext, UnitOfWork
from domain.mfa import TotpCredential, recovery_code_digest
from domain.users import User


class Method(StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


METHODS = [Method.TOTP, Method.RECOVERY_CODE]


class SecondFactor:
    """What every use case that takes a code (two-step login, step-up, enrolment, disabling) shares.

    - Each check counts against the account's login limit and its code limit; a wrong code is
      audited and answered with IncorrectCode.
    - A TOTP code is accepted within one time step either side of now, and only for a step later
      than the last accepted one: no code works twice, even in concurrent requests.
    - A recovery code works once; its use is audited, and the owner is told by mail.
    - While enrolling, only the pending secret's codes count; afterwards, only the active one's.
    """

    def __init__(
        self, uow: UnitOfWork, verifier: TotpVerifier, box: SecretBox, attempts: AccountAttempts
    ) -> None:
        self._uow = uow
        self._verifier = verifier
        self._box = box
        self._attempts = attempts

    async def verify(
        self, user: User, *, code: str | None = None, recovery_code: str | None = None,
        context: RequestContext, enrolling: bool = False,
    ) -> Method:
        account = account_key(user.email)
        await self._attempts.admit(account=account, scopes=CODE_SCOPES, user_id=user.id,
                                   context=context)
        async with self._uow:
            credential = await self._uow.mfa.get(user.id)
            if credential is None or credential.is_active == enrolling:
                raise MfaConflict("Start the enrolment first" if enrolling else None)
            method = await self._spend(credential, code, None if enrolling else recovery_code)
            if method is Method.RECOVERY_CODE:
                used = await self._uow.audit_log.record(AuditEventType.RECOVERY_CODE_USED,
                                                        context=context, user_id=user.id)
                await queue_notice(self._uow, MailKind.RECOVERY_CODE_USED,
                                   recipient=user.email.value, now=used.occurred_at,
                                   context=context)
            await self._uow.commit()
        if method is None:
            await self._attempts.failed(AuditEventType.MFA_FAILED, account=account,
                                        user_id=user.id, context=context)
            raise IncorrectCode()
        await self._attempts.passed(account=account, scopes=CODE_SCOPES)
        return method

    async def _spend(
        self, credential: TotpCredential, code: str | None, recovery_code: str | None
    ) -> Method | None:
        if code is not None:
            secret = self._box.open(credential.sealed_secret,
                                    associated=credential.user_id.bytes).decode()
            step = self._verifier.matching_step(secret, code)
            if step is not None and await self._uow.mfa.accept_step(credential.user_id, step):
                return Method.TOTP
        elif recovery_code is not None and await self._uow.mfa.use_recovery_code(
                credential.user_id, recovery_code_digest(recovery_code)):
            return Method.RECOVERY_CODE
        return None
