"""CreateRoom: add a room type (admins only)."""

from application.ports import UnitOfWork
from domain.bookings import Room
from domain.policy import Permission, require
from domain.users import User


class CreateRoom:
    """Only users allowed to manage rooms may create one; the room validates itself."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, *, actor: User, name: str, description: str, price: int, quantity: int
    ) -> Room:
        require(actor, Permission.MANAGE_ROOMS)
        room = Room.create(name=name, description=description, price=price, quantity=quantity)
        async with self._uow:
            await self._uow.rooms.add(room)
            await self._uow.commit()
        return room
