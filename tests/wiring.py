"""Use cases that take helpers (attempt counting, session start), wired by hand as the container
wires them, for tests that build them with in-memory or SQL units of work."""

from datetime import timedelta

from application.account_attempts import AccountAttempts
from application.change_password import ChangePassword
from application.login_user import LoginUser
from application.password_check import PasswordCheck
from application.ports import (
    NO_TELEMETRY,
    Clock,
    PasswordHasher,
    Telemetry,
    Throttle,
    TokenCodec,
    UnitOfWork,
)
from application.start_session import DEFAULT_SESSION_LIFETIME, StartSession
from domain.passwords import PasswordPolicy
from infrastructure.fingerprint import HmacFingerprint
from tests.fakes import UnlimitedThrottle

# The account fingerprints of the use cases built here (the key only needs to be fixed).
FINGERPRINT = HmacFingerprint("test-fingerprint-key-0123456789abcdef")


def make_login_user(
    uow: UnitOfWork, hasher: PasswordHasher, tokens: TokenCodec, throttle: Throttle,
    clock: Clock, *, session_lifetime: timedelta = DEFAULT_SESSION_LIFETIME,
    telemetry: Telemetry = NO_TELEMETRY,
) -> LoginUser:
    return LoginUser(uow, hasher, AccountAttempts(throttle, uow, FINGERPRINT, telemetry),
                     StartSession(uow, tokens, clock, session_lifetime=session_lifetime,
                                  telemetry=telemetry),
                     telemetry=telemetry)


def make_password_check(
    uow: UnitOfWork, hasher: PasswordHasher, policy: PasswordPolicy,
    throttle: Throttle | None = None,
) -> PasswordCheck:
    attempts = AccountAttempts(throttle or UnlimitedThrottle(), uow, FINGERPRINT)
    return PasswordCheck(hasher, attempts, policy)


def make_change_password(
    uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, policy: PasswordPolicy,
    throttle: Throttle | None = None,
) -> ChangePassword:
    return ChangePassword(uow, make_password_check(uow, hasher, policy, throttle), clock)
