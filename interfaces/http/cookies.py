"""The session cookies: access token, refresh token, and the CSRF double-submit token."""

import hmac
import secrets

from fastapi import HTTPException, Request, Response, status

from application.session_tokens import SessionTokens
from infrastructure.settings import Settings

ACCESS_COOKIE = "access_token"
REFRESH_COOKIE = "refresh_token"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Only the refresh and logout routes ever need the refresh token: no other request carries it.
REFRESH_PATH = "/auth"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def set_session_cookies(response: Response, tokens: SessionTokens, settings: Settings) -> None:
    session = tokens.session
    session_seconds = int(session.remaining(session.last_used_at).total_seconds())
    secure = settings.secure_cookies
    response.set_cookie(
        ACCESS_COOKIE, tokens.access_token.value, max_age=tokens.access_token.lifetime_seconds,
        path="/", httponly=True, secure=secure, samesite=settings.cookie_samesite)
    response.set_cookie(
        REFRESH_COOKIE, tokens.refresh_token.value, max_age=session_seconds, path=REFRESH_PATH,
        httponly=True, secure=secure, samesite="strict")
    # Readable by the page's own scripts, which echo it in the X-CSRF-Token header; a
    # cross-site page can neither read it nor set that header without a CORS preflight.
    response.set_cookie(
        CSRF_COOKIE, secrets.token_urlsafe(32), max_age=session_seconds, path="/",
        httponly=False, secure=secure, samesite="strict")


def clear_session_cookies(response: Response, settings: Settings) -> None:
    secure = settings.secure_cookies
    response.delete_cookie(ACCESS_COOKIE, path="/", secure=secure, httponly=True,
                           samesite=settings.cookie_samesite)
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH, secure=secure, httponly=True,
                           samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path="/", secure=secure, samesite="strict")


def session_cookie(request: Request, name: str) -> str | None:
    """A session cookie's value; on an unsafe request only with a matching X-CSRF-Token."""
    value = request.cookies.get(name)
    if value and request.method in UNSAFE_METHODS:
        require_csrf_token(request)
    return value


def require_csrf_token(request: Request) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not (sent and expected and hmac.compare_digest(sent.encode(), expected.encode())):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="CSRF token missing or invalid")
