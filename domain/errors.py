"""The one base of every error Roomkey raises on purpose, and the domain's own errors."""


class DomainError(Exception):
    """A rule was broken. Subclasses carry a message fit for the client, never a status code."""

    message: str = "The request breaks a rule"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)

    @property
    def detail(self) -> str:
        return str(self)


class InvalidEmail(DomainError):
    message = "The email address is not valid"


class InvalidPassword(DomainError):
    message = "The password does not meet the password policy"


class InvalidRoom(DomainError):
    message = "The room is not valid"


class InvalidDateRange(DomainError):
    message = "The dates are not valid"


class BookingInPast(DomainError):
    message = "A booking cannot start in the past"


class RoomUnavailable(DomainError):
    message = "Room is not available for these dates"


class PermissionDenied(DomainError):
    message = "You are not allowed to do this"


class SecondFactorRequired(PermissionDenied):
    message = "Second factor required"
