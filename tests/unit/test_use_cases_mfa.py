"""The second factor's use cases: enrolment, two-step login, replay, recovery codes, limits."""

from datetime import timedelta

import pytest

from application.errors import (
    IncorrectCode,
    InvalidCredentials,
    InvalidMfaCode,
    InvalidMfaToken,
    MfaConflict,
    TooManyAttempts,
    TwoStepLoginRequired,
)
from application.mail import MailKind
from application.ports import AuditEventType, ThrottleScope, TokenCodec
from domain.mfa import MFA_TOKEN_LIFETIME
from domain.passwords import PasswordPolicy
from domain.users import User
from infrastructure.email_addresses import parse_email
from infrastructure.persistence.memory import MemoryStore
from infrastructure.rate_limiter import ResilientRateLimiter
from infrastructure.throttling import LimitsThrottle
from tests.fakes import FakeClock, FakePasswordHasher, UnlimitedThrottle
from tests.unit.conftest import ATTEMPTS_ALLOWED, PASSWORD
from tests.unit.mfa_harness import Mfa, make_mfa
from tests.wiring import FINGERPRINT

STEP = timedelta(seconds=30)
EMAIL = parse_email("alice@example.com")


@pytest.fixture
def mfa(
    store: MemoryStore, clock: FakeClock, hasher: FakePasswordHasher, tokens: TokenCodec,
    throttle: LimitsThrottle, policy: PasswordPolicy,
) -> Mfa:
    return make_mfa(store, clock, hasher, tokens, throttle, policy)


@pytest.fixture
def unthrottled(
    store: MemoryStore, clock: FakeClock, hasher: FakePasswordHasher, tokens: TokenCodec,
    policy: PasswordPolicy,
) -> Mfa:
    return make_mfa(store, clock, hasher, tokens, UnlimitedThrottle(), policy)


def events(store: MemoryStore) -> list[AuditEventType]:
    return [event.type for event in store.audit_events]


async def mfa_token(mfa: Mfa) -> str:
    result = await mfa.login_user.execute(email=EMAIL, password=PASSWORD)
    assert result.tokens is None and result.mfa_token is not None
    return result.mfa_token.value


