"""AuthenticateUser and LogoutUser: an access token stands for its user while its session lives."""

import uuid
from datetime import timedelta

import pytest

from application.authenticate_user import AuthenticateUser
from application.errors import NotAuthenticated
from application.logout_user import LogoutUser
from application.ports import TokenCodec
from domain.users import Email, User
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.throttling import LimitsThrottle
from tests.fakes import FakeClock, FakePasswordHasher
from tests.unit.conftest import PASSWORD, LogIn
from tests.wiring import make_login_user


async def test_valid_token_authenticates_its_user_and_session(
    authenticate_user: AuthenticateUser, log_in: LogIn, alice: User
) -> None:
    tokens = await log_in()

    authentication = await authenticate_user.execute(token=tokens.access_token.value)

    assert authentication.user == alice
    assert authentication.user.email == alice.email
    assert authentication.session_id == tokens.session.id


async def test_token_issued_directly_for_a_live_session_authenticates_its_user(
    authenticate_user: AuthenticateUser, tokens: TokenCodec, log_in: LogIn, bob: User
) -> None:
    session = (await log_in("bob@example.com")).session
    token = tokens.issue(subject=str(bob.id), session_id=str(session.id)).value

    assert (await authenticate_user.execute(token=token)).user == bob


@pytest.mark.parametrize("token", [None, ""])
async def test_missing_token_is_not_authenticated(
    authenticate_user: AuthenticateUser, token: str | None
) -> None:
    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


@pytest.mark.parametrize("token", ["garbage", "Bearer x", "a.b.c", " "])
async def test_garbage_token_is_not_authenticated(
    authenticate_user: AuthenticateUser, alice: User, token: str
) -> None:
    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_refresh_token_presented_as_access_token_is_not_authenticated(
    authenticate_user: AuthenticateUser, log_in: LogIn, alice: User
) -> None:
    tokens = await log_in()

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=tokens.refresh_token.value)


async def test_token_without_a_session_is_not_authenticated(
    authenticate_user: AuthenticateUser, tokens: TokenCodec, alice: User
) -> None:
    token = tokens.issue(subject=str(alice.id), session_id=str(uuid.uuid4())).value

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


@pytest.mark.parametrize(("subject", "session_id"), [
    ("alice@example.com", "session"), ("user", None), (None, "not-a-uuid"),
], ids=["subject-and-sid", "subject", "sid"])
async def test_token_whose_ids_are_not_uuids_is_not_authenticated(
    authenticate_user: AuthenticateUser, tokens: TokenCodec, log_in: LogIn, alice: User,
    subject: str | None, session_id: str | None,
) -> None:
    session = (await log_in()).session
    token = tokens.issue(subject=subject or str(alice.id),
                         session_id=session_id or str(session.id)).value

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_token_naming_another_users_session_is_not_authenticated(
    authenticate_user: AuthenticateUser, tokens: TokenCodec, log_in: LogIn, alice: User,
    bob: User,
) -> None:
    alices_session = (await log_in()).session
    bobs_session = (await log_in("bob@example.com")).session

    for subject, session in ((bob, alices_session), (alice, bobs_session)):
        token = tokens.issue(subject=str(subject.id), session_id=str(session.id)).value
        with pytest.raises(NotAuthenticated):
            await authenticate_user.execute(token=token)


async def test_token_for_an_unknown_user_is_not_authenticated(
    authenticate_user: AuthenticateUser, tokens: TokenCodec, log_in: LogIn, alice: User
) -> None:
    session = (await log_in()).session
    token = tokens.issue(subject=str(uuid.uuid4()), session_id=str(session.id)).value

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_token_of_a_deleted_user_is_not_authenticated(
    authenticate_user: AuthenticateUser, log_in: LogIn, alice: User, store: MemoryStore
) -> None:
    token = (await log_in()).access_token.value
    del store.users[alice.id]

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_token_of_a_user_deactivated_after_login_is_not_authenticated(
    authenticate_user: AuthenticateUser, log_in: LogIn, alice: User, store: MemoryStore
) -> None:
    token = (await log_in()).access_token.value
    store.users[alice.id].is_active = False

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_expired_token_is_not_authenticated(
    authenticate_user: AuthenticateUser, log_in: LogIn, alice: User, clock: FakeClock
) -> None:
    token = (await log_in()).access_token.value
    clock.advance(timedelta(hours=1))

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_token_of_a_revoked_session_is_not_authenticated_at_once(
    authenticate_user: AuthenticateUser, log_in: LogIn, alice: User, store: MemoryStore,
    clock: FakeClock,
) -> None:
    tokens = await log_in()
    store.sessions[tokens.session.id].revoke(clock.now())

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=tokens.access_token.value)


