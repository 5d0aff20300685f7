"""Step-up re-authentication, the login limit on signed-in password checks, account deletion."""

import uuid
from datetime import date, timedelta

import pytest

from application.change_password import ChangePassword
from application.errors import (
    IncorrectCode,
    IncorrectPassword,
    InvalidCredentials,
    NotAuthenticated,
    RecentAuthenticationRequired,
    TooManyAttempts,
)
from application.ports import AuditEventType, ThrottleScope, TokenCodec
from application.session_tokens import SessionTokens
from domain.bookings import Booking, DateRange, Room
from domain.passwords import PasswordPolicy
from domain.users import User
from infrastructure.email_addresses import parse_email
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.throttling import LimitsThrottle
from tests.fakes import FakeClock, FakePasswordHasher
from tests.unit.conftest import ATTEMPTS_ALLOWED, PASSWORD, LogIn
from tests.unit.mfa_harness import Mfa, make_mfa
from tests.wiring import make_change_password

MAX_AGE = timedelta(minutes=10)


@pytest.fixture
def mfa(
    store: MemoryStore, clock: FakeClock, hasher: FakePasswordHasher, tokens: TokenCodec,
    throttle: LimitsThrottle, policy: PasswordPolicy,
) -> Mfa:
    return make_mfa(store, clock, hasher, tokens, throttle, policy)


async def session_of(mfa: Mfa, user: User) -> SessionTokens:
    result = await mfa.login_user.execute(email=parse_email(user.email.value), password=PASSWORD)
    assert result.tokens is not None
    return result.tokens


async def test_a_fresh_login_is_recent_for_ten_minutes_exactly(mfa: Mfa, alice: User) -> None:
    tokens = await session_of(mfa, alice)

    mfa.clock.advance(MAX_AGE)
    await mfa.require_recent.execute(session_id=tokens.session.id)

    mfa.clock.advance(timedelta(seconds=1))
    with pytest.raises(RecentAuthenticationRequired) as raised:
        await mfa.require_recent.execute(session_id=tokens.session.id)
    assert raised.value.max_age == 600


