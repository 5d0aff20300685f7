"""PasslibPasswordHasher: argon2id by default, legacy bcrypt verified and upgraded on login."""

import os
import re
import secrets

import anyio
from anyio import to_thread
from passlib.context import CryptContext

from domain.users import PasswordHash

BCRYPT_MAX_BYTES = 72


class PasslibPasswordHasher:
    """The PasswordHasher port over a passlib CryptContext.

    Defaults are OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane). Any hash that is not
    argon2id with exactly these parameters reports needs_rehash, so LoginUser upgrades it.
    """

    def __init__(
        self,
        *,
        argon2_memory_cost: int = 19456,
        argon2_time_cost: int = 2,
        argon2_parallelism: int = 1,
        max_concurrency: int | None = None,
    ) -> None:
        self._context = CryptContext(
            schemes=["argon2", "bcrypt"],
            deprecated="auto",
            argon2__type="ID",
            argon2__memory_cost=argon2_memory_cost,
            argon2__rounds=argon2_time_cost,
            argon2__parallelism=argon2_parallelism,
            # passlib only flags a time cost below min_rounds; pinning both bounds makes a
            # hash with any other time cost (higher ones too) need a rehash, like m and p do.
            argon2__min_rounds=argon2_time_cost,
            argon2__max_rounds=argon2_time_cost,
        )
        # argon2-cffi and bcrypt release the GIL, so hashing in worker threads keeps the event
        # loop serving. Each hash holds a core (and argon2_memory_cost KiB) for its whole run: a
        # login flood waits for a free slot instead of taking every thread and starving the rest.
        if max_concurrency is None:
            max_concurrency = os.cpu_count() or 1
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._limiter = anyio.CapacityLimiter(max_concurrency)
        # Unknown-email logins verify against this, so they cost as much as real ones.
        self._dummy_hash = PasswordHash(self._context.hash(secrets.token_urlsafe(32)))
        self._current_shape = _shape_of(self._dummy_hash.value)

    @property
    def dummy_hash(self) -> PasswordHash:
        return self._dummy_hash

    @property
    def max_password_bytes(self) -> int | None:
        # bcrypt reads 72 bytes (bcrypt 5 refuses more); argon2id reads any length.
        return BCRYPT_MAX_BYTES if self._context.default_scheme() == "bcrypt" else None

    async def hash(self, password: str) -> PasswordHash:
        value = await to_thread.run_sync(self._context.hash, password, limiter=self._limiter)
        return PasswordHash(value)

    async def verify(self, password: str, password_hash: PasswordHash) -> bool:
        return await to_thread.run_sync(
            self._verify_now, password, password_hash.value, limiter=self._limiter
        )

    def needs_rehash(self, password_hash: PasswordHash) -> bool:
        # Every login asks; passlib parses the whole hash to answer. A hash of the current
        # scheme and parameters has the current hash's prefix and lengths, which is quick to see.
        if self._current_shape.fullmatch(password_hash.value):
            return False
        try:
            return bool(self._context.needs_update(password_hash.value))
        except (ValueError, TypeError):
            # A hash passlib cannot even parse is certainly not a current one (it raises
            # TypeError for bad base64, ValueError for the rest).
            return True

    def _verify_now(self, password: str, hash_value: str) -> bool:
        try:
            return bool(self._context.verify(password, hash_value))
        except (ValueError, TypeError):
            # ValueError covers an unknown or malformed hash, a password passlib will not hash
            # (over 4 KiB, NUL bytes for bcrypt, lone surrogates) and bcrypt 5's refusal of
            # passwords over 72 bytes: older bcrypt silently truncated them, bcrypt 5 raises.
            # Each is a failed login, never a 500.
            return False


def _shape_of(hash_value: str) -> re.Pattern[str]:
    """What hashes made like `hash_value` look like: its PHC prefix (scheme, version and
    parameters), then a salt and a digest of its lengths, in the base64 alphabet."""
    prefix, salt, digest = hash_value.rsplit("$", 2)
    return re.compile(
        rf"{re.escape(prefix)}\$[A-Za-z0-9+/]{{{len(salt)}}}\$[A-Za-z0-9+/]{{{len(digest)}}}")
