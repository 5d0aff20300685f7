"""The hashing bound: cores ÷ the time of one password verification with Roomkey's defaults."""

import asyncio
import os
import statistics
import time

from bench.workload import PASSWORD
from infrastructure.hashing import PasslibPasswordHasher


async def _measure(samples: int) -> tuple[float, str]:
    hasher = PasslibPasswordHasher()
    password_hash = await hasher.hash(PASSWORD)
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        assert await hasher.verify(PASSWORD, password_hash)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), password_hash.value


def single_hash(samples: int = 15) -> tuple[float, str]:
    """(seconds per verification, one hash of PASSWORD to give every seeded user)."""
    return asyncio.run(_measure(samples))


def bound(seconds_per_hash: float) -> float:
    return (os.cpu_count() or 1) / seconds_per_hash
