"""Test doubles that stand in for slow or uncontrollable adapters. They live only in tests."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from application.ports import PasswordHasher, ThrottleScope
from domain.users import PasswordHash

FIXED_NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, now: datetime) -> None:
        self._now = now


class FakePasswordHasher:
    """A fast salted SHA-256 hasher that counts its calls.

    Hashes made by `legacy_hash` carry the `legacy$` scheme and report needs_rehash, the way a
    bcrypt hash does under the real adapter.
    """

    def __init__(self, max_password_bytes: int | None = None) -> None:
        self.max_password_bytes = max_password_bytes
        self.hash_calls = 0
        self.verify_calls = 0
        self._dummy = self._make("fake", secrets.token_hex(16))

    @property
    def dummy_hash(self) -> PasswordHash:
        return self._dummy

    async def hash(self, password: str) -> PasswordHash:
        self.hash_calls += 1
        return self._make("fake", password)

    def legacy_hash(self, password: str) -> PasswordHash:
        return self._make("legacy", password)

    async def verify(self, password: str, password_hash: PasswordHash) -> bool:
        self.verify_calls += 1
        try:
            _scheme, salt, digest = password_hash.value.split("$")
        except ValueError:
            return False
        return secrets.compare_digest(digest, _digest(salt, password))

    def needs_rehash(self, password_hash: PasswordHash) -> bool:
        return not password_hash.value.startswith("fake$")

    @staticmethod
    def _make(scheme: str, password: str) -> PasswordHash:
        salt = secrets.token_hex(8)
        return PasswordHash(f"{scheme}${salt}${_digest(salt, password)}")


def _digest(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


class CountingPasswordHasher:
    """Wraps a real hasher and counts its calls, for API tests of the one-verification rule."""

    def __init__(self, inner: PasswordHasher) -> None:
        self._inner = inner
        self.hash_calls = 0
        self.verify_calls = 0

    @property
    def dummy_hash(self) -> PasswordHash:
        return self._inner.dummy_hash

    @property
    def max_password_bytes(self) -> int | None:
        return self._inner.max_password_bytes

    async def hash(self, password: str) -> PasswordHash:
        self.hash_calls += 1
        return await self._inner.hash(password)

    async def verify(self, password: str, password_hash: PasswordHash) -> bool:
        self.verify_calls += 1
        return await self._inner.verify(password, password_hash)

    def needs_rehash(self, password_hash: PasswordHash) -> bool:
        return self._inner.needs_rehash(password_hash)


class UnlimitedThrottle:
    """A Throttle that never refuses, for tests about something other than throttling."""

    async def hit(self, scope: ThrottleScope, key: str) -> int | None:
        return None

    async def reset(self, scope: ThrottleScope, key: str) -> None:
        return None
