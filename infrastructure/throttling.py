"""LimitsThrottle: the Throttle port over the `limits` library, one rate limit per scope."""

import math
import time
from collections.abc import Mapping

from limits import RateLimitItem, parse

from application.ports import Fingerprint, ThrottleScope
from infrastructure.rate_limiter import ResilientRateLimiter


class LimitsThrottle:
    """Moving windows: a burst at the edge of a fixed window cannot double the allowed rate."""

    def __init__(
        self, rates: Mapping[ThrottleScope, str], limiter: ResilientRateLimiter,
        fingerprint: Fingerprint,
    ) -> None:
        missing = set(ThrottleScope) - set(rates)
        if missing:
            raise ValueError(f"No rate limit for {sorted(missing)}")
        self._items: dict[ThrottleScope, RateLimitItem] = {
            scope: parse(rate) for scope, rate in rates.items()}
        self._limiter = limiter
        # Keys are emails and addresses: Redis holds only their keyed digests (a plain hash of
        # an email is reversed with a list of addresses), and "/" in an email cannot run into
        # the separator of the storage key.
        self._fingerprint = fingerprint

    async def hit(self, scope: ThrottleScope, key: str) -> int | None:
        item = self._items[scope]
        allowed_again_at = await self._limiter.acquire(item, scope.value, self._fingerprint.of(key))
        if allowed_again_at is None:
            return None
        return max(1, math.ceil(allowed_again_at - time.time()))

    async def reset(self, scope: ThrottleScope, key: str) -> None:
        await self._limiter.clear(self._items[scope], scope.value, self._fingerprint.of(key))

