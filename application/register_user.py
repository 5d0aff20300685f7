"""RegisterUser: open an account with an email and a password."""

from application.errors import EmailAlreadyRegistered
from application.ports import Clock, PasswordHasher, UnitOfWork
from domain.passwords import check_password_policy, normalise_password
from domain.users import Email, User


class RegisterUser:
    """Create a user with the `user` role.

    - The email is normalised (trimmed, lower-cased) and must be unique case-insensitively.
    - The password must meet the password policy; only its hash is stored.
    """

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def execute(self, *, email: str, password: str) -> User:
        address = Email(email)
        check_password_policy(password)
        password_hash = await self._hasher.hash(normalise_password(password))
        async with self._uow:
            if await self._uow.users.get_by_email(address) is not None:
                raise EmailAlreadyRegistered()
            user = User.register(email=address, password_hash=password_hash,
                                 now=self._clock.now())
            await self._uow.users.add(user)
            await self._uow.commit()
        return user