async def test_nothing_changes_for_logins_until_a_code_confirms_the_enrolment(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    enrolment = await mfa.enrol.execute(actor=mfa.user(alice))

    assert not store.users[alice.id].mfa_enabled
    assert (await mfa.login_user.execute(email=EMAIL, password=PASSWORD)).tokens is not None

    codes = await mfa.confirm.execute(actor=mfa.user(alice), code=mfa.code(enrolment.secret))

    assert store.users[alice.id].mfa_enabled
    assert len(codes) == 10
    assert AuditEventType.MFA_ENABLED in events(store)
    result = await mfa.login_user.execute(email=EMAIL, password=PASSWORD)
    assert result.tokens is None and result.mfa_token is not None


async def test_a_wrong_confirmation_code_enables_nothing(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    enrolment = await mfa.enrol.execute(actor=mfa.user(alice))
    wrong = mfa.code(enrolment.secret)
    mfa.clock.advance(3 * STEP)

    with pytest.raises(IncorrectCode):
        await mfa.confirm.execute(actor=mfa.user(alice), code=wrong)

    assert not store.users[alice.id].mfa_enabled
    assert events(store)[-1] is AuditEventType.MFA_FAILED


async def test_confirming_without_an_enrolment_and_enrolling_twice_conflict(
    mfa: Mfa, alice: User,
) -> None:
    with pytest.raises(MfaConflict):
        await mfa.confirm.execute(actor=mfa.user(alice), code="123456")
    await mfa.turn_on(alice)
    with pytest.raises(MfaConflict):
        await mfa.enrol.execute(actor=mfa.user(alice))


async def test_the_secret_is_stored_sealed(mfa: Mfa, alice: User, store: MemoryStore) -> None:
    enrolment = await mfa.enrol.execute(actor=mfa.user(alice))

    sealed = store.totp_credentials[alice.id].sealed_secret
    assert enrolment.secret.encode() not in sealed
    assert enrolment.secret not in repr(store.totp_credentials[alice.id])


async def test_a_two_step_login_with_a_code_starts_a_session(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    secret, _ = await mfa.turn_on(alice)
    token = await mfa_token(mfa)
    assert store.sessions == {}  # no session before the second factor

    result = await mfa.verify.execute(mfa_token=token, code=mfa.code(secret))

    assert result.tokens is not None and result.user == alice
    assert list(store.sessions) == [result.tokens.session.id]
    assert events(store)[-2:] == [AuditEventType.MFA_REQUIRED, AuditEventType.LOGIN_SUCCEEDED]


async def test_a_code_accepted_once_is_refused_after_even_within_its_window(
    unthrottled: Mfa, alice: User,
) -> None:
    mfa = unthrottled
    secret, _ = await mfa.turn_on(alice)
    mfa.clock.advance(STEP)
    code = mfa.code(secret)
    await mfa.verify.execute(mfa_token=await mfa_token(mfa), code=code)

    with pytest.raises(InvalidMfaCode):
        await mfa.verify.execute(mfa_token=await mfa_token(mfa), code=code)
    # An earlier step's code, though still in the window, is refused too.
    with pytest.raises(InvalidMfaCode):
        await mfa.verify.execute(mfa_token=await mfa_token(mfa), code=mfa.code_at(secret, -STEP))
    mfa.clock.advance(STEP)
    assert (await mfa.verify.execute(mfa_token=await mfa_token(mfa), code=mfa.code(secret))
            ).tokens is not None


async def test_the_confirming_code_cannot_log_in(mfa: Mfa, alice: User) -> None:
    enrolment = await mfa.enrol.execute(actor=mfa.user(alice))
    code = mfa.code(enrolment.secret)
    await mfa.confirm.execute(actor=mfa.user(alice), code=code)
    mfa.clock.advance(STEP - timedelta(seconds=1))  # the code is still within the window

    with pytest.raises(InvalidMfaCode):
        await mfa.verify.execute(mfa_token=await mfa_token(mfa), code=code)


async def test_the_mfa_token_works_once(mfa: Mfa, alice: User) -> None:
    secret, _ = await mfa.turn_on(alice)
    token = await mfa_token(mfa)
    await mfa.verify.execute(mfa_token=token, code=mfa.code(secret))
    mfa.clock.advance(STEP)

    with pytest.raises(InvalidMfaToken):
        await mfa.verify.execute(mfa_token=token, code=mfa.code(secret))


async def test_the_mfa_token_dies_after_five_minutes(mfa: Mfa, alice: User) -> None:
    secret, _ = await mfa.turn_on(alice)
    token, late_token = await mfa_token(mfa), await mfa_token(mfa)
    mfa.clock.advance(MFA_TOKEN_LIFETIME - timedelta(seconds=1))
    await mfa.verify.execute(mfa_token=token, code=mfa.code(secret))

    mfa.clock.advance(timedelta(seconds=1))
    with pytest.raises(InvalidMfaToken):
        await mfa.verify.execute(mfa_token=late_token, code=mfa.code(secret))


async def test_the_mfa_token_dies_after_five_wrong_codes(unthrottled: Mfa, alice: User) -> None:
    mfa = unthrottled
    secret, _ = await mfa.turn_on(alice)
    token = await mfa_token(mfa)
    for _ in range(4):
        with pytest.raises(InvalidMfaCode):
            await mfa.verify.execute(mfa_token=token, code="000000")
    # Four wrong codes: the token still works (a fifth would end it, see below).
    survivor = await mfa_token(mfa)
    for _ in range(5):
        with pytest.raises(InvalidMfaCode):
            await mfa.verify.execute(mfa_token=survivor, code="000000")

    assert (await mfa.verify.execute(mfa_token=token, code=mfa.code(secret))).tokens is not None
    mfa.clock.advance(STEP)
    with pytest.raises(InvalidMfaToken):
        await mfa.verify.execute(mfa_token=survivor, code=mfa.code(secret))


async def test_an_mfa_token_is_bound_to_its_user_and_cannot_be_made_up(
    mfa: Mfa, alice: User, bob: User,
) -> None:
    secret, _ = await mfa.turn_on(alice)
    bobs_secret, _ = await mfa.turn_on(bob)
    token = await mfa_token(mfa)  # alice's

    with pytest.raises(InvalidMfaCode):  # bob's code is no code of alice's
        await mfa.verify.execute(mfa_token=token, code=mfa.code(bobs_secret))
    assert (await mfa.verify.execute(mfa_token=token, code=mfa.code(secret))).user == alice
    with pytest.raises(InvalidMfaToken):
        await mfa.verify.execute(mfa_token="made-up-token", code=mfa.code(secret))


async def test_a_recovery_code_works_once_is_audited_and_tells_the_owner(
    unthrottled: Mfa, alice: User, store: MemoryStore,
) -> None:
    mfa = unthrottled
    _, codes = await mfa.turn_on(alice)
    queued_before = len(store.outbox)

    result = await mfa.verify.execute(mfa_token=await mfa_token(mfa),
                                      recovery_code=codes[3].upper())
    assert result.tokens is not None
    assert AuditEventType.RECOVERY_CODE_USED in events(store)
    notices = [record.entry for record in store.outbox.values()
               if record.entry.kind is MailKind.RECOVERY_CODE_USED]
    assert len(store.outbox) == queued_before + 1
    assert [notice.recipient for notice in notices] == [alice.email.value]

    with pytest.raises(InvalidMfaCode):
        await mfa.verify.execute(mfa_token=await mfa_token(mfa), recovery_code=codes[3])
    assert (await mfa.verify.execute(mfa_token=await mfa_token(mfa), recovery_code=codes[4])
            ).tokens is not None


async def test_new_recovery_codes_replace_the_old_ones(unthrottled: Mfa, alice: User) -> None:
    mfa = unthrottled
    _, old = await mfa.turn_on(alice)

    new = await mfa.replace_codes.execute(actor=mfa.user(alice))

    assert set(new).isdisjoint(old)
    with pytest.raises(InvalidMfaCode):
        await mfa.verify.execute(mfa_token=await mfa_token(mfa), recovery_code=old[0])
    assert (await mfa.verify.execute(mfa_token=await mfa_token(mfa), recovery_code=new[0])
            ).tokens is not None


async def test_another_users_recovery_code_does_not_work(mfa: Mfa, alice: User, bob: User) -> None:
    await mfa.turn_on(alice)
    _, bobs = await mfa.turn_on(bob)

    with pytest.raises(InvalidMfaCode):
        await mfa.verify.execute(mfa_token=await mfa_token(mfa), recovery_code=bobs[0])


async def test_codes_are_throttled_per_account_even_when_right(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    secret, _ = await mfa.turn_on(alice)
    token = await mfa_token(mfa)
    # The login counted once against the account's login limit; each code counts against it
    # and against the code limit.
    for _ in range(ATTEMPTS_ALLOWED - 1):
        with pytest.raises(InvalidMfaCode):
            await mfa.verify.execute(mfa_token=token, code="000000")

    with pytest.raises(TooManyAttempts) as raised:
        await mfa.verify.execute(mfa_token=token, code=mfa.code(secret))

    assert raised.value.retry_after > 0
    event = store.audit_events[-1]
    assert (event.type, event.detail) == (AuditEventType.THROTTLED,
                                          ThrottleScope.LOGIN_PER_ACCOUNT.value)
    assert events(store).count(AuditEventType.MFA_FAILED) == ATTEMPTS_ALLOWED - 1


async def test_the_code_limit_holds_on_its_own(
    store: MemoryStore, clock: FakeClock, hasher: FakePasswordHasher, tokens: TokenCodec,
    policy: PasswordPolicy, alice: User,
) -> None:
    rates = {scope: "100/15 minutes" for scope in ThrottleScope}
    rates[ThrottleScope.MFA_PER_ACCOUNT] = "2/15 minutes"
    throttle = LimitsThrottle(rates, ResilientRateLimiter(), FINGERPRINT)
    mfa = make_mfa(store, clock, hasher, tokens, throttle, policy)
    secret, _ = await mfa.turn_on(alice)
    token = await mfa_token(mfa)
    for _ in range(2):
        with pytest.raises(InvalidMfaCode):
            await mfa.verify.execute(mfa_token=token, code="000000")

    with pytest.raises(TooManyAttempts):
        await mfa.verify.execute(mfa_token=token, code=mfa.code(secret))
    assert store.audit_events[-1].detail == ThrottleScope.MFA_PER_ACCOUNT.value


async def test_the_oauth2_password_flow_is_told_to_use_two_steps_only_after_the_password(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    await mfa.turn_on(alice)

    with pytest.raises(InvalidCredentials):
        await mfa.login_user.execute(email=EMAIL, password="wrong password", two_step=False)
    with pytest.raises(TwoStepLoginRequired):
        await mfa.login_user.execute(email=EMAIL, password=PASSWORD, two_step=False)
    assert not any(s.user_id == alice.id for s in store.sessions.values())


async def test_wrong_password_unknown_and_inactive_give_the_same_error_with_mfa_on(
    mfa: Mfa, alice: User, bob: User, store: MemoryStore,
) -> None:
    await mfa.turn_on(alice)
    await mfa.turn_on(bob)
    store.users[bob.id].is_active = False
    messages = set()
    for email, password in [(EMAIL, "wrong password"),
                            (parse_email("nobody@example.com"), PASSWORD),
                            (parse_email("bob@example.com"), PASSWORD)]:
        with pytest.raises(InvalidCredentials) as raised:
            await mfa.login_user.execute(email=email, password=password)
        messages.add(str(raised.value))
    assert len(messages) == 1


async def test_a_deactivated_user_cannot_finish_a_two_step_login(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    secret, _ = await mfa.turn_on(alice)
    token = await mfa_token(mfa)
    store.users[alice.id].is_active = False

    with pytest.raises(InvalidMfaToken):
        await mfa.verify.execute(mfa_token=token, code=mfa.code(secret))


async def test_disabling_needs_a_code_and_removes_everything(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    secret, codes = await mfa.turn_on(alice)

    with pytest.raises(IncorrectCode):
        await mfa.disable.execute(actor=mfa.user(alice), code="000000")
    assert store.users[alice.id].mfa_enabled

    await mfa.disable.execute(actor=mfa.user(alice), code=mfa.code(secret))

    assert not store.users[alice.id].mfa_enabled
    assert alice.id not in store.totp_credentials
    assert alice.id not in store.recovery_codes.values()
    assert events(store)[-1] is AuditEventType.MFA_DISABLED
    assert (await mfa.login_user.execute(email=EMAIL, password=PASSWORD)).tokens is not None
    with pytest.raises(MfaConflict):
        await mfa.disable.execute(actor=mfa.user(alice), recovery_code=codes[0])


async def test_a_recovery_code_can_disable_a_lost_authenticator(
    mfa: Mfa, alice: User, store: MemoryStore,
) -> None:
    _, codes = await mfa.turn_on(alice)

    await mfa.disable.execute(actor=mfa.user(alice), recovery_code=codes[0])

    assert not store.users[alice.id].mfa_enabled
