"""Prometheus metrics: the Telemetry adapter, requests, hashing and pools, and the text exposition.

With several worker processes, prometheus-client's multiprocess mode keeps each process's values
in files under PROMETHEUS_MULTIPROC_DIR (which must be set before the library is first imported:
`roomkey serve --workers N` does it), and a scrape of any worker sums them.
"""

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports import LoginOutcome, PasswordHasher, ThrottleScope
from domain.users import PasswordHash

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# A path no route matches is not a label value: a scanner would make one series per guess.
UNMATCHED_ROUTE = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_HASH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class PrometheusMetrics:
    """Every Roomkey metric, in a registry of its own; also the Telemetry port's adapter."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self._requests = Counter(
            "roomkey_http_requests", "HTTP requests answered, by route template, method and "
            "status", ["route", "method", "status"], registry=registry)
        self._latency = Histogram(
            "roomkey_http_request_duration_seconds", "Time to answer an HTTP request, by route "
            "template and method", ["route", "method"], buckets=_REQUEST_BUCKETS,
            registry=registry)
        self._logins = Counter("roomkey_logins", "Login attempts by outcome", ["outcome"],
                               registry=registry)
        self._throttled = Counter("roomkey_throttle_rejections",
                                  "Requests refused by a rate limit, by limit", ["scope"],
                                  registry=registry)
        self._hashing = Histogram(
            "roomkey_password_hash_duration_seconds", "Time to hash or verify a password, the "
            "wait for a hashing slot included", ["operation"], buckets=_HASH_BUCKETS,
            registry=registry)
        # Set at each scrape from the database, so every worker would report the same count.
        self.active_sessions = Gauge("roomkey_active_sessions",
                                     "Sessions neither revoked nor expired", registry=registry,
                                     multiprocess_mode="mostrecent")
        self.connections_in_use = Gauge(
            "roomkey_database_connections_in_use", "Database connections checked out, by pool",
            ["pool"], registry=registry, multiprocess_mode="livesum")
        # The children of the request series, looked up once per (route, method, status).
        self._request_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        series = self._request_series.get(key)
        if series is None:
            # Methods are the client's choice: any other is "other", and is not remembered.
            known = method in _METHODS
            label = method if known else "other"
            series = (self._requests.labels(route, label, str(status)),
                      self._latency.labels(route, label))
            if known:
                self._request_series[key] = series
        series[0].inc()
        series[1].observe(seconds)

    def login(self, outcome: LoginOutcome) -> None:
        self._logins.labels(outcome.value).inc()

    def throttled(self, scope: ThrottleScope) -> None:
        self._throttled.labels(scope.value).inc()

    def observe_hashing(self, operation: str, seconds: float) -> None:
        self._hashing.labels(operation).observe(seconds)

    def watch_pool(self, engine: AsyncEngine, name: str = "sqlalchemy") -> None:
        """Count the engine's connections as they are checked out and returned."""
        in_use = self.connections_in_use.labels(name)
        in_use.set(0)
        event.listen(engine.sync_engine, "checkout", lambda *_: in_use.inc())
        event.listen(engine.sync_engine, "checkin", lambda *_: in_use.dec())

    def exposition(self) -> bytes:
        """The text format: this process's registry, or every worker's values in multiprocess
        mode."""
        if os.environ.get(MULTIPROCESS_DIRECTORY):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


@contextmanager
def shared_between_workers(workers: int) -> Iterator[None]:
    """With several workers, a fresh directory for the multiprocess mode while they run (unless
    the operator named one); the workers, started after this, inherit it."""
    if workers < 2 or os.environ.get(MULTIPROCESS_DIRECTORY):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="roomkey-metrics-") as directory:
        os.environ[MULTIPROCESS_DIRECTORY] = directory
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_DIRECTORY]


class TimedPasswordHasher:
    """A PasswordHasher that reports how long each hash and verification took."""

    def __init__(self, hasher: PasswordHasher, metrics: PrometheusMetrics) -> None:
        self._hasher = hasher
        self._metrics = metrics

    @property
    def dummy_hash(self) -> PasswordHash:
        return self._hasher.dummy_hash

    @property
    def max_password_bytes(self) -> int | None:
        return self._hasher.max_password_bytes

    async def hash(self, password: str) -> PasswordHash:
        started = time.perf_counter()
        try:
            return await self._hasher.hash(password)
        finally:
            self._metrics.observe_hashing("hash", time.perf_counter() - started)

    async def verify(self, password: str, password_hash: PasswordHash) -> bool:
        started = time.perf_counter()
        try:
            return await self._hasher.verify(password, password_hash)
        finally:
            self._metrics.observe_hashing("verify", time.perf_counter() - started)

    def needs_rehash(self, password_hash: PasswordHash) -> bool:
        return self._hasher.needs_rehash(password_hash)
