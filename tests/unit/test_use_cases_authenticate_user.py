"""AuthenticateUser and LogoutUser: tokens stand for active users until revoked."""

import uuid
from datetime import timedelta

import pytest

from application.authenticate_user import AuthenticateUser
from application.errors import NotAuthenticated
from application.login_user import LoginUser
from application.logout_user import LogoutUser
from application.ports import TokenCodec
from domain.users import User
from infrastructure.persistence.memory import MemoryStore
from tests.fakes import FakeClock
from tests.unit.conftest import PASSWORD


async def login(login_user: LoginUser, email: str = "alice@example.com") -> str:
    return (await login_user.execute(email=email, password=PASSWORD)).access_token.value


async def test_valid_token_authenticates_its_user(
    authenticate_user: AuthenticateUser, login_user: LoginUser, alice: User
) -> None:
    user = await authenticate_user.execute(token=await login(login_user))

    assert user == alice
    assert user.email == alice.email


async def test_token_issued_directly_for_a_user_id_authenticates_that_user(
    authenticate_user: AuthenticateUser, tokens: TokenCodec, alice: User, bob: User
) -> None:
    token = tokens.issue(subject=str(bob.id)).value

    assert await authenticate_user.execute(token=token) == bob


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


async def test_token_for_an_unknown_user_is_not_authenticated(
    authenticate_user: AuthenticateUser, tokens: TokenCodec
) -> None:
    token = tokens.issue(subject=str(uuid.uuid4())).value

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_token_whose_subject_is_not_a_user_id_is_not_authenticated(
    authenticate_user: AuthenticateUser, tokens: TokenCodec
) -> None:
    token = tokens.issue(subject="alice@example.com").value

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_token_of_a_deleted_user_is_not_authenticated(
    authenticate_user: AuthenticateUser, login_user: LoginUser, alice: User, store: MemoryStore
) -> None:
    token = await login(login_user)
    del store.users[alice.id]

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_token_of_a_user_deactivated_after_login_is_not_authenticated(
    authenticate_user: AuthenticateUser, login_user: LoginUser, alice: User, store: MemoryStore
) -> None:
    token = await login(login_user)
    store.users[alice.id].is_active = False

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_expired_token_is_not_authenticated(
    authenticate_user: AuthenticateUser, login_user: LoginUser, alice: User, clock: FakeClock
) -> None:
    token = await login(login_user)
    clock.advance(timedelta(hours=1))

    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_logout_revokes_the_token(
    logout_user: LogoutUser, authenticate_user: AuthenticateUser, login_user: LoginUser,
    alice: User, tokens: TokenCodec, store: MemoryStore,
) -> None:
    token = await login(login_user)

    await logout_user.execute(token=token)

    assert tokens.decode(token).token_id in store.revoked_tokens
    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


async def test_logout_remembers_the_revocation_until_the_token_expires(
    logout_user: LogoutUser, login_user: LoginUser, alice: User, tokens: TokenCodec,
    store: MemoryStore,
) -> None:
    token = await login(login_user)

    await logout_user.execute(token=token)

    claims = tokens.decode(token)
    assert store.revoked_tokens[claims.token_id] == claims.expires_at


async def test_logout_revokes_only_the_presented_token(
    logout_user: LogoutUser, authenticate_user: AuthenticateUser, login_user: LoginUser,
    alice: User,
) -> None:
    laptop, phone = await login(login_user), await login(login_user)

    await logout_user.execute(token=laptop)

    assert await authenticate_user.execute(token=phone) == alice


async def test_logging_out_twice_is_not_an_error(
    logout_user: LogoutUser, authenticate_user: AuthenticateUser, login_user: LoginUser,
    alice: User, store: MemoryStore,
) -> None:
    token = await login(login_user)

    await logout_user.execute(token=token)
    await logout_user.execute(token=token)

    assert len(store.revoked_tokens) == 1
    with pytest.raises(NotAuthenticated):
        await authenticate_user.execute(token=token)


@pytest.mark.parametrize("token", [None, "", "garbage"])
async def test_logout_without_a_valid_token_is_not_an_error_and_revokes_nothing(
    logout_user: LogoutUser, store: MemoryStore, token: str | None
) -> None:
    await logout_user.execute(token=token)

    assert store.revoked_tokens == {}
