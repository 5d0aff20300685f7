"""VerifyMfaLogin: the second step of a login, an MFA token and a code for a session."""

from application.errors import IncorrectCode, InvalidMfaCode, InvalidMfaToken
from application.ports import NO_REQUEST_CONTEXT, Clock, RequestContext, UnitOfWork
from application.second_factor import SecondFactor
from application.start_session import LoginResult, StartSession
from domain.mfa import mfa_token_digest


class VerifyMfaLogin:
    """Complete a two-step login with a TOTP code or a recovery code.

    - The MFA token works once, for the user whose password was verified, within five minutes
      and until five wrong codes; of concurrent attempts with one token, exactly one succeeds.
    - Codes count against the account's limits and are audited (see SecondFactor).
    - The answer is the normal login answer: a new session's tokens.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, second_factor: SecondFactor,
        start_session: StartSession,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._second_factor = second_factor
        self._start_session = start_session

    async def execute(
        self, *, mfa_token: str, code: str | None = None, recovery_code: str | None = None,
        device: str = "", context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> LoginResult:
        digest = mfa_token_digest(mfa_token)
        async with self._uow:
            challenge = await self._uow.mfa_challenges.get(digest)
            user = None if challenge is None else await self._uow.users.get(challenge.user_id)
        if (challenge is None or not challenge.is_open(self._clock.now()) or user is None
                or not user.is_active or not user.mfa_enabled):
            raise InvalidMfaToken()
        try:
            await self._second_factor.verify(user, code=code, recovery_code=recovery_code,
                                             context=context)
        except IncorrectCode:
            async with self._uow:
                await self._uow.mfa_challenges.count_failure(digest)
                await self._uow.commit()
            raise InvalidMfaCode() from None
        async with self._uow:
            if not await self._uow.mfa_challenges.use(digest, self._clock.now()):
                raise InvalidMfaToken()
            await self._uow.commit()
        return await self._start_session.execute(user=user, device=device, context=context,
                                                 second_factor_verified=True)