async def test_reauthenticating_with_the_password_renews_this_session_only(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    this, other = await session_of(mfa, alice), await session_of(mfa, alice)
    mfa.clock.advance(timedelta(hours=1))

    await mfa.reauthenticate.execute(actor=mfa.user(alice), session_id=this.session.id,
                                     password=PASSWORD)

    await mfa.require_recent.execute(session_id=this.session.id)
    with pytest.raises(RecentAuthenticationRequired):
        await mfa.require_recent.execute(session_id=other.session.id)
    assert store.audit_events[-1].type is AuditEventType.REAUTHENTICATED


async def test_a_wrong_password_renews_nothing_and_is_audited(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    tokens = await session_of(mfa, alice)
    mfa.clock.advance(timedelta(hours=1))

    with pytest.raises(IncorrectPassword):
        await mfa.reauthenticate.execute(actor=mfa.user(alice), session_id=tokens.session.id,
                                         password="wrong password")

    with pytest.raises(RecentAuthenticationRequired):
        await mfa.require_recent.execute(session_id=tokens.session.id)
    event = store.audit_events[-1]
    assert (event.type, event.user_id) == (AuditEventType.PASSWORD_CHECK_FAILED, alice.id)


async def test_with_a_second_factor_reauthenticating_needs_a_code_too(
    mfa: Mfa, alice: User,
) -> None:
    secret, _ = await mfa.turn_on(alice)
    token = await mfa.login_user.execute(email=parse_email(alice.email.value), password=PASSWORD)
    assert token.mfa_token is not None
    result = await mfa.verify.execute(mfa_token=token.mfa_token.value, code=mfa.code(secret))
    assert result.tokens is not None
    session_id = result.tokens.session.id
    mfa.clock.advance(timedelta(hours=1))

    with pytest.raises(IncorrectCode, match="required"):
        await mfa.reauthenticate.execute(actor=mfa.user(alice), session_id=session_id,
                                         password=PASSWORD)
    with pytest.raises(IncorrectCode):
        await mfa.reauthenticate.execute(actor=mfa.user(alice), session_id=session_id,
                                         password=PASSWORD, code="000000")
    with pytest.raises(RecentAuthenticationRequired):
        await mfa.require_recent.execute(session_id=session_id)

    await mfa.reauthenticate.execute(actor=mfa.user(alice), session_id=session_id,
                                     password=PASSWORD, code=mfa.code(secret))
    await mfa.require_recent.execute(session_id=session_id)


async def test_reauthenticating_another_users_session_is_refused(
    mfa: Mfa, alice: User, bob: User,
) -> None:
    bobs = await session_of(mfa, bob)

    with pytest.raises(NotAuthenticated):
        await mfa.reauthenticate.execute(actor=mfa.user(alice), session_id=bobs.session.id,
                                         password=PASSWORD)


async def test_signed_in_password_checks_share_the_login_limit(
    store: MemoryStore, hasher: FakePasswordHasher, clock: FakeClock, policy: PasswordPolicy,
    throttle: LimitsThrottle, log_in: LogIn, alice: User,
) -> None:
    change_password: ChangePassword = make_change_password(
        MemoryUnitOfWork(store, clock), hasher, clock, policy, throttle)
    tokens = await log_in()
    for _ in range(ATTEMPTS_ALLOWED):
        with pytest.raises(IncorrectPassword):
            await change_password.execute(actor=store.users[alice.id], session_id=tokens.session.id,
                                          current_password="wrong password",
                                          new_password="a brand new passphrase")
    verifications = hasher.verify_calls

    with pytest.raises(TooManyAttempts):  # even with the right password
        await change_password.execute(actor=store.users[alice.id], session_id=tokens.session.id,
                                      current_password=PASSWORD,
                                      new_password="a brand new passphrase")

    assert hasher.verify_calls == verifications
    failures = [e for e in store.audit_events if e.type is AuditEventType.PASSWORD_CHECK_FAILED]
    assert len(failures) == ATTEMPTS_ALLOWED
    assert store.audit_events[-1].detail == ThrottleScope.LOGIN_PER_ACCOUNT.value


async def test_deleting_the_account_erases_it_and_ends_its_sessions(
    mfa: Mfa, alice: User, bob: User, store: MemoryStore, room: Room,
) -> None:
    sessions = [await session_of(mfa, alice), await session_of(mfa, alice)]
    bobs = await session_of(mfa, bob)
    await mfa.turn_on(alice)
    today = mfa.clock.now().date()

    def booking(start: date, nights: int) -> Booking:
        stay = Booking(id=uuid.uuid4(), user_id=alice.id, room_id=room.id, price=room.price,
                       dates=DateRange(start, start + timedelta(days=nights)))
        store.bookings[stay.id] = stay
        return stay

    past, _today, _later = (booking(today - timedelta(days=9), 2), booking(today, 2),
                            booking(date(2031, 1, 1), 2))

    await mfa.delete_account.execute(actor=mfa.user(alice), password=PASSWORD)

    erased = store.users[alice.id]
    assert "alice" not in erased.email.value
    assert not erased.is_active and not erased.mfa_enabled
    assert alice.id not in store.totp_credentials
    assert alice.id not in store.recovery_codes.values()
    assert set(store.bookings) == {past.id}  # stays from today on are cancelled
    assert all(store.sessions[s.session.id].revoked_at == mfa.clock.now() for s in sessions)
    assert store.sessions[bobs.session.id].revoked_at is None
    event = store.audit_events[-1]
    assert (event.type, event.user_id) == (AuditEventType.ACCOUNT_DELETED, alice.id)
    assert "alice" not in event.detail
    with pytest.raises(InvalidCredentials):
        await mfa.login_user.execute(email=parse_email("alice@example.com"), password=PASSWORD)


async def test_a_wrong_password_deletes_nothing(mfa: Mfa, alice: User, store: MemoryStore) -> None:
    with pytest.raises(IncorrectPassword):
        await mfa.delete_account.execute(actor=mfa.user(alice), password="wrong password")

    assert store.users[alice.id].is_active
    assert store.users[alice.id].email.value == "alice@example.com"
