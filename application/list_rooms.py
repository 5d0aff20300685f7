"""ListRooms: the room types on offer."""

from application.ports import UnitOfWork
from domain.bookings import Room


class ListRooms:
    """Anyone may list rooms."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self) -> list[Room]:
        async with self._uow:
            return await self._uow.rooms.list()
