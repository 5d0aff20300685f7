"""The outbox contract on memory, SQLite and PostgreSQL: mail commits with its transaction,
each message is claimed by one sender, retries back off, and stored data stays sealed."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.mail import MailKind, OutboxStatus, OutgoingMail, QueuedMail
from application.ports import UnitOfWork
from infrastructure.mail.cipher import PayloadCipher
from infrastructure.mail.dispatcher import OutboxDispatcher, OutboxQueue
from infrastructure.persistence.database import create_engine_for
from infrastructure.persistence.mail_memory import MemoryOutboxQueue
from infrastructure.persistence.mail_sql import SqlOutboxQueue
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.persistence.sql import SqlUnitOfWork
from infrastructure.persistence.tables import mail_outbox
from tests.fakes import FakeClock

SECRET_TOKEN = "a-token-that-must-never-be-stored-readable"


@dataclass
class Outboxes:
    backend: str
    new_uow: Callable[[], UnitOfWork]
    new_queue: Callable[[], OutboxQueue]
    clock: FakeClock
    stored_payloads: Callable[[], Awaitable[list[bytes]]]


class RecordingMailer:
    def __init__(self, failures: int = 0, delay: float = 0) -> None:
        self.sent: list[QueuedMail] = []
        self.failures = failures
        self.delay = delay

    async def send(self, queued: QueuedMail) -> None:
        await asyncio.sleep(self.delay)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("relay down")
        self.sent.append(queued)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def outboxes(request: pytest.FixtureRequest) -> AsyncIterator[Outboxes]:
    clock = FakeClock()
    cipher = PayloadCipher.from_secret("outbox-contract-secret-0123456789abcdef")
    if request.param == "memory":
        store = MemoryStore()

        async def memory_payloads() -> list[bytes]:
            return [record.payload for record in store.outbox.values()]

        yield Outboxes("memory", lambda: MemoryUnitOfWork(store, clock, cipher),
                       lambda: MemoryOutboxQueue(store, cipher), clock, memory_payloads)
        return
    url = request.getfixturevalue(f"{request.param}_url")
    engine = create_engine_for(url)
    sessions = async_sessionmaker[AsyncSession](engine, expire_on_commit=False)

    async def sql_payloads() -> list[bytes]:
        async with engine.connect() as connection:
            return list((await connection.execute(select(mail_outbox.c.payload))).scalars())

    try:
        yield Outboxes(request.param, lambda: SqlUnitOfWork(sessions, clock, cipher=cipher),
                       lambda: SqlOutboxQueue(sessions, cipher), clock, sql_payloads)
    finally:
        await engine.dispose()


async def _queue(outboxes: Outboxes, count: int = 1, *, commit: bool = True) -> None:
    uow = outboxes.new_uow()
    async with uow:
        for i in range(count):
            await uow.outbox.add(OutgoingMail(MailKind.VERIFY_EMAIL, f"user{i}@example.com",
                                              {"token": SECRET_TOKEN}))
        if commit:
            await uow.commit()


async def _statuses(outboxes: Outboxes) -> list[tuple[str, int]]:
    uow = outboxes.new_uow()
    async with uow:
        entries = await uow.outbox.list(status=None, limit=100)
    return sorted((e.status.value, e.attempts) for e in entries)


async def test_a_rolled_back_change_queues_nothing(outboxes: Outboxes) -> None:
    await _queue(outboxes, commit=False)

    assert await _statuses(outboxes) == []
    mailer = RecordingMailer()
    assert await OutboxDispatcher(outboxes.new_queue(), mailer, outboxes.clock).run_once() == 0


async def test_a_committed_message_is_sent_once_with_its_data(outboxes: Outboxes) -> None:
    await _queue(outboxes)
    mailer = RecordingMailer()
    dispatcher = OutboxDispatcher(outboxes.new_queue(), mailer, outboxes.clock)

    assert await dispatcher.run_once() == 1
    assert await dispatcher.run_once() == 0
    assert [q.mail.data for q in mailer.sent] == [{"token": SECRET_TOKEN}]
    assert await _statuses(outboxes) == [(OutboxStatus.SENT.value, 1)]


async def test_the_data_is_sealed_while_pending_and_gone_once_sent(outboxes: Outboxes) -> None:
    await _queue(outboxes)

    pending = await outboxes.stored_payloads()
    assert len(pending) == 1 and SECRET_TOKEN.encode() not in pending[0]
    await OutboxDispatcher(outboxes.new_queue(), RecordingMailer(), outboxes.clock).run_once()
    assert await outboxes.stored_payloads() == [b""]


async def test_a_failure_backs_off_and_the_retry_keeps_the_message_id(outboxes: Outboxes) -> None:
    await _queue(outboxes)
    mailer = RecordingMailer(failures=1)
    dispatcher = OutboxDispatcher(outboxes.new_queue(), mailer, outboxes.clock,
                                  jitter=lambda: 0.0)

    assert await dispatcher.run_once() == 0
    outboxes.clock.advance(timedelta(seconds=14))
    assert await dispatcher.run_once() == 0  # half of the first 30 s step, not yet
    outboxes.clock.advance(timedelta(seconds=1))
    assert await dispatcher.run_once() == 1
    assert [q.attempts for q in mailer.sent] == [2]
    assert await _statuses(outboxes) == [(OutboxStatus.SENT.value, 2)]


async def test_a_message_whose_sender_died_is_taken_again_after_the_lease(
    outboxes: Outboxes,
) -> None:
    await _queue(outboxes)
    claim, taken = await outboxes.new_queue().claim(outboxes.clock.now(), limit=10,
                                                     lease=timedelta(minutes=2))
    assert len(taken) == 1 and claim

    again = await outboxes.new_queue().claim(outboxes.clock.now(), limit=10,
                                             lease=timedelta(minutes=2))
    assert again[1] == []
    outboxes.clock.advance(timedelta(minutes=2))
    retaken = await outboxes.new_queue().claim(outboxes.clock.now(), limit=10,
                                               lease=timedelta(minutes=2))
    assert [q.id for q in retaken[1]] == [taken[0].id]


async def test_two_dispatchers_send_each_message_once(outboxes: Outboxes) -> None:
    await _queue(outboxes, count=45)
    mailers = [RecordingMailer(delay=0.001), RecordingMailer(delay=0.001)]
    dispatchers = [OutboxDispatcher(outboxes.new_queue(), mailer, outboxes.clock)
                   for mailer in mailers]

    counts = await asyncio.gather(*(d.run_once() for d in dispatchers))

    ids: list[uuid.UUID] = [q.id for mailer in mailers for q in mailer.sent]
    assert sum(counts) == 45
    assert len(ids) == len(set(ids)) == 45
    if outboxes.backend == "postgres":
        # SKIP LOCKED: each takes what the other does not hold, instead of waiting for it.
        assert all(mailer.sent for mailer in mailers), counts


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    low = OutboxDispatcher(None, None, FakeClock(), jitter=lambda: 0.0)  # type: ignore[arg-type]
    high = OutboxDispatcher(None, None, FakeClock(), jitter=lambda: 1.0)  # type: ignore[arg-type]

    assert [low.backoff(n).total_seconds() for n in (1, 2, 3)] == [15, 30, 60]
    assert [high.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert high.backoff(30) == timedelta(hours=2)


def test_a_payload_opens_after_a_key_rotation_and_not_with_another_key() -> None:
    message_id = uuid.uuid4()
    sealed = PayloadCipher.from_secret("old-key").seal(message_id, {"token": SECRET_TOKEN})

    rotated = PayloadCipher.from_secret("new-key", ["old-key"])

    assert rotated.open(message_id, sealed) == {"token": SECRET_TOKEN}
    with pytest.raises(ValueError):
        PayloadCipher.from_secret("new-key").open(message_id, sealed)
    with pytest.raises(ValueError):
        rotated.open(uuid.uuid4(), sealed)  # sealed for another message
