"""Users: the Email and PasswordHash value objects, the Role enum and the User entity."""

import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidEmail

# The invariant of a normal form, not the syntax rule: that is infrastructure.email_addresses's
# (email-validator's). Every address stored so far meets it, so loading old rows never fails.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_LENGTH = 254
# An erased account's email: unique (so the unique index holds) and, under the reserved
# .invalid top-level domain (RFC 2606), never anyone's address.
ERASED_EMAIL_DOMAIN = "erased.invalid"
# No hash scheme produces this, so no password ever verifies against it.
UNUSABLE_PASSWORD_HASH = "!"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True, slots=True)
class Email:
    """An email address in its normal form: lower-cased, so that equality, the login throttle
    and the unique index on lower(email) all mean the same thing.

    It refuses other spellings instead of fixing them: addresses from outside become an Email
    through `infrastructure.email_addresses.parse_email`, the one place that says what a valid
    address is and how it is normalised.
    """

    value: str

    def __post_init__(self) -> None:
        value = self.value
        if (len(value) > MAX_EMAIL_LENGTH or value != value.lower()
                or not _EMAIL_SHAPE.fullmatch(value)):
            raise InvalidEmail()

    @property
    def local_part(self) -> str:
        return self.value.rsplit("@", 1)[0]

    @property
    def domain(self) -> str:
        return self.value.rsplit("@", 1)[1]

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class PasswordHash:
    """A password hash in PHC / modular-crypt form. Its repr never shows the hash."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "PasswordHash('********')"


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


@dataclass(slots=True, kw_only=True, eq=False)
class User:
    """A registered account. Two users are the same user when their ids are equal."""

    id: uuid.UUID
    email: Email
    password_hash: PasswordHash
    role: Role = Role.USER
    is_active: bool = True
    created_at: datetime
    # A confirmed second factor: logins then need a code too (the secret lives in domain.mfa).
    mfa_enabled: bool = False
    # Proven by following a link sent to the address (or by a password reset through it).
    email_verified: bool = False

    @classmethod
    def register(
        cls, *, email: Email, password_hash: PasswordHash, now: datetime, role: Role = Role.USER,
        email_verified: bool = False,
    ) -> "User":
        if now.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        return cls(id=uuid.uuid4(), email=email, password_hash=password_hash, role=role,
                   created_at=now, email_verified=email_verified)

    def erase(self) -> None:
        """Deleting an account keeps its row (bookings and the audit trail refer to its id) but
        nothing that identifies or authenticates a person: no email, no password, no access."""
        self.email = Email(f"{secrets.token_hex(16)}@{ERASED_EMAIL_DOMAIN}")
        self.password_hash = PasswordHash(UNUSABLE_PASSWORD_HASH)
        self.role = Role.USER
        self.is_active = False
        self.mfa_enabled = False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
