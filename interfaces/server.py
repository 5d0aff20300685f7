"""`roomkey serve`: uvicorn in this process, or one uvicorn per worker process, each on its own
SO_REUSEPORT socket.

Uvicorn's own supervisor shares one listening socket among its workers, and whichever worker
wakes first accepts the connection: under keep-alive load one worker was measured taking 89 %
of the requests. With one SO_REUSEPORT socket per worker the kernel spreads new connections
over the workers by a hash of their addresses instead. The supervisor here holds every socket
for the life of the service, so a worker that dies is replaced on the same socket and the
connections queued on it wait rather than fail.
"""

import logging
import multiprocessing
import signal
import socket
import threading
import time
from collections import deque
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

from interfaces.http.head_limit import HeadLimitedProtocol
from interfaces.logging_config import LogFormat, logging_config

logger = logging.getLogger("roomkey.server")

APP_FACTORY = "interfaces.http.app:create_app"
# How much longer than the grace period a worker gets before it is killed.
_KILL_MARGIN_SECONDS = 5.0
# A worker that keeps dying (say, at start-up) is not replaced forever: this many replacements
# within this many seconds stop the service instead.
_REPLACEMENTS, _REPLACEMENT_WINDOW_SECONDS = 5, 60.0


def uvicorn_config(*, host: str, port: int, shutdown_grace: int, log_level: str,
                   log_format: LogFormat, max_header_bytes: int,
                   app: str = APP_FACTORY) -> uvicorn.Config:
    # asyncio's own loop, even where uvloop is installed: measured here under saturation, uvloop
    # served as many reads but left a few connections waiting, with a read p99 3 to 4 times
    # higher. HeadLimitedProtocol answers 431 to an oversized head; uvicorn hands it the limit
    # through h11's option, which reaches every worker process alike.
    return uvicorn.Config(app, factory=True, host=host, port=port,
                          log_config=logging_config(log_level.upper(), log_format),
                          proxy_headers=False, loop="asyncio", http=HeadLimitedProtocol,
                          h11_max_incomplete_event_size=max_header_bytes,
                          timeout_graceful_shutdown=shutdown_grace)


def serve(*, host: str, port: int, workers: int, shutdown_grace: int, log_level: str,
          log_format: LogFormat, max_header_bytes: int, app: str = APP_FACTORY) -> None:
    """Serve until SIGTERM or SIGINT; then finish in-flight requests within `shutdown_grace`."""
    options: dict[str, Any] = {"host": host, "port": port, "shutdown_grace": shutdown_grace,
                               "log_level": log_level, "log_format": log_format,
                               "max_header_bytes": max_header_bytes, "app": app}
    if workers == 1:
        uvicorn.Server(uvicorn_config(**options)).run()
        return
    supervisor = Supervisor(workers=workers, **options)
    supervisor.run()
    if supervisor.failed:
        raise SystemExit(1)


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port that other sockets may bind too (the kernel balances)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _run_worker(sock: socket.socket, options: dict[str, Any]) -> None:
    """A worker process: uvicorn on its own socket; SIGTERM starts its graceful shutdown."""
    uvicorn.Server(uvicorn_config(**options)).run(sockets=[sock])


class Supervisor:
    """Starts the workers, replaces a worker that dies, and passes SIGTERM and SIGINT on."""

    def __init__(self, *, workers: int, **options: Any) -> None:
        self._options = options
        first = reuseport_socket(options["host"], options["port"])
        # Port 0 asks the kernel for a free port; every worker then binds the one it chose.
        self._options["port"] = first.getsockname()[1]
        self._sockets = [first] + [reuseport_socket(options["host"], self._options["port"])
                                   for _ in range(workers - 1)]
        self._processes: list[BaseProcess | None] = [None] * workers
        self._stopping = threading.Event()
        self._context = multiprocessing.get_context("spawn")
        self._replaced: deque[float] = deque(maxlen=_REPLACEMENTS)
        self.failed = False

    def run(self) -> None:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            logger.info("serving on %s:%d with %d workers", self._options["host"],
                        self._options["port"], len(self._sockets))
            while not self._stopping.is_set():
                self._replace_dead_workers()
                self._stopping.wait(0.5)
            self._join()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for sock in self._sockets:
                sock.close()

    def _replace_dead_workers(self) -> None:
        for index, process in enumerate(self._processes):
            if process is not None and process.is_alive():
                continue
            if process is not None:
                logger.error("worker %s exited with code %s; starting another",
                             process.pid, process.exitcode)
                self._replaced.append(time.monotonic())
                if (len(self._replaced) == _REPLACEMENTS and
                        self._replaced[-1] - self._replaced[0] < _REPLACEMENT_WINDOW_SECONDS):
                    logger.error("workers keep exiting; stopping")
                    self.failed = True
                    self._stop(signal.SIGTERM, None)
                    return
            process = self._context.Process(target=_run_worker, name=f"roomkey-worker-{index}",
                                            args=(self._sockets[index], self._options))
            process.start()
            self._processes[index] = process

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        self._stopping.set()
        for process in self._processes:
            # SIGTERM either way: on Ctrl-C the workers got SIGINT from the terminal already,
            # and a second SIGINT would make uvicorn skip the graceful shutdown.
            if process is not None and process.is_alive():
                process.terminate()

    def _join(self) -> None:
        deadline = self._options["shutdown_grace"] + _KILL_MARGIN_SECONDS
        for process in self._processes:
            if process is None:
                continue
            process.join(deadline)
            if process.is_alive():
                logger.error("worker %s did not stop in time; killing it", process.pid)
                process.kill()
                process.join()

