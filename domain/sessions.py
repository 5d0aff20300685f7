"""Sessions (one per device login) and the opaque, single-use refresh tokens that extend them."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_DESCRIPTION_LENGTH = 200
# 32 random bytes: 256 bits, beyond guessing; stored only as a SHA-256 digest, which suffices
# (unlike for passwords) because the token has full entropy.
REFRESH_TOKEN_BYTES = 32


@dataclass(slots=True, kw_only=True, eq=False)
class Session:
    """A device's login. It ends when revoked or at its absolute expiry, however often refreshed."""

    id: uuid.UUID
    user_id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    description: str = ""
    # When the user last proved who they are in this session (password or second factor);
    # None for sessions older than the record, which therefore never count as recent.
    authenticated_at: datetime | None = None

    @classmethod
    def start(
        cls, *, user_id: uuid.UUID, now: datetime, lifetime: timedelta, description: str
    ) -> "Session":
        if now.tzinfo is None:
            raise ValueError("session times must be timezone-aware")
        return cls(id=uuid.uuid4(), user_id=user_id, created_at=now, last_used_at=now,
                   expires_at=now + lifetime, description=description[:MAX_DESCRIPTION_LENGTH],
                   authenticated_at=now)

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now

    def reauthenticate(self, now: datetime) -> None:
        self.authenticated_at = now

    def authenticated_within(self, max_age: timedelta, now: datetime) -> bool:
        """Step-up: did the user prove who they are in this session within `max_age`?"""
        return self.authenticated_at is not None and now - self.authenticated_at <= max_age

    def touch(self, now: datetime) -> None:
        self.last_used_at = now

    def remaining(self, now: datetime) -> timedelta:
        return max(self.expires_at - now, timedelta(0))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Session) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A freshly minted refresh token: the value goes to the client, only the digest is stored."""

    value: str = field(repr=False)
    digest: str

    @classmethod
    def mint(cls) -> "RefreshToken":
        value = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
        return cls(value=value, digest=refresh_token_digest(value))


def refresh_token_digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RefreshTokenRecord:
    """What is stored of a refresh token: its digest, its session, and when it was used up."""

    digest: str
    session_id: uuid.UUID
    created_at: datetime
    used_at: datetime | None = None
