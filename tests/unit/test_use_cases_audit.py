"""Audit events from the use cases, the audit trail's pages, and the per-IP ThrottleClient."""

from datetime import timedelta

import pytest

from application.change_password import ChangePassword
from application.errors import IncorrectPassword, RefreshTokenReused, TooManyAttempts
from application.list_audit_events import ListAuditEvents
from application.login_user import LoginUser
from application.logout_user import LogoutUser
from application.ports import AuditEventType, RequestContext, ThrottleScope
from application.refresh_session import RefreshSession
from application.register_user import RegisterUser
from application.throttle_client import ThrottleClient
from application.update_user_access import UpdateUserAccess
from domain.errors import PermissionDenied
from domain.users import Email, Role, User
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.throttling import LimitsThrottle
from tests.fakes import FIXED_NOW, FakeClock
from tests.unit.conftest import ATTEMPTS_ALLOWED, PASSWORD, LogIn

CLIENT = RequestContext(client_ip="198.51.100.4", user_agent="curl/8", request_id="abc")


def types(store: MemoryStore) -> list[AuditEventType]:
    return [event.type for event in store.audit_events]


async def test_registration_is_audited_with_the_client_and_the_clocks_time(
    register_user: RegisterUser, store: MemoryStore
) -> None:
    user = await register_user.execute(email=Email("alice@example.com"), password=PASSWORD,
                                       context=CLIENT)

    [event] = store.audit_events
    assert (event.type, event.user_id, event.context) == (AuditEventType.REGISTER, user.id, CLIENT)
    assert event.occurred_at == FIXED_NOW


async def test_a_refused_registration_leaves_no_event(
    register_user: RegisterUser, store: MemoryStore, alice: User
) -> None:
    with pytest.raises(Exception, match="exists"):
        await register_user.execute(email=Email("alice@example.com"), password=PASSWORD)

    assert types(store) == [AuditEventType.REGISTER]


async def test_logout_is_audited_with_the_user(
    login_user: LoginUser, logout_user: LogoutUser, alice: User, store: MemoryStore
) -> None:
    tokens = (await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)).tokens

    await logout_user.execute(access_token=tokens.access_token.value, refresh_token=None,
                              context=CLIENT)
    await logout_user.execute(access_token=None, refresh_token=None, context=CLIENT)

    logouts = [e for e in store.audit_events if e.type is AuditEventType.LOGOUT]
    assert [(e.user_id, e.context) for e in logouts] == [(alice.id, CLIENT)]


async def test_a_second_logout_of_one_session_is_not_audited_again(
    login_user: LoginUser, logout_user: LogoutUser, alice: User, store: MemoryStore
) -> None:
    tokens = (await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)).tokens

    await logout_user.execute(access_token=tokens.access_token.value, refresh_token=None,
                              context=CLIENT)
    await logout_user.execute(access_token=tokens.access_token.value,
                              refresh_token=tokens.refresh_token.value, context=CLIENT)

    logouts = [e for e in store.audit_events if e.type is AuditEventType.LOGOUT]
    assert [(e.user_id, e.context) for e in logouts] == [(alice.id, CLIENT)]


async def test_logout_by_refresh_token_alone_is_audited(
    log_in: LogIn, logout_user: LogoutUser, alice: User, store: MemoryStore
) -> None:
    tokens = await log_in()

    await logout_user.execute(access_token=None, refresh_token=tokens.refresh_token.value,
                              context=CLIENT)

    assert store.sessions[tokens.session.id].revoked_at is not None
    assert [(e.type, e.user_id) for e in store.audit_events][-1] == (
        AuditEventType.LOGOUT, alice.id)


async def test_a_logout_with_unknown_tokens_revokes_nothing_and_leaves_no_event(
    log_in: LogIn, logout_user: LogoutUser, alice: User, store: MemoryStore
) -> None:
    await log_in()
    before = list(store.audit_events)

    await logout_user.execute(access_token="not-a-token", refresh_token="not-a-refresh-token",
                              context=CLIENT)

    assert store.audit_events == before


@pytest.mark.parametrize(("is_active", "expected"), [
    (False, AuditEventType.USER_DEACTIVATED), (True, AuditEventType.USER_REACTIVATED)])
async def test_a_change_of_activity_is_audited_naming_the_admin(
    update_user_access: UpdateUserAccess, admin: User, alice: User, store: MemoryStore,
    is_active: bool, expected: AuditEventType,
) -> None:
    if is_active:  # a reactivation needs an inactive user
        await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False)

    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=is_active,
                                     context=CLIENT)

    event = store.audit_events[-1]
    assert (event.type, event.user_id, event.actor_id, event.context) == (
        expected, alice.id, admin.id, CLIENT)


async def test_a_role_change_is_audited_naming_the_admin_and_both_roles(
    update_user_access: UpdateUserAccess, admin: User, alice: User, store: MemoryStore,
) -> None:
    await update_user_access.execute(actor=admin, user_id=alice.id, role=Role.ADMIN,
                                     context=CLIENT)

    event = store.audit_events[-1]
    assert (event.type, event.user_id, event.actor_id, event.context) == (
        AuditEventType.ROLE_CHANGE, alice.id, admin.id, CLIENT)
    assert event.detail == "user -> admin"


async def test_an_update_that_changes_nothing_leaves_no_event(
    update_user_access: UpdateUserAccess, admin: User, alice: User, store: MemoryStore,
) -> None:
    before = list(store.audit_events)

    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=True,
                                     role=Role.USER)

    assert store.audit_events == before


