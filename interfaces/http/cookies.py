"""The session cookies: access token, refresh token, and the CSRF double-submit token."""

import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response, status

from application.session_tokens import SessionTokens
from infrastructure.settings import Settings


@dataclass(frozen=True, slots=True)
class CookieNames:
    access: str
    refresh: str
    csrf: str


# Development, over plain HTTP: browsers refuse a prefixed cookie that is not Secure.
PLAIN_COOKIE_NAMES = CookieNames(access="access_token", refresh="refresh_token",
                                 csrf="csrf_token")
# With Secure cookies. A browser keeps a `__Host-` cookie only if it is Secure, has Path=/ and
# no Domain, so no sibling subdomain can plant or shadow it (a planted CSRF cookie would
# defeat the double submit). The refresh cookie's Path=/auth allows only `__Secure-`.
SECURE_COOKIE_NAMES = CookieNames(access="__Host-access_token",
                                  refresh="__Secure-refresh_token", csrf="__Host-csrf_token")
CSRF_HEADER = "X-CSRF-Token"
# Only the refresh and logout routes ever need the refresh token: no other request carries it.
REFRESH_PATH = "/auth"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def cookie_names(secure: bool) -> CookieNames:
    """The cookie names for Secure cookies or for plain ones (settings.secure_cookies)."""
    return SECURE_COOKIE_NAMES if secure else PLAIN_COOKIE_NAMES


def request_cookie_names(request: Request) -> CookieNames:
    """The names the app was built with (create_app keeps them in its state)."""
    names: CookieNames = request.app.state.cookie_names
    return names


def set_session_cookies(response: Response, tokens: SessionTokens, settings: Settings) -> None:
    session = tokens.session
    session_seconds = int(session.remaining(session.last_used_at).total_seconds())
    secure = settings.secure_cookies
    names = cookie_names(secure)
    response.set_cookie(
        names.access, tokens.access_token.value, max_age=tokens.access_token.lifetime_seconds,
        path="/", httponly=True, secure=secure, samesite=settings.cookie_samesite)
    response.set_cookie(
        names.refresh, tokens.refresh_token.value, max_age=session_seconds, path=REFRESH_PATH,
        httponly=True, secure=secure, samesite="strict")
    # Readable by the page's own scripts, which echo it in the X-CSRF-Token header; a
    # cross-site page can neither read it nor set that header without a CORS preflight.
    response.set_cookie(
        names.csrf, secrets.token_urlsafe(32), max_age=session_seconds, path="/",
        httponly=False, secure=secure, samesite="strict")


def clear_session_cookies(response: Response, settings: Settings) -> None:
    secure = settings.secure_cookies
    names = cookie_names(secure)
    response.delete_cookie(names.access, path="/", secure=secure, httponly=True,
                           samesite=settings.cookie_samesite)
    response.delete_cookie(names.refresh, path=REFRESH_PATH, secure=secure, httponly=True,
                           samesite="strict")
    response.delete_cookie(names.csrf, path="/", secure=secure, samesite="strict")


def access_cookie(request: Request) -> str | None:
    return session_cookie(request, request_cookie_names(request).access)


def refresh_cookie(request: Request) -> str | None:
    return session_cookie(request, request_cookie_names(request).refresh)


def session_cookie(request: Request, name: str) -> str | None:
    """A session cookie's value; on an unsafe request only with a matching X-CSRF-Token."""
    value = request.cookies.get(name)
    if value and request.method in UNSAFE_METHODS:
        require_csrf_token(request)
    return value


def require_csrf_token(request: Request) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    expected = request.cookies.get(request_cookie_names(request).csrf, "")
    if not (sent and expected and hmac.compare_digest(sent.encode(), expected.encode())):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="CSRF token missing or invalid")
