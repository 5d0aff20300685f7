"""Ports: the roles the use cases need filled, as Protocols. Adapters live in infrastructure."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from domain.bookings import Booking, DateRange, Room
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

    @property
    def max_password_bytes(self) -> int | None:
        """The longest password (UTF-8 bytes) the active scheme reads in full, if it has a limit."""
        ...


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str = field(repr=False)
    token_id: str
    expires_at: datetime
    lifetime_seconds: int


@dataclass(frozen=True, slots=True)
class AccessClaims:
    subject: str
    token_id: str
    issued_at: datetime
    expires_at: datetime


class TokenCodec(Protocol):
    def issue(self, *, subject: str) -> AccessToken: ...

    def decode(self, token: str) -> AccessClaims:
        """Validate signature and every claim; raise NotAuthenticated for any defect."""
        ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raise EmailAlreadyRegistered when the email is taken, even by a concurrent add."""
        ...

    async def get(self, user_id: uuid.UUID) -> User | None: ...

    async def get_by_email(self, email: Email) -> User | None: ...

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


class RevokedTokenRepository(Protocol):
    """Token ids revoked before they expired (logout); rows may be purged after expiry."""

    async def add(self, token_id: str, expires_at: datetime) -> None: ...

    async def contains(self, token_id: str) -> bool: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the `async with` block without commit() rolls back."""

    users: UserRepository
    rooms: RoomRepository
    bookings: BookingRepository
    revoked_tokens: RevokedTokenRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
