"""Security headers on every response, including 404s, 422s and the generic 500."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# JSON never needs to load anything, run anything, or be framed.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI and ReDoc, as FastAPI serves them: bundles and styles from jsDelivr, one inline
# start-up script, fonts from Google (ReDoc), the favicon from fastapi.tiangolo.com, and the
# schema fetched from here. Only these pages get this wider policy.
DOCS_CSP = (
    "default-src 'none'; "
    "script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src 'self' https://cdn.jsdelivr.net https://fonts.googleapis.com 'unsafe-inline'; "
    "font-src https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
DOCS_PATHS = ("/docs", "/redoc")
# Tokens, credentials and personal data: never kept by a browser or a shared cache.
NO_STORE_PATHS = ("/auth/", "/users/me", "/admin/")
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    """Pure ASGI, like RequestIdMiddleware: it only edits the response's first message.

    The headers are encoded once and appended as they are (no route sets them), which keeps
    the cost per response to a list copy; only Cache-Control may replace a header of the route.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        common = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                  ("X-Frame-Options", "DENY")]
        if hsts:
            common.append(("Strict-Transport-Security", HSTS))
        self._api_headers = _encoded([*common, ("Content-Security-Policy", API_CSP)])
        self._docs_headers = _encoded([*common, ("Content-Security-Policy", DOCS_CSP)])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        added = self._docs_headers if path.startswith(DOCS_PATHS) else self._api_headers
        no_store = path.startswith(NO_STORE_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *added]
                if no_store:
                    MutableHeaders(scope=message)["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _encoded(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
