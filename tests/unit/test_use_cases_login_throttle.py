"""LoginUser's per-account limit: a lockout is no password oracle, a success clears the count."""

import pytest

from application.errors import InvalidCredentials, TooManyAttempts
from application.login_user import LoginUser
from application.ports import AuditEventType, RequestContext
from domain.users import Email, User
from infrastructure.email_addresses import parse_email
from infrastructure.persistence.memory import MemoryStore
from tests.fakes import FakePasswordHasher
from tests.unit.conftest import ATTEMPTS_ALLOWED, PASSWORD

CLIENT = RequestContext(client_ip="203.0.113.7", user_agent="test-agent", request_id="req-1")


async def fail(login_user: LoginUser, email: str, times: int = ATTEMPTS_ALLOWED) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            await login_user.execute(email=parse_email(email), password="wrong password",
                                     context=CLIENT)


async def test_over_the_limit_even_the_right_password_is_refused(
    login_user: LoginUser, alice: User
) -> None:
    await fail(login_user, "alice@example.com")

    with pytest.raises(TooManyAttempts) as raised:
        await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert 1 <= raised.value.retry_after <= 15 * 60


async def test_a_throttled_attempt_verifies_no_password(
    login_user: LoginUser, alice: User, hasher: FakePasswordHasher
) -> None:
    await fail(login_user, "alice@example.com")
    calls = hasher.verify_calls

    with pytest.raises(TooManyAttempts):
        await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert hasher.verify_calls == calls


async def test_an_unknown_email_is_throttled_alike(login_user: LoginUser, alice: User) -> None:
    await fail(login_user, "alice@example.com")
    await fail(login_user, "nobody@example.com")

    with pytest.raises(TooManyAttempts) as known:
        await login_user.execute(email=Email("alice@example.com"), password="wrong password")
    with pytest.raises(TooManyAttempts) as unknown:
        await login_user.execute(email=Email("nobody@example.com"), password="wrong password")

    assert str(known.value) == str(unknown.value)


async def test_case_and_spaces_do_not_dodge_the_limit(login_user: LoginUser, alice: User) -> None:
    await fail(login_user, "alice@example.com", ATTEMPTS_ALLOWED - 1)
    await fail(login_user, "  ALICE@example.com", 1)

    with pytest.raises(TooManyAttempts):
        await login_user.execute(email=parse_email("Alice@Example.com"), password=PASSWORD)


async def test_a_success_clears_the_accounts_count(login_user: LoginUser, alice: User) -> None:
    await fail(login_user, "alice@example.com", ATTEMPTS_ALLOWED - 1)
    await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    await fail(login_user, "alice@example.com", ATTEMPTS_ALLOWED - 1)
    result = await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert result.user == alice


async def test_one_account_locked_leaves_the_others_alone(
    login_user: LoginUser, alice: User, bob: User
) -> None:
    await fail(login_user, "alice@example.com")

    result = await login_user.execute(email=Email("bob@example.com"), password=PASSWORD)

    assert result.user == bob


async def test_success_failure_and_throttling_are_audited_with_the_client(
    login_user: LoginUser, alice: User, store: MemoryStore
) -> None:
    await login_user.execute(email=Email("alice@example.com"), password=PASSWORD, context=CLIENT)
    await fail(login_user, "alice@example.com")
    await fail(login_user, "nobody@example.com", 1)
    with pytest.raises(TooManyAttempts):
        await login_user.execute(email=Email("alice@example.com"), password=PASSWORD,
                                 context=CLIENT)

    login_events = [e for e in store.audit_events if e.type is not AuditEventType.REGISTER]
    assert [(e.type, e.user_id) for e in login_events] == [
        (AuditEventType.LOGIN_SUCCEEDED, alice.id),
        *[(AuditEventType.LOGIN_FAILED, alice.id)] * ATTEMPTS_ALLOWED,
        (AuditEventType.LOGIN_FAILED, None),
        (AuditEventType.THROTTLED, alice.id),
    ]
    assert {e.context for e in login_events} == {CLIENT}
    assert login_events[-1].detail == "login_per_account"
