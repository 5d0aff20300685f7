"""OutboxDispatcher: sends what the use cases queued, retrying with back-off, at least once.

It runs inside `roomkey serve` (started and stopped with the app) or alone as
`roomkey mail-worker`; any number of them may run over one database, since each message is
claimed by one sender for a lease. A sender that dies mid-send leaves its claim to expire and
the message is sent again, with the same Message-ID.
"""

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from application.mail import QueuedMail, UndeliverableMail
from application.ports import Clock, Mailer

logger = logging.getLogger("roomkey.mail")

DEFAULT_MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=2)
# Longer than an SMTP exchange may take (its timeout), so a live sender never loses its claim.
LEASE = timedelta(minutes=2)
BATCH = 20


class OutboxQueue(Protocol):
    async def claim(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> tuple[str, list[QueuedMail]]: ...

    async def sent(self, message_id: uuid.UUID, claim: str, now: datetime) -> None: ...

    async def retry(self, message_id: uuid.UUID, claim: str, at: datetime, error: str) -> None: ...

    async def fail(self, message_id: uuid.UUID, claim: str, now: datetime, error: str) -> None: ...


class OutboxDispatcher:
    def __init__(
        self, queue: OutboxQueue, mailer: Mailer, clock: Clock, *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS, jitter: Callable[[], float] = random.random,
    ) -> None:
        self._queue = queue
        self._mailer = mailer
        self._clock = clock
        self._max_attempts = max_attempts
        self._jitter = jitter

    async def run_once(self) -> int:
        """Send every message due now; the number delivered."""
        delivered = 0
        while True:
            claim, batch = await self._queue.claim(self._clock.now(), limit=BATCH, lease=LEASE)
            for queued in batch:
                delivered += await self._deliver(claim, queued)
            if len(batch) < BATCH:
                return delivered

    async def run(self, stop: asyncio.Event, *, interval: float) -> None:
        """Poll until `stop` is set. A failing database is logged and tried again next round."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                logger.exception("mail dispatch round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    def backoff(self, attempts: int) -> timedelta:
        """Exponential, capped, with "equal jitter": between half and all of the step, so that
        messages failed together do not all come back together."""
        step: timedelta = min(MAX_DELAY, BASE_DELAY * 2 ** max(attempts - 1, 0))
        return step * (0.5 + self._jitter() / 2)

    async def _deliver(self, claim: str, queued: QueuedMail) -> int:
        kind, message_id = queued.mail.kind.value, queued.id
        try:
            await self._mailer.send(queued)
        except UndeliverableMail as error:
            logger.error("mail %s (%s) failed for good: %s", message_id, kind, error)
            await self._queue.fail(message_id, claim, self._clock.now(), str(error))
            return 0
        except Exception as error:
            reason = f"{type(error).__name__}: {error}"
            now = self._clock.now()
            if queued.attempts >= self._max_attempts:
                logger.error("mail %s (%s) failed after %d attempts: %s", message_id, kind,
                             queued.attempts, reason)
                await self._queue.fail(message_id, claim, now, reason)
            else:
                delay = self.backoff(queued.attempts)
                logger.warning("mail %s (%s) attempt %d failed, retrying in %d s: %s",
                               message_id, kind, queued.attempts, delay.total_seconds(), reason)
                await self._queue.retry(message_id, claim, now + delay, reason)
            return 0
        await self._queue.sent(message_id, claim, self._clock.now())
        logger.info("mail %s (%s) sent", message_id, kind)
        return 1