async def test_token_outliving_its_session_is_not_authenticated(
    store: MemoryStore, hasher: FakePasswordHasher, tokens: TokenCodec, clock: FakeClock,
    throttle: LimitsThrottle, authenticate_user: AuthenticateUser, alice: User,
) -> None:
    # The session ends before the 15-minute access token does: the session decides.
    login_user = make_login_user(MemoryUnitOfWork(store, clock), hasher, tokens, throttle, clock,
                           session_lifetime=timedelta(minutes=10))
    access_token = (await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)
                    ).tokens.access_token.value
    clock.advance(timedelta(minutes=9))
    assert (await authenticate_user.execute(token=access_token)).user == alice

    clock.advance(timedelta(minutes=1))

    assert tokens.decode(access_token)
    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=access_token)


# -- LogoutUser ------------------------------------------------------------------------------


async def test_logout_by_access_token_revokes_its_session(
    logout_user: LogoutUser, authenticate_user: AuthenticateUser, log_in: LogIn, alice: User,
    store: MemoryStore, clock: FakeClock,
) -> None:
    tokens = await log_in()

    await logout_user.execute(access_token=tokens.access_token.value, refresh_token=None)

    assert store.sessions[tokens.session.id].revoked_at == clock.now()
    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=tokens.access_token.value)


async def test_logout_by_refresh_token_alone_revokes_its_session(
    logout_user: LogoutUser, authenticate_user: AuthenticateUser, log_in: LogIn, alice: User,
    store: MemoryStore, clock: FakeClock,
) -> None:
    tokens = await log_in()

    await logout_user.execute(access_token=None, refresh_token=tokens.refresh_token.value)

    assert store.sessions[tokens.session.id].revoked_at == clock.now()
    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=tokens.access_token.value)


async def test_logout_with_an_expired_access_token_falls_back_to_the_refresh_token(
    logout_user: LogoutUser, log_in: LogIn, alice: User, store: MemoryStore, clock: FakeClock
) -> None:
    tokens = await log_in()
    clock.advance(timedelta(hours=1))

    await logout_user.execute(access_token=tokens.access_token.value,
                              refresh_token=tokens.refresh_token.value)

    assert store.sessions[tokens.session.id].revoked_at == clock.now()


async def test_logout_revokes_only_the_presented_session(
    logout_user: LogoutUser, authenticate_user: AuthenticateUser, log_in: LogIn, alice: User,
) -> None:
    laptop, phone = await log_in(), await log_in()

    await logout_user.execute(access_token=laptop.access_token.value,
                              refresh_token=laptop.refresh_token.value)

    assert (await authenticate_user.execute(token=phone.access_token.value)).user == alice


async def test_logging_out_twice_is_not_an_error_and_keeps_the_first_time(
    logout_user: LogoutUser, log_in: LogIn, alice: User, store: MemoryStore, clock: FakeClock,
) -> None:
    tokens = await log_in()
    await logout_user.execute(access_token=tokens.access_token.value, refresh_token=None)
    first = clock.now()
    clock.advance(timedelta(minutes=1))

    await logout_user.execute(access_token=tokens.access_token.value,
                              refresh_token=tokens.refresh_token.value)

    assert store.sessions[tokens.session.id].revoked_at == first


@pytest.mark.parametrize(("access_token", "refresh_token"), [
    (None, None), ("", ""), ("garbage", "garbage"), ("a.b.c", None), (None, "x" * 43),
])
async def test_logout_without_a_valid_token_is_not_an_error_and_revokes_nothing(
    logout_user: LogoutUser, log_in: LogIn, alice: User, store: MemoryStore,
    access_token: str | None, refresh_token: str | None,
) -> None:
    tokens = await log_in()

    await logout_user.execute(access_token=access_token, refresh_token=refresh_token)

    assert store.sessions[tokens.session.id].revoked_at is None


async def test_logout_with_a_token_naming_no_session_is_not_an_error(
    logout_user: LogoutUser, tokens: TokenCodec, log_in: LogIn, alice: User, store: MemoryStore
) -> None:
    session = (await log_in()).session
    stray = tokens.issue(subject=str(alice.id), session_id=str(uuid.uuid4())).value

    await logout_user.execute(access_token=stray, refresh_token=None)

    assert store.sessions[session.id].revoked_at is None
