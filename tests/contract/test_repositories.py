"""The repository contract, run unchanged against the memory, SQLite and PostgreSQL adapters."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from application.errors import EmailAlreadyRegistered
from domain.bookings import Booking, DateRange, Room
from domain.sessions import RefreshTokenRecord, Session
from domain.users import Email, PasswordHash, Role, User
from infrastructure.email_addresses import parse_email
from tests.databases import UnitOfWorkFactory
from tests.fakes import FIXED_NOW


def make_user(email: str = "ada@example.com", *, now: datetime = FIXED_NOW) -> User:
    """`email` as typed: parse_email gives every spelling of one address one normal form."""
    return User.register(email=parse_email(email), password_hash=PasswordHash("fake$salt$digest"),
                         now=now)


def make_room(name: str = "Double", *, quantity: int = 1, price: int = 120) -> Room:
    return Room.create(name=name, description="Two beds, one window", price=price,
                       quantity=quantity)


def make_booking(user: User, room: Room, start: date, nights: int = 3) -> Booking:
    return Booking(id=uuid.uuid4(), user_id=user.id, room_id=room.id,
                   dates=DateRange(start, start + timedelta(days=nights)), price=room.price)


async def store(
    uow_factory: UnitOfWorkFactory, *, users: tuple[User, ...] = (), rooms: tuple[Room, ...] = (),
    bookings: tuple[Booking, ...] = (), sessions: tuple[Session, ...] = (),
    refresh_tokens: tuple[RefreshTokenRecord, ...] = (),
) -> None:
    async with uow_factory() as uow:
        for user in users:
            await uow.users.add(user)
        for room in rooms:
            await uow.rooms.add(room)
        for booking in bookings:
            await uow.bookings.add(booking)
        for session in sessions:
            await uow.sessions.add(session)
        for record in refresh_tokens:
            await uow.refresh_tokens.add(record)
        await uow.commit()


async def test_a_user_reads_back_by_id_and_by_email(uow_factory: UnitOfWorkFactory) -> None:
    user = make_user("Ada@Example.com")
    await store(uow_factory, users=(user,))

    async with uow_factory() as uow:
        by_id = await uow.users.get(user.id)
        by_email = await uow.users.get_by_email(parse_email("ADA@EXAMPLE.COM"))

    for found in (by_id, by_email):
        assert found is not None
        assert (found.id, found.email, found.password_hash, found.role, found.is_active) == (
            user.id, Email("ada@example.com"), user.password_hash, Role.USER, True)
        assert found.created_at == user.created_at


async def test_unknown_users_are_none(uow_factory: UnitOfWorkFactory) -> None:
    await store(uow_factory, users=(make_user(),))
    async with uow_factory() as uow:
        assert await uow.users.get(uuid.uuid4()) is None
        assert await uow.users.get_by_email(Email("nobody@example.com")) is None


async def test_an_admin_keeps_its_role(uow_factory: UnitOfWorkFactory) -> None:
    admin = User.register(email=Email("root@example.com"), password_hash=PasswordHash("x"),
                          now=FIXED_NOW, role=Role.ADMIN)
    await store(uow_factory, users=(admin,))
    async with uow_factory() as uow:
        found = await uow.users.get(admin.id)
    assert found is not None and found.role is Role.ADMIN


@pytest.mark.parametrize("second", ["ada@example.com", "ADA@Example.COM", "  ada@example.com "])
async def test_a_taken_email_is_refused(uow_factory: UnitOfWorkFactory, second: str) -> None:
    await store(uow_factory, users=(make_user("ada@example.com"),))
    async with uow_factory() as uow:
        with pytest.raises(EmailAlreadyRegistered):
            await uow.users.add(make_user(second))
    async with uow_factory() as uow:
        assert len(await uow.users.list()) == 1


async def test_an_email_taken_in_the_same_transaction_is_refused_and_the_transaction_goes_on(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.users.add(make_user("ada@example.com"))
        with pytest.raises(EmailAlreadyRegistered):
            await uow.users.add(make_user("ADA@example.com"))
        await uow.users.add(make_user("grace@example.com"))
        await uow.commit()
    async with uow_factory() as uow:
        emails = [user.email.value for user in await uow.users.list()]
    assert emails == ["ada@example.com", "grace@example.com"]


async def test_update_persists_the_hash_and_the_active_flag(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    await store(uow_factory, users=(user,))
    async with uow_factory() as uow:
        loaded = await uow.users.get(user.id)
        assert loaded is not None
        loaded.password_hash = PasswordHash("fake$new$hash")
        loaded.is_active = False
        await uow.users.update(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.users.get(user.id)
    assert found is not None
    assert (found.password_hash, found.is_active) == (PasswordHash("fake$new$hash"), False)
    assert (found.email, found.created_at) == (user.email, user.created_at)


async def test_users_are_listed_by_creation_time_then_email(
    uow_factory: UnitOfWorkFactory,
) -> None:
    later = FIXED_NOW + timedelta(seconds=1)
    # Code-point order puts "." before "_" before letters, whatever the database's collation.
    users = (make_user("zed@example.com", now=FIXED_NOW), make_user("ab@example.com", now=later),
             make_user("a_b@example.com", now=later), make_user("a.b@example.com", now=later))
    await store(uow_factory, users=users)
    async with uow_factory() as uow:
        emails = [user.email.value for user in await uow.users.list()]
    assert emails == ["zed@example.com", "a.b@example.com", "a_b@example.com", "ab@example.com"]


@pytest.mark.parametrize("created_at", [
    datetime(2030, 1, 15, 12, 0, 0, 123456, tzinfo=UTC),
    datetime(2030, 6, 30, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-7))),
    datetime(1999, 12, 31, 0, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
])
async def test_created_at_reads_back_aware_and_equal(
    uow_factory: UnitOfWorkFactory, created_at: datetime,
) -> None:
    user = make_user(now=created_at)
    await store(uow_factory, users=(user,))
    async with uow_factory() as uow:
        found = await uow.users.get(user.id)
    assert found is not None
    assert found.created_at == created_at
    assert found.created_at.utcoffset() is not None
    assert found.created_at.astimezone(UTC) == created_at.astimezone(UTC)


async def test_a_room_reads_back_and_locks(uow_factory: UnitOfWorkFactory) -> None:
    room = make_room("  Suite ", quantity=3, price=0)
    await store(uow_factory, rooms=(room,))
    async with uow_factory() as uow:
        found = await uow.rooms.get(room.id)
        locked = await uow.rooms.lock(room.id)
    for loaded in (found, locked):
        assert loaded is not None
        assert (loaded.id, loaded.name, loaded.description, loaded.price, loaded.quantity) == (
            room.id, "Suite", "Two beds, one window", 0, 3)


async def test_unknown_rooms_are_none(uow_factory: UnitOfWorkFactory) -> None:
    await store(uow_factory, rooms=(make_room(),))
    async with uow_factory() as uow:
        assert await uow.rooms.get(uuid.uuid4()) is None
        assert await uow.rooms.lock(uuid.uuid4()) is None


async def test_rooms_are_listed_by_name_in_code_point_order_then_id(
    uow_factory: UnitOfWorkFactory,
) -> None:
    twins = (make_room("b"), make_room("b"))
    await store(uow_factory, rooms=(make_room("Ä"), *twins, make_room("a"), make_room("B")))
    async with uow_factory() as uow:
        listed = await uow.rooms.list()
    assert [room.name for room in listed] == ["B", "a", "b", "b", "Ä"]
    assert [room.id for room in listed[2:4]] == sorted((r.id for r in twins), key=str)


async def test_bookings_read_back_and_list_by_start_date_then_id(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ada, grace, room = make_user("ada@example.com"), make_user("grace@example.com"), make_room()
    late = make_booking(ada, room, date(2030, 3, 1), nights=30)
    early, same_day = make_booking(ada, room, date(2030, 2, 1)), make_booking(grace, room,
                                                                           date(2030, 2, 1))
    await store(uow_factory, users=(ada, grace), rooms=(room,), bookings=(late, early, same_day))

    async with uow_factory() as uow:
        found = await uow.bookings.get(late.id)
        everyone = await uow.bookings.list_all()
        adas = await uow.bookings.list_for_user(ada.id)
        nobodys = await uow.bookings.list_for_user(uuid.uuid4())
        unknown = await uow.bookings.get(uuid.uuid4())

    assert found is not None
    assert (found.user_id, found.room_id, found.dates, found.price) == (
        ada.id, room.id, DateRange(date(2030, 3, 1), date(2030, 3, 31)), 120)
    assert everyone[2] == late
    assert everyone[:2] == sorted((early, same_day), key=lambda b: str(b.id))
    assert adas == [early, late]
    assert (nobodys, unknown) == ([], None)


async def test_a_deleted_booking_is_gone(uow_factory: UnitOfWorkFactory) -> None:
    user, room = make_user(), make_room()
    kept, dropped = make_booking(user, room, date(2030, 2, 1)), make_booking(user, room,
                                                                              date(2030, 3, 1))
    await store(uow_factory, users=(user,), rooms=(room,), bookings=(kept, dropped))
    async with uow_factory() as uow:
        await uow.bookings.delete(dropped.id)
        await uow.bookings.delete(uuid.uuid4())
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.bookings.get(dropped.id) is None
        assert await uow.bookings.list_all() == [kept]


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2030, 2, 7), date(2030, 2, 10), 0),   # ends the day the booking starts
    (date(2030, 2, 13), date(2030, 2, 15), 0),  # starts the day the booking ends
    (date(2030, 2, 1), date(2030, 2, 5), 0),
    (date(2030, 2, 9), date(2030, 2, 11), 1),
    (date(2030, 2, 12), date(2030, 2, 14), 1),
    (date(2030, 2, 11), date(2030, 2, 12), 1),
    (date(2030, 2, 5), date(2030, 2, 20), 1),
    (date(2030, 2, 10), date(2030, 2, 13), 1),
])
async def test_count_overlapping_counts_shared_nights_only(
    uow_factory: UnitOfWorkFactory, start: date, end: date, expected: int,
) -> None:
    user, room, other_room = make_user(), make_room("Double"), make_room("Single")
    bookings = (make_booking(user, room, date(2030, 2, 10)),
                make_booking(user, other_room, date(2030, 2, 1), nights=30))
    await store(uow_factory, users=(user,), rooms=(room, other_room), bookings=bookings)
    async with uow_factory() as uow:
        assert await uow.bookings.count_overlapping(room.id, DateRange(start, end)) == expected


async def test_count_overlapping_counts_every_overlapping_booking(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user, room = make_user(), make_room(quantity=5)
    bookings = tuple(make_booking(user, room, date(2030, 2, day)) for day in (1, 2, 3, 10))
    await store(uow_factory, users=(user,), rooms=(room,), bookings=bookings)
    async with uow_factory() as uow:
        dates = DateRange(date(2030, 2, 3), date(2030, 2, 4))
        assert await uow.bookings.count_overlapping(room.id, dates) == 3
        assert await uow.bookings.count_overlapping(uuid.uuid4(), dates) == 0
