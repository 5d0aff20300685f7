"""EnsureAdmin: make sure an admin account exists for an email (start-up and the CLI)."""

from dataclasses import dataclass

from application.errors import EmailAlreadyRegistered
from application.ports import Clock, PasswordHasher, UnitOfWork
from domain.passwords import PasswordPolicy, normalise_password
from domain.users import Email, Role, User


@dataclass(frozen=True, slots=True)
class EnsureAdminResult:
    user: User
    created: bool


class EnsureAdmin:
    """Create the admin when the email is free; otherwise leave the account as it is.

    The admin's address counts as verified: whoever sets the environment vouches for it.
    Idempotent, so it can run at every start-up. An existing account is never promoted or
    given a new password by this path: that would let whoever sets the environment take it over.
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, policy: PasswordPolicy
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._policy = policy

    async def execute(self, *, email: Email, password: str) -> EnsureAdminResult:
        async with self._uow:
            existing = await self._uow.users.get_by_email(email)
        if existing is not None:
            return EnsureAdminResult(user=existing, created=False)
        self._policy.check(password, email=email, max_bytes=self._hasher.max_password_bytes)
        password_hash = await self._hasher.hash(normalise_password(password))
        admin = User.register(email=email, password_hash=password_hash,
                              now=self._clock.now(), role=Role.ADMIN, email_verified=True)
        try:
            async with self._uow:
                await self._uow.users.add(admin)
                await self._uow.commit()
        except EmailAlreadyRegistered:
            # Another instance starting at the same moment created it first: that is success.
            async with self._uow:
                existing = await self._uow.users.get_by_email(email)
            if existing is None:
                raise
            return EnsureAdminResult(user=existing, created=False)
        return EnsureAdminResult(user=admin, created=True)
