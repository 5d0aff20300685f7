"""ListSessions, RevokeSession and LogoutEverywhere: a user manages their own devices."""

import uuid
from datetime import timedelta

import pytest

from application.authenticate_user import AuthenticateUser
from application.errors import NotAuthenticated, SessionNotFound
from application.list_sessions import ListSessions
from application.logout_everywhere import LogoutEverywhere
from application.refresh_session import RefreshSession
from application.revoke_session import RevokeSession
from domain.users import User
from infrastructure.persistence.memory import MemoryStore
from tests.fakes import FakeClock
from tests.unit.conftest import LogIn


async def test_list_sessions_shows_own_live_sessions_newest_first(
    list_sessions: ListSessions, log_in: LogIn, alice: User, bob: User, store: MemoryStore,
    clock: FakeClock,
) -> None:
    laptop = await log_in(device="laptop")
    clock.advance(timedelta(minutes=1))
    await log_in("bob@example.com", device="bob's phone")
    clock.advance(timedelta(minutes=1))
    phone = await log_in(device="phone")
    clock.advance(timedelta(minutes=1))
    tablet = await log_in(device="tablet")
    store.sessions[phone.session.id].revoke(clock.now())

    sessions = await list_sessions.execute(actor=alice)

    assert [s.id for s in sessions] == [tablet.session.id, laptop.session.id]
    assert [s.description for s in sessions] == ["tablet", "laptop"]
    assert all(s.user_id == alice.id for s in sessions)


async def test_list_sessions_leaves_out_expired_sessions(
    list_sessions: ListSessions, log_in: LogIn, alice: User, clock: FakeClock
) -> None:
    await log_in()
    clock.advance(timedelta(days=20))
    recent = await log_in()
    clock.advance(timedelta(days=10))

    assert [s.id for s in await list_sessions.execute(actor=alice)] == [recent.session.id]


async def test_list_sessions_of_a_user_without_any_is_empty(
    list_sessions: ListSessions, log_in: LogIn, alice: User, bob: User
) -> None:
    await log_in()

    assert await list_sessions.execute(actor=bob) == []


async def test_revoking_an_own_session_ends_it_alone(
    revoke_session: RevokeSession, authenticate_user: AuthenticateUser,
    refresh_session: RefreshSession, log_in: LogIn, alice: User, store: MemoryStore,
    clock: FakeClock,
) -> None:
    laptop, phone = await log_in(), await log_in()

    await revoke_session.execute(actor=alice, session_id=phone.session.id)

    assert store.sessions[phone.session.id].revoked_at == clock.now()
    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=phone.access_token.value)
    with pytest.raises(NotAuthenticated):
        await refresh_session.execute(refresh_token=phone.refresh_token.value)
    assert (await authenticate_user.execute(token=laptop.access_token.value)).user == alice


async def test_revoking_someone_elses_session_reports_not_found_and_leaves_it(
    revoke_session: RevokeSession, log_in: LogIn, alice: User, bob: User, admin: User,
    store: MemoryStore,
) -> None:
    bobs = (await log_in("bob@example.com")).session

    for actor in (alice, admin):
        with pytest.raises(SessionNotFound):
            await revoke_session.execute(actor=actor, session_id=bobs.id)

    assert store.sessions[bobs.id].revoked_at is None


async def test_revoking_an_unknown_session_reports_not_found(
    revoke_session: RevokeSession, alice: User
) -> None:
    with pytest.raises(SessionNotFound):
        await revoke_session.execute(actor=alice, session_id=uuid.uuid4())


async def test_revoking_a_revoked_session_reports_not_found_and_keeps_the_first_time(
    revoke_session: RevokeSession, log_in: LogIn, alice: User, store: MemoryStore,
    clock: FakeClock,
) -> None:
    session = (await log_in()).session
    await revoke_session.execute(actor=alice, session_id=session.id)
    revoked_at = clock.now()
    clock.advance(timedelta(minutes=1))

    with pytest.raises(SessionNotFound):
        await revoke_session.execute(actor=alice, session_id=session.id)

    assert store.sessions[session.id].revoked_at == revoked_at


async def test_revoking_an_expired_session_reports_not_found(
    revoke_session: RevokeSession, log_in: LogIn, alice: User, clock: FakeClock
) -> None:
    session = (await log_in()).session
    clock.advance(timedelta(days=30))

    with pytest.raises(SessionNotFound):
        await revoke_session.execute(actor=alice, session_id=session.id)


async def test_logout_everywhere_ends_every_session_of_the_user_only(
    logout_everywhere: LogoutEverywhere, authenticate_user: AuthenticateUser,
    refresh_session: RefreshSession, log_in: LogIn, alice: User, bob: User, store: MemoryStore,
    clock: FakeClock,
) -> None:
    alices = [await log_in(device=device) for device in ("laptop", "phone", "tablet")]
    bobs = await log_in("bob@example.com")

    await logout_everywhere.execute(actor=alice)

    for tokens in alices:
        assert store.sessions[tokens.session.id].revoked_at == clock.now()
        with pytest.raises(NotAuthenticated):
            await authenticate_user.execute(token=tokens.access_token.value)
        with pytest.raises(NotAuthenticated):
            await refresh_session.execute(refresh_token=tokens.refresh_token.value)
    assert (await authenticate_user.execute(token=bobs.access_token.value)).user == bob


async def test_logout_everywhere_keeps_earlier_revocation_times_and_allows_a_new_login(
    logout_everywhere: LogoutEverywhere, authenticate_user: AuthenticateUser, log_in: LogIn,
    alice: User, store: MemoryStore, clock: FakeClock,
) -> None:
    old = (await log_in()).session
    store.sessions[old.id].revoke(clock.now())
    revoked_at = clock.now()
    clock.advance(timedelta(minutes=1))

    await logout_everywhere.execute(actor=alice)
    await logout_everywhere.execute(actor=alice)

    assert store.sessions[old.id].revoked_at == revoked_at
    fresh = await log_in()
    assert (await authenticate_user.execute(token=fresh.access_token.value)).user == alice
