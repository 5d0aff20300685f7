"""The service's long-running jobs (a mail dispatcher, say), started with the app, stopped
before its pools close."""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Self

logger = logging.getLogger("roomkey")

Job = Callable[[], Coroutine[Any, Any, None]]


class BackgroundTasks:
    """Runs each job as a task; on exit cancels them and waits, so none outlives the database
    connections it uses. A job that fails is logged, and does not stop the service."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, name: str, job: Job) -> None:
        task = asyncio.create_task(job(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    @property
    def running(self) -> int:
        return len(self._tasks)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("background task %s failed", task.get_name(),
                         exc_info=task.exception())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)
