"""Invariants of CreateBooking and CancelBooking under random sequences of operations."""

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from application.cancel_booking import CancelBooking
from application.create_booking import CreateBooking
from application.errors import BookingNotFound
from domain.bookings import MAX_NIGHTS, Booking, Room
from domain.errors import BookingInPast, DomainError, InvalidDateRange, RoomUnavailable
from domain.users import Email, PasswordHash, Role, User
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from tests.fakes import FIXED_NOW, FakeClock

TODAY = FIXED_NOW.date()
USERS = 3  # actor index USERS is the admin


@dataclass(frozen=True)
class Book:
    """Actor `actor` books room `room` from `start` days after today for `nights` nights."""

    actor: int
    room: int
    start: int
    nights: int


@dataclass(frozen=True)
class Cancel:
    """Actor `actor` cancels the live booking at index `pick` (modulo their number)."""

    actor: int
    pick: int


Operation = Book | Cancel

_rooms = st.lists(st.tuples(st.integers(0, 500), st.integers(1, 3)), min_size=1, max_size=3)
_books = st.builds(
    Book,
    actor=st.integers(0, USERS - 1),
    room=st.integers(0, 2),
    # A narrow window so that stays collide; a few start yesterday or are too long or empty.
    start=st.integers(-1, 8),
    nights=st.one_of(st.integers(1, 3), st.integers(-1, MAX_NIGHTS + 2)),
)
_cancels = st.builds(Cancel, actor=st.integers(0, USERS), pick=st.integers(0, 50))
_operations = st.lists(st.one_of(_books, _books, _cancels), max_size=25)


def _user(index: int, role: Role = Role.USER) -> User:
    return User.register(email=Email(f"user{index}@example.com"),
                         password_hash=PasswordHash("fake$salt$digest"), now=FIXED_NOW,
                         role=role)


def _nights(start: date, end: date) -> set[date]:
    return {start + timedelta(days=n) for n in range((end - start).days)}


def _busiest_night(bookings: list[Booking], room_id: uuid.UUID) -> int:
    nights: Counter[date] = Counter()
    for booking in bookings:
        if booking.room_id == room_id:
            nights.update(_nights(booking.dates.start, booking.dates.end))
    return max(nights.values(), default=0)


def _expected_refusal(op: Book, room: Room, accepted: list[Booking]) -> type[DomainError] | None:
    """The model: what CreateBooking should refuse with, judged only from accepted bookings."""
    if not 1 <= op.nights <= MAX_NIGHTS:
        return InvalidDateRange
    if op.start < 0:
        return BookingInPast
    start = TODAY + timedelta(days=op.start)
    wanted = _nights(start, start + timedelta(days=op.nights))
    overlapping = sum(1 for b in accepted
                      if b.room_id == room.id and wanted & _nights(b.dates.start, b.dates.end))
    return RoomUnavailable if overlapping >= room.quantity else None


async def _run(rooms: list[Room], operations: list[Operation]) -> MemoryStore:
    """Apply the operations, checking each outcome against the model and the invariants."""
    store, clock = MemoryStore(), FakeClock()
    store.rooms = {room.id: room for room in rooms}
    actors = [_user(i) for i in range(USERS)] + [_user(USERS, Role.ADMIN)]
    store.users = {user.id: user for user in actors}
    create = CreateBooking(MemoryUnitOfWork(store), clock)
    cancel = CancelBooking(MemoryUnitOfWork(store))
    accepted: list[Booking] = []

    for op in operations:
        actor = actors[op.actor]
        if isinstance(op, Book):
            room = rooms[op.room % len(rooms)]
            expected = _expected_refusal(op, room, accepted)
            start = TODAY + timedelta(days=op.start)
            try:
                booking = await create.execute(actor=actor, room_id=room.id, date_from=start,
                                               date_to=start + timedelta(days=op.nights))
            except DomainError as refused:
                assert type(refused) is expected, f"{op} refused with {refused!r}"
            else:
                assert expected is None, f"{op} accepted, expected {expected.__name__}"
                assert booking.price == room.price
                assert booking.total_cost == booking.dates.nights * room.price
                accepted.append(booking)
        elif accepted:
            target = accepted[op.pick % len(accepted)]
            if actor.id == target.user_id or actor.role is Role.ADMIN:
                await cancel.execute(actor=actor, booking_id=target.id)
                accepted.remove(target)
            else:
                try:
                    await cancel.execute(actor=actor, booking_id=target.id)
                except BookingNotFound:
                    pass
                else:
                    raise AssertionError(f"{actor.email} cancelled someone else's booking")

        assert set(store.bookings) == {b.id for b in accepted}
        for room in rooms:
            assert _busiest_night(list(store.bookings.values()), room.id) <= room.quantity
    return store


@settings(max_examples=60, deadline=None)
@given(_rooms, _operations)
# Back-to-back stays share no night; the third stay finds the single room full.
@example([(100, 1)], [Book(0, 0, 0, 2), Book(1, 0, 2, 2), Book(2, 0, 1, 1)])
# A stranger cannot cancel; after the owner does, the nights are free again.
@example([(100, 1)], [Book(0, 0, 0, 2), Cancel(1, 0), Cancel(0, 0), Book(1, 0, 0, 2)])
def test_random_bookings_and_cancellations_never_overbook_and_cost_nights_times_price(
    room_specs: list[tuple[int, int]], operations: list[Operation]
) -> None:
    rooms = [Room.create(name=f"Room {i}", description="", price=price, quantity=quantity)
             for i, (price, quantity) in enumerate(room_specs)]

    store = asyncio.run(_run(rooms, operations))

    bookings = list(store.bookings.values())
    for room in rooms:
        assert _busiest_night(bookings, room.id) <= room.quantity
    for booking in bookings:
        assert booking.total_cost == booking.dates.nights * store.rooms[booking.room_id].price
