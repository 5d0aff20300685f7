"""ListBookings: a user's own bookings, or everyone's for an admin who asks."""

from application.ports import UnitOfWork
from domain.bookings import Booking
from domain.policy import Permission, require
from domain.users import User


class ListBookings:
    """Users see only their own bookings; `everyone=True` needs MANAGE_ALL_BOOKINGS."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, *, actor: User, everyone: bool = False) -> list[Booking]:
        if everyone:
            require(actor, Permission.MANAGE_ALL_BOOKINGS)
        async with self._uow:
            if everyone:
                return await self._uow.bookings.list_all()
            return await self._uow.bookings.list_for_user(actor.id)
