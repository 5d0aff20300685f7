"""Rooms, date ranges and booking: validation and the availability rule."""

import uuid
from datetime import date, timedelta

import pytest

from domain.bookings import MAX_NIGHTS, Booking, DateRange, Room
from domain.errors import BookingInPast, InvalidDateRange, InvalidRoom, RoomUnavailable

TODAY = date(2030, 1, 15)


def make_room(*, price: int = 100, quantity: int = 1) -> Room:
    return Room.create(name="Double", description="", price=price, quantity=quantity)


def nights_from(start: date, nights: int) -> DateRange:
    return DateRange(start, start + timedelta(days=nights))


def test_room_name_is_trimmed() -> None:
    assert Room.create(name="  Suite ", description="", price=1, quantity=1).name == "Suite"


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_room_without_a_name_is_rejected(name: str) -> None:
    with pytest.raises(InvalidRoom, match="name"):
        Room.create(name=name, description="", price=100, quantity=1)


def test_room_may_be_free() -> None:
    assert make_room(price=0).price == 0


def test_room_with_negative_price_is_rejected() -> None:
    with pytest.raises(InvalidRoom, match="price"):
        make_room(price=-1)


def test_room_with_one_room_is_accepted() -> None:
    assert make_room(quantity=1).quantity == 1


@pytest.mark.parametrize("quantity", [0, -1])
def test_room_with_fewer_than_one_room_is_rejected(quantity: int) -> None:
    with pytest.raises(InvalidRoom, match="at least one"):
        make_room(quantity=quantity)


def test_rooms_are_equal_by_id() -> None:
    room = make_room()
    twin = Room(id=room.id, name="Other", price=1, quantity=9)
    assert room == twin
    assert hash(room) == hash(twin)
    assert room != make_room()


def test_date_range_counts_nights() -> None:
    assert DateRange(date(2030, 1, 1), date(2030, 1, 4)).nights == 3


def test_date_range_of_one_night_is_accepted() -> None:
    assert nights_from(TODAY, 1).nights == 1


def test_date_range_ending_on_its_start_is_rejected() -> None:
    with pytest.raises(InvalidDateRange, match="before"):
        DateRange(TODAY, TODAY)


def test_date_range_ending_before_its_start_is_rejected() -> None:
    with pytest.raises(InvalidDateRange, match="before"):
        DateRange(TODAY, TODAY - timedelta(days=1))


def test_date_range_of_thirty_nights_is_accepted() -> None:
    assert nights_from(TODAY, MAX_NIGHTS).nights == 30


def test_date_range_of_thirty_one_nights_is_rejected() -> None:
    with pytest.raises(InvalidDateRange, match="30 nights"):
        nights_from(TODAY, 31)


def test_overlapping_ranges_overlap_both_ways() -> None:
    first = DateRange(date(2030, 1, 1), date(2030, 1, 5))
    second = DateRange(date(2030, 1, 4), date(2030, 1, 8))
    assert first.overlaps(second)
    assert second.overlaps(first)


def test_a_range_inside_another_overlaps_it() -> None:
    outer = DateRange(date(2030, 1, 1), date(2030, 1, 10))
    inner = DateRange(date(2030, 1, 3), date(2030, 1, 4))
    assert outer.overlaps(inner)
    assert inner.overlaps(outer)


def test_a_range_overlaps_itself() -> None:
    dates = nights_from(TODAY, 2)
    assert dates.overlaps(dates)


def test_touching_ranges_do_not_overlap() -> None:
    # Check-out day of one stay is the check-in day of the next.
    first = DateRange(date(2030, 1, 1), date(2030, 1, 5))
    second = DateRange(date(2030, 1, 5), date(2030, 1, 8))
    assert not first.overlaps(second)
    assert not second.overlaps(first)


def test_disjoint_ranges_do_not_overlap() -> None:
    first = DateRange(date(2030, 1, 1), date(2030, 1, 3))
    second = DateRange(date(2030, 2, 1), date(2030, 2, 3))
    assert not first.overlaps(second)


def test_booking_copies_room_and_user_and_computes_total_cost() -> None:
    room, user_id = make_room(price=120), uuid.uuid4()
    booking = Booking.book(user_id=user_id, room=room, dates=nights_from(TODAY, 3), today=TODAY,
                           overlapping_bookings=0)
    assert booking.user_id == user_id
    assert booking.room_id == room.id
    assert booking.price == 120
    assert booking.total_cost == 360


def test_booking_keeps_its_price_when_the_room_price_changes() -> None:
    room = make_room(price=120)
    booking = Booking.book(user_id=uuid.uuid4(), room=room, dates=nights_from(TODAY, 2),
                           today=TODAY, overlapping_bookings=0)
    room.price = 500
    assert booking.price == 120
    assert booking.total_cost == 240


def test_booking_of_a_free_room_costs_nothing() -> None:
    booking = Booking.book(user_id=uuid.uuid4(), room=make_room(price=0),
                           dates=nights_from(TODAY, 5), today=TODAY, overlapping_bookings=0)
    assert booking.total_cost == 0


def test_booking_starting_today_is_allowed() -> None:
    booking = Booking.book(user_id=uuid.uuid4(), room=make_room(), dates=nights_from(TODAY, 1),
                           today=TODAY, overlapping_bookings=0)
    assert booking.dates.start == TODAY


def test_booking_starting_yesterday_is_rejected() -> None:
    with pytest.raises(BookingInPast):
        Booking.book(user_id=uuid.uuid4(), room=make_room(),
                     dates=nights_from(TODAY - timedelta(days=1), 2), today=TODAY,
                     overlapping_bookings=0)


def test_room_is_available_while_fewer_bookings_overlap_than_rooms() -> None:
    room = make_room(quantity=3)
    assert room.is_available(overlapping_bookings=0)
    assert room.is_available(overlapping_bookings=2)
    assert not room.is_available(overlapping_bookings=3)
    assert not room.is_available(overlapping_bookings=4)


def test_booking_is_allowed_with_one_room_left() -> None:
    booking = Booking.book(user_id=uuid.uuid4(), room=make_room(quantity=2),
                           dates=nights_from(TODAY, 1), today=TODAY, overlapping_bookings=1)
    assert booking.dates.nights == 1


def test_booking_a_full_room_is_rejected() -> None:
    with pytest.raises(RoomUnavailable):
        Booking.book(user_id=uuid.uuid4(), room=make_room(quantity=2),
                     dates=nights_from(TODAY, 1), today=TODAY, overlapping_bookings=2)
