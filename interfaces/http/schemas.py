"""Request and response bodies: one schema per wire shape."""

import base64
import binascii
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

from application.list_audit_events import AuditPage
from application.mail import OutboxEntry
from application.ports import AuditCursor, AuditEvent
from application.session_tokens import SessionTokens
from domain.bookings import MAX_PRICE, MAX_QUANTITY, Booking, Room
from domain.errors import InvalidEmail
from domain.sessions import Session
from domain.users import Email, Role, User
from infrastructure.email_addresses import parse_email

MAX_EMAIL_INPUT = 320  # bounds the work before the real rule (254 characters) is applied


class NoControlCharacters:
    """Refuse C0 control characters and DEL in a string: PostgreSQL refuses NUL outright (a 500
    where SQLite would store it), nobody types the others, and in logs they forge lines.
    A tab is kept (it can be typed, in a password too); line breaks only in free text."""

    def __init__(self, *, line_breaks: bool = False) -> None:
        kept = "\t\n\r" if line_breaks else "\t"
        refused = "".join(chr(c) for c in [*range(0x20), 0x7F] if chr(c) not in kept)
        self._refused = re.compile(f"[{re.escape(refused)}]")

    def __call__(self, value: str) -> str:
        if self._refused.search(value):
            raise ValueError("Control characters (such as NUL) are not allowed")
        return value


_single_line = NoControlCharacters()
# Every string a request carries is one of these (or an email, a date, a UUID, an enum).
Text = Annotated[str, AfterValidator(_single_line)]
Prose = Annotated[str, AfterValidator(NoControlCharacters(line_breaks=True))]
Password = Annotated[Text, Field(max_length=1024)]  # only bounds the work; the policy rules


def _email(value: Any) -> Email:
    if not isinstance(value, str):
        raise ValueError("An email address must be a string")
    if len(value) > MAX_EMAIL_INPUT:
        raise ValueError(f"An email address has at most {MAX_EMAIL_INPUT} characters")
    _single_line(value)
    try:
        return parse_email(value)
    except InvalidEmail as error:
        raise ValueError(error.detail) from None


# The address as typed in, validated and normalised by the one rule (parse_email).
EmailAddress = Annotated[Email, PlainValidator(_email),
                         WithJsonSchema({"type": "string", "format": "email",
                                         "maxLength": MAX_EMAIL_INPUT})]


class Request(BaseModel):
    """Unknown fields (`role`, `is_admin`, `id`, ...) are rejected, never silently honoured."""

    model_config = ConfigDict(extra="forbid")


class Credentials(Request):
    email: EmailAddress
    password: Password


class TokenForm(Request):
    """The OAuth2 password grant's form (RFC 6749 §4.3.2); `username` is the email."""

    grant_type: Literal["password"] | None = None
    username: EmailAddress
    password: Password
    scope: Text = Field(default="", max_length=1000)
    client_id: Text | None = Field(default=None, max_length=200)
    client_secret: Text | None = Field(default=None, max_length=200)


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    role: str
    is_active: bool
    created_at: datetime
    mfa_enabled: bool
    email_verified: bool

    @classmethod
    def of(cls, user: User) -> "UserOut":
        return cls(id=user.id, email=user.email.value, role=user.role.value,
                   is_active=user.is_active, created_at=user.created_at,
                   mfa_enabled=user.mfa_enabled, email_verified=user.email_verified)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int

    @classmethod
    def of(cls, tokens: SessionTokens) -> "TokenOut":
        return cls(access_token=tokens.access_token.value,
                   expires_in=tokens.access_token.lifetime_seconds)


class TokenPairOut(TokenOut):
    """For bearer clients only; cookie clients never see a refresh token in a body."""

    refresh_token: str
    refresh_expires_in: int

    @classmethod
    def of(cls, tokens: SessionTokens) -> "TokenPairOut":
        session = tokens.session
        return cls(refresh_token=tokens.refresh_token.value,
                   refresh_expires_in=int(session.remaining(session.last_used_at).total_seconds()),
                   **TokenOut.of(tokens).model_dump())


class RefreshIn(Request):
    refresh_token: Text = Field(max_length=4096)


class PasswordChangeIn(Request):
    current_password: Password
    new_password: Password


class SessionOut(BaseModel):
    id: uuid.UUID
    description: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool

    @classmethod
    def of(cls, session: Session, *, current_id: uuid.UUID) -> "SessionOut":
        return cls(id=session.id, description=session.description,
                   created_at=session.created_at, last_used_at=session.last_used_at,
                   expires_at=session.expires_at, current=session.id == current_id)


