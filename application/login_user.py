"""LoginUser: check an email and a password, then start a session (StartSession)."""

from application.account_attempts import PASSWORD_SCOPES, AccountAttempts, account_key
from application.errors import (
    EmailNotVerified,
    InvalidCredentials,
    TooManyAttempts,
    TwoStepLoginRequired,
)
from application.ports import (
    NO_REQUEST_CONTEXT,
    NO_TELEMETRY,
    AuditEventType,
    LoginOutcome,
    PasswordHasher,
    RequestContext,
    Telemetry,
    UnitOfWork,
)
from application.start_session import LoginResult, StartSession
from domain.passwords import normalise_password
from domain.users import Email, PasswordHash, User

__all__ = ["LoginResult", "LoginUser"]


class LoginUser:
    """Check the password and start a session (one per device login).

    - Each account (its email, registered or not) has a limit of attempts: over it the
      answer is TooManyAttempts, even for the right password, so a lockout is no password
      oracle; a successful login clears the account's count.
    - Exactly one hash verification runs on every other path: against a dummy hash when the
      email is unknown, so response time does not tell which emails are registered.
    - Unknown email, wrong password and inactive user give the same InvalidCredentials.
    - With verified email required, an unverified account gets EmailNotVerified, only after
      its right password was verified, so it is no oracle.
    - A hash made with outdated parameters or scheme (e.g. bcrypt) is replaced on success.
    - With a second factor, the right password yields an MFA token instead of a session; a
      client that cannot take the second step (`two_step=False`) is told so, and only then.
    - Success, failure and throttling are audited (a failure names the account tried by its
      fingerprint, see AccountAttempts) and counted for the metrics (a success by StartSession,
      after one step or two).
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, attempts: AccountAttempts,
        start_session: StartSession, *, require_verified_email: bool = False,
        telemetry: Telemetry = NO_TELEMETRY,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._attempts = attempts
        self._start_session = start_session
        self._require_verified_email = require_verified_email
        self._telemetry = telemetry

    async def execute(
        self, *, email: Email, password: str, device: str = "",
        context: RequestContext = NO_REQUEST_CONTEXT, two_step: bool = True,
    ) -> LoginResult:
        password = normalise_password(password)
        account = account_key(email)
        user = await self._find_user(email)
        user_id = user.id if user else None
        try:
            await self._attempts.admit(account=account, scopes=PASSWORD_SCOPES, user_id=user_id,
                                       context=context)
        except TooManyAttempts:
            self._telemetry.login(LoginOutcome.THROTTLED)
            raise
        password_hash = user.password_hash if user else self._hasher.dummy_hash
        password_ok = await self._hasher.verify(password, password_hash)
        if user is None or not password_ok or not user.is_active:
            self._telemetry.login(LoginOutcome.FAILED)
            await self._attempts.failed(AuditEventType.LOGIN_FAILED, account=account,
                                        user_id=user_id, context=context)
            raise InvalidCredentials()
        if self._require_verified_email and not user.email_verified:
            await self._attempts.record(AuditEventType.LOGIN_FAILED, user_id=user.id,
                                        context=context, detail="email not verified")
            raise EmailNotVerified()
        if user.mfa_enabled and not two_step:
            raise TwoStepLoginRequired()
        if self._hasher.needs_rehash(user.password_hash):
            await self._upgrade_hash(user, new=await self._hasher.hash(password))
        result = await self._start_session.execute(user=user, device=device, context=context)
        if result.tokens is not None:
            # With a second factor, the count is cleared once that is verified too.
            await self._attempts.passed(account=account, scopes=PASSWORD_SCOPES)
        return result

    async def _find_user(self, email: Email) -> User | None:
        async with self._uow:
            return await self._uow.users.get_by_email(email)

    async def _upgrade_hash(self, user: User, *, new: PasswordHash) -> None:
        async with self._uow:
            # Re-read under lock: an admin may have deactivated the user, or the password may
            # have changed, while we hashed; writing back the stale user would undo that.
            current = await self._uow.users.lock(user.id)
            if current is None or current.password_hash != user.password_hash:
                return
            current.password_hash = user.password_hash = new
            await self._uow.users.update(current)
            await self._uow.commit()
