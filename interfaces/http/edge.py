"""EdgeMiddleware: the one layer outside FastAPI, even outside its 500 handler."""

import time

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.metrics import UNMATCHED_ROUTE, PrometheusMetrics
from interfaces.http.body_limit import TOO_LARGE, declared_length, receive_within
from interfaces.http.request_id import end_request, start_request
from interfaces.http.security_headers import SecurityHeaders


class EdgeMiddleware:
    """Every response, a 500 too, carries the request id and the security headers, and no
    oversized body gets in: a declared Content-Length over the limit is answered at once.
    Every request is counted and timed, by the template of the route that served it (known
    once the router has run), when metrics are on.

    One pure ASGI layer (not BaseHTTPMiddleware, and not one per concern): each layer costs a
    call and a wrapped `send` on every request, which on a fast read is measurable.
    """

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, hsts: bool,
        metrics: PrometheusMetrics | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.security_headers = SecurityHeaders(hsts=hsts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, token = start_request(scope)
        path: str = scope["path"]
        added = [*self.security_headers.for_path(path),
                 (b"x-request-id", request_id.encode("latin-1"))]
        no_store = self.security_headers.no_store(path)
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                nonlocal status
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *added]
                if no_store:
                    MutableHeaders(scope=message)["Cache-Control"] = "no-store"
            await send(message)

        try:
            if declared_length(scope) > self.max_body_bytes:
                too_large = JSONResponse({"detail": TOO_LARGE}, status_code=413)
                await too_large(scope, receive, send_with_headers)
                return
            await self.app(scope, receive_within(receive, self.max_body_bytes), send_with_headers)
        finally:
            end_request(token)
            if self.metrics is not None:
                route = scope.get("route")
                self.metrics.observe_request(
                    route.path if route is not None else UNMATCHED_ROUTE, scope["method"],
                    status, time.perf_counter() - started)
