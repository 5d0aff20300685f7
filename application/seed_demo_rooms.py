"""SeedDemoRooms: give a fresh development database something to book."""

from application.ports import UnitOfWork
from domain.bookings import Room

DEMO_ROOMS = (
    ("Single", "One bed, one window, one kettle.", 80, 5),
    ("Double", "A double bed and a desk.", 120, 4),
    ("Suite", "Two rooms, a bath and a view.", 250, 1),
)


class SeedDemoRooms:
    """Add the demo rooms only when there are no rooms at all, so it is safe at every start."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self) -> list[Room]:
        async with self._uow:
            if await self._uow.rooms.list():
                return []
            rooms = [Room.create(name=n, description=d, price=p, quantity=q)
                     for n, d, p, q in DEMO_ROOMS]
            for room in rooms:
                await self._uow.rooms.add(room)
            await self._uow.commit()
        return rooms
