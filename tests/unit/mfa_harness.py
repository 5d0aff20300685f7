"""The second-factor use cases wired by hand over the memory store, as the container wires them,
with a real TOTP adapter and secret box at the fake clock's time."""

import os
from dataclasses import dataclass
from datetime import timedelta

import pyotp

from application.account_attempts import AccountAttempts
from application.confirm_totp import ConfirmTotp
from application.delete_account import DeleteAccount
from application.disable_totp import DisableTotp
from application.enrol_totp import EnrolTotp
from application.login_user import LoginUser
from application.password_check import PasswordCheck
from application.ports import Throttle, TokenCodec
from application.reauthenticate import Reauthenticate
from application.replace_recovery_codes import ReplaceRecoveryCodes
from application.require_recent_authentication import RequireRecentAuthentication
from application.second_factor import SecondFactor
from application.start_session import StartSession
from application.verify_mfa_login import VerifyMfaLogin
from domain.passwords import PasswordPolicy
from domain.users import User
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.secret_box import AesGcmSecretBox
from infrastructure.totp import PyotpTotpVerifier
from tests.fakes import FakeClock, FakePasswordHasher

TOTP_STEP = timedelta(seconds=30)


@dataclass
class Mfa:
    store: MemoryStore
    clock: FakeClock
    login_user: LoginUser
    verify: VerifyMfaLogin
    enrol: EnrolTotp
    confirm: ConfirmTotp
    disable: DisableTotp
    replace_codes: ReplaceRecoveryCodes
    reauthenticate: Reauthenticate
    require_recent: RequireRecentAuthentication
    delete_account: DeleteAccount

    def user(self, user: User) -> User:
        """The user as stored now (use cases take the actor as authentication loaded it)."""
        return self.store.users[user.id]

    def code(self, secret: str) -> str:
        return pyotp.TOTP(secret).at(self.clock.now())

    async def turn_on(self, user: User) -> tuple[str, list[str]]:
        """Enrol and confirm; the secret and the recovery codes. The clock moves on a time step,
        since the confirming code's step is spent."""
        enrolment = await self.enrol.execute(actor=self.user(user))
        codes = await self.confirm.execute(actor=self.user(user), code=self.code(enrolment.secret))
        self.clock.advance(TOTP_STEP)
        return enrolment.secret, codes

    def code_at(self, secret: str, offset: timedelta) -> str:
        return pyotp.TOTP(secret).at(self.clock.now() + offset)


def make_mfa(
    store: MemoryStore, clock: FakeClock, hasher: FakePasswordHasher, tokens: TokenCodec,
    throttle: Throttle, policy: PasswordPolicy,
) -> Mfa:
    def uow() -> MemoryUnitOfWork:
        return MemoryUnitOfWork(store, clock)

    verifier = PyotpTotpVerifier(clock, issuer="Roomkey")
    box = AesGcmSecretBox(os.urandom(32))
    attempts = AccountAttempts(throttle, uow())
    second_factor = SecondFactor(uow(), verifier, box, attempts)
    passwords = PasswordCheck(hasher, attempts, policy)
    start = StartSession(uow(), tokens, clock)
    return Mfa(
        store=store, clock=clock,
        login_user=LoginUser(uow(), hasher, attempts, start),
        verify=VerifyMfaLogin(uow(), clock, second_factor, start),
        enrol=EnrolTotp(uow(), verifier, box, clock),
        confirm=ConfirmTotp(uow(), second_factor, clock),
        disable=DisableTotp(uow(), second_factor),
        replace_codes=ReplaceRecoveryCodes(uow()),
        reauthenticate=Reauthenticate(uow(), clock, passwords, second_factor),
        require_recent=RequireRecentAuthentication(uow(), clock),
        delete_account=DeleteAccount(uow(), passwords, clock),
    )
