"""A moving-window rate limiter on Redis (shared by every instance) or in process memory.

When Redis does not answer, the limiter counts in process memory instead: limits then hold per
instance, and counts start afresh, but logins keep working and nobody gets a 500. Throttling
that fails closed would let an attacker who can disturb Redis lock every user out.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from limits import RateLimitItem, WindowStats
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter as InProcessMovingWindow
from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

logger = logging.getLogger("roomkey.throttle")

T = TypeVar("T")
# Redis on the same network answers in a millisecond; a login must not wait long for a dead one.
REDIS_TIMEOUT_SECONDS = 0.5
# While Redis is down, one request in this many seconds tries it again; the rest skip it.
RETRY_SECONDS = 5.0


class _Limiter(Protocol):
    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool: ...

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats: ...

    async def clear(self, item: RateLimitItem, *identifiers: str) -> None: ...


class _InProcessStorage(MemoryStorage):
    """limits' MemoryStorage with a clear() that its own expiry pass survives.

    limits 5.8 pops the key, and an expiry pass that is between reading and writing back that
    key's window then fails with a KeyError. An empty window counts the same, and the expiry
    pass drops it later.
    """

    def clear(self, key: str) -> None:
        with self.locks[key]:
            if key in self.events:
                self.events[key] = []


class InProcessLimiter:
    """Moving windows in process memory: limits' synchronous storage, called from the loop.

    Each call is a few list operations under a lock shared only with the storage's expiry timer
    thread, so it never blocks the loop. limits' asyncio MemoryStorage costs more: after each hit
    its expiry pass goes over every window with a worker-thread hop per key, measured at ~6 % of
    the loop's time in a login flood, and growing with the number of accounts tried.
    """

    def __init__(self) -> None:
        self.storage = _InProcessStorage()
        self._limiter = InProcessMovingWindow(self.storage)

    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        return self._limiter.hit(item, *identifiers)

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        return self._limiter.get_window_stats(item, *identifiers)

    async def clear(self, item: RateLimitItem, *identifiers: str) -> None:
        self._limiter.clear(item, *identifiers)


class ResilientRateLimiter:
    def __init__(
        self, primary: Storage | None = None, *,
        on_close: Callable[[], Awaitable[None]] | None = None,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._primary = MovingWindowRateLimiter(primary) if primary is not None else None
        self._primary_storage = primary
        self._fallback = InProcessLimiter()
        self._on_close = on_close
        self._retry_seconds = retry_seconds
        self._down_since: float | None = None

    async def acquire(self, item: RateLimitItem, *identifiers: str) -> float | None:
        """Count one hit. None when allowed; when refused, the epoch time a hit is allowed again."""

        async def acquire_with(limiter: _Limiter) -> float | None:
            if await limiter.hit(item, *identifiers):
                return None
            return (await limiter.get_window_stats(item, *identifiers)).reset_time

        return await self._run(acquire_with)

    async def clear(self, item: RateLimitItem, *identifiers: str) -> None:
        await self._run(lambda limiter: limiter.clear(item, *identifiers))

    @property
    def shared(self) -> bool:
        """Whether the counts live in Redis (shared by every process), not in this one."""
        return self._primary_storage is not None

    async def primary_answers(self) -> bool:
        """Whether Redis answers a ping now (readiness); True when there is no Redis to ask."""
        if self._primary_storage is None:
            return True
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                return await self._primary_storage.check()
        except (StorageError, OSError, TimeoutError):
            return False

    async def aclose(self) -> None:
        if self._on_close is not None:
            await self._on_close()

    async def _run(self, call: Callable[[_Limiter], Awaitable[T]]) -> T:
        if self._primary is not None and self._may_try_primary():
            try:
                async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                    result = await call(self._primary)
            except (StorageError, OSError, TimeoutError) as error:
                self._primary_failed(error)
            else:
                self._primary_answered()
                return result
        return await call(self._fallback)

    def _may_try_primary(self) -> bool:
        return (self._down_since is None
                or time.monotonic() - self._down_since >= self._retry_seconds)

    def _primary_failed(self, error: Exception) -> None:
        if self._down_since is None:
            # Once per outage, not once per request: a flood of identical lines hides the rest.
            logger.error("Rate-limit storage (Redis) unreachable: %s. Counting in process memory "
                         "until it answers again; limits now hold per instance.",
                         str(error) or type(error).__name__)
        self._down_since = time.monotonic()

    def _primary_answered(self) -> None:
        if self._down_since is not None:
            logger.warning("Rate-limit storage (Redis) answers again; counting there.")
            self._down_since = None


def rate_limiter_for(redis_url: str | None, key_prefix: str) -> ResilientRateLimiter:
    """In process memory without a URL; Redis (falling back to memory) with one."""
    if not redis_url:
        return ResilientRateLimiter()
    # No retries inside redis-py: the fallback is the retry, and it answers at once.
    pool = ConnectionPool.from_url(
        redis_url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 0))
    storage = RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix=key_prefix,
                           wrap_exceptions=True, connection_pool=pool)  # type: ignore[arg-type]
    return ResilientRateLimiter(storage, on_close=pool.disconnect)
