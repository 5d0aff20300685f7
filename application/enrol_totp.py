"""EnrolTotp: a new TOTP secret for the user's authenticator app, pending confirmation."""

from dataclasses import dataclass, field

from application.errors import MfaConflict
from application.mfa_ports import SecretBox, TotpVerifier
from application.ports import Clock, UnitOfWork
from domain.mfa import TotpCredential
from domain.users import User


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    secret: str = field(repr=False)
    provisioning_uri: str = field(repr=False)


class EnrolTotp:
    """Start enrolling a TOTP authenticator.

    - Nothing changes for logins until a code confirms the secret (ConfirmTotp); starting again
      replaces a pending secret.
    - The secret is stored encrypted, bound to the user; it is shown this once.
    - A user who already has a second factor must disable it first.
    """

    def __init__(
        self, uow: UnitOfWork, verifier: TotpVerifier, box: SecretBox, clock: Clock
    ) -> None:
        self._uow = uow
        self._verifier = verifier
        self._box = box
        self._clock = clock

    async def execute(self, *, actor: User) -> TotpEnrolment:
        secret = self._verifier.new_secret()
        sealed = self._box.seal(secret.encode(), associated=actor.id.bytes)
        async with self._uow:
            user = await self._uow.users.lock(actor.id)
            if user is None:
                raise MfaConflict()
            if user.mfa_enabled:
                raise MfaConflict("A second factor is already enabled")
            await self._uow.mfa.save(TotpCredential(user_id=user.id, sealed_secret=sealed,
                                                    created_at=self._clock.now()))
            await self._uow.commit()
        return TotpEnrolment(secret=secret, provisioning_uri=self._verifier.provisioning_uri(
            secret, account=actor.email.value))
