"""Security headers for every response, including 404s, 422s and the generic 500."""

# JSON never needs to load anything, run anything, or be framed.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The browser app: its own scripts and styles only, nothing inline, nothing from another host.
APP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
# Swagger UI and ReDoc from the files the fastapi-offline package ships, started by scripts
# served from here. Styles stay 'unsafe-inline': ReDoc (styled-components) writes <style>
# elements at run time. ReDoc's search runs in a worker it builds from a blob.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
APP_PATHS = ("/app/",)
DOCS_PATHS = ("/docs", "/redoc")
# One prefix test on the API's hot path; pages are told apart only after it.
PAGE_PATHS = (*APP_PATHS, *DOCS_PATHS)
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
        self._app = _encoded([*common, ("Content-Security-Policy", APP_CSP)])

    def for_path(self, path: str) -> EncodedHeaders:
        if path.startswith(PAGE_PATHS):
            return self._app if path.startswith(APP_PATHS) else self._docs
        return self._api

    @staticmethod
    def no_store(path: str) -> bool:
        """Whether the response must carry Cache-Control: no-store, whatever the route set."""
        return path.startswith(NO_STORE_PATHS)


def _encoded(headers: list[tuple[str, str]]) -> EncodedHeaders:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
