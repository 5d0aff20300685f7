"""Ports: the roles the use cases need filled, as Protocols. Adapters live in infrastructure."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from application.mfa_ports import MfaChallengeRepository, MfaRepository
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

    @property
    def max_password_bytes(self) -> int | None:
        """The longest password (UTF-8 bytes) the active scheme reads in full, if it has a limit."""
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
    audit_log: "AuditLog"
    mfa: MfaRepository
    mfa_challenges: MfaChallengeRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who is asking, as the interface saw it; recorded with every audit event."""

    client_ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


# For callers with no client to speak of: start-up, the command line, tests.
NO_REQUEST_CONTEXT = RequestContext()


class AuditEventType(StrEnum):
    REGISTER = "register"
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    THROTTLED = "throttled"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    # Recorded by the session use cases (refresh tokens, password and role changes).
    REFRESH = "refresh"
    REFRESH_REUSE = "refresh_reuse"
    PASSWORD_CHANGE = "password_change"  # noqa: S105 - an event name, not a secret
    ROLE_CHANGE = "role_change"
    # Recorded by the second-factor and step-up use cases.
    PASSWORD_CHECK_FAILED = "password_check_failed"  # noqa: S105 - an event name
    MFA_REQUIRED = "mfa_required"  # the password was right; the second factor is awaited
    MFA_FAILED = "mfa_failed"
    MFA_ENABLED = "mfa_enabled"
    MFA_DISABLED = "mfa_disabled"
    RECOVERY_CODE_USED = "recovery_code_used"  # the hook for telling the user by mail
    RECOVERY_CODES_REPLACED = "recovery_codes_replaced"
    REAUTHENTICATED = "reauthenticated"
    ACCOUNT_DELETED = "account_deleted"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One security-relevant event. Never holds a password, a hash or a token."""

    id: uuid.UUID
    type: AuditEventType
    occurred_at: datetime
    context: RequestContext
    user_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None  # who acted, when someone else than the user (an admin)
    detail: str = ""  # e.g. which limit was hit


@dataclass(frozen=True, slots=True)
class AuditCursor:
    """Where a page of events ended: keyset pagination on (occurred_at, id), newest first."""

    occurred_at: datetime
    id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditQuery:
    limit: int
    user_id: uuid.UUID | None = None
    type: AuditEventType | None = None
    after: AuditCursor | None = None


class AuditLog(Protocol):
    """The audit trail, inside a unit of work: an event is kept only if its transaction commits.

    Adapters stamp each event with a new id and the injected clock's time, store it, and write
    it as a structured log line once committed.
    """

    async def record(
        self, event_type: AuditEventType, *, context: RequestContext,
        user_id: uuid.UUID | None = None, actor_id: uuid.UUID | None = None, detail: str = "",
    ) -> AuditEvent: ...

    async def list(self, query: AuditQuery) -> list[AuditEvent]:
        """Newest first: the events older than `query.after`, at most `query.limit` of them."""
        ...


class Fingerprint(Protocol):
    """A keyed one-way name for personal data (an email, an address): the same input always
    gives the same fingerprint, so attempts on one account can be counted and grouped, but
    without the key nobody can test a guess of what it names."""

    def of(self, value: str) -> str: ...


class ThrottleScope(StrEnum):
    LOGIN_PER_ACCOUNT = "login_per_account"
    LOGIN_PER_IP = "login_per_ip"
    REGISTER_PER_IP = "register_per_ip"
    REFRESH_PER_IP = "refresh_per_ip"
    MFA_PER_ACCOUNT = "mfa_per_account"


class Throttle(Protocol):
    """Counts attempts per scope and key within each scope's configured rate limit."""

    async def hit(self, scope: ThrottleScope, key: str) -> int | None:
        """Count one attempt: None while within the limit; over it, the seconds until the next
        attempt would be allowed (and this one is not counted)."""
        ...

    async def reset(self, scope: ThrottleScope, key: str) -> None: ...
