"""The AuditLog contract, unchanged over memory, SQLite and PostgreSQL."""

import json
import uuid
from datetime import timedelta

import pytest

from application.ports import AuditCursor, AuditEventType, AuditQuery, RequestContext
from tests.contract.test_repositories import make_user
from tests.databases import UnitOfWorkFactory
from tests.fakes import FIXED_NOW, FakeClock

CLIENT = RequestContext(client_ip="2001:db8::1", user_agent="Mozilla/5.0", request_id="r-1")


async def test_an_event_round_trips_with_every_field(uow_factory: UnitOfWorkFactory) -> None:
    user_id, actor_id = uuid.uuid4(), uuid.uuid4()
    async with uow_factory(FakeClock()) as uow:
        recorded = await uow.audit_log.record(
            AuditEventType.USER_DEACTIVATED, context=CLIENT, user_id=user_id, actor_id=actor_id,
            detail="by an admin")
        await uow.commit()

    async with uow_factory() as uow:
        [listed] = await uow.audit_log.list(AuditQuery(limit=10))

    assert listed == recorded
    assert listed.occurred_at == FIXED_NOW
    assert listed.occurred_at.utcoffset() == timedelta(0)


async def test_an_event_without_client_or_user_round_trips(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        recorded = await uow.audit_log.record(AuditEventType.LOGIN_FAILED,
                                              context=RequestContext())
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.audit_log.list(AuditQuery(limit=10)) == [recorded]


async def test_a_rolled_back_transaction_keeps_neither_the_change_nor_its_event(
    uow_factory: UnitOfWorkFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="roomkey.audit")
    async with uow_factory() as uow:
        await uow.users.add(make_user("alice@example.com"))
        await uow.audit_log.record(AuditEventType.REGISTER, context=CLIENT)

    async with uow_factory() as uow:
        assert await uow.audit_log.list(AuditQuery(limit=10)) == []
        assert await uow.users.list() == []
    assert caplog.records == []


async def test_a_committed_event_is_logged_once_as_one_json_line(
    uow_factory: UnitOfWorkFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="roomkey.audit")
    async with uow_factory() as uow:
        event = await uow.audit_log.record(AuditEventType.LOGOUT, context=CLIENT,
                                           user_id=uuid.uuid4())
        await uow.commit()
        await uow.commit()

    [record] = caplog.records
    assert record.name == "roomkey.audit"
    logged = json.loads(record.getMessage())
    assert logged["id"] == str(event.id)
    assert (logged["type"], logged["client_ip"], logged["user_agent"], logged["request_id"]) == (
        "logout", CLIENT.client_ip, CLIENT.user_agent, CLIENT.request_id)


async def test_filters_by_user_and_type(uow_factory: UnitOfWorkFactory) -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    async with uow_factory() as uow:
        for user_id, event_type in [(alice, AuditEventType.REGISTER),
                                    (alice, AuditEventType.LOGIN_FAILED),
                                    (bob, AuditEventType.LOGIN_FAILED)]:
            await uow.audit_log.record(event_type, context=CLIENT, user_id=user_id)
        await uow.commit()

    async with uow_factory() as uow:
        alices = await uow.audit_log.list(AuditQuery(limit=10, user_id=alice))
        failures = await uow.audit_log.list(AuditQuery(limit=10,
                                                       type=AuditEventType.LOGIN_FAILED))
        both = await uow.audit_log.list(AuditQuery(limit=10, user_id=bob,
                                                   type=AuditEventType.LOGIN_FAILED))

    assert {e.type for e in alices} == {AuditEventType.REGISTER, AuditEventType.LOGIN_FAILED}
    assert {e.user_id for e in failures} == {alice, bob}
    assert [e.user_id for e in both] == [bob]


async def test_keyset_pages_are_newest_first_even_when_times_are_equal(
    uow_factory: UnitOfWorkFactory,
) -> None:
    clock = FakeClock()
    async with uow_factory(clock) as uow:
        for number in range(9):
            if number % 3 == 0:
                clock.advance(timedelta(milliseconds=1))  # three events share each time
            await uow.audit_log.record(AuditEventType.REGISTER, context=CLIENT)
        await uow.commit()

    seen, after = [], None
    async with uow_factory() as uow:
        everything = await uow.audit_log.list(AuditQuery(limit=100))
        while page := await uow.audit_log.list(AuditQuery(limit=4, after=after)):
            seen += page
            after = AuditCursor(occurred_at=page[-1].occurred_at, id=page[-1].id)

    assert seen == everything
    assert len(seen) == 9
    assert [(e.occurred_at, e.id) for e in seen] == sorted(
        ((e.occurred_at, e.id) for e in seen), reverse=True)
