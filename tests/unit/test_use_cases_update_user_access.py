"""UpdateUserAccess: admins (de)activate accounts and change roles, effective at once."""

import uuid

import pytest

from application.authenticate_user import AuthenticateUser
from application.ensure_admin import EnsureAdmin
from application.errors import InvalidCredentials, NotAuthenticated, UserNotFound
from application.list_users import ListUsers
from application.login_user import LoginUser
from application.refresh_session import RefreshSession
from application.update_user_access import UpdateUserAccess
from domain.errors import PermissionDenied
from domain.users import Email, Role, User
from infrastructure.persistence.memory import MemoryStore
from tests.fakes import FakeClock
from tests.unit.conftest import ADMIN_PASSWORD, PASSWORD, LogIn


async def test_admin_deactivates_a_user(
    update_user_access: UpdateUserAccess, admin: User, alice: User, store: MemoryStore
) -> None:
    result = await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False)

    assert not result.is_active
    assert not store.users[alice.id].is_active


async def test_admin_reactivates_a_user(
    update_user_access: UpdateUserAccess, admin: User, alice: User, store: MemoryStore
) -> None:
    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False)

    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=True)

    assert store.users[alice.id].is_active


async def test_user_may_not_deactivate_another_user(
    update_user_access: UpdateUserAccess, alice: User, bob: User, store: MemoryStore
) -> None:
    with pytest.raises(PermissionDenied):
        await update_user_access.execute(actor=alice, user_id=bob.id, is_active=False)

    assert store.users[bob.id].is_active


async def test_user_may_not_deactivate_themself(
    update_user_access: UpdateUserAccess, alice: User, store: MemoryStore
) -> None:
    with pytest.raises(PermissionDenied):
        await update_user_access.execute(actor=alice, user_id=alice.id, is_active=False)

    assert store.users[alice.id].is_active


async def test_admin_may_not_deactivate_themself(
    update_user_access: UpdateUserAccess, admin: User, store: MemoryStore
) -> None:
    with pytest.raises(PermissionDenied):
        await update_user_access.execute(actor=admin, user_id=admin.id, is_active=False)

    assert store.users[admin.id].is_active


async def test_setting_an_unknown_user_active_reports_not_found(
    update_user_access: UpdateUserAccess, admin: User
) -> None:
    with pytest.raises(UserNotFound):
        await update_user_access.execute(actor=admin, user_id=uuid.uuid4(), is_active=False)


async def test_deactivated_user_can_no_longer_log_in(
    update_user_access: UpdateUserAccess, login_user: LoginUser, admin: User, alice: User
) -> None:
    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False)

    with pytest.raises(InvalidCredentials):
        await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)


async def test_deactivated_users_existing_token_no_longer_authenticates(
    update_user_access: UpdateUserAccess, authenticate_user: AuthenticateUser, log_in: LogIn,
    admin: User, alice: User,
) -> None:
    tokens = await log_in()

    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False)

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=tokens.access_token.value)


async def test_reactivated_user_can_log_in_again(
    update_user_access: UpdateUserAccess, login_user: LoginUser, admin: User, alice: User
) -> None:
    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False)
    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=True)

    result = await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)
    assert result.user == alice


async def test_deactivated_admin_loses_admin_powers(
    update_user_access: UpdateUserAccess, ensure_admin: EnsureAdmin, list_users: ListUsers,
    admin: User, store: MemoryStore,
) -> None:
    other_admin = (await ensure_admin.execute(email=Email("root@example.com"),
                                              password=ADMIN_PASSWORD)).user
    await update_user_access.execute(actor=other_admin, user_id=admin.id, is_active=False)

    with pytest.raises(PermissionDenied):
        await list_users.execute(actor=store.users[admin.id])


