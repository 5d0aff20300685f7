"""Errors the use cases raise; like the domain's, they carry no HTTP knowledge."""

from domain.errors import DomainError


class EmailAlreadyRegistered(DomainError):
    message = "User already exists"


class InvalidCredentials(DomainError):
    """One error for unknown email, wrong password and inactive user, so none can be told apart."""

    message = "Incorrect email or password"


class NotAuthenticated(DomainError):
    message = "Not authenticated"


class NotFound(DomainError):
    message = "Not found"


class RoomNotFound(NotFound):
    message = "Room not found"


class BookingNotFound(NotFound):
    message = "Booking not found"


class UserNotFound(NotFound):
    message = "User not found"


class StorageUnavailable(DomainError):
    """The database did not answer; raised by persistence adapters, answered with 503."""

    message = "The service is temporarily unavailable"


class SessionNotFound(NotFound):
    message = "Session not found"


class IncorrectPassword(DomainError):
    """The current password given to confirm a sensitive change is wrong."""

    message = "The current password is incorrect"


class RefreshTokenReused(NotAuthenticated):
    """A used refresh token came back: it was stolen or replayed, so its session was revoked."""


class TooManyAttempts(DomainError):
    """Over a rate limit. The same answer whatever the attempt would have given."""

    message = "Too many attempts; try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class IncorrectCode(DomainError):
    """The authentication code (or recovery code) given to a signed-in check is wrong."""

    message = "The authentication code is incorrect"


class InvalidMfaToken(NotAuthenticated):
    """The MFA token of a two-step login is unknown, used, expired or spent on wrong codes."""

    message = "The MFA token is invalid or expired; log in again"


class InvalidMfaCode(NotAuthenticated):
    message = "Invalid authentication code"


class TwoStepLoginRequired(NotAuthenticated):
    """Told only after the password was verified, so it reveals nothing to a guesser."""

    message = ("This account uses a second factor: log in with POST /auth/login, then "
               "POST /auth/mfa/verify")


class MfaConflict(DomainError):
    """The second factor is not in the state the request needs (enabled, or not)."""

    message = "No second factor is enabled"


class RecentAuthenticationRequired(DomainError):
    """A sensitive action needs the user to have proved who they are within `max_age` seconds."""

    message = "Recent authentication required"

    def __init__(self, max_age: int) -> None:
        super().__init__()
        self.max_age = max_age
