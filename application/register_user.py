"""RegisterUser: open an account with an email and a password."""

from datetime import timedelta

from application.account_mail import EMAIL_VERIFICATION_TTL, queue_verification
from application.errors import EmailAlreadyRegistered
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    PasswordHasher,
    RequestContext,
    UnitOfWork,
)
from domain.passwords import PasswordPolicy, normalise_password
from domain.users import Email, User


class RegisterUser:
    """Create a user with the `user` role.

    - The email (in its normal form) must be unique.
    - The password must meet the password policy (length, not a common password, not the
      email's name, within the hashing scheme's byte limit); only its hash is stored.
    - The registration is audited, and a verification link queued, in the same transaction.
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, policy: PasswordPolicy, *,
        verification_ttl: timedelta = EMAIL_VERIFICATION_TTL,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._policy = policy
        self._verification_ttl = verification_ttl

    async def execute(
        self, *, email: Email, password: str, context: RequestContext = NO_REQUEST_CONTEXT
    ) -> User:
        self._policy.check(password, email=email, max_bytes=self._hasher.max_password_bytes)
        password_hash = await self._hasher.hash(normalise_password(password))
        async with self._uow:
            if await self._uow.users.get_by_email(email) is not None:
                raise EmailAlreadyRegistered()
            user = User.register(email=email, password_hash=password_hash,
                                 now=self._clock.now())
            await self._uow.users.add(user)
            await self._uow.audit_log.record(AuditEventType.REGISTER, context=context,
                                             user_id=user.id)
            await queue_verification(self._uow, user, now=user.created_at,
                                     ttl=self._verification_ttl)
            await self._uow.commit()
        return user
