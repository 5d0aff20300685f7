"""Invariants of sessions under random logins, refreshes, replays, logouts and passing time."""

import asyncio
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from application.authenticate_user import AuthenticateUser
from application.errors import NotAuthenticated, RefreshTokenReused
from application.logout_user import LogoutUser
from application.refresh_session import RefreshSession
from application.register_user import RegisterUser
from domain.passwords import PasswordPolicy
from domain.sessions import refresh_token_digest
from domain.users import Email
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from tests.fakes import FakeClock, FakePasswordHasher, UnlimitedThrottle
from tests.unit.conftest import PASSWORD, make_token_codec
from tests.wiring import make_login_user

EMAIL = "alice@example.com"
SESSION_LIFETIME = timedelta(days=30)
ACCESS_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class Login:
    pass


@dataclass(frozen=True)
class Refresh:
    """Refresh session `session` with its latest token, or replay the older token `replay`."""

    session: int
    replay: int | None


@dataclass(frozen=True)
class Logout:
    session: int
    with_access_token: bool


@dataclass(frozen=True)
class Advance:
    minutes: int


Operation = Login | Refresh | Logout | Advance

_operations = st.lists(
    st.one_of(
        st.just(Login()),
        st.builds(Refresh, session=st.integers(0, 5), replay=st.none()),
        st.builds(Refresh, session=st.integers(0, 5), replay=st.none() | st.integers(0, 10)),
        st.builds(Logout, session=st.integers(0, 5), with_access_token=st.booleans()),
        # Minutes, hours and days, so that access tokens and whole sessions run out.
        st.builds(Advance, minutes=st.sampled_from([1, 20, 24 * 60, 12 * 24 * 60])),
    ),
    max_size=20,
)


@dataclass
class Expected:
    """The model of one session: every refresh token it was given, in order."""

    refresh_tokens: list[str]
    access_token: str
    access_issued_at: datetime
    expires_at: datetime
    revoked: bool = False

    def is_live(self, now: datetime) -> bool:
        return not self.revoked and now < self.expires_at


class World:
    def __init__(self) -> None:
        self.store, self.clock = MemoryStore(), FakeClock()
        hasher, tokens = FakePasswordHasher(), make_token_codec(self.clock)
        self.register = RegisterUser(MemoryUnitOfWork(self.store, self.clock), hasher,
                                     self.clock, PasswordPolicy())
        self.login = make_login_user(MemoryUnitOfWork(self.store, self.clock), hasher, tokens,
                               UnlimitedThrottle(), self.clock, session_lifetime=SESSION_LIFETIME)
        self.refresh = RefreshSession(MemoryUnitOfWork(self.store), tokens, self.clock)
        self.logout = LogoutUser(MemoryUnitOfWork(self.store), tokens, self.clock)
        self.authenticate = AuthenticateUser(MemoryUnitOfWork(self.store), tokens, self.clock)
        self.sessions: dict[uuid.UUID, Expected] = {}

    async def apply(self, op: Operation) -> None:
        now = self.clock.now()
        if isinstance(op, Login):
            tokens = (await self.login.execute(email=Email(EMAIL), password=PASSWORD)).tokens
            self.sessions[tokens.session.id] = Expected(
                refresh_tokens=[tokens.refresh_token.value],
                access_token=tokens.access_token.value, access_issued_at=now,
                expires_at=now + SESSION_LIFETIME)
        elif isinstance(op, Advance):
            self.clock.advance(timedelta(minutes=op.minutes))
        elif self.sessions:
            session_id = list(self.sessions)[op.session % len(self.sessions)]
            expected = self.sessions[session_id]
            if isinstance(op, Logout):
                await self.logout.execute(
                    access_token=expected.access_token if op.with_access_token else None,
                    refresh_token=expected.refresh_tokens[-1])
                expected.revoked = True
            else:
                await self._refresh(session_id, expected, op.replay, now)

    async def _refresh(
        self, session_id: uuid.UUID, expected: Expected, replay: int | None, now: datetime
    ) -> None:
        used = expected.refresh_tokens[:-1]
        token = used[replay % len(used)] if replay is not None and used else \
            expected.refresh_tokens[-1]
        try:
            tokens = await self.refresh.execute(refresh_token=token)
        except RefreshTokenReused:
            assert expected.is_live(now) and token != expected.refresh_tokens[-1]
            expected.revoked = True
        except NotAuthenticated:
            assert not expected.is_live(now), "a live session refused its latest token"
        else:
            assert expected.is_live(now), "a dead session was refreshed"
            assert token == expected.refresh_tokens[-1], "a used refresh token worked"
            assert tokens.session.id == session_id
            expected.refresh_tokens.append(tokens.refresh_token.value)
            expected.access_token, expected.access_issued_at = tokens.access_token.value, now

    async def check(self) -> None:
        now = self.clock.now()
        for session_id, expected in self.sessions.items():
            stored = self.store.sessions[session_id]
            assert stored.is_live(now) is expected.is_live(now)
            assert stored.expires_at == expected.expires_at
            # Single use: of all the session's refresh tokens, only the latest may be unused.
            unused = {digest for digest, record in self.store.refresh_tokens.items()
                      if record.session_id == session_id and record.used_at is None}
            assert unused == {refresh_token_digest(expected.refresh_tokens[-1])}
            if expected.is_live(now):
                if now - expected.access_issued_at < ACCESS_LIFETIME:
                    authentication = await self.authenticate.execute(
                        token=expected.access_token)
                    assert authentication.session_id == session_id
                continue
            # A dead session stays dead: neither its access token nor any refresh token works.
            await _refused(self.authenticate.execute(token=expected.access_token))
            await _refused(self.refresh.execute(refresh_token=expected.refresh_tokens[-1]))


async def _refused(attempt: Awaitable[object]) -> None:
    try:
        await attempt
    except NotAuthenticated:
        return
    raise AssertionError("a dead session's token was accepted")


async def _run(operations: list[Operation]) -> None:
    world = World()
    await world.register.execute(email=Email(EMAIL), password=PASSWORD)
    for op in operations:
        await world.apply(op)
        await world.check()


@settings(max_examples=60, deadline=None)
@given(_operations)
# A stolen token replayed after the owner refreshed: the session dies, the successor too.
@example([Login(), Refresh(0, None), Refresh(0, 0), Refresh(0, None)])
# Refreshing daily does not stretch the session past its absolute expiry.
@example([Login(), *[op for _ in range(31) for op in (Advance(24 * 60), Refresh(0, None))]])
# Logout by refresh token alone, after the access token ran out.
@example([Login(), Advance(20), Logout(0, with_access_token=False), Refresh(0, None)])
def test_only_the_latest_token_of_a_live_session_refreshes_and_a_replay_kills_the_session(
    operations: list[Operation],
) -> None:
    asyncio.run(_run(operations))
