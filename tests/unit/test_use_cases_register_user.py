"""RegisterUser: normalised, unique emails and hashed passwords."""

import asyncio

import pytest

from application.errors import EmailAlreadyRegistered
from application.register_user import RegisterUser
from domain.errors import InvalidPassword
from domain.passwords import PasswordPolicy
from domain.users import Email, Role
from infrastructure.email_addresses import parse_email
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from tests.fakes import FIXED_NOW, FakeClock, FakePasswordHasher
from tests.unit.conftest import PASSWORD, YieldingPasswordHasher


async def test_register_stores_a_user_with_normalised_email(
    register_user: RegisterUser, store: MemoryStore
) -> None:
    user = await register_user.execute(email=parse_email("  Alice@Example.COM "),
                                       password=PASSWORD)

    stored = store.users[user.id]
    assert stored.email == Email("alice@example.com")
    assert stored.email.value == "alice@example.com"


async def test_register_stores_a_hash_not_the_password(
    register_user: RegisterUser, store: MemoryStore, hasher: FakePasswordHasher
) -> None:
    user = await register_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    stored_hash = store.users[user.id].password_hash
    assert PASSWORD not in stored_hash.value
    assert await hasher.verify(PASSWORD, stored_hash)


async def test_register_gives_an_active_user_role_created_at_clock_time(
    register_user: RegisterUser, store: MemoryStore
) -> None:
    user = await register_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    stored = store.users[user.id]
    assert stored.role is Role.USER
    assert stored.is_active
    assert stored.created_at == FIXED_NOW


async def test_register_hashes_the_nfkc_normalised_password(
    register_user: RegisterUser, store: MemoryStore, hasher: FakePasswordHasher
) -> None:
    user = await register_user.execute(email=Email("alice@example.com"), password="ﬁne password")

    assert await hasher.verify("fine password", store.users[user.id].password_hash)


@pytest.mark.parametrize("same_email", ["alice@example.com", "ALICE@example.com",
                                        "  Alice@Example.Com "])
async def test_register_rejects_an_email_already_registered(
    register_user: RegisterUser, store: MemoryStore, same_email: str
) -> None:
    first = await register_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    with pytest.raises(EmailAlreadyRegistered):
        await register_user.execute(email=parse_email(same_email), password="another password")

    assert list(store.users) == [first.id]


@pytest.mark.parametrize("password", ["", "short", "7 chars", "p" * 129])
async def test_register_rejects_a_password_against_policy_and_stores_nothing(
    register_user: RegisterUser, store: MemoryStore, hasher: FakePasswordHasher, password: str
) -> None:
    with pytest.raises(InvalidPassword):
        await register_user.execute(email=Email("alice@example.com"), password=password)

    assert store.users == {}
    assert hasher.hash_calls == 0


async def test_concurrent_registrations_of_one_email_store_one_user(
    store: MemoryStore, clock: FakeClock, policy: PasswordPolicy
) -> None:
    hasher = YieldingPasswordHasher()
    attempts = [RegisterUser(MemoryUnitOfWork(store), hasher, clock, policy).execute(
        email=Email("alice@example.com"), password=PASSWORD) for _ in range(3)]

    results = await asyncio.gather(*attempts, return_exceptions=True)

    assert sum(isinstance(r, EmailAlreadyRegistered) for r in results) == 2
    assert len(store.users) == 1


async def test_register_refuses_a_password_longer_than_the_hashers_byte_limit(
    store: MemoryStore, clock: FakeClock, policy: PasswordPolicy
) -> None:
    bcrypt_like = FakePasswordHasher(max_password_bytes=72)
    register_user = RegisterUser(MemoryUnitOfWork(store), bcrypt_like, clock, policy)

    with pytest.raises(InvalidPassword, match="72 bytes"):
        await register_user.execute(email=Email("alice@example.com"), password="ü" * 40)

    assert store.users == {}
    assert bcrypt_like.hash_calls == 0


@pytest.mark.parametrize("password", ["Password1", "alice-is-here"])
async def test_register_refuses_a_common_password_or_the_email_name(
    register_user: RegisterUser, store: MemoryStore, password: str
) -> None:
    with pytest.raises(InvalidPassword):
        await register_user.execute(email=Email("alice@example.com"), password=password)

    assert store.users == {}
