"""Rooms and bookings: the DateRange value object and the availability rule."""

import uuid
from dataclasses import dataclass
from datetime import date

from domain.errors import BookingInPast, InvalidDateRange, InvalidRoom, RoomUnavailable

MAX_NIGHTS = 30
# Far above any real room, far below the 32-bit columns that store them (and 30 nights of it).
MAX_PRICE = 10_000_000
MAX_QUANTITY = 10_000


@dataclass(frozen=True, slots=True)
class DateRange:
    """Check-in (inclusive) to check-out (exclusive): between 1 and MAX_NIGHTS nights."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise InvalidDateRange("date_from must be before date_to")
        if self.nights > MAX_NIGHTS:
            raise InvalidDateRange(f"A booking may last at most {MAX_NIGHTS} nights")

    @property
    def nights(self) -> int:
        return (self.end - self.start).days

    def overlaps(self, other: "DateRange") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(slots=True, kw_only=True, eq=False)
class Room:
    """A room type: `quantity` identical rooms at `price` per night."""

    id: uuid.UUID
    name: str
    description: str = ""
    price: int
    quantity: int

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name:
            raise InvalidRoom("A room needs a name")
        if self.price < 0:
            raise InvalidRoom("The price cannot be negative")
        if self.price > MAX_PRICE:
            raise InvalidRoom(f"The price is at most {MAX_PRICE}")
        if self.quantity < 1:
            raise InvalidRoom("A room type needs at least one room")
        if self.quantity > MAX_QUANTITY:
            raise InvalidRoom(f"A room type has at most {MAX_QUANTITY} rooms")

    @classmethod
    def create(cls, *, name: str, description: str, price: int, quantity: int) -> "Room":
        return cls(id=uuid.uuid4(), name=name, description=description, price=price,
                   quantity=quantity)

    def is_available(self, *, overlapping_bookings: int) -> bool:
        """Available while fewer bookings overlap the range than there are rooms."""
        return overlapping_bookings < self.quantity

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Room) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(slots=True, kw_only=True, eq=False)
class Booking:
    """A stay of one user in one room; the nightly price is copied from the room when booked."""

    id: uuid.UUID
    user_id: uuid.UUID
    room_id: uuid.UUID
    dates: DateRange
    price: int

    @classmethod
    def book(
        cls, *, user_id: uuid.UUID, room: Room, dates: DateRange, today: date,
        overlapping_bookings: int,
    ) -> "Booking":
        if dates.start < today:
            raise BookingInPast()
        if not room.is_available(overlapping_bookings=overlapping_bookings):
            raise RoomUnavailable()
        return cls(id=uuid.uuid4(), user_id=user_id, room_id=room.id, dates=dates,
                   price=room.price)

    @property
    def total_cost(self) -> int:
        return self.dates.nights * self.price

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Booking) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
