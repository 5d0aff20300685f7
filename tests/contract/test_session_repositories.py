"""The session and refresh-token repository contract, against memory, SQLite and PostgreSQL."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.sessions import RefreshToken, RefreshTokenRecord, Session
from domain.users import User
from tests.contract.test_repositories import make_user, store
from tests.databases import UnitOfWorkFactory
from tests.fakes import FIXED_NOW

LIFETIME = timedelta(days=30)


def make_session(user: User, *, now: datetime = FIXED_NOW, description: str = "laptop") -> Session:
    return Session.start(user_id=user.id, now=now, lifetime=LIFETIME, description=description)


def make_record(session: Session, *, used_at: datetime | None = None) -> RefreshTokenRecord:
    return RefreshTokenRecord(digest=RefreshToken.mint().digest, session_id=session.id,
                              created_at=session.created_at, used_at=used_at)


def fields(session: Session | None) -> tuple[object, ...]:
    assert session is not None
    return (session.id, session.user_id, session.created_at, session.last_used_at,
            session.expires_at, session.revoked_at, session.description)


async def test_a_session_reads_back_field_for_field(uow_factory: UnitOfWorkFactory) -> None:
    user = make_user()
    session = make_session(user, description="Firefox on Linux, 203.0.113.7 ünïcode")
    await store(uow_factory, users=(user,), sessions=(session,))

    async with uow_factory() as uow:
        found = await uow.sessions.get(session.id)
        unknown = await uow.sessions.get(uuid.uuid4())

    assert fields(found) == fields(session)
    assert found is not None and found.expires_at.utcoffset() is not None
    assert unknown is None


async def test_a_description_of_the_maximum_length_fits(uow_factory: UnitOfWorkFactory) -> None:
    user = make_user()
    session = make_session(user, description="é" * 1000)
    await store(uow_factory, users=(user,), sessions=(session,))

    async with uow_factory() as uow:
        found = await uow.sessions.get(session.id)

    assert found is not None and found.description == "é" * 200


@pytest.mark.parametrize("now", [
    datetime(2030, 1, 15, 12, 0, 0, 123456, tzinfo=UTC),
    datetime(2030, 6, 30, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-7))),
])
async def test_session_times_read_back_aware_and_equal(
    uow_factory: UnitOfWorkFactory, now: datetime
) -> None:
    user = make_user()
    session = make_session(user, now=now)
    session.revoke(now + timedelta(hours=1))
    await store(uow_factory, users=(user,), sessions=(session,))

    async with uow_factory() as uow:
        found = await uow.sessions.get(session.id)

    assert fields(found) == fields(session)


async def test_update_persists_use_and_revocation(uow_factory: UnitOfWorkFactory) -> None:
    user = make_user()
    session = make_session(user)
    await store(uow_factory, users=(user,), sessions=(session,))

    async with uow_factory() as uow:
        loaded = await uow.sessions.get(session.id)
        assert loaded is not None
        loaded.touch(FIXED_NOW + timedelta(days=1))
        loaded.revoke(FIXED_NOW + timedelta(days=2))
        await uow.sessions.update(loaded)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.sessions.get(session.id)
    assert found is not None
    assert (found.last_used_at, found.revoked_at) == (FIXED_NOW + timedelta(days=1),
                                                      FIXED_NOW + timedelta(days=2))
    assert (found.created_at, found.expires_at) == (session.created_at, session.expires_at)


async def test_updating_an_unknown_session_stores_nothing(uow_factory: UnitOfWorkFactory) -> None:
    user = make_user()
    await store(uow_factory, users=(user,))
    stray = make_session(user)

    async with uow_factory() as uow:
        await uow.sessions.update(stray)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.sessions.get(stray.id) is None


async def test_sessions_are_listed_per_user_newest_first_revoked_and_expired_included(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ada, grace = make_user("ada@example.com"), make_user("grace@example.com")
    oldest = make_session(ada, now=FIXED_NOW - 2 * LIFETIME)
    middle = make_session(ada, now=FIXED_NOW - timedelta(days=1))
    middle.revoke(FIXED_NOW)
    newest = make_session(ada, now=FIXED_NOW)
    graces = make_session(grace, now=FIXED_NOW + timedelta(days=1))
    await store(uow_factory, users=(ada, grace), sessions=(middle, graces, oldest, newest))

    async with uow_factory() as uow:
        adas = await uow.sessions.list_for_user(ada.id)
        nobodys = await uow.sessions.list_for_user(uuid.uuid4())

    assert [s.id for s in adas] == [newest.id, middle.id, oldest.id]
    assert [fields(s) for s in adas] == [fields(newest), fields(middle), fields(oldest)]
    assert nobodys == []


async def test_sessions_started_at_one_instant_list_alike_on_every_backend(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    twins = tuple(make_session(user) for _ in range(5))
    await store(uow_factory, users=(user,), sessions=twins)

    async with uow_factory() as uow:
        listed = await uow.sessions.list_for_user(user.id)

    assert [s.id for s in listed] == sorted((s.id for s in twins), key=str, reverse=True)


async def test_revoke_all_revokes_every_live_session_of_the_user_but_the_kept_one(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ada, grace = make_user("ada@example.com"), make_user("grace@example.com")
    current, other, earlier = make_session(ada), make_session(ada), make_session(ada)
    earlier.revoke(FIXED_NOW)
    graces = make_session(grace)
    await store(uow_factory, users=(ada, grace), sessions=(current, other, earlier, graces))
    later = FIXED_NOW + timedelta(hours=1)

    async with uow_factory() as uow:
        await uow.sessions.revoke_all(ada.id, later, keep=current.id)
        await uow.commit()

    async with uow_factory() as uow:
        revoked_at = {s.id: s.revoked_at for s in await uow.sessions.list_for_user(ada.id)}
        kept_graces = await uow.sessions.get(graces.id)
    assert revoked_at == {current.id: None, other.id: later, earlier.id: FIXED_NOW}
    assert kept_graces is not None and kept_graces.revoked_at is None


async def test_revoke_all_without_keep_revokes_them_all(uow_factory: UnitOfWorkFactory) -> None:
    user = make_user()
    sessions = (make_session(user), make_session(user))
    await store(uow_factory, users=(user,), sessions=sessions)

    async with uow_factory() as uow:
        await uow.sessions.revoke_all(user.id, FIXED_NOW)
        await uow.commit()

    async with uow_factory() as uow:
        listed = await uow.sessions.list_for_user(user.id)
    assert [s.revoked_at for s in listed] == [FIXED_NOW, FIXED_NOW]


async def test_live_user_returns_the_user_of_a_live_session(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    session = make_session(user)
    await store(uow_factory, users=(user,), sessions=(session,))

    async with uow_factory() as uow:
        found = await uow.sessions.live_user(session.id, user.id, FIXED_NOW)
        just_before_expiry = await uow.sessions.live_user(
            session.id, user.id, session.expires_at - timedelta(microseconds=1))

    for live in (found, just_before_expiry):
        assert live is not None
        assert (live.id, live.email, live.role, live.is_active, live.password_hash) == (
            user.id, user.email, user.role, True, user.password_hash)


@pytest.mark.parametrize("case", ["revoked", "expired", "wrong-user", "inactive-user",
                                  "unknown-session", "unknown-user"])
async def test_live_user_is_none_unless_session_and_user_both_qualify(
    uow_factory: UnitOfWorkFactory, case: str
) -> None:
    user, other = make_user("ada@example.com"), make_user("grace@example.com")
    session, others = make_session(user), make_session(other)
    now = FIXED_NOW + timedelta(minutes=5)
    session_id, user_id = session.id, user.id
    if case == "revoked":
        session.revoke(FIXED_NOW)
    elif case == "expired":
        now = session.expires_at
    elif case == "wrong-user":
        user_id = other.id
    elif case == "inactive-user":
        user.is_active = False
    elif case == "unknown-session":
        session_id = uuid.uuid4()
    else:
        user_id = uuid.uuid4()
    await store(uow_factory, users=(user, other), sessions=(session, others))

    async with uow_factory() as uow:
        assert await uow.sessions.live_user(session_id, user_id, now) is None


async def test_count_live_counts_every_users_live_sessions_only(
    uow_factory: UnitOfWorkFactory,
) -> None:
    alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
    live = [make_session(alice), make_session(alice), make_session(bob)]
    revoked = make_session(bob)
    revoked.revoke(FIXED_NOW)
    expired = make_session(alice, now=FIXED_NOW - LIFETIME - timedelta(seconds=1))
    await store(uow_factory, users=(alice, bob), sessions=(*live, revoked, expired))

    async with uow_factory() as uow:
        assert await uow.sessions.count_live(FIXED_NOW) == 3
        assert await uow.sessions.count_live(FIXED_NOW + LIFETIME) == 0


async def test_a_refresh_token_record_reads_back_by_digest(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    session = make_session(user)
    record, used = make_record(session), make_record(session, used_at=FIXED_NOW)
    await store(uow_factory, users=(user,), sessions=(session,), refresh_tokens=(record, used))

    async with uow_factory() as uow:
        assert await uow.refresh_tokens.get(record.digest) == record
        assert await uow.refresh_tokens.get(used.digest) == used
        assert await uow.refresh_tokens.get(RefreshToken.mint().digest) is None


async def test_a_refresh_token_is_used_once(uow_factory: UnitOfWorkFactory) -> None:
    user = make_user()
    session = make_session(user)
    record = make_record(session)
    await store(uow_factory, users=(user,), sessions=(session,), refresh_tokens=(record,))
    first_use, second_use = FIXED_NOW + timedelta(minutes=1), FIXED_NOW + timedelta(minutes=2)

    async with uow_factory() as uow:
        assert await uow.refresh_tokens.use(record.digest, first_use) is True
        assert await uow.refresh_tokens.use(record.digest, second_use) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.refresh_tokens.use(record.digest, second_use) is False
        assert await uow.refresh_tokens.use(RefreshToken.mint().digest, second_use) is False
        found = await uow.refresh_tokens.get(record.digest)

    assert found is not None and found.used_at == first_use


async def test_an_uncommitted_use_is_rolled_back(uow_factory: UnitOfWorkFactory) -> None:
    user = make_user()
    session = make_session(user)
    record = make_record(session)
    await store(uow_factory, users=(user,), sessions=(session,), refresh_tokens=(record,))

    async with uow_factory() as uow:
        assert await uow.refresh_tokens.use(record.digest, FIXED_NOW)

    async with uow_factory() as uow:
        assert await uow.refresh_tokens.use(record.digest, FIXED_NOW) is True
