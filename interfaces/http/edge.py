"""EdgeMiddleware: the one layer outside FastAPI, even outside its 500 handler."""

import logging
import time
from collections.abc import Sequence
from urllib.parse import quote

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.metrics import UNMATCHED_ROUTE, PrometheusMetrics
from interfaces.http.body_limit import TOO_LARGE, declared_length, receive_within
from interfaces.http.client_context import Network, is_trusted
from interfaces.http.request_id import end_request, start_request
from interfaces.http.security_headers import SecurityHeaders
from interfaces.logging_config import ACCESS_LOGGER

access_log = logging.getLogger(ACCESS_LOGGER)
# The path only: a query string may hold a password or a token that a client put there.
# The arguments are ACCESS_FIELDS, in that order.
ACCESS_LINE = '%s - "%s %s HTTP/%s" %d %.1fms'
BAD_HOST = "Invalid Host header"
# Every 503 says when to come back: a database that stopped answering is often back in seconds.
RETRY_AFTER_SECONDS = "5"


class EdgeMiddleware:
    """Every response, a 500 too, carries the request id and the security headers; requests
    for a host not in ROOMKEY_ALLOWED_HOSTS are 400; no oversized body gets in (a declared
    Content-Length over the limit is answered at once); every 503 carries Retry-After; each
    request gets one access line, without its query string; and, when metrics are on, every
    request is counted and timed by the template of the route that served it (known once the
    router has run).

    One pure ASGI layer (not BaseHTTPMiddleware, and not one per concern): each layer costs a
    call and a wrapped `send` on every request, which on a fast read is measurable.
    """

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, hsts: bool,
        allowed_hosts: frozenset[str] | None = None, trusted_proxies: Sequence[Network] = (),
        metrics: PrometheusMetrics | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.security_headers = SecurityHeaders(hsts=hsts)
        self.allowed_hosts = allowed_hosts
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        sent_id: bytes | None = None
        host: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                sent_id = value
            elif name == b"host" and host is None:
                host = value
        if sent_id is not None and self.trusted_proxies and not self._from_proxy(scope):
            sent_id = None  # behind proxies, only they may name the request
        request_id, token = start_request(sent_id)
        path: str = scope["path"]
        added = [*self.security_headers.for_path(path),
                 (b"x-request-id", request_id.encode("latin-1"))]
        no_store = self.security_headers.no_store(path)
        status = 0  # until a response starts

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *added]
                if no_store:
                    MutableHeaders(scope=message)["Cache-Control"] = "no-store"
                if status == 503:
                    MutableHeaders(scope=message).setdefault("Retry-After", RETRY_AFTER_SECONDS)
            await send(message)

        try:
            if self.allowed_hosts is not None and not _is_allowed(host, self.allowed_hosts):
                refusal = JSONResponse({"detail": BAD_HOST}, status_code=400)
                await refusal(scope, receive, send_with_headers)
            elif declared_length(scope) > self.max_body_bytes:
                too_large = JSONResponse({"detail": TOO_LARGE}, status_code=413)
                await too_large(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive_within(receive, self.max_body_bytes),
                               send_with_headers)
        finally:
            seconds = time.perf_counter() - started
            if status and access_log.isEnabledFor(logging.INFO):
                peer = scope.get("client")
                access_log.info(ACCESS_LINE, peer[0] if peer else "-", scope["method"],
                                quote(path), scope["http_version"], status, seconds * 1000)
            if self.metrics is not None:
                route = scope.get("route")
                self.metrics.observe_request(
                    route.path if route is not None else UNMATCHED_ROUTE, scope["method"],
                    status or 500, seconds)
            end_request(token)

    def _from_proxy(self, scope: Scope) -> bool:
        peer = scope.get("client")
        return peer is not None and is_trusted(peer[0], self.trusted_proxies)


def _is_allowed(host: bytes | None, allowed_hosts: frozenset[str]) -> bool:
    """Whether the Host header names an allowed host, whatever its port."""
    if host is None:
        return False
    name = host.decode("latin-1").lower()
    name = name[1:name.find("]")] if name.startswith("[") else name.partition(":")[0]
    return name.rstrip(".") in allowed_hosts
