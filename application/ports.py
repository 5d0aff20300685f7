"""Ports: the roles the use cases need filled, as Protocols. Adapters live in infrastructure."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from application.mail import OutboxEntry, OutboxStatus, OutgoingMail, QueuedMail
from application.mfa_ports import MfaChallengeRepository, MfaRepository
from domain.account_tokens import AccountToken, TokenPurpose
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

    async def count_live(self, now: datetime) -> int:
        """How many sessions, of every user, are neither revoked nor expired."""
        ...


class RefreshTokenRepository(Protocol):
    async def add(self, record: RefreshTokenRecord) -> None: ...

    async def get(self, digest: str) -> RefreshTokenRecord | None: ...

    async def use(self, digest: str, now: datetime) -> bool:
        """Mark the token used, atomically: True for exactly one of many concurrent callers."""
        ...


class AccountTokenRepository(Protocol):
    """Password-reset and email-verification tokens, by digest."""

    async def add(self, token: AccountToken) -> None: ...

    async def get(self, digest: str) -> AccountToken | None: ...

    async def use(self, digest: str, now: datetime) -> bool:
        """Spend the token, atomically: True for exactly one of many concurrent callers, and
        only while it is unused and unexpired."""
        ...

    async def revoke_all(self, user_id: uuid.UUID, purpose: TokenPurpose, now: datetime) -> None:
        """Spend every unused token of the user for `purpose` (a newer one, a password change)."""
        ...


class Outbox(Protocol):
    """Mail queued inside the unit of work: it is sent only if the transaction commits."""

    async def add(self, mail: OutgoingMail) -> uuid.UUID: ...

    async def list(self, *, status: OutboxStatus | None, limit: int) -> list[OutboxEntry]:
        """Newest first."""
        ...


class Mailer(Protocol):
    """Delivers one queued message (the outbox dispatcher's collaborator, not the use cases')."""

    async def send(self, queued: QueuedMail) -> None:
        """Raise on any failure; the dispatcher retries later with the same Message-ID."""
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
    account_tokens: AccountTokenRepository
    outbox: Outbox

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
    # Recorded by the mail use cases (recovery, verification, email change).
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105
    EMAIL_VERIFICATION_SENT = "email_verification_sent"
    EMAIL_VERIFIED = "email_verified"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"


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
    PASSWORD_RESET_PER_ACCOUNT = "password_reset_per_account"  # noqa: S105
    PASSWORD_RESET_PER_IP = "password_reset_per_ip"  # noqa: S105
    VERIFICATION_PER_ACCOUNT = "verification_per_account"
    VERIFICATION_PER_IP = "verification_per_ip"


class Throttle(Protocol):
    """Counts attempts per scope and key within each scope's configured rate limit."""

    async def hit(self, scope: ThrottleScope, key: str) -> int | None:
        """Count one attempt: None while within the limit; over it, the seconds until the next
        attempt would be allowed (and this one is not counted)."""
        ...

    async def reset(self, scope: ThrottleScope, key: str) -> None: ...


class LoginOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    THROTTLED = "throttled"


class Telemetry(Protocol):
    """Counts what the use cases decide, for the operators' dashboards; never user data."""

    def login(self, outcome: LoginOutcome) -> None:
        """A login attempt that got as far as the password check, or a refusal by a login
        limit (per account or per address)."""
        ...

    def throttled(self, scope: ThrottleScope) -> None:
        """A request refused by a rate limit."""
        ...


class NoTelemetry:
    """Counts nothing: for use cases built without an observer (unit tests, the command line)."""

    def login(self, outcome: LoginOutcome) -> None:
        pass

    def throttled(self, scope: ThrottleScope) -> None:
        pass


NO_TELEMETRY = NoTelemetry()
