"""The in-memory backend: repositories over one shared store, copy-on-begin transactions."""

import asyncio
import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self

from application.errors import EmailAlreadyRegistered
from application.mfa_ports import MfaChallengeRepository, MfaRepository
from application.ports import (
    AccountTokenRepository,
    AuditEvent,
    AuditLog,
    AuditQuery,
    BookingRepository,
    Clock,
    Outbox,
    RefreshTokenRepository,
    RoomRepository,
    SessionRepository,
    UserRepository,
)
from domain.account_tokens import AccountToken
from domain.bookings import Booking, DateRange, Room
from domain.mfa import MfaChallenge, TotpCredential
from domain.sessions import RefreshTokenRecord, Session
from domain.users import Email, User
from infrastructure.clock import SystemClock
from infrastructure.mail.cipher import PayloadCipher
from infrastructure.persistence.audit import RecordingAuditLog, log_committed
from infrastructure.persistence.mail_memory import (
    MemoryAccountTokenRepository,
    MemoryOutbox,
    OutboxRecord,
)
from infrastructure.persistence.mfa_memory import MemoryMfaChallengeRepository, MemoryMfaRepository


@dataclass
class MemoryStore:
    """The data of one in-memory database. The lock serialises transactions, like SERIALIZABLE."""

    users: dict[uuid.UUID, User] = field(default_factory=dict)
    rooms: dict[uuid.UUID, Room] = field(default_factory=dict)
    bookings: dict[uuid.UUID, Booking] = field(default_factory=dict)
    sessions: dict[uuid.UUID, Session] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshTokenRecord] = field(default_factory=dict)
    audit_events: list[AuditEvent] = field(default_factory=list)
    totp_credentials: dict[uuid.UUID, TotpCredential] = field(default_factory=dict)
    recovery_codes: dict[str, uuid.UUID] = field(default_factory=dict)
    mfa_challenges: dict[str, MfaChallenge] = field(default_factory=dict)
    account_tokens: dict[str, AccountToken] = field(default_factory=dict)
    outbox: dict[uuid.UUID, OutboxRecord] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def snapshot(self) -> "MemoryStore":
        return MemoryStore(
            users=copy.deepcopy(self.users),
            rooms=copy.deepcopy(self.rooms),
            bookings=copy.deepcopy(self.bookings),
            sessions=copy.deepcopy(self.sessions),
            refresh_tokens=dict(self.refresh_tokens),
            audit_events=list(self.audit_events),  # events are immutable: a shallow copy will do
            totp_credentials=dict(self.totp_credentials),  # frozen values, likewise
            recovery_codes=dict(self.recovery_codes),
            mfa_challenges=dict(self.mfa_challenges),
            account_tokens=dict(self.account_tokens),  # immutable records, like refresh tokens
            outbox=dict(self.outbox),
        )


class MemoryUserRepository:
    def __init__(self, data: MemoryStore) -> None:
        self._data = data

    async def add(self, user: User) -> None:
        if await self.get_by_email(user.email) is not None:
            raise EmailAlreadyRegistered()
        self._data.users[user.id] = copy.deepcopy(user)

    async def get(self, user_id: uuid.UUID) -> User | None:
        return copy.deepcopy(self._data.users.get(user_id))

    async def get_by_email(self, email: Email) -> User | None:
        found = next((u for u in self._data.users.values() if u.email == email), None)
        return copy.deepcopy(found)

    async def lock(self, user_id: uuid.UUID) -> User | None:
        # The unit of work already holds the store's lock for the whole transaction.
        return await self.get(user_id)

    async def list(self) -> list[User]:
        users = sorted(self._data.users.values(), key=lambda u: (u.created_at, u.email.value))
        return copy.deepcopy(users)

    async def update(self, user: User) -> None:
        """Like SQL's UPDATE: a user that is not stored is left out, a taken email refused."""
        if user.id not in self._data.users:
            return
        holder = await self.get_by_email(user.email)
        if holder is not None and holder.id != user.id:
            raise EmailAlreadyRegistered()
        self._data.users[user.id] = copy.deepcopy(user)


class MemoryRoomRepository:
    def __init__(self, data: MemoryStore) -> None:
        self._data = data

    async def add(self, room: Room) -> None:
        self._data.rooms[room.id] = copy.deepcopy(room)

    async def get(self, room_id: uuid.UUID) -> Room | None:
        return copy.deepcopy(self._data.rooms.get(room_id))

    async def lock(self, room_id: uuid.UUID) -> Room | None:
        # The unit of work already holds the store's lock for the whole transaction.
        return await self.get(room_id)

    async def list(self) -> list[Room]:
        return copy.deepcopy(sorted(self._data.rooms.values(), key=lambda r: (r.name, str(r.id))))


class MemoryBookingRepository:
    def __init__(self, data: MemoryStore) -> None:
        self._data = data

    async def add(self, booking: Booking) -> None:
        self._data.bookings[booking.id] = copy.deepcopy(booking)

    async def get(self, booking_id: uuid.UUID) -> Booking | None:
        return copy.deepcopy(self._data.bookings.get(booking_id))

    async def list_for_user(self, user_id: uuid.UUID) -> list[Booking]:
        return [b for b in await self.list_all() if b.user_id == user_id]

    async def list_all(self) -> list[Booking]:
        ordered = sorted(self._data.bookings.values(), key=lambda b: (b.dates.start, str(b.id)))
        return copy.deepcopy(ordered)

    async def count_overlapping(self, room_id: uuid.UUID, dates: DateRange) -> int:
        return sum(1 for b in self._data.bookings.values()
                   if b.room_id == room_id and b.dates.overlaps(dates))

    async def delete(self, booking_id: uuid.UUID) -> None:
        self._data.bookings.pop(booking_id, None)