async def test_deactivation_revokes_every_session_of_the_user_only(
    update_user_access: UpdateUserAccess, refresh_session: RefreshSession, log_in: LogIn,
    admin: User, alice: User, bob: User, store: MemoryStore, clock: FakeClock,
) -> None:
    alices = [await log_in(), await log_in()]
    bobs = await log_in("bob@example.com")

    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False)

    for tokens in alices:
        assert store.sessions[tokens.session.id].revoked_at == clock.now()
        with pytest.raises(NotAuthenticated):
            await refresh_session.execute(refresh_token=tokens.refresh_token.value)
    assert store.sessions[bobs.session.id].revoked_at is None


async def test_reactivation_does_not_revive_old_sessions(
    update_user_access: UpdateUserAccess, authenticate_user: AuthenticateUser, log_in: LogIn,
    admin: User, alice: User,
) -> None:
    tokens = await log_in()
    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False)

    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=True)

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=tokens.access_token.value)


async def test_admin_promotes_a_user_effective_on_the_next_request(
    update_user_access: UpdateUserAccess, authenticate_user: AuthenticateUser,
    list_users: ListUsers, log_in: LogIn, admin: User, alice: User, store: MemoryStore,
) -> None:
    tokens = await log_in()

    result = await update_user_access.execute(actor=admin, user_id=alice.id, role=Role.ADMIN)

    assert result.role is Role.ADMIN
    assert store.users[alice.id].role is Role.ADMIN
    acting = (await authenticate_user.execute(token=tokens.access_token.value)).user
    assert acting.role is Role.ADMIN
    assert alice in await list_users.execute(actor=acting)


async def test_a_role_change_keeps_the_sessions_but_not_the_powers(
    update_user_access: UpdateUserAccess, authenticate_user: AuthenticateUser,
    ensure_admin: EnsureAdmin, list_users: ListUsers, log_in: LogIn, admin: User,
    store: MemoryStore,
) -> None:
    root = (await ensure_admin.execute(email=Email("root@example.com"),
                                       password=ADMIN_PASSWORD)).user
    demoted = await log_in(admin.email.value, password=ADMIN_PASSWORD)

    await update_user_access.execute(actor=root, user_id=admin.id, role=Role.USER)

    acting = (await authenticate_user.execute(token=demoted.access_token.value)).user
    assert acting.role is Role.USER
    assert store.sessions[demoted.session.id].revoked_at is None
    with pytest.raises(PermissionDenied):
        await list_users.execute(actor=acting)


async def test_role_and_activity_change_together(
    update_user_access: UpdateUserAccess, admin: User, alice: User, store: MemoryStore
) -> None:
    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False,
                                     role=Role.ADMIN)

    assert (store.users[alice.id].is_active, store.users[alice.id].role) == (False, Role.ADMIN)


async def test_an_update_without_changes_changes_nothing(
    update_user_access: UpdateUserAccess, log_in: LogIn, admin: User, alice: User,
    store: MemoryStore,
) -> None:
    tokens = await log_in()

    result = await update_user_access.execute(actor=admin, user_id=alice.id)

    assert (result.is_active, result.role) == (True, Role.USER)
    assert store.sessions[tokens.session.id].revoked_at is None


@pytest.mark.parametrize(("role", "is_active"), [(Role.USER, None), (None, False),
                                                 (Role.ADMIN, True)])
async def test_admin_may_not_change_their_own_access(
    update_user_access: UpdateUserAccess, admin: User, store: MemoryStore,
    role: Role | None, is_active: bool | None,
) -> None:
    with pytest.raises(PermissionDenied):
        await update_user_access.execute(actor=admin, user_id=admin.id, role=role,
                                         is_active=is_active)

    assert (store.users[admin.id].role, store.users[admin.id].is_active) == (Role.ADMIN, True)


async def test_user_may_not_change_roles(
    update_user_access: UpdateUserAccess, alice: User, bob: User, store: MemoryStore
) -> None:
    for target in (alice, bob):
        with pytest.raises(PermissionDenied):
            await update_user_access.execute(actor=alice, user_id=target.id, role=Role.ADMIN)

    assert {store.users[alice.id].role, store.users[bob.id].role} == {Role.USER}
