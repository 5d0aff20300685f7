"""Security headers for every response, including 404s, 422s and the generic 500."""

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

EncodedHeaders = list[tuple[bytes, bytes]]


class SecurityHeaders:
    """The headers each path gets, encoded once: a response only appends a ready list."""

    def __init__(self, *, hsts: bool) -> None:
        common = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                  ("X-Frame-Options", "DENY")]
        if hsts:
            common.append(("Strict-Transport-Security", HSTS))
        self._api = _encoded([*common, ("Content-Security-Policy", API_CSP)])
        self._docs = _encoded([*common, ("Content-Security-Policy", DOCS_CSP)])

    def for_path(self, path: str) -> EncodedHeaders:
        return self._docs if path.startswith(DOCS_PATHS) else self._api

    @staticmethod
    def no_store(path: str) -> bool:
        """Whether the response must carry Cache-Control: no-store, whatever the route set."""
        return path.startswith(NO_STORE_PATHS)


def _encoded(headers: list[tuple[str, str]]) -> EncodedHeaders:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
