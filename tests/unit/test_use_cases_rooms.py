"""ListRooms, CreateRoom and SeedDemoRooms."""

import pytest

from application.create_room import CreateRoom
from application.list_rooms import ListRooms
from application.seed_demo_rooms import DEMO_ROOMS, SeedDemoRooms
from domain.bookings import Room
from domain.errors import InvalidRoom, PermissionDenied
from domain.users import User
from infrastructure.persistence.memory import MemoryStore


async def test_list_rooms_is_empty_without_rooms(list_rooms: ListRooms) -> None:
    assert await list_rooms.execute() == []


async def test_list_rooms_returns_every_room(
    list_rooms: ListRooms, create_room: CreateRoom, admin: User
) -> None:
    suite = await create_room.execute(actor=admin, name="Suite", description="", price=250,
                                      quantity=1)
    single = await create_room.execute(actor=admin, name="Single", description="", price=80,
                                       quantity=5)

    assert set(await list_rooms.execute()) == {suite, single}


async def test_admin_creates_a_room(
    create_room: CreateRoom, admin: User, store: MemoryStore
) -> None:
    room = await create_room.execute(actor=admin, name=" Double ", description="A desk",
                                     price=120, quantity=4)

    stored = store.rooms[room.id]
    assert (stored.name, stored.description, stored.price, stored.quantity) == (
        "Double", "A desk", 120, 4)


async def test_user_may_not_create_a_room(
    create_room: CreateRoom, alice: User, store: MemoryStore
) -> None:
    with pytest.raises(PermissionDenied):
        await create_room.execute(actor=alice, name="Double", description="", price=120,
                                  quantity=4)

    assert store.rooms == {}


async def test_deactivated_admin_may_not_create_a_room(
    create_room: CreateRoom, admin: User, store: MemoryStore
) -> None:
    admin.is_active = False

    with pytest.raises(PermissionDenied):
        await create_room.execute(actor=admin, name="Double", description="", price=120,
                                  quantity=4)

    assert store.rooms == {}


@pytest.mark.parametrize(("name", "price", "quantity"), [(" ", 100, 1), ("Double", -1, 1),
                                                         ("Double", 100, 0)])
async def test_invalid_room_is_rejected_and_not_stored(
    create_room: CreateRoom, admin: User, store: MemoryStore, name: str, price: int,
    quantity: int,
) -> None:
    with pytest.raises(InvalidRoom):
        await create_room.execute(actor=admin, name=name, description="", price=price,
                                  quantity=quantity)

    assert store.rooms == {}


async def test_seed_adds_the_demo_rooms_to_an_empty_store(
    seed_demo_rooms: SeedDemoRooms, store: MemoryStore
) -> None:
    seeded = await seed_demo_rooms.execute()

    assert len(seeded) == len(DEMO_ROOMS)
    assert {(r.name, r.price, r.quantity) for r in store.rooms.values()} == {
        (name, price, quantity) for name, _, price, quantity in DEMO_ROOMS}


async def test_seed_twice_adds_the_demo_rooms_once(
    seed_demo_rooms: SeedDemoRooms, store: MemoryStore
) -> None:
    await seed_demo_rooms.execute()

    assert await seed_demo_rooms.execute() == []
    assert len(store.rooms) == len(DEMO_ROOMS)


async def test_seed_does_nothing_when_rooms_exist(
    seed_demo_rooms: SeedDemoRooms, room: Room, store: MemoryStore
) -> None:
    assert await seed_demo_rooms.execute() == []
    assert list(store.rooms) == [room.id]
