"""Request and response bodies: one schema per wire shape."""

import base64
import binascii
import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from application.list_audit_events import AuditPage
from application.ports import AuditCursor, AuditEvent
from application.session_tokens import SessionTokens
from domain.bookings import Booking, Room
from domain.sessions import Session
from domain.users import Role, User


class Request(BaseModel):
    """Unknown fields (`role`, `is_admin`, `id`, ...) are rejected, never silently honoured."""

    model_config = ConfigDict(extra="forbid")


class Credentials(Request):
    # Lengths here only bound the work a request can cause; the domain owns the real rules.
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    role: str
    is_active: bool
    created_at: datetime
    mfa_enabled: bool

    @classmethod
    def of(cls, user: User) -> "UserOut":
        return cls(id=user.id, email=user.email.value, role=user.role.value,
                   is_active=user.is_active, created_at=user.created_at,
                   mfa_enabled=user.mfa_enabled)


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
    refresh_token: str = Field(max_length=4096)


class PasswordChangeIn(Request):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


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
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    price: int
    quantity: int


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
    raw = f"{cursor.occurred_at.isoformat()}|{cursor.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(value: str) -> AuditCursor:
    """Raise ValueError for anything encode_cursor did not make."""
    try:
        occurred_at, _, event_id = base64.urlsafe_b64decode(value).decode().partition("|")
        cursor = AuditCursor(occurred_at=datetime.fromisoformat(occurred_at),
                             id=uuid.UUID(event_id))
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("not a cursor") from error
    if cursor.occurred_at.tzinfo is None:
        raise ValueError("not a cursor")
    return cursor
