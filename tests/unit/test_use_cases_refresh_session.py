"""RefreshSession: rotation, reuse detection, and the session's absolute expiry."""

from datetime import timedelta

import pytest

from application.authenticate_user import AuthenticateUser
from application.errors import NotAuthenticated, RefreshTokenReused
from application.refresh_session import RefreshSession
from domain.sessions import refresh_token_digest
from domain.users import User
from infrastructure.persistence.memory import MemoryStore
from tests.fakes import FIXED_NOW, FakeClock
from tests.unit.conftest import LogIn


async def test_refresh_rotates_both_tokens_and_keeps_the_session(
    refresh_session: RefreshSession, authenticate_user: AuthenticateUser, log_in: LogIn,
    alice: User, clock: FakeClock,
) -> None:
    old = await log_in()
    clock.advance(timedelta(minutes=10))

    new = await refresh_session.execute(refresh_token=old.refresh_token.value)

    assert new.session.id == old.session.id
    assert new.refresh_token.value != old.refresh_token.value
    assert new.access_token.value != old.access_token.value
    authentication = await authenticate_user.execute(token=new.access_token.value)
    assert (authentication.user, authentication.session_id) == (alice, old.session.id)


async def test_refresh_moves_last_used_but_not_the_expiry(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, store: MemoryStore,
    clock: FakeClock,
) -> None:
    tokens = await log_in()
    clock.advance(timedelta(days=3))

    refreshed = await refresh_session.execute(refresh_token=tokens.refresh_token.value)

    stored = store.sessions[tokens.session.id]
    assert stored.last_used_at == refreshed.session.last_used_at == FIXED_NOW + timedelta(days=3)
    assert stored.created_at == FIXED_NOW
    assert stored.expires_at == FIXED_NOW + timedelta(days=30)


async def test_refresh_marks_the_old_token_used_and_stores_only_the_new_digest(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, store: MemoryStore,
    clock: FakeClock,
) -> None:
    old = await log_in()
    clock.advance(timedelta(minutes=1))

    new = await refresh_session.execute(refresh_token=old.refresh_token.value)

    used = store.refresh_tokens[old.refresh_token.digest]
    fresh = store.refresh_tokens[refresh_token_digest(new.refresh_token.value)]
    assert used.used_at == clock.now()
    assert (fresh.session_id, fresh.created_at, fresh.used_at) == (
        old.session.id, clock.now(), None)
    assert new.refresh_token.value not in repr(store)


async def test_the_new_refresh_token_works_once_more(
    refresh_session: RefreshSession, log_in: LogIn, alice: User
) -> None:
    first = await log_in()
    second = await refresh_session.execute(refresh_token=first.refresh_token.value)

    third = await refresh_session.execute(refresh_token=second.refresh_token.value)

    assert third.session.id == first.session.id


async def test_a_used_refresh_token_revokes_the_session_and_its_successor(
    refresh_session: RefreshSession, authenticate_user: AuthenticateUser, log_in: LogIn,
    alice: User, store: MemoryStore, clock: FakeClock,
) -> None:
    stolen = await log_in()
    successor = await refresh_session.execute(refresh_token=stolen.refresh_token.value)
    clock.advance(timedelta(minutes=1))

    with pytest.raises(RefreshTokenReused):
        await refresh_session.execute(refresh_token=stolen.refresh_token.value)

    assert store.sessions[stolen.session.id].revoked_at == clock.now()
    with pytest.raises(NotAuthenticated):
        await refresh_session.execute(refresh_token=successor.refresh_token.value)
    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=successor.access_token.value)


async def test_reuse_in_one_session_leaves_the_others_alone(
    refresh_session: RefreshSession, log_in: LogIn, alice: User
) -> None:
    laptop, phone = await log_in(), await log_in()
    await refresh_session.execute(refresh_token=laptop.refresh_token.value)

    with pytest.raises(RefreshTokenReused):
        await refresh_session.execute(refresh_token=laptop.refresh_token.value)

    assert (await refresh_session.execute(refresh_token=phone.refresh_token.value)).session.id \
        == phone.session.id


async def test_an_access_token_is_no_refresh_token(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, store: MemoryStore
) -> None:
    tokens = await log_in()

    with pytest.raises(NotAuthenticated) as raised:
        await refresh_session.execute(refresh_token=tokens.access_token.value)

    assert not isinstance(raised.value, RefreshTokenReused)
    assert store.sessions[tokens.session.id].revoked_at is None
    assert store.refresh_tokens[tokens.refresh_token.digest].used_at is None


@pytest.mark.parametrize("token", [None, "", "garbage", "x" * 43])
async def test_a_missing_or_unknown_refresh_token_is_not_authenticated(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, token: str | None
) -> None:
    await log_in()

    with pytest.raises(NotAuthenticated):
        await refresh_session.execute(refresh_token=token)


async def test_the_absolute_expiry_holds_however_often_the_session_is_refreshed(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, clock: FakeClock
) -> None:
    refresh_token = (await log_in()).refresh_token.value
    for _ in range(29):
        clock.advance(timedelta(days=1))
        refresh_token = (await refresh_session.execute(refresh_token=refresh_token)
                         ).refresh_token.value
    clock.advance(timedelta(days=1) - timedelta(seconds=1))
    refresh_token = (await refresh_session.execute(refresh_token=refresh_token)).refresh_token.value

    clock.advance(timedelta(seconds=1))

    with pytest.raises(NotAuthenticated):
        await refresh_session.execute(refresh_token=refresh_token)


async def test_a_refresh_token_of_an_expired_session_is_not_authenticated(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, clock: FakeClock
) -> None:
    tokens = await log_in()
    clock.advance(timedelta(days=31))

    with pytest.raises(NotAuthenticated):
        await refresh_session.execute(refresh_token=tokens.refresh_token.value)


async def test_a_refresh_token_of_a_revoked_session_is_not_authenticated(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, store: MemoryStore,
    clock: FakeClock,
) -> None:
    tokens = await log_in()
    store.sessions[tokens.session.id].revoke(clock.now())

    with pytest.raises(NotAuthenticated):
        await refresh_session.execute(refresh_token=tokens.refresh_token.value)


async def test_an_inactive_user_cannot_refresh_and_the_token_is_not_spent(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, store: MemoryStore
) -> None:
    tokens = await log_in()
    store.users[alice.id].is_active = False

    with pytest.raises(NotAuthenticated):
        await refresh_session.execute(refresh_token=tokens.refresh_token.value)

    assert list(store.refresh_tokens) == [tokens.refresh_token.digest]
    assert store.refresh_tokens[tokens.refresh_token.digest].used_at is None


async def test_a_refresh_token_of_a_deleted_user_is_not_authenticated(
    refresh_session: RefreshSession, log_in: LogIn, alice: User, store: MemoryStore
) -> None:
    tokens = await log_in()
    del store.users[alice.id]

    with pytest.raises(NotAuthenticated):
        await refresh_session.execute(refresh_token=tokens.refresh_token.value)
