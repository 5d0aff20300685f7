"""CancelBooking: delete a booking its owner (or an admin) no longer wants."""

import uuid

from application.errors import BookingNotFound
from application.ports import UnitOfWork
from domain.policy import can_manage_booking
from domain.users import User


class CancelBooking:
    """Someone else's booking is reported as not found, so ids cannot be probed."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, *, actor: User, booking_id: uuid.UUID) -> None:
        async with self._uow:
            booking = await self._uow.bookings.get(booking_id)
            if booking is None or not can_manage_booking(actor, booking):
                raise BookingNotFound()
            await self._uow.bookings.delete(booking.id)
            await self._uow.commit()
