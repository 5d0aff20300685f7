"""LoginUser: exchange an email and a password for an access token."""

from dataclasses import dataclass

from application.errors import InvalidCredentials
from application.ports import AccessToken, PasswordHasher, TokenCodec, UnitOfWork
from domain.errors import InvalidEmail
from domain.passwords import normalise_password
from domain.users import Email, User


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    access_token: AccessToken


class LoginUser:
    """Check the password and issue an access token.

    - Exactly one hash verification runs on every path: against a dummy hash when the email is
      unknown, so response time does not tell which emails are registered.
    - Unknown email, wrong password and inactive user give the same InvalidCredentials.
    - A hash made with outdated parameters or scheme (e.g. bcrypt) is replaced on success.
    """

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, tokens: TokenCodec) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens

    async def execute(self, *, email: str, password: str) -> LoginResult:
        password = normalise_password(password)
        user = await self._find_user(email)
        password_hash = user.password_hash if user else self._hasher.dummy_hash
        password_ok = await self._hasher.verify(password, password_hash)
        if user is None or not password_ok or not user.is_active:
            raise InvalidCredentials()
        if self._hasher.needs_rehash(user.password_hash):
            await self._upgrade_hash(user, password)
        return LoginResult(user=user, access_token=self._tokens.issue(subject=str(user.id)))

    async def _find_user(self, email: str) -> User | None:
        try:
            address = Email(email)
        except InvalidEmail:
            return None
        async with self._uow:
            return await self._uow.users.get_by_email(address)

    async def _upgrade_hash(self, user: User, password: str) -> None:
        verified_hash = user.password_hash
        new_hash = await self._hasher.hash(password)
        async with self._uow:
            # Re-read: an admin may have deactivated the user, or the password may have changed,
            # while we hashed; writing back the stale user would undo that.
            current = await self._uow.users.get(user.id)
            if current is None or current.password_hash != verified_hash:
                return
            current.password_hash = new_hash
            await self._uow.users.update(current)
            await self._uow.commit()
