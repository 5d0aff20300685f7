"""CreateBooking, CancelBooking and ListBookings."""

import uuid
from datetime import date, timedelta

import pytest

from application.cancel_booking import CancelBooking
from application.create_booking import CreateBooking
from application.create_room import CreateRoom
from application.errors import BookingNotFound, RoomNotFound
from application.list_bookings import ListBookings
from domain.bookings import Booking, Room
from domain.errors import BookingInPast, InvalidDateRange, PermissionDenied, RoomUnavailable
from domain.users import User
from infrastructure.persistence.memory import MemoryStore
from tests.fakes import FIXED_NOW, FakeClock

TODAY = FIXED_NOW.date()


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


async def book(create_booking: CreateBooking, actor: User, room: Room, start: int = 10,
               end: int = 13) -> Booking:
    return await create_booking.execute(actor=actor, room_id=room.id, date_from=day(start),
                                        date_to=day(end))


async def test_create_booking_stores_the_booking_with_the_room_price(
    create_booking: CreateBooking, alice: User, room: Room, store: MemoryStore
) -> None:
    booking = await book(create_booking, alice, room, 10, 13)

    stored = store.bookings[booking.id]
    assert stored.user_id == alice.id
    assert stored.room_id == room.id
    assert (stored.dates.start, stored.dates.end) == (day(10), day(13))
    assert stored.price == room.price == 120
    assert stored.total_cost == 3 * 120


async def test_booking_may_start_today(
    create_booking: CreateBooking, alice: User, room: Room, store: MemoryStore
) -> None:
    booking = await book(create_booking, alice, room, 0, 1)

    assert booking.id in store.bookings


async def test_booking_of_an_unknown_room_is_rejected(
    create_booking: CreateBooking, alice: User, store: MemoryStore
) -> None:
    with pytest.raises(RoomNotFound):
        await create_booking.execute(actor=alice, room_id=uuid.uuid4(), date_from=day(1),
                                     date_to=day(2))

    assert store.bookings == {}


async def test_booking_starting_yesterday_is_rejected(
    create_booking: CreateBooking, alice: User, room: Room, store: MemoryStore
) -> None:
    with pytest.raises(BookingInPast):
        await book(create_booking, alice, room, -1, 2)

    assert store.bookings == {}


async def test_booking_in_the_past_is_judged_by_the_injected_clock(
    create_booking: CreateBooking, alice: User, room: Room, clock: FakeClock
) -> None:
    clock.advance(timedelta(days=20))

    with pytest.raises(BookingInPast):
        await book(create_booking, alice, room, 10, 13)


async def test_booking_of_a_full_room_is_rejected(
    create_booking: CreateBooking, alice: User, bob: User, room: Room, store: MemoryStore
) -> None:
    first = await book(create_booking, alice, room, 10, 13)

    with pytest.raises(RoomUnavailable):
        await book(create_booking, bob, room, 12, 15)

    assert list(store.bookings) == [first.id]


async def test_back_to_back_bookings_of_a_single_room_are_allowed(
    create_booking: CreateBooking, alice: User, bob: User, room: Room, store: MemoryStore
) -> None:
    await book(create_booking, alice, room, 10, 13)
    await book(create_booking, bob, room, 13, 15)
    await book(create_booking, bob, room, 8, 10)

    assert len(store.bookings) == 3


async def test_booking_of_thirty_one_nights_is_rejected(
    create_booking: CreateBooking, alice: User, room: Room, store: MemoryStore
) -> None:
    with pytest.raises(InvalidDateRange):
        await book(create_booking, alice, room, 1, 32)

    assert store.bookings == {}


async def test_booking_of_thirty_nights_is_allowed(
    create_booking: CreateBooking, alice: User, room: Room
) -> None:
    assert (await book(create_booking, alice, room, 1, 31)).dates.nights == 30


async def test_booking_ending_before_it_starts_is_rejected(
    create_booking: CreateBooking, alice: User, room: Room, store: MemoryStore
) -> None:
    with pytest.raises(InvalidDateRange):
        await book(create_booking, alice, room, 5, 5)

    assert store.bookings == {}


async def test_room_of_two_takes_two_overlapping_bookings_and_rejects_a_third(
    create_booking: CreateBooking, create_room: CreateRoom, admin: User, alice: User, bob: User,
    store: MemoryStore,
) -> None:
    twin = await create_room.execute(actor=admin, name="Twin", description="", price=90,
                                     quantity=2)
    await book(create_booking, alice, twin, 10, 13)
    await book(create_booking, bob, twin, 11, 14)

    with pytest.raises(RoomUnavailable):
        await book(create_booking, alice, twin, 12, 13)

    assert len(store.bookings) == 2


