"""Ports: the roles the use cases need filled, as Protocols. Adapters live in infrastructure."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from domain.bookings import Booking, DateRange, Room
from domain.sessions import RefreshTokenRecord, Session
from domain.users import Email, PasswordHash, User


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class PasswordHasher(Protocol):
    """Slow on purpose; async so that adapters hash off the event loop."""

    @property
    def dummy_hash(self) -> PasswordHash:
        """A hash of no one's password, verified against when the email is unknown."""
        ...

    async def hash(self, password: str) -> PasswordHash: ...

    async def verify(self, password: str, password_hash: PasswordHash) -> bool:
        """False for a wrong password and for any hash the adapter cannot check."""
        ...

    def needs_rehash(self, password_hash: PasswordHash) -> bool: ...


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str = field(repr=False)
    token_id: str
    expires_at: datetime
    lifetime_seconds: int


@dataclass(frozen=True, slots=True)
class AccessClaims:
    subject: str
    session_id: str
    token_id: str
    issued_at: datetime
    expires_at: datetime


class TokenCodec(Protocol):
    def issue(self, *, subject: str, session_id: str) -> AccessToken: ...

    def decode(self, token: str) -> AccessClaims:
        """Validate signature and every claim; raise NotAuthenticated for any defect."""
        ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raise EmailAlreadyRegistered when the email is taken, even by a concurrent add."""
        ...

    async def get(self, user_id: uuid.UUID) -> User | None: ...

    async def get_by_email(self, email: Email) -> User | None: ...

    async def lock(self, user_id: uuid.UUID) -> User | None:
        """Get the user and hold it until the transaction ends: read-modify-write of a user
        must not write back a copy that another transaction changed meanwhile."""
        ...

    async def list(self) -> list[User]: ...

    async def update(self, user: User) -> None: ...


class RoomRepository(Protocol):
    async def add(self, room: Room) -> None: ...

    async def get(self, room_id: uuid.UUID) -> Room | None: ...

    async def lock(self, room_id: uuid.UUID) -> Room | None:
        """Get the room and hold it until the transaction ends, so bookings of it serialise."""
        ...

    async def list(self) -> list[Room]: ...


class BookingRepository(Protocol):
    async def add(self, booking: Booking) -> None: ...

    async def get(self, booking_id: uuid.UUID) -> Booking | None: ...

    async def list_for_user(self, user_id: uuid.UUID) -> list[Booking]: ...

    async def list_all(self) -> list[Booking]: ...

    async def count_overlapping(self, room_id: uuid.UUID, dates: DateRange) -> int: ...

    async def delete(self, booking_id: uuid.UUID) -> None: ...


class SessionRepository(Protocol):
    async def add(self, session: Session) -> None: ...

    async def get(self, session_id: uuid.UUID) -> Session | None: ...

    async def lock(self, session_id: uuid.UUID) -> Session | None:
        """Get the session and hold it until the transaction ends (see UserRepository.lock)."""
        ...

    async def update(self, session: Session) -> None: ...

    async def list_for_user(self, user_id: uuid.UUID) -> list[Session]:
        """Newest first."""
        ...

    async def revoke_all(
        self, user_id: uuid.UUID, now: datetime, *, keep: uuid.UUID | None = None
    ) -> None:
        """Revoke every live session of the user except `keep`."""
        ...

    async def live_user(
        self, session_id: uuid.UUID, user_id: uuid.UUID, now: datetime
    ) -> User | None:
        """The user, if this session of theirs is live and they are active: one round trip,
        since it runs on every authenticated request."""
        ...


class RefreshTokenRepository(Protocol):
    async def add(self, record: RefreshTokenRecord) -> None: ...

    async def get(self, digest: str) -> RefreshTokenRecord | None: ...

    async def use(self, digest: str, now: datetime) -> bool:
        """Mark the token used, atomically: True for exactly one of many concurrent callers."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the `async with` block without commit() rolls back."""

    users: UserRepository
    rooms: RoomRepository
    bookings: BookingRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
