"""CreateBooking: book a room for a range of nights."""

import uuid
from datetime import date

from application.errors import RoomNotFound
from application.ports import Clock, UnitOfWork
from domain.bookings import Booking, DateRange
from domain.users import User


class CreateBooking:
    """Book a room for the acting user.

    - The range is 1 to 30 nights and does not start in the past (by the injected clock).
    - The room must exist and have fewer overlapping bookings than rooms; the room is locked
      for the transaction so that concurrent bookings cannot overbook it.
    - The nightly price is copied from the room at booking time.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, *, actor: User, room_id: uuid.UUID, date_from: date, date_to: date
    ) -> Booking:
        dates = DateRange(date_from, date_to)
        async with self._uow:
            room = await self._uow.rooms.lock(room_id)
            if room is None:
                raise RoomNotFound()
            booking = Booking.book(
                user_id=actor.id, room=room, dates=dates, today=self._clock.now().date(),
                overlapping_bookings=await self._uow.bookings.count_overlapping(room.id, dates),
            )
            await self._uow.bookings.add(booking)
            await self._uow.commit()
        return booking
