"""One table from error type to status code, and the handlers that answer with JSON `detail`."""

import logging
from typing import TypeVar

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from application.errors import (
    EmailAlreadyRegistered,
    IncorrectCode,
    IncorrectPassword,
    InvalidCredentials,
    MfaConflict,
    NotAuthenticated,
    NotFound,
    RecentAuthenticationRequired,
    StorageUnavailable,
    TooManyAttempts,
)
from domain.errors import (
    BookingInPast,
    DomainError,
    InvalidDateRange,
    InvalidEmail,
    InvalidPassword,
    InvalidRoom,
    PermissionDenied,
    RoomUnavailable,
)
from interfaces.http.request_id import current_request_id

logger = logging.getLogger("roomkey.http")

ERROR_STATUS: dict[type[DomainError], int] = {
    InvalidEmail: status.HTTP_422_UNPROCESSABLE_CONTENT,
    InvalidPassword: status.HTTP_422_UNPROCESSABLE_CONTENT,
    InvalidRoom: status.HTTP_422_UNPROCESSABLE_CONTENT,
    InvalidDateRange: status.HTTP_422_UNPROCESSABLE_CONTENT,
    BookingInPast: status.HTTP_422_UNPROCESSABLE_CONTENT,
    InvalidCredentials: status.HTTP_401_UNAUTHORIZED,
    NotAuthenticated: status.HTTP_401_UNAUTHORIZED,
    PermissionDenied: status.HTTP_403_FORBIDDEN,
    IncorrectPassword: status.HTTP_403_FORBIDDEN,
    IncorrectCode: status.HTTP_403_FORBIDDEN,
    RecentAuthenticationRequired: status.HTTP_403_FORBIDDEN,
    MfaConflict: status.HTTP_409_CONFLICT,
    NotFound: status.HTTP_404_NOT_FOUND,
    EmailAlreadyRegistered: status.HTTP_409_CONFLICT,
    RoomUnavailable: status.HTTP_409_CONFLICT,
    StorageUnavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
    TooManyAttempts: status.HTTP_429_TOO_MANY_REQUESTS,
}

# RFC 6750 §3: a 401 names the scheme the client should use.
ERROR_HEADERS: dict[type[DomainError], dict[str, str]] = {
    NotAuthenticated: {"WWW-Authenticate": "Bearer"},
    InvalidCredentials: {"WWW-Authenticate": "Bearer"},
}


T = TypeVar("T")


def _lookup(table: dict[type[DomainError], T], error: DomainError, default: T) -> T:
    for error_type in type(error).__mro__:
        if error_type in table:
            return table[error_type]
    return default


async def domain_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    code = _lookup(ERROR_STATUS, exc, status.HTTP_400_BAD_REQUEST)
    if code == status.HTTP_503_SERVICE_UNAVAILABLE:
        logger.error("storage unavailable: %r", exc.__cause__)
    fixed_headers: dict[str, str] = _lookup(ERROR_HEADERS, exc, {})
    headers = {**fixed_headers}
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, RecentAuthenticationRequired):
        # RFC 9470: the client should authenticate again, no longer ago than max_age.
        headers["WWW-Authenticate"] = (
            f'Bearer error="insufficient_user_authentication", max_age={exc.max_age}')
    return JSONResponse({"detail": exc.detail}, status_code=code, headers=headers)


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI echoes the offending `input` (the whole body when a field is missing), which
    would put passwords into responses and logs: every echo is dropped."""
    assert isinstance(exc, RequestValidationError)
    errors = [{k: v for k, v in error.items() if k not in ("input", "ctx", "url")}
              for error in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def unexpected_error_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error (request id %s)", current_request_id())
    return JSONResponse({"detail": "Internal server error"},
                        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
