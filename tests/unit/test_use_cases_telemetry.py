"""What LoginUser and ThrottleClient report through the Telemetry port."""

import pytest

from application.errors import InvalidCredentials, TooManyAttempts
from application.login_user import LoginUser
from application.ports import LoginOutcome, RequestContext, ThrottleScope, TokenCodec
from application.start_session import StartSession
from application.throttle_client import ThrottleClient
from domain.users import User
from infrastructure.email_addresses import parse_email
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.throttling import LimitsThrottle
from tests.fakes import FakeClock, FakePasswordHasher
from tests.unit.conftest import ATTEMPTS_ALLOWED, PASSWORD
from tests.wiring import make_login_user

CLIENT = RequestContext(client_ip="203.0.113.7")

ALICE = parse_email("alice@example.com")


class RecordingTelemetry:
    def __init__(self) -> None:
        self.logins: list[LoginOutcome] = []
        self.throttles: list[ThrottleScope] = []

    def login(self, outcome: LoginOutcome) -> None:
        self.logins.append(outcome)

    def throttled(self, scope: ThrottleScope) -> None:
        self.throttles.append(scope)


@pytest.fixture
def telemetry() -> RecordingTelemetry:
    return RecordingTelemetry()


@pytest.fixture
def observed_login(
    store: MemoryStore, hasher: FakePasswordHasher, tokens: TokenCodec, throttle: LimitsThrottle,
    clock: FakeClock, telemetry: RecordingTelemetry,
) -> LoginUser:
    return make_login_user(MemoryUnitOfWork(store, clock), hasher, tokens, throttle, clock,
                           telemetry=telemetry)


async def test_each_login_outcome_is_reported_once(
    observed_login: LoginUser, alice: User, telemetry: RecordingTelemetry
) -> None:
    await observed_login.execute(email=ALICE, password=PASSWORD)
    for _ in range(ATTEMPTS_ALLOWED):
        with pytest.raises(InvalidCredentials):
            await observed_login.execute(email=ALICE, password="wrong password")
    with pytest.raises(TooManyAttempts):
        await observed_login.execute(email=ALICE, password=PASSWORD)

    assert telemetry.logins == [LoginOutcome.SUCCEEDED,
                                *[LoginOutcome.FAILED] * ATTEMPTS_ALLOWED,
                                LoginOutcome.THROTTLED]
    assert telemetry.throttles == [ThrottleScope.LOGIN_PER_ACCOUNT]


@pytest.mark.parametrize(("scope", "logins"), [
    (ThrottleScope.LOGIN_PER_IP, [LoginOutcome.THROTTLED]),
    (ThrottleScope.REGISTER_PER_IP, []),
])
async def test_a_refused_client_is_reported_under_its_scope(
    store: MemoryStore, throttle: LimitsThrottle, telemetry: RecordingTelemetry,
    scope: ThrottleScope, logins: list[LoginOutcome],
) -> None:
    throttle_client = ThrottleClient(throttle, MemoryUnitOfWork(store), telemetry)
    for _ in range(ATTEMPTS_ALLOWED):
        await throttle_client.execute(scope=scope, context=CLIENT)
    assert telemetry.throttles == []

    with pytest.raises(TooManyAttempts):
        await throttle_client.execute(scope=scope, context=CLIENT)

    assert telemetry.throttles == [scope]
    assert telemetry.logins == logins


async def test_a_two_step_login_is_counted_once_its_session_starts(
    store: MemoryStore, tokens: TokenCodec, clock: FakeClock, alice: User,
    telemetry: RecordingTelemetry,
) -> None:
    start = StartSession(MemoryUnitOfWork(store, clock), tokens, clock, telemetry=telemetry)
    alice.mfa_enabled = True

    challenged = await start.execute(user=alice, device="", context=CLIENT)
    assert (challenged.tokens, telemetry.logins) == (None, [])

    started = await start.execute(user=alice, device="", context=CLIENT,
                                  second_factor_verified=True)
    assert started.tokens is not None
    assert telemetry.logins == [LoginOutcome.SUCCEEDED]
