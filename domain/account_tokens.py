"""One-time account tokens (password reset, email verification): minted, stored as digests."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

# 32 random bytes: 256 bits. Like refresh tokens, full entropy makes a plain SHA-256 digest
# enough to store; the value itself only ever travels in the mail.
ACCOUNT_TOKEN_BYTES = 32


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret
    VERIFY_EMAIL = "verify_email"
    CHANGE_EMAIL = "change_email"


@dataclass(frozen=True, slots=True)
class OneTimeToken:
    """A freshly minted token: the value goes into a link, only the digest is stored."""

    value: str = field(repr=False)
    digest: str

    @classmethod
    def mint(cls) -> "OneTimeToken":
        value = secrets.token_urlsafe(ACCOUNT_TOKEN_BYTES)
        return cls(value=value, digest=account_token_digest(value))


def account_token_digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountToken:
    """What is stored of a token: for whom, for what, for which address, and until when.

    `email` is the address the token proves: the account's for a verification, the new one for
    an email change. A token is spent once used, and dead once revoked or expired.
    """

    digest: str
    user_id: uuid.UUID
    purpose: TokenPurpose
    email: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
