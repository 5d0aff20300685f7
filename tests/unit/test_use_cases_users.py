"""ListUsers and EnsureAdmin."""

import asyncio

import pytest

from application.ensure_admin import EnsureAdmin, EnsureAdminResult
from application.list_users import ListUsers
from application.login_user import LoginUser
from domain.errors import InvalidPassword, PermissionDenied
from domain.passwords import PasswordPolicy
from domain.users import Email, Role, User
from infrastructure.email_addresses import parse_email
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from tests.fakes import FIXED_NOW, FakeClock, FakePasswordHasher
from tests.unit.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, RegisterAs, YieldingPasswordHasher


async def test_admin_lists_every_user(
    list_users: ListUsers, admin: User, alice: User, bob: User
) -> None:
    assert set(await list_users.execute(actor=admin)) == {admin, alice, bob}


async def test_user_may_not_list_users(list_users: ListUsers, alice: User) -> None:
    with pytest.raises(PermissionDenied):
        await list_users.execute(actor=alice)


async def test_ensure_admin_creates_an_admin(
    ensure_admin: EnsureAdmin, store: MemoryStore, hasher: FakePasswordHasher
) -> None:
    result = await ensure_admin.execute(email=parse_email(" Admin@Example.com "),
                                        password=ADMIN_PASSWORD)

    assert result.created
    stored = store.users[result.user.id]
    assert stored.email == Email(ADMIN_EMAIL)
    assert stored.role is Role.ADMIN
    assert stored.is_active
    assert stored.created_at == FIXED_NOW
    assert ADMIN_PASSWORD not in stored.password_hash.value
    assert await hasher.verify(ADMIN_PASSWORD, stored.password_hash)


async def test_ensured_admin_can_log_in(
    ensure_admin: EnsureAdmin, login_user: LoginUser
) -> None:
    created = (await ensure_admin.execute(email=Email(ADMIN_EMAIL), password=ADMIN_PASSWORD)).user

    result = await login_user.execute(email=Email(ADMIN_EMAIL), password=ADMIN_PASSWORD)
    assert result.user == created


async def test_ensure_admin_twice_keeps_the_first_account_and_password(
    ensure_admin: EnsureAdmin, store: MemoryStore, hasher: FakePasswordHasher
) -> None:
    first = await ensure_admin.execute(email=Email(ADMIN_EMAIL), password=ADMIN_PASSWORD)
    original_hash = store.users[first.user.id].password_hash

    second = await ensure_admin.execute(email=Email(ADMIN_EMAIL), password="a brand new password")

    assert not second.created
    assert second.user == first.user
    assert list(store.users) == [first.user.id]
    assert store.users[first.user.id].password_hash == original_hash
    assert not await hasher.verify("a brand new password", original_hash)


async def test_ensure_admin_does_not_promote_an_existing_user(
    ensure_admin: EnsureAdmin, register_as: RegisterAs, store: MemoryStore
) -> None:
    user = await register_as(ADMIN_EMAIL)

    result = await ensure_admin.execute(email=Email(ADMIN_EMAIL), password=ADMIN_PASSWORD)

    assert not result.created
    assert store.users[user.id].role is Role.USER


async def test_ensure_admin_rejects_a_short_password(
    ensure_admin: EnsureAdmin, store: MemoryStore
) -> None:
    with pytest.raises(InvalidPassword):
        await ensure_admin.execute(email=Email(ADMIN_EMAIL), password="short")

    assert store.users == {}


async def test_ensure_admin_run_twice_at_once_creates_one_admin_and_raises_nothing(
    store: MemoryStore, clock: FakeClock, policy: PasswordPolicy
) -> None:
    hasher = YieldingPasswordHasher()
    first = EnsureAdmin(MemoryUnitOfWork(store), hasher, clock, policy)
    second = EnsureAdmin(MemoryUnitOfWork(store), hasher, clock, policy)

    results = await asyncio.gather(
        first.execute(email=Email(ADMIN_EMAIL), password=ADMIN_PASSWORD),
        second.execute(email=Email(ADMIN_EMAIL), password=ADMIN_PASSWORD),
        return_exceptions=True,
    )

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sorted(r.created for r in results if isinstance(r, EnsureAdminResult)) == [False, True]
    assert len(store.users) == 1
