"""ResilientRateLimiter: moving windows in memory, and the fall-back when its storage fails."""

import asyncio
import logging
import threading
import time
from typing import Any

import pytest
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.errors import StorageError

from infrastructure.rate_limiter import InProcessLimiter, ResilientRateLimiter, rate_limiter_for

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


def test_clear_waits_while_an_expiry_pass_holds_the_window() -> None:
    storage = InProcessLimiter().storage
    assert storage.acquire_entry("k", 3, 60)
    clearing = threading.Thread(target=storage.clear, args=("k",))
    # As the expiry thread does for a pass over this window: limits' own clear() does not wait,
    # and pops the window that the pass is about to write back (a KeyError in that thread).
    with storage.locks["k"]:
        clearing.start()
        clearing.join(0.05)
        assert clearing.is_alive()
        assert len(storage.events["k"]) == 1

    clearing.join()
    assert storage.events.get("k") == []


async def test_the_in_process_window_is_kept_without_a_thread_hop() -> None:
    # limits' asyncio MemoryStorage hops to a worker thread per window after every hit.
    limiter = InProcessLimiter()
    loop = asyncio.get_running_loop()
    hops: list[object] = []
    original = loop.run_in_executor

    def counted(*args: Any) -> Any:
        hops.append(args)
        return original(*args)

    loop.run_in_executor = counted  # type: ignore[method-assign]
    try:
        for key in ("a", "b", "c"):
            assert await limiter.hit(THREE_A_MINUTE, key)
        await asyncio.sleep(0.05)
    finally:
        loop.run_in_executor = original  # type: ignore[method-assign]
    assert hops == []
