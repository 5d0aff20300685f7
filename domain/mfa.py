"""The second factor: a TOTP credential, its recovery codes, and the challenge between two steps."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

RECOVERY_CODE_COUNT = 10
# 16 characters of base32: 80 bits, beyond guessing even offline, so a plain SHA-256 digest
# stores them safely (as for refresh tokens); grouped by four to be copied by hand.
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_RECOVERY_LENGTH = 16
MFA_TOKEN_BYTES = 32
MFA_TOKEN_LIFETIME = timedelta(minutes=5)
MAX_FAILED_CODES = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class TotpCredential:
    """A user's TOTP secret, sealed (encrypted) by the application's secret box.

    Active once confirmed: a code proved that the user's authenticator holds the secret.
    `last_step` is the time step of the last accepted code, so no code works twice.
    """

    user_id: uuid.UUID
    sealed_secret: bytes = field(repr=False)
    created_at: datetime
    confirmed_at: datetime | None = None
    last_step: int | None = None

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None


def new_recovery_codes() -> list[str]:
    """Ten fresh codes, to be shown once; only their digests are kept."""
    return [_grouped("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH)))
            for _ in range(RECOVERY_CODE_COUNT)]


def recovery_code_digest(code: str) -> str:
    """The digest of a code as typed: case, spaces and dashes do not matter."""
    canonical = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(canonical.encode()).hexdigest()


def _grouped(text: str) -> str:
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


@dataclass(frozen=True, slots=True, kw_only=True)
class MfaChallenge:
    """The state between a verified password and the second factor (the opaque MFA token).

    Bound to one user; usable once; dead after MFA_TOKEN_LIFETIME or MAX_FAILED_CODES wrong
    codes. Only the token's digest is stored.
    """

    digest: str
    user_id: uuid.UUID
    expires_at: datetime
    failed_codes: int = 0
    used_at: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at and (
            self.failed_codes < MAX_FAILED_CODES)


@dataclass(frozen=True, slots=True)
class MfaToken:
    """A freshly minted MFA token: the value goes to the client, the challenge is stored."""

    value: str = field(repr=False)
    challenge: MfaChallenge

    @classmethod
    def mint(cls, *, user_id: uuid.UUID, now: datetime) -> "MfaToken":
        value = secrets.token_urlsafe(MFA_TOKEN_BYTES)
        return cls(value=value, challenge=MfaChallenge(
            digest=mfa_token_digest(value), user_id=user_id, expires_at=now + MFA_TOKEN_LIFETIME))


def mfa_token_digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
