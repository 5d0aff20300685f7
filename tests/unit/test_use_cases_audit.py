"""Audit events from the use cases, the audit trail's pages, and the per-IP ThrottleClient."""

from datetime import timedelta

import pytest
from application.set_user_active import SetUserActive

from application.errors import TooManyAttempts
from application.list_audit_events import ListAuditEvents
from application.login_user import LoginUser
from application.logout_user import LogoutUser
from application.ports import AuditEventType, RequestContext, ThrottleScope
from application.register_user import RegisterUser
from application.throttle_client import ThrottleClient
from domain.errors import PermissionDenied
from domain.users import User
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.throttling import LimitsThrottle
from tests.fakes import FIXED_NOW, FakeClock
from tests.unit.conftest import ATTEMPTS_ALLOWED, PASSWORD

CLIENT = RequestContext(client_ip="198.51.100.4", user_agent="curl/8", request_id="abc")


def types(store: MemoryStore) -> list[AuditEventType]:
    return [event.type for event in store.audit_events]


async def test_registration_is_audited_with_the_client_and_the_clocks_time(
    register_user: RegisterUser, store: MemoryStore
) -> None:
    user = await register_user.execute(email="alice@example.com", password=PASSWORD,
                                       context=CLIENT)

    [event] = store.audit_events
    assert (event.type, event.user_id, event.context) == (AuditEventType.REGISTER, user.id, CLIENT)
    assert event.occurred_at == FIXED_NOW


async def test_a_refused_registration_leaves_no_event(
    register_user: RegisterUser, store: MemoryStore, alice: User
) -> None:
    with pytest.raises(Exception, match="exists"):
        await register_user.execute(email="alice@example.com", password=PASSWORD)

    assert types(store) == [AuditEventType.REGISTER]


async def test_logout_is_audited_once_with_the_user(
    login_user: LoginUser, logout_user: LogoutUser, alice: User, store: MemoryStore
) -> None:
    token = (await login_user.execute(email="alice@example.com", password=PASSWORD)).access_token

    await logout_user.execute(token=token.value, context=CLIENT)
    await logout_user.execute(token=token.value, context=CLIENT)
    await logout_user.execute(token=None, context=CLIENT)

    logouts = [e for e in store.audit_events if e.type is AuditEventType.LOGOUT]
    assert [(e.user_id, e.context) for e in logouts] == [(alice.id, CLIENT)]


@pytest.mark.parametrize(("is_active", "expected"), [
    (False, AuditEventType.USER_DEACTIVATED), (True, AuditEventType.USER_REACTIVATED)])
async def test_a_change_of_activity_is_audited_naming_the_admin(
    set_user_active: SetUserActive, admin: User, alice: User, store: MemoryStore,
    is_active: bool, expected: AuditEventType,
) -> None:
    await set_user_active.execute(actor=admin, user_id=alice.id, is_active=is_active,
                                  context=CLIENT)

    event = store.audit_events[-1]
    assert (event.type, event.user_id, event.actor_id) == (expected, alice.id, admin.id)


async def test_a_refused_deactivation_leaves_no_event(
    set_user_active: SetUserActive, alice: User, bob: User, store: MemoryStore
) -> None:
    with pytest.raises(PermissionDenied):
        await set_user_active.execute(actor=alice, user_id=bob.id, is_active=False)

    assert AuditEventType.USER_DEACTIVATED not in types(store)


async def test_only_admins_read_the_audit_log(store: MemoryStore, alice: User) -> None:
    with pytest.raises(PermissionDenied):
        await ListAuditEvents(MemoryUnitOfWork(store)).execute(actor=alice, limit=10)


async def test_pages_follow_each_other_newest_first_without_gaps_or_repeats(
    store: MemoryStore, clock: FakeClock, register_user: RegisterUser, admin: User
) -> None:
    for number in range(7):
        clock.advance(timedelta(seconds=number % 3))  # some events share a time
        await register_user.execute(email=f"user{number}@example.com", password=PASSWORD)
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
    await login_user.execute(email="bob@example.com", password=PASSWORD)
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
