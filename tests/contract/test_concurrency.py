"""Concurrent transactions on every backend: one account per email, no overbooked room."""

import asyncio
from datetime import date

from application.create_booking import CreateBooking
from application.errors import EmailAlreadyRegistered
from application.register_user import RegisterUser
from domain.bookings import Booking
from domain.errors import RoomUnavailable
from domain.passwords import PasswordPolicy
from domain.users import User
from tests.contract.test_repositories import make_room, make_user, store
from tests.databases import UnitOfWorkFactory
from tests.fakes import FakeClock, FakePasswordHasher

ATTEMPTS = 20


async def test_concurrent_adds_of_one_email_let_exactly_one_win(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async def add(index: int) -> User:
        # Spellings that differ only in case are one address.
        user = make_user("Ada@Example.com".swapcase() if index % 2 else "ada@example.com")
        async with uow_factory() as uow:
            await uow.users.add(user)
            await uow.commit()
        return user

    outcomes = await asyncio.gather(*(add(i) for i in range(ATTEMPTS)), return_exceptions=True)

    winners = [o for o in outcomes if isinstance(o, User)]
    refused = [o for o in outcomes if isinstance(o, EmailAlreadyRegistered)]
    assert (len(winners), len(refused)) == (1, ATTEMPTS - 1), outcomes
    async with uow_factory() as uow:
        assert [user.id for user in await uow.users.list()] == [winners[0].id]


async def test_concurrent_registrations_of_one_email_let_exactly_one_win(
    uow_factory: UnitOfWorkFactory,
) -> None:
    hasher, clock = FakePasswordHasher(), FakeClock()
    outcomes = await asyncio.gather(
        *(RegisterUser(uow_factory(), hasher, clock, PasswordPolicy()).execute(
            email="grace@example.com", password="correct horse battery")
          for _ in range(ATTEMPTS)),
        return_exceptions=True,
    )

    assert sum(isinstance(o, User) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, EmailAlreadyRegistered) for o in outcomes) == ATTEMPTS - 1
    async with uow_factory() as uow:
        assert len(await uow.users.list()) == 1


async def test_concurrent_bookings_never_exceed_the_rooms(
    uow_factory: UnitOfWorkFactory,
) -> None:
    guests = tuple(make_user(f"guest{i}@example.com") for i in range(10))
    room = make_room(quantity=2)
    await store(uow_factory, users=guests, rooms=(room,))
    clock = FakeClock()

    outcomes = await asyncio.gather(
        *(CreateBooking(uow_factory(), clock).execute(
            actor=guest, room_id=room.id, date_from=date(2030, 2, 1), date_to=date(2030, 2, 4))
          for guest in guests),
        return_exceptions=True,
    )

    assert sum(isinstance(o, Booking) for o in outcomes) == 2, outcomes
    assert sum(isinstance(o, RoomUnavailable) for o in outcomes) == 8, outcomes
    async with uow_factory() as uow:
        assert len(await uow.bookings.list_all()) == 2
