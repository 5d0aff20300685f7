"""Read-then-write use cases must not undo what another transaction committed in between."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any, Self, cast

import pytest

from application.errors import NotAuthenticated
from application.login_user import LoginResult
from application.logout_user import LogoutUser
from application.ports import UnitOfWork
from application.refresh_session import RefreshSession
from application.register_user import RegisterUser
from application.update_user_access import UpdateUserAccess
from domain.passwords import PasswordPolicy
from domain.users import Email, Role, User
from infrastructure.tokens import JoseTokenCodec
from infrastructure.tokens.keys import hs256_keys
from tests.databases import UnitOfWorkFactory
from tests.fakes import FakeClock, FakePasswordHasher, UnlimitedThrottle
from tests.wiring import make_change_password, make_login_user

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a new and longer passphrase"

Meanwhile = Callable[[], Awaitable[object]]
# How long the first transaction holds still for the second. Once the code locks what it read,
# the second one blocks instead of finishing; the first then goes on and the second finishes
# after it, so the tests pass rather than hang.
WINDOW_SECONDS = 1.0


class Interleaved:
    """A unit of work that lets `meanwhile` commit just before its first `repository.method`.

    That is between the use case's read and its write, the widest window two requests can hit.
    """

    def __init__(self, inner: UnitOfWork, repository: str, method: str,
                 meanwhile: Meanwhile) -> None:
        self._inner, self._repository, self._method = inner, repository, method
        self._meanwhile = meanwhile
        self._task: asyncio.Future[object] | None = None

    def __getattr__(self, name: str) -> Any:
        inner = getattr(self._inner, name)
        return _Hooked(self, inner) if name == self._repository else inner

    async def interleave(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._meanwhile())
            await asyncio.wait({self._task}, timeout=WINDOW_SECONDS)

    async def settled(self) -> None:
        """Wait for `meanwhile` to end, and fail if it never ran or failed."""
        assert self._task is not None, f"{self._repository}.{self._method} was never called"
        await self._task

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        await self._inner.commit()


class _Hooked:
    def __init__(self, owner: Interleaved, inner: Any) -> None:
        self._owner, self._inner = owner, inner

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if name != self._owner._method:
            return target

        async def hooked(*args: Any, **kwargs: Any) -> Any:
            await self._owner.interleave()
            return await target(*args, **kwargs)

        return hooked


def interleaved(inner: UnitOfWork, repository: str, method: str,
                meanwhile: Meanwhile) -> tuple[UnitOfWork, Interleaved]:
    wrapper = Interleaved(inner, repository, method, meanwhile)
    return cast(UnitOfWork, wrapper), wrapper


class World:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.uow_factory = uow_factory
        self.clock, self.hasher = FakeClock(), FakePasswordHasher()
        self.tokens = JoseTokenCodec(keys=hs256_keys("lost-update-secret-" + "x" * 32),
                                     clock=self.clock)

    async def user(self, email: str, role: Role = Role.USER) -> User:
        user = await RegisterUser(self.uow_factory(self.clock), self.hasher, self.clock,
                                  PasswordPolicy()).execute(email=Email(email), password=PASSWORD)
        if role is not Role.USER:
            async with self.uow_factory() as uow:
                user.role = role
                await uow.users.update(user)
                await uow.commit()
        return user

    async def log_in(self, email: str) -> LoginResult:
        return await make_login_user(self.uow_factory(self.clock), self.hasher, self.tokens,
                               UnlimitedThrottle(), self.clock).execute(email=Email(email),
                                                                        password=PASSWORD)

    async def stored_user(self, user: User) -> User:
        async with self.uow_factory() as uow:
            found = await uow.users.get(user.id)
        assert found is not None
        return found


@pytest.fixture
async def world(
    uow_factory: UnitOfWorkFactory, request: pytest.FixtureRequest
) -> AsyncIterator[World]:
    if request.node.callspec.params["uow_factory"] == "memory":
        # The memory store's lock is held from a transaction's start to its end.
        pytest.skip("memory transactions are serialised whole: nothing can come in between")
    yield World(uow_factory)


async def test_a_logout_during_a_refresh_stays_a_logout(world: World) -> None:
    await world.user("ada@example.com")
    login = await world.log_in("ada@example.com")
    tokens = login.tokens

    async def logout() -> None:
        await LogoutUser(world.uow_factory(), world.tokens, world.clock).execute(
            access_token=tokens.access_token.value, refresh_token=None)

    uow, hook = interleaved(world.uow_factory(), "refresh_tokens", "use", logout)
    # Refusing the refresh is as good as any other outcome that keeps the logout.
    with contextlib.suppress(NotAuthenticated):
        await RefreshSession(uow, world.tokens, world.clock).execute(
            refresh_token=tokens.refresh_token.value)
    await hook.settled()

    async with world.uow_factory() as check:
        session = await check.sessions.get(tokens.session.id)
    assert session is not None and session.revoked_at is not None


async def test_a_password_changed_during_an_access_update_stays_changed(world: World) -> None:
    admin = await world.user("root@example.com", Role.ADMIN)
    ada = await world.user("ada@example.com")
    login = await world.log_in("ada@example.com")

    async def change_password() -> None:
        await make_change_password(world.uow_factory(world.clock), world.hasher, world.clock,
                             PasswordPolicy()).execute(
            actor=await world.stored_user(ada), session_id=login.tokens.session.id,
            current_password=PASSWORD, new_password=NEW_PASSWORD)

    uow, hook = interleaved(world.uow_factory(), "users", "update", change_password)
    await UpdateUserAccess(uow, world.clock).execute(actor=admin, user_id=ada.id, role=Role.ADMIN)
    await hook.settled()

    stored = await world.stored_user(ada)
    assert stored.role is Role.ADMIN
    assert await world.hasher.verify(NEW_PASSWORD, stored.password_hash)