async def test_bookings_of_another_room_do_not_count(
    create_booking: CreateBooking, create_room: CreateRoom, admin: User, alice: User,
    room: Room, store: MemoryStore,
) -> None:
    other = await create_room.execute(actor=admin, name="Other", description="", price=1,
                                      quantity=1)
    await book(create_booking, alice, other, 10, 13)

    await book(create_booking, alice, room, 10, 13)

    assert len(store.bookings) == 2


async def test_room_is_bookable_again_after_a_cancellation(
    create_booking: CreateBooking, cancel_booking: CancelBooking, alice: User, bob: User,
    room: Room, store: MemoryStore,
) -> None:
    first = await book(create_booking, alice, room, 10, 13)
    await cancel_booking.execute(actor=alice, booking_id=first.id)

    second = await book(create_booking, bob, room, 10, 13)

    assert list(store.bookings) == [second.id]


async def test_owner_cancels_own_booking(
    create_booking: CreateBooking, cancel_booking: CancelBooking, alice: User, room: Room,
    store: MemoryStore,
) -> None:
    booking = await book(create_booking, alice, room)

    await cancel_booking.execute(actor=alice, booking_id=booking.id)

    assert booking.id not in store.bookings


async def test_cancelling_someone_elses_booking_reports_not_found_and_keeps_it(
    create_booking: CreateBooking, cancel_booking: CancelBooking, alice: User, bob: User,
    room: Room, store: MemoryStore,
) -> None:
    booking = await book(create_booking, alice, room)

    with pytest.raises(BookingNotFound):
        await cancel_booking.execute(actor=bob, booking_id=booking.id)

    assert booking.id in store.bookings


async def test_admin_cancels_anyones_booking(
    create_booking: CreateBooking, cancel_booking: CancelBooking, alice: User, admin: User,
    room: Room, store: MemoryStore,
) -> None:
    booking = await book(create_booking, alice, room)

    await cancel_booking.execute(actor=admin, booking_id=booking.id)

    assert store.bookings == {}


async def test_cancelling_an_unknown_booking_reports_not_found(
    cancel_booking: CancelBooking, alice: User
) -> None:
    with pytest.raises(BookingNotFound):
        await cancel_booking.execute(actor=alice, booking_id=uuid.uuid4())


async def test_cancelling_twice_reports_not_found_the_second_time(
    create_booking: CreateBooking, cancel_booking: CancelBooking, alice: User, room: Room,
    store: MemoryStore,
) -> None:
    booking = await book(create_booking, alice, room)
    await cancel_booking.execute(actor=alice, booking_id=booking.id)

    with pytest.raises(BookingNotFound):
        await cancel_booking.execute(actor=alice, booking_id=booking.id)

    assert store.bookings == {}


async def test_user_lists_only_own_bookings(
    create_booking: CreateBooking, list_bookings: ListBookings, alice: User, bob: User,
    room: Room,
) -> None:
    mine = await book(create_booking, alice, room, 1, 2)
    await book(create_booking, bob, room, 2, 3)
    also_mine = await book(create_booking, alice, room, 3, 4)

    assert await list_bookings.execute(actor=alice) == [mine, also_mine]


async def test_user_without_bookings_lists_none(
    create_booking: CreateBooking, list_bookings: ListBookings, alice: User, bob: User,
    room: Room,
) -> None:
    await book(create_booking, alice, room)

    assert await list_bookings.execute(actor=bob) == []


async def test_admin_lists_everyones_bookings(
    create_booking: CreateBooking, list_bookings: ListBookings, alice: User, bob: User,
    admin: User, room: Room,
) -> None:
    alices = await book(create_booking, alice, room, 1, 2)
    bobs = await book(create_booking, bob, room, 2, 3)

    assert await list_bookings.execute(actor=admin, everyone=True) == [alices, bobs]


async def test_admin_without_everyone_lists_only_own_bookings(
    create_booking: CreateBooking, list_bookings: ListBookings, alice: User, admin: User,
    room: Room,
) -> None:
    await book(create_booking, alice, room)

    assert await list_bookings.execute(actor=admin) == []


async def test_user_may_not_list_everyones_bookings(
    create_booking: CreateBooking, list_bookings: ListBookings, alice: User, room: Room
) -> None:
    await book(create_booking, alice, room)

    with pytest.raises(PermissionDenied):
        await list_bookings.execute(actor=alice, everyone=True)
