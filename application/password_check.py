"""PasswordCheck: a signed-in user's password, checked under the login limit, and a new one."""

from application.account_attempts import PASSWORD_SCOPES, AccountAttempts, account_key
from application.errors import IncorrectPassword
from application.ports import AuditEventType, PasswordHasher, RequestContext
from domain.passwords import PasswordPolicy, normalise_password
from domain.users import PasswordHash, User


class PasswordCheck:
    """What the use cases that confirm a password (change it, step up, delete the account) share.

    - Each check counts against the account's login limit, so a stolen session guesses no
      faster than a stranger; a wrong password is audited and answered with IncorrectPassword.
    - A new password must meet the policy before it is hashed.
    """

    def __init__(
        self, hasher: PasswordHasher, attempts: AccountAttempts, policy: PasswordPolicy
    ) -> None:
        self._hasher = hasher
        self._attempts = attempts
        self._policy = policy

    async def verify(self, user: User, password: str, *, context: RequestContext) -> None:
        account = account_key(user.email)
        await self._attempts.admit(account=account, scopes=PASSWORD_SCOPES, user_id=user.id,
                                   context=context)
        if not await self._hasher.verify(normalise_password(password), user.password_hash):
            await self._attempts.failed(AuditEventType.PASSWORD_CHECK_FAILED, account=account,
                                        user_id=user.id, context=context)
            raise IncorrectPassword()
        await self._attempts.passed(account=account, scopes=PASSWORD_SCOPES)

    async def hash_new(self, password: str, *, user: User) -> PasswordHash:
        self._policy.check(password, email=user.email, max_bytes=self._hasher.max_password_bytes)
        return await self._hasher.hash(normalise_password(password))