class MemorySessionRepository:
    def __init__(self, data: MemoryStore) -> None:
        self._data = data

    async def add(self, session: Session) -> None:
        self._data.sessions[session.id] = copy.deepcopy(session)

    async def get(self, session_id: uuid.UUID) -> Session | None:
        return copy.deepcopy(self._data.sessions.get(session_id))

    async def lock(self, session_id: uuid.UUID) -> Session | None:
        return await self.get(session_id)

    async def update(self, session: Session) -> None:
        if session.id in self._data.sessions:
            self._data.sessions[session.id] = copy.deepcopy(session)

    async def list_for_user(self, user_id: uuid.UUID) -> list[Session]:
        mine = [s for s in self._data.sessions.values() if s.user_id == user_id]
        return copy.deepcopy(sorted(mine, key=lambda s: (s.created_at, s.id.hex), reverse=True))

    async def revoke_all(
        self, user_id: uuid.UUID, now: datetime, *, keep: uuid.UUID | None = None
    ) -> None:
        for session in self._data.sessions.values():
            if session.user_id == user_id and session.id != keep:
                session.revoke(now)

    async def live_user(
        self, session_id: uuid.UUID, user_id: uuid.UUID, now: datetime
    ) -> User | None:
        session = self._data.sessions.get(session_id)
        user = self._data.users.get(user_id)
        if session is None or user is None or session.user_id != user_id:
            return None
        return copy.deepcopy(user) if session.is_live(now) and user.is_active else None

    async def count_live(self, now: datetime) -> int:
        return sum(1 for session in self._data.sessions.values() if session.is_live(now))


class MemoryRefreshTokenRepository:
    def __init__(self, data: MemoryStore) -> None:
        self._data = data

    async def add(self, record: RefreshTokenRecord) -> None:
        self._data.refresh_tokens[record.digest] = record

    async def get(self, digest: str) -> RefreshTokenRecord | None:
        return self._data.refresh_tokens.get(digest)

    async def use(self, digest: str, now: datetime) -> bool:
        record = self._data.refresh_tokens.get(digest)
        if record is None or record.used_at is not None:
            return False
        self._data.refresh_tokens[digest] = replace(record, used_at=now)
        return True


class MemoryAuditLog(RecordingAuditLog):
    def __init__(self, events: list[AuditEvent], clock: Clock) -> None:
        super().__init__(clock)
        self._events = events

    async def _store(self, event: AuditEvent) -> None:
        self._events.append(event)

    async def list(self, query: AuditQuery) -> list[AuditEvent]:
        matching = [
            event for event in self._events
            if (query.user_id is None or event.user_id == query.user_id)
            and (query.type is None or event.type is query.type)
            and (query.after is None
                 or (event.occurred_at, event.id) < (query.after.occurred_at, query.after.id))
        ]
        matching.sort(key=lambda event: (event.occurred_at, event.id), reverse=True)
        return matching[:query.limit]


class MemoryUnitOfWork:
    """Works on a snapshot of the store; commit() publishes it. Re-enterable one block at a time."""

    users: UserRepository
    rooms: RoomRepository
    bookings: BookingRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository
    audit_log: AuditLog
    mfa: MfaRepository
    mfa_challenges: MfaChallengeRepository
    account_tokens: AccountTokenRepository
    outbox: Outbox

    def __init__(
        self, store: MemoryStore, clock: Clock | None = None, cipher: PayloadCipher | None = None
    ) -> None:
        self._store = store
        self._clock = clock or SystemClock()
        self._cipher = cipher or PayloadCipher.ephemeral()
        self._work: MemoryStore | None = None
        self._audit: MemoryAuditLog | None = None

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self._begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = None
        self._store.lock.release()

    async def commit(self) -> None:
        if self._work is None:
            raise RuntimeError("commit() outside of a transaction")
        self._store.users = self._work.users
        self._store.rooms = self._work.rooms
        self._store.bookings = self._work.bookings
        self._store.sessions = self._work.sessions
        self._store.refresh_tokens = self._work.refresh_tokens
        self._store.audit_events = self._work.audit_events
        self._store.totp_credentials = self._work.totp_credentials
        self._store.recovery_codes = self._work.recovery_codes
        self._store.mfa_challenges = self._work.mfa_challenges
        self._store.account_tokens = self._work.account_tokens
        self._store.outbox = self._work.outbox
        if self._audit is not None:
            log_committed(self._audit.recorded)
        self._begin()

    def _begin(self) -> None:
        self._work = self._store.snapshot()
        self.users = MemoryUserRepository(self._work)
        self.rooms = MemoryRoomRepository(self._work)
        self.bookings = MemoryBookingRepository(self._work)
        self.sessions = MemorySessionRepository(self._work)
        self.refresh_tokens = MemoryRefreshTokenRepository(self._work)
        self.audit_log = self._audit = MemoryAuditLog(self._work.audit_events, self._clock)
        self.mfa = MemoryMfaRepository(self._work.totp_credentials, self._work.recovery_codes)
        self.mfa_challenges = MemoryMfaChallengeRepository(self._work.mfa_challenges)
        self.account_tokens = MemoryAccountTokenRepository(self._work.account_tokens)
        self.outbox = MemoryOutbox(self._work.outbox, self._cipher, self._clock)


async def memory_ping() -> bool:
    """The in-memory database is always there while the process is."""
    return True
