"""The unit-of-work contract: transactions, rollback and copies, against every backend."""

from datetime import date, timedelta

import pytest

from domain.users import PasswordHash
from tests.contract.test_repositories import make_booking, make_room, make_user, store
from tests.contract.test_session_repositories import make_record, make_session
from tests.databases import UnitOfWorkFactory
from tests.fakes import FIXED_NOW


async def test_leaving_without_commit_rolls_everything_back(
    uow_factory: UnitOfWorkFactory,
) -> None:
    kept_user, kept_room = make_user("kept@example.com"), make_room("Kept")
    kept_booking = make_booking(kept_user, kept_room, date(2030, 2, 1))
    kept_session = make_session(kept_user)
    kept_record = make_record(kept_session)
    await store(uow_factory, users=(kept_user,), rooms=(kept_room,), bookings=(kept_booking,),
                sessions=(kept_session,), refresh_tokens=(kept_record,))

    user, room = make_user("lost@example.com"), make_room("Lost")
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.rooms.add(room)
        await uow.bookings.add(make_booking(user, room, date(2030, 2, 1)))
        await uow.bookings.delete(kept_booking.id)
        lost_session = make_session(user)
        await uow.sessions.add(lost_session)
        await uow.refresh_tokens.add(make_record(lost_session))
        await uow.refresh_tokens.use(kept_record.digest, FIXED_NOW)
        await uow.sessions.revoke_all(kept_user.id, FIXED_NOW)
        kept_user.is_active = False
        await uow.users.update(kept_user)

    async with uow_factory() as uow:
        assert [u.email.value for u in await uow.users.list()] == ["kept@example.com"]
        assert await uow.rooms.list() == [kept_room]
        assert await uow.bookings.list_all() == [kept_booking]
        assert await uow.sessions.get(lost_session.id) is None
        assert await uow.refresh_tokens.get(kept_record.digest) == kept_record
        assert await uow.sessions.live_user(kept_session.id, kept_user.id, FIXED_NOW) is not None
        found = await uow.users.get(kept_user.id)
        assert found is not None and found.is_active


async def test_an_error_in_the_block_rolls_back_and_propagates(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    with pytest.raises(LookupError):
        async with uow_factory() as uow:
            await uow.users.add(user)
            raise LookupError("boom")
    async with uow_factory() as uow:
        assert await uow.users.get(user.id) is None


async def test_work_goes_on_after_a_commit_in_the_same_block(
    uow_factory: UnitOfWorkFactory,
) -> None:
    first, second, third = (make_user(f"{name}@example.com") for name in ("a", "b", "c"))
    async with uow_factory() as uow:
        await uow.users.add(first)
        await uow.commit()
        await uow.users.add(second)
        await uow.commit()
        await uow.users.add(third)

    async with uow_factory() as uow:
        assert await uow.users.get(first.id) is not None
        assert await uow.users.get(second.id) is not None
        assert await uow.users.get(third.id) is None


async def test_one_unit_of_work_serves_blocks_one_after_another(
    uow_factory: UnitOfWorkFactory,
) -> None:
    uow = uow_factory()
    room = make_room()
    async with uow:
        await uow.rooms.add(room)
        await uow.commit()
    async with uow:
        assert await uow.rooms.get(room.id) == room
    async with uow:
        await uow.rooms.add(make_room("Never committed"))
    async with uow:
        assert await uow.rooms.list() == [room]


async def test_a_transaction_reads_its_own_writes(uow_factory: UnitOfWorkFactory) -> None:
    user, room = make_user(), make_room()
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.rooms.add(room)
        await uow.bookings.add(make_booking(user, room, date(2030, 2, 1)))
        assert await uow.users.get_by_email(user.email) == user
        assert await uow.rooms.lock(room.id) == room
        assert len(await uow.bookings.list_for_user(user.id)) == 1


async def test_commit_outside_a_block_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    uow = uow_factory()
    with pytest.raises(RuntimeError):
        await uow.commit()
    async with uow:
        pass
    with pytest.raises(RuntimeError):
        await uow.commit()


async def test_returned_entities_are_copies(uow_factory: UnitOfWorkFactory) -> None:
    user, room = make_user(), make_room(quantity=2)
    booking = make_booking(user, room, date(2030, 2, 1))
    session = make_session(user)
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.rooms.add(room)
        await uow.bookings.add(booking)
        await uow.sessions.add(session)
        # Changing an entity after add() must not reach the store either.
        user.is_active = False
        room.quantity = 9
        session.revoke(FIXED_NOW)
        await uow.commit()

    async with uow_factory() as uow:
        loaded_user = await uow.users.get(user.id)
        loaded_room = await uow.rooms.get(room.id)
        loaded_booking = await uow.bookings.get(booking.id)
        assert loaded_user is not None and loaded_room is not None and loaded_booking is not None
        loaded_user.password_hash = PasswordHash("changed")
        loaded_room.price = 1
        loaded_booking.price = 1
        (await uow.users.list())[0].is_active = False
        loaded_session = await uow.sessions.get(session.id)
        assert loaded_session is not None
        loaded_session.touch(FIXED_NOW + timedelta(days=1))
        (await uow.sessions.list_for_user(user.id))[0].revoke(FIXED_NOW)
        live = await uow.sessions.live_user(session.id, user.id, FIXED_NOW)
        assert live is not None
        live.is_active = False
        await uow.commit()

    async with uow_factory() as uow:
        again_user = await uow.users.get(user.id)
        again_room = await uow.rooms.get(room.id)
        again_booking = await uow.bookings.get(booking.id)
        again_session = await uow.sessions.get(session.id)
    assert again_user is not None and again_room is not None and again_booking is not None
    assert again_session is not None
    assert (again_session.revoked_at, again_session.last_used_at) == (None, FIXED_NOW)
    assert (again_user.is_active, again_user.password_hash) == (True, user.password_hash)
    assert (again_room.quantity, again_room.price) == (2, 120)
    assert again_booking.price == 120
