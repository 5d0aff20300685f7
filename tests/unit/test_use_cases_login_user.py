"""LoginUser: one verification on every path, one error for every failure, a new session."""

import asyncio
import unicodedata
from datetime import timedelta
from typing import Literal

import pytest

from application.authenticate_user import AuthenticateUser
from application.errors import InvalidCredentials
from application.login_user import LoginUser
from application.ports import TokenCodec
from application.register_user import RegisterUser
from application.update_user_access import UpdateUserAccess
from domain.sessions import refresh_token_digest
from domain.users import Email, User
from infrastructure.email_addresses import parse_email
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.throttling import LimitsThrottle
from tests.fakes import FIXED_NOW, FakeClock, FakePasswordHasher
from tests.unit.conftest import PASSWORD, YieldingPasswordHasher
from tests.wiring import make_login_user


async def test_login_returns_a_token_for_the_user(
    login_user: LoginUser, alice: User, tokens: TokenCodec
) -> None:
    result = await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert result.user == alice
    claims = tokens.decode(result.tokens.access_token.value)
    assert claims.subject == str(alice.id)
    assert claims.session_id == str(result.tokens.session.id)


async def test_login_token_authenticates_the_user(
    login_user: LoginUser, authenticate_user: AuthenticateUser, alice: User
) -> None:
    result = await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    authentication = await authenticate_user.execute(token=result.tokens.access_token.value)

    assert authentication.user == alice
    assert authentication.session_id == result.tokens.session.id


async def test_login_accepts_the_email_in_another_case_and_with_whitespace(
    login_user: LoginUser, alice: User
) -> None:
    result = await login_user.execute(email=parse_email("  ALICE@Example.com "),
                                      password=PASSWORD)

    assert result.user == alice


async def test_login_runs_exactly_one_verification_on_success(
    login_user: LoginUser, alice: User, hasher: FakePasswordHasher
) -> None:
    await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert hasher.verify_calls == 1


async def test_login_with_wrong_password_is_rejected_after_one_verification(
    login_user: LoginUser, alice: User, hasher: FakePasswordHasher
) -> None:
    with pytest.raises(InvalidCredentials):
        await login_user.execute(email=Email("alice@example.com"), password="wrong password")

    assert hasher.verify_calls == 1


async def test_login_with_unknown_email_is_rejected_after_one_verification(
    login_user: LoginUser, alice: User, hasher: FakePasswordHasher
) -> None:
    with pytest.raises(InvalidCredentials):
        await login_user.execute(email=Email("mallory@example.com"), password=PASSWORD)

    assert hasher.verify_calls == 1


async def test_login_of_inactive_user_is_rejected_after_one_verification(
    login_user: LoginUser, alice: User, store: MemoryStore, hasher: FakePasswordHasher
) -> None:
    store.users[alice.id].is_active = False

    with pytest.raises(InvalidCredentials):
        await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert hasher.verify_calls == 1


async def test_every_login_failure_gives_the_same_message(
    login_user: LoginUser, alice: User, bob: User, store: MemoryStore
) -> None:
    store.users[bob.id].is_active = False
    attempts = [("alice@example.com", "wrong password"), ("nobody@example.com", PASSWORD),
                ("bob@example.com", PASSWORD)]
    messages = set()
    for email, password in attempts:
        with pytest.raises(InvalidCredentials) as raised:
            await login_user.execute(email=Email(email), password=password)
        messages.add(str(raised.value))

    assert len(messages) == 1


async def test_login_upgrades_a_legacy_hash(
    login_user: LoginUser, alice: User, store: MemoryStore, hasher: FakePasswordHasher
) -> None:
    legacy = hasher.legacy_hash(PASSWORD)
    store.users[alice.id].password_hash = legacy

    await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    upgraded = store.users[alice.id].password_hash
    assert upgraded != legacy
    assert upgraded.value.startswith("fake$")
    assert not hasher.needs_rehash(upgraded)
    assert await hasher.verify(PASSWORD, upgraded)


async def test_login_with_upgraded_hash_still_works(
    login_user: LoginUser, alice: User, store: MemoryStore, hasher: FakePasswordHasher
) -> None:
    store.users[alice.id].password_hash = hasher.legacy_hash(PASSWORD)
    await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    result = await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert result.user == alice


async def test_failed_login_does_not_upgrade_a_legacy_hash(
    login_user: LoginUser, alice: User, store: MemoryStore, hasher: FakePasswordHasher
) -> None:
    legacy = hasher.legacy_hash(PASSWORD)
    store.users[alice.id].password_hash = legacy

    with pytest.raises(InvalidCredentials):
        await login_user.execute(email=Email("alice@example.com"), password="wrong password")

    assert store.users[alice.id].password_hash == legacy
    assert hasher.hash_calls == 1  # only alice's registration


