"""ChangePassword: the current password proves the change; other sessions end, this one stays."""

import copy

import pytest

from application.authenticate_user import AuthenticateUser
from application.change_password import ChangePassword
from application.errors import IncorrectPassword, InvalidCredentials, NotAuthenticated
from application.login_user import LoginUser
from application.session_tokens import SessionTokens
from domain.errors import InvalidPassword
from domain.users import Email, User
from infrastructure.persistence.memory import MemoryStore
from tests.fakes import FakeClock, FakePasswordHasher
from tests.unit.conftest import PASSWORD, LogIn

NEW_PASSWORD = "a new and longer passphrase"


async def change(
    change_password: ChangePassword, store: MemoryStore, user: User, tokens: SessionTokens, *,
    current: str = PASSWORD, new: str = NEW_PASSWORD,
) -> None:
    """Change the password as the user stands in the store, acting from `tokens`' session."""
    await change_password.execute(actor=store.users[user.id], session_id=tokens.session.id,
                                  current_password=current, new_password=new)


async def test_the_new_password_logs_in_and_the_old_one_does_not(
    change_password: ChangePassword, login_user: LoginUser, log_in: LogIn, alice: User,
    store: MemoryStore,
) -> None:
    await change(change_password, store, alice, await log_in())

    result = await login_user.execute(email=Email("alice@example.com"), password=NEW_PASSWORD)
    assert result.user == alice
    with pytest.raises(InvalidCredentials):
        await login_user.execute(email=Email("alice@example.com"), password=PASSWORD)


async def test_other_sessions_end_and_the_current_one_stays(
    change_password: ChangePassword, authenticate_user: AuthenticateUser, log_in: LogIn,
    alice: User, bob: User, store: MemoryStore, clock: FakeClock,
) -> None:
    laptop, phone, tablet = await log_in(), await log_in(), await log_in()
    bobs = await log_in("bob@example.com")

    await change(change_password, store, alice, phone)

    assert (await authenticate_user.execute(token=phone.access_token.value)).user == alice
    for other in (laptop, tablet):
        assert store.sessions[other.session.id].revoked_at == clock.now()
        with pytest.raises(NotAuthenticated):
            await authenticate_user.execute(token=other.access_token.value)
    assert (await authenticate_user.execute(token=bobs.access_token.value)).user == bob


async def test_a_wrong_current_password_changes_nothing_after_one_verification(
    change_password: ChangePassword, log_in: LogIn, alice: User, store: MemoryStore,
    hasher: FakePasswordHasher,
) -> None:
    current, other = await log_in(), await log_in()
    before = store.users[alice.id].password_hash
    hasher.verify_calls = hasher.hash_calls = 0

    with pytest.raises(IncorrectPassword):
        await change(change_password, store, alice, current, current="not my password")

    assert (hasher.verify_calls, hasher.hash_calls) == (1, 0)
    assert store.users[alice.id].password_hash == before
    assert store.sessions[other.session.id].revoked_at is None


@pytest.mark.parametrize("new", ["short", "x" * 129])
async def test_the_new_password_must_meet_the_policy(
    change_password: ChangePassword, log_in: LogIn, alice: User, store: MemoryStore, new: str
) -> None:
    current, other = await log_in(), await log_in()
    before = store.users[alice.id].password_hash

    with pytest.raises(InvalidPassword):
        await change(change_password, store, alice, current, new=new)

    assert store.users[alice.id].password_hash == before
    assert store.sessions[other.session.id].revoked_at is None


async def test_the_new_password_is_stored_only_as_a_hash(
    change_password: ChangePassword, log_in: LogIn, alice: User, store: MemoryStore,
    hasher: FakePasswordHasher,
) -> None:
    await change(change_password, store, alice, await log_in())

    stored = store.users[alice.id].password_hash
    assert NEW_PASSWORD not in stored.value
    assert await hasher.verify(NEW_PASSWORD, stored)


async def test_a_change_based_on_a_stale_password_is_refused(
    change_password: ChangePassword, log_in: LogIn, alice: User, store: MemoryStore,
) -> None:
    # Two requests authenticated before either changed the password: the second must not win.
    tokens = await log_in()
    stale_actor = store.users[alice.id]
    await change(change_password, store, alice, tokens)

    with pytest.raises(NotAuthenticated):
        await change_password.execute(actor=stale_actor, session_id=tokens.session.id,
                                      current_password=PASSWORD, new_password="third password")

    assert await FakePasswordHasher().verify(NEW_PASSWORD, store.users[alice.id].password_hash)


async def test_a_user_deactivated_meanwhile_cannot_change_the_password(
    change_password: ChangePassword, log_in: LogIn, alice: User, store: MemoryStore,
) -> None:
    tokens = await log_in()
    actor = copy.deepcopy(store.users[alice.id])
    before = actor.password_hash
    store.users[alice.id].is_active = False

    with pytest.raises(NotAuthenticated):
        await change_password.execute(actor=actor, session_id=tokens.session.id,
                                      current_password=PASSWORD, new_password=NEW_PASSWORD)

    assert store.users[alice.id].password_hash == before