class StatusOut(BaseModel):
    status: str


class RoomIn(Request):
    name: Text = Field(max_length=200)
    description: Prose = Field(default="", max_length=2000)
    price: int = Field(ge=0, le=MAX_PRICE, description="Per night")
    quantity: int = Field(ge=1, le=MAX_QUANTITY, description="Identical rooms of this type")


class RoomOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    price: int
    quantity: int

    @classmethod
    def of(cls, room: Room) -> "RoomOut":
        return cls(id=room.id, name=room.name, description=room.description, price=room.price,
                   quantity=room.quantity)


class BookingIn(Request):
    room_id: uuid.UUID
    date_from: date
    date_to: date


class BookingOut(BaseModel):
    id: uuid.UUID
    room_id: uuid.UUID
    date_from: date
    date_to: date
    price: int
    total_cost: int

    @classmethod
    def of(cls, booking: Booking) -> "BookingOut":
        return cls(id=booking.id, room_id=booking.room_id, date_from=booking.dates.start,
                   date_to=booking.dates.end, price=booking.price, total_cost=booking.total_cost)


class AdminBookingOut(BookingOut):
    user_id: uuid.UUID

    @classmethod
    def of(cls, booking: Booking) -> "AdminBookingOut":
        return cls(user_id=booking.user_id, **BookingOut.of(booking).model_dump())


class UserAccessIn(Request):
    is_active: bool | None = None
    role: Role | None = None


class ErrorOut(BaseModel):
    detail: str


class AuditEventOut(BaseModel):
    id: uuid.UUID
    type: str
    occurred_at: datetime
    user_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    client_ip: str | None
    user_agent: str | None
    request_id: str | None
    detail: str

    @classmethod
    def of(cls, event: AuditEvent) -> "AuditEventOut":
        return cls(id=event.id, type=event.type.value, occurred_at=event.occurred_at,
                   user_id=event.user_id, actor_id=event.actor_id,
                   client_ip=event.context.client_ip, user_agent=event.context.user_agent,
                   request_id=event.context.request_id, detail=event.detail)


class AuditPageOut(BaseModel):
    events: list[AuditEventOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page")

    @classmethod
    def of(cls, page: AuditPage) -> "AuditPageOut":
        cursor = page.next_cursor
        return cls(events=[AuditEventOut.of(event) for event in page.events],
                   next_cursor=None if cursor is None else encode_cursor(cursor))


def encode_cursor(cursor: AuditCursor) -> str:
    raw = f"{cursor.occurred_at.astimezone(UTC).isoformat()}|{cursor.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(value: str) -> AuditCursor:
    """Raise ValueError for anything encode_cursor did not make.

    Strict rather than signed: a cursor is a position in a list the admin may read anyway, so a
    forged one can only start a page elsewhere. What must not pass is a time no database column
    holds (an offset that moves year 1 before year 1, as `+14:00` did: an OverflowError, a 500);
    a cursor is accepted only in exactly the form encode_cursor writes, in UTC.
    """
    try:
        occurred_at, _, event_id = (
            base64.b64decode(value, altchars=b"-_", validate=True).decode().partition("|"))
        cursor = AuditCursor(occurred_at=datetime.fromisoformat(occurred_at),
                             id=uuid.UUID(event_id))
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("not a cursor") from error
    if cursor.occurred_at.utcoffset() != timedelta(0) or encode_cursor(cursor) != value:
        raise ValueError("not a cursor")
    return cursor


class EmailIn(Request):
    email: EmailAddress


class PasswordResetIn(Request):
    token: Text = Field(max_length=200)
    new_password: Password


class TokenIn(Request):
    token: Text = Field(max_length=200)


class EmailChangeIn(Request):
    new_email: EmailAddress
    current_password: Password


class DetailOut(BaseModel):
    """An accepted request's answer, the same whatever the request found."""

    detail: str


class OutboxEntryOut(BaseModel):
    id: uuid.UUID
    kind: str
    recipient: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str

    @classmethod
    def of(cls, entry: OutboxEntry) -> "OutboxEntryOut":
        return cls(id=entry.id, kind=entry.kind.value, recipient=entry.recipient,
                   status=entry.status.value, attempts=entry.attempts,
                   created_at=entry.created_at, next_attempt_at=entry.next_attempt_at,
                   sent_at=entry.sent_at, last_error=entry.last_error)