async def test_login_of_inactive_user_does_not_upgrade_a_legacy_hash(
    login_user: LoginUser, alice: User, store: MemoryStore, hasher: FakePasswordHasher
) -> None:
    legacy = hasher.legacy_hash(PASSWORD)
    store.users[alice.id].password_hash = legacy
    store.users[alice.id].is_active = False

    with pytest.raises(InvalidCredentials):
        await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert store.users[alice.id].password_hash == legacy


async def test_login_leaves_a_current_hash_alone(
    login_user: LoginUser, alice: User, store: MemoryStore
) -> None:
    before = store.users[alice.id].password_hash

    await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert store.users[alice.id].password_hash == before


@pytest.mark.parametrize(("registered_form", "login_form"), [("NFC", "NFD"), ("NFD", "NFC")])
async def test_nfc_and_nfd_spellings_of_a_password_both_log_in(
    register_user: RegisterUser, login_user: LoginUser, registered_form: Literal["NFC", "NFD"],
    login_form: Literal["NFC", "NFD"],
) -> None:
    password = "crème brûlée à la ñ"
    registered = unicodedata.normalize(registered_form, password)
    presented = unicodedata.normalize(login_form, password)
    assert registered != presented
    user = await register_user.execute(email=Email("chef@example.com"), password=registered)

    result = await login_user.execute(email=Email("chef@example.com"), password=presented)

    assert result.user == user


async def test_hash_upgrade_does_not_undo_a_deactivation_made_during_login(
    store: MemoryStore, tokens: TokenCodec, clock: FakeClock, alice: User, admin: User,
    throttle: LimitsThrottle,
) -> None:
    hasher = YieldingPasswordHasher()
    store.users[alice.id].password_hash = hasher.legacy_hash(PASSWORD)
    login_user = make_login_user(MemoryUnitOfWork(store), hasher, tokens, throttle, clock)
    update_user_access = UpdateUserAccess(MemoryUnitOfWork(store), clock)

    await asyncio.gather(
        login_user.execute(email=Email("alice@example.com"), password=PASSWORD),
        update_user_access.execute(actor=admin, user_id=alice.id, is_active=False),
    )

    assert not store.users[alice.id].is_active


async def test_login_starts_a_live_session_described_by_the_device(
    login_user: LoginUser, alice: User, store: MemoryStore
) -> None:
    result = await login_user.execute(email=Email("alice@example.com"), password=PASSWORD,
                                      device="Firefox on Linux")

    session = store.sessions[result.tokens.session.id]
    assert session.user_id == alice.id
    assert session.description == "Firefox on Linux"
    assert session.created_at == session.last_used_at == FIXED_NOW
    assert session.expires_at == FIXED_NOW + timedelta(days=30)
    assert session.is_live(FIXED_NOW)


async def test_login_stores_only_the_digest_of_the_refresh_token(
    login_user: LoginUser, alice: User, store: MemoryStore
) -> None:
    tokens = (await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)).tokens
    refresh_token = tokens.refresh_token.value

    assert list(store.refresh_tokens) == [refresh_token_digest(refresh_token)]
    record = store.refresh_tokens[refresh_token_digest(refresh_token)]
    assert (record.session_id, record.created_at, record.used_at) == (
        tokens.session.id, FIXED_NOW, None)
    assert refresh_token not in repr(store)


async def test_login_honours_the_configured_session_lifetime(
    store: MemoryStore, hasher: FakePasswordHasher, tokens: TokenCodec, clock: FakeClock,
    throttle: LimitsThrottle, alice: User,
) -> None:
    login_user = make_login_user(MemoryUnitOfWork(store, clock), hasher, tokens, throttle, clock,
                           session_lifetime=timedelta(hours=8))

    result = await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert store.sessions[result.tokens.session.id].expires_at == FIXED_NOW + timedelta(hours=8)


async def test_each_login_starts_its_own_session(
    login_user: LoginUser, alice: User, store: MemoryStore
) -> None:
    first = await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)
    second = await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert first.tokens.session.id != second.tokens.session.id
    assert first.tokens.refresh_token.value != second.tokens.refresh_token.value
    assert set(store.sessions) == {first.tokens.session.id, second.tokens.session.id}


async def test_a_failed_login_starts_no_session(
    login_user: LoginUser, alice: User, store: MemoryStore
) -> None:
    with pytest.raises(InvalidCredentials):
        await login_user.execute(email=Email("alice@example.com"), password="wrong password")

    assert (store.sessions, store.refresh_tokens) == ({}, {})
