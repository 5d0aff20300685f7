"""The second factor's ports: its repositories, the TOTP algorithm and encryption at rest.

Apart from ports.py only to keep each module small (UnitOfWork there names the repositories).
"""

import uuid
from datetime import datetime
from typing import Protocol

from domain.mfa import MfaChallenge, TotpCredential


class MfaRepository(Protocol):
    """Each user's TOTP credential and the digests of their recovery codes."""

    async def get(self, user_id: uuid.UUID) -> TotpCredential | None: ...

    async def save(self, credential: TotpCredential) -> None:
        """Add the user's credential, or replace the one they have."""
        ...

    async def accept_step(self, user_id: uuid.UUID, step: int) -> bool:
        """Record `step` as the last accepted time step, atomically: True for exactly one of
        many concurrent callers, and only while `step` is later than the last one recorded."""
        ...

    async def remove(self, user_id: uuid.UUID) -> None:
        """Forget the credential and every recovery code of the user."""
        ...

    async def replace_recovery_codes(self, user_id: uuid.UUID, digests: list[str]) -> None: ...

    async def use_recovery_code(self, user_id: uuid.UUID, digest: str) -> bool:
        """Spend the code, atomically: True for exactly one of many concurrent callers."""
        ...


class MfaChallengeRepository(Protocol):
    async def add(self, challenge: MfaChallenge) -> None: ...

    async def get(self, digest: str) -> MfaChallenge | None: ...

    async def use(self, digest: str, now: datetime) -> bool:
        """Mark the challenge used, atomically: True for exactly one of many concurrent callers."""
        ...

    async def count_failure(self, digest: str) -> None: ...


class TotpVerifier(Protocol):
    """RFC 6238 codes (SHA-1, 6 digits, 30-second steps) at the injected clock's time."""

    def new_secret(self) -> str:
        """A fresh random secret, in the base32 form authenticator apps take."""
        ...

    def provisioning_uri(self, secret: str, *, account: str) -> str:
        """The otpauth:// URI an authenticator app reads (from a QR code), naming the issuer."""
        ...

    def matching_step(self, secret: str, code: str) -> int | None:
        """The time step whose code `code` is, within one step either side of now; else None."""
        ...


class SecretBox(Protocol):
    """Authenticated encryption of secrets kept at rest (a TOTP secret)."""

    def seal(self, plaintext: bytes, *, associated: bytes) -> bytes:
        """Encrypt; `associated` (e.g. the owner's id) must be given again to open it, so a
        sealed value copied to another row does not open there."""
        ...

    def open(self, sealed: bytes, *, associated: bytes) -> bytes:
        """Decrypt; raise ValueError for anything this box did not seal with `associated`."""
        ...