async def test_a_change_of_activity_and_role_together_is_audited_once_each(
    update_user_access: UpdateUserAccess, admin: User, alice: User, store: MemoryStore,
) -> None:
    before = len(store.audit_events)

    await update_user_access.execute(actor=admin, user_id=alice.id, is_active=False,
                                     role=Role.ADMIN)

    assert sorted(e.type for e in store.audit_events[before:]) == sorted(
        [AuditEventType.USER_DEACTIVATED, AuditEventType.ROLE_CHANGE])


async def test_a_refused_access_change_leaves_no_event(
    update_user_access: UpdateUserAccess, admin: User, alice: User, bob: User,
    store: MemoryStore,
) -> None:
    before = list(store.audit_events)

    with pytest.raises(PermissionDenied):
        await update_user_access.execute(actor=alice, user_id=bob.id, is_active=False)
    with pytest.raises(PermissionDenied):
        await update_user_access.execute(actor=admin, user_id=admin.id, role=Role.USER)

    assert store.audit_events == before


async def test_a_refresh_is_audited_with_the_user_and_the_clocks_time(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, store: MemoryStore,
    clock: FakeClock,
) -> None:
    tokens = await log_in()
    clock.advance(timedelta(minutes=5))

    await refresh_session.execute(refresh_token=tokens.refresh_token.value, context=CLIENT)

    event = store.audit_events[-1]
    assert (event.type, event.user_id, event.context, event.occurred_at) == (
        AuditEventType.REFRESH, alice.id, CLIENT, clock.now())


async def test_a_reused_refresh_token_is_audited_and_the_revocation_kept(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, store: MemoryStore,
) -> None:
    tokens = await log_in()
    await refresh_session.execute(refresh_token=tokens.refresh_token.value)

    with pytest.raises(RefreshTokenReused):
        await refresh_session.execute(refresh_token=tokens.refresh_token.value, context=CLIENT)

    event = store.audit_events[-1]
    assert (event.type, event.user_id, event.context) == (
        AuditEventType.REFRESH_REUSE, alice.id, CLIENT)
    assert store.sessions[tokens.session.id].revoked_at is not None


async def test_a_password_change_is_audited_and_a_refused_one_is_not(
    change_password: ChangePassword, log_in: LogIn, alice: User, store: MemoryStore,
) -> None:
    tokens = await log_in()

    with pytest.raises(IncorrectPassword):
        await change_password.execute(actor=store.users[alice.id], session_id=tokens.session.id,
                                      current_password="not the password",
                                      new_password="a new and longer passphrase")
    await change_password.execute(actor=store.users[alice.id], session_id=tokens.session.id,
                                  current_password=PASSWORD,
                                  new_password="a new and longer passphrase", context=CLIENT)

    changes = [e for e in store.audit_events if e.type is AuditEventType.PASSWORD_CHANGE]
    assert [(e.user_id, e.context) for e in changes] == [(alice.id, CLIENT)]


async def test_only_admins_read_the_audit_log(store: MemoryStore, alice: User) -> None:
    with pytest.raises(PermissionDenied):
        await ListAuditEvents(MemoryUnitOfWork(store)).execute(actor=alice, limit=10)


async def test_pages_follow_each_other_newest_first_without_gaps_or_repeats(
    store: MemoryStore, clock: FakeClock, register_user: RegisterUser, admin: User
) -> None:
    for number in range(7):
        clock.advance(timedelta(seconds=number % 3))  # some events share a time
        await register_user.execute(email=Email(f"user{number}@example.com"), password=PASSWORD)
    list_events = ListAuditEvents(MemoryUnitOfWork(store))

    pages, cursor = [], None
    while True:
        page = await list_events.execute(actor=admin, limit=3, after=cursor,
                                         event_type=AuditEventType.REGISTER)
        pages.append(page.events)
        if (cursor := page.next_cursor) is None:
            break

    listed = [event for page in pages for event in page]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert listed == sorted(store.audit_events, key=lambda e: (e.occurred_at, e.id), reverse=True)


async def test_the_log_filters_by_user_and_type(
    store: MemoryStore, login_user: LoginUser, admin: User, alice: User, bob: User,
    clock: FakeClock,
) -> None:
    clock.advance(timedelta(seconds=1))  # events of one instant come in no particular order
    await login_user.execute(email=Email("bob@example.com"), password=PASSWORD)
    list_events = ListAuditEvents(MemoryUnitOfWork(store))

    bobs = await list_events.execute(actor=admin, limit=50, user_id=bob.id)
    logins = await list_events.execute(actor=admin, limit=50,
                                       event_type=AuditEventType.LOGIN_SUCCEEDED)

    assert [e.type for e in bobs.events] == [AuditEventType.LOGIN_SUCCEEDED,
                                             AuditEventType.REGISTER]
    assert [e.user_id for e in logins.events] == [bob.id]


async def test_throttle_client_refuses_over_the_limit_and_audits_it(
    throttle: LimitsThrottle, store: MemoryStore
) -> None:
    throttle_client = ThrottleClient(throttle, MemoryUnitOfWork(store))
    for _ in range(ATTEMPTS_ALLOWED):
        await throttle_client.execute(scope=ThrottleScope.REGISTER_PER_IP, context=CLIENT)

    with pytest.raises(TooManyAttempts):
        await throttle_client.execute(scope=ThrottleScope.REGISTER_PER_IP, context=CLIENT)
    other_ip = RequestContext(client_ip="198.51.100.5")
    await throttle_client.execute(scope=ThrottleScope.REGISTER_PER_IP, context=other_ip)
    await throttle_client.execute(scope=ThrottleScope.REFRESH_PER_IP, context=CLIENT)

    [event] = store.audit_events
    assert (event.type, event.detail, event.context) == (
        AuditEventType.THROTTLED, "register_per_ip", CLIENT)
