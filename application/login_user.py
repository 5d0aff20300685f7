"""LoginUser: exchange an email and a password for a new session and its tokens."""

from dataclasses import dataclass
from datetime import timedelta

from application.errors import InvalidCredentials
from application.ports import Clock, PasswordHasher, TokenCodec, UnitOfWork
from application.session_tokens import SessionTokens, issue_access_token, store_new_refresh_token
from domain.errors import InvalidEmail
from domain.passwords import normalise_password
from domain.sessions import Session
from domain.users import Email, PasswordHash, User

DEFAULT_SESSION_LIFETIME = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    tokens: SessionTokens


class LoginUser:
    """Check the password and start a session (one per device login).

    - Exactly one hash verification runs on every path: against a dummy hash when the email is
      unknown, so response time does not tell which emails are registered.
    - Unknown email, wrong password and inactive user give the same InvalidCredentials.
    - A hash made with outdated parameters or scheme (e.g. bcrypt) is replaced on success.
    - The session ends at an absolute expiry, however often it is refreshed.
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, tokens: TokenCodec, clock: Clock, *,
        session_lifetime: timedelta = DEFAULT_SESSION_LIFETIME,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock
        self._session_lifetime = session_lifetime

    async def execute(self, *, email: str, password: str, device: str = "") -> LoginResult:
        password = normalise_password(password)
        user = await self._find_user(email)
        password_hash = user.password_hash if user else self._hasher.dummy_hash
        password_ok = await self._hasher.verify(password, password_hash)
        if user is None or not password_ok or not user.is_active:
            raise InvalidCredentials()
        upgraded = (await self._hasher.hash(password)
                    if self._hasher.needs_rehash(user.password_hash) else None)
        session = Session.start(user_id=user.id, now=self._clock.now(),
                                lifetime=self._session_lifetime, description=device)
        async with self._uow:
            if upgraded is not None:
                await self._upgrade_hash(user, verified=user.password_hash, new=upgraded)
            await self._uow.sessions.add(session)
            refresh_token = await store_new_refresh_token(self._uow, session)
            await self._uow.commit()
        access_token = issue_access_token(self._tokens, session)
        return LoginResult(user=user, tokens=SessionTokens(
            session=session, access_token=access_token, refresh_token=refresh_token))

    async def _find_user(self, email: str) -> User | None:
        try:
            address = Email(email)
        except InvalidEmail:
            return None
        async with self._uow:
            return await self._uow.users.get_by_email(address)

    async def _upgrade_hash(self, user: User, *, verified: PasswordHash, new: PasswordHash) -> None:
        # Re-read: an admin may have deactivated the user, or the password may have changed,
        # while we hashed; writing back the stale user would undo that.
        current = await self._uow.users.lock(user.id)
        if current is None or current.password_hash != verified:
            return
        current.password_hash = user.password_hash = new
        await self._uow.users.update(current)
