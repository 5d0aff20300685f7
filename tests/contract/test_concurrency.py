"""Concurrent transactions on every backend: one account per email, no overbooked room, one
refresh per refresh token."""

import asyncio
from datetime import date

from application.create_booking import CreateBooking
from application.errors import EmailAlreadyRegistered, NotAuthenticated
from application.refresh_session import RefreshSession
from application.register_user import RegisterUser
from application.session_tokens import SessionTokens
from domain.bookings import Booking
from domain.errors import RoomUnavailable
from domain.passwords import PasswordPolicy
from domain.users import Email, User
from infrastructure.tokens import PyJwtTokenCodec
from infrastructure.tokens.keys import hs256_keys
from tests.contract.test_repositories import make_room, make_user, store
from tests.contract.test_session_repositories import make_record, make_session
from tests.databases import UnitOfWorkFactory
from tests.fakes import FIXED_NOW, FakeClock, FakePasswordHasher, UnlimitedThrottle
from tests.wiring import make_login_user

ATTEMPTS = 20
REFRESHES = 10
PASSWORD = "correct horse battery"


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
            email=Email("grace@example.com"), password="correct horse battery")
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


async def test_concurrent_uses_of_one_refresh_token_let_exactly_one_win(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    session = make_session(user)
    record = make_record(session)
    await store(uow_factory, users=(user,), sessions=(session,), refresh_tokens=(record,))

    async def use() -> bool:
        async with uow_factory() as uow:
            won = await uow.refresh_tokens.use(record.digest, FIXED_NOW)
            await uow.commit()
        return won

    outcomes = await asyncio.gather(*(use() for _ in range(REFRESHES)), return_exceptions=True)

    assert sorted(outcomes, key=str) == [False] * (REFRESHES - 1) + [True], outcomes


async def test_concurrent_refreshes_with_one_token_let_exactly_one_succeed(
    uow_factory: UnitOfWorkFactory,
) -> None:
    hasher, clock = FakePasswordHasher(), FakeClock()
    tokens = PyJwtTokenCodec(keys=hs256_keys("contract-test-secret-" + "x" * 32), clock=clock)
    await RegisterUser(uow_factory(clock), hasher, clock, PasswordPolicy()).execute(
        email=Email("ada@example.com"), password=PASSWORD)
    login_user = make_login_user(uow_factory(clock), hasher, tokens, UnlimitedThrottle(), clock)
    login = await login_user.execute(email=Email("ada@example.com"), password=PASSWORD)
    refresh_token = login.tokens.refresh_token.value

    outcomes = await asyncio.gather(
        *(RefreshSession(uow_factory(clock), tokens, clock).execute(refresh_token=refresh_token)
          for _ in range(REFRESHES)),
        return_exceptions=True,
    )

    assert sum(isinstance(o, SessionTokens) for o in outcomes) == 1, outcomes
    # RefreshTokenReused is a NotAuthenticated; anything else (a 500, a 503) is a failure.
    assert sum(isinstance(o, NotAuthenticated) for o in outcomes) == REFRESHES - 1, outcomes
    async with uow_factory() as uow:
        stored = await uow.refresh_tokens.get(login.tokens.refresh_token.digest)
    assert stored is not None and stored.used_at == clock.now()
