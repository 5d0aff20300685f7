"""ResilientRateLimiter: moving windows in memory, and the fall-back when its storage fails."""

import asyncio
import logging
import time

import pytest
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.errors import StorageError

from infrastructure.rate_limiter import ResilientRateLimiter, rate_limiter_for

THREE_A_MINUTE = parse("3/minute")


class FlakyStorage(MemoryStorage):
    """Memory storage that fails like an unreachable Redis while `broken` is set."""

    broken = False

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if self.broken:
            raise StorageError(ConnectionError("connection refused"))
        return await super().acquire_entry(key, limit, expiry, amount)


async def test_the_fourth_hit_in_a_minute_is_refused_with_the_time_it_frees_up() -> None:
    limiter = ResilientRateLimiter()
    allowed = [await limiter.acquire(THREE_A_MINUTE, "login", "k") for _ in range(3)]

    refused_until = await limiter.acquire(THREE_A_MINUTE, "login", "k")

    assert allowed == [None, None, None]
    assert refused_until is not None
    assert 55 <= refused_until - time.time() <= 60
    assert await limiter.acquire(THREE_A_MINUTE, "login", "other key") is None


async def test_clear_starts_the_count_afresh() -> None:
    limiter = ResilientRateLimiter()
    for _ in range(3):
        await limiter.acquire(THREE_A_MINUTE, "k")

    await limiter.clear(THREE_A_MINUTE, "k")

    assert await limiter.acquire(THREE_A_MINUTE, "k") is None


async def test_an_unreachable_redis_falls_back_to_memory_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = rate_limiter_for("redis://127.0.0.1:9/0", key_prefix="unreachable")
    try:
        results = [await limiter.acquire(THREE_A_MINUTE, "k") for _ in range(4)]
    finally:
        await limiter.aclose()

    assert results[:3] == [None, None, None]
    assert results[3] is not None
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "unreachable" in errors[0].getMessage()


async def test_counting_returns_to_the_storage_once_it_answers_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    storage = FlakyStorage()
    limiter = ResilientRateLimiter(storage, retry_seconds=0)
    await limiter.acquire(THREE_A_MINUTE, "k")
    storage.broken = True
    await limiter.acquire(THREE_A_MINUTE, "k")
    await limiter.acquire(THREE_A_MINUTE, "k")
    storage.broken = False

    for _ in range(2):
        assert await limiter.acquire(THREE_A_MINUTE, "k") is None
    assert await limiter.acquire(THREE_A_MINUTE, "k") is not None
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]


async def test_while_down_the_storage_is_retried_only_after_a_pause() -> None:
    storage = FlakyStorage()
    storage.broken = True
    limiter = ResilientRateLimiter(storage, retry_seconds=60)
    await limiter.acquire(THREE_A_MINUTE, "k")
    storage.broken = False

    await limiter.acquire(THREE_A_MINUTE, "k")

    assert await storage.get_moving_window(THREE_A_MINUTE.key_for("k"), 3, 60) == (
        pytest.approx(time.time(), abs=5), 0)


async def test_clearing_keys_while_old_entries_expire_breaks_nothing() -> None:
    limiter = ResilientRateLimiter()
    for key in ("a", "b", "c"):
        await limiter.acquire(THREE_A_MINUTE, key)
    await asyncio.sleep(0)  # the storage's expiry pass starts, and yields to a worker thread

    await limiter.clear(THREE_A_MINUTE, "b")
    await limiter.clear(THREE_A_MINUTE, "c")
    await asyncio.sleep(0.2)

    # limits' own MemoryStorage.clear() makes that pass fail with a KeyError.
    expiry_pass = limiter._fallback.storage.timer  # type: ignore[attr-defined]
    assert expiry_pass is not None and expiry_pass.done()
    assert expiry_pass.exception() is None
