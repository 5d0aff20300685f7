"""Fixtures for unit tests: use cases wired by hand to the in-memory store and the fakes."""

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from application.authenticate_user import AuthenticateUser
from application.cancel_booking import CancelBooking
from application.create_booking import CreateBooking
from application.create_room import CreateRoom
from application.ensure_admin import EnsureAdmin
from application.errors import NotAuthenticated
from application.list_bookings import ListBookings
from application.list_rooms import ListRooms
from application.list_users import ListUsers
from application.login_user import LoginUser
from application.logout_user import LogoutUser
from application.ports import AccessClaims, AccessToken, Clock, ThrottleScope, TokenCodec
from application.register_user import RegisterUser
from application.seed_demo_rooms import SeedDemoRooms
from application.set_user_active import SetUserActive
from domain.bookings import Room
from domain.passwords import PasswordPolicy
from domain.users import PasswordHash, User
from infrastructure.common_passwords import common_passwords
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.rate_limiter import ResilientRateLimiter
from infrastructure.throttling import LimitsThrottle
from tests.fakes import FakeClock, FakePasswordHasher

PASSWORD = "correct horse battery"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "keeper of the keys 1"
ATTEMPTS_ALLOWED = 3


class DictTokenCodec:
    """Remembers the tokens it issued; anything else is NotAuthenticated.

    Stands in for the JWT adapters, which have their own contract suite.
    """

    def __init__(self, clock: Clock, lifetime: timedelta = timedelta(minutes=15)) -> None:
        self._clock = clock
        self._lifetime = lifetime
        self._issued: dict[str, AccessClaims] = {}

    def issue(self, *, subject: str) -> AccessToken:
        now = self._clock.now()
        claims = AccessClaims(subject=subject, token_id=secrets.token_hex(8), issued_at=now,
                              expires_at=now + self._lifetime)
        value = f"token-{secrets.token_hex(16)}"
        self._issued[value] = claims
        return AccessToken(value=value, token_id=claims.token_id, expires_at=claims.expires_at,
                           lifetime_seconds=int(self._lifetime.total_seconds()))

    def decode(self, token: str) -> AccessClaims:
        claims = self._issued.get(token)
        if claims is None or claims.expires_at <= self._clock.now():
            raise NotAuthenticated()
        return claims


class YieldingPasswordHasher(FakePasswordHasher):
    """FakePasswordHasher that lets other tasks run while it works.

    The real adapter hashes in a worker thread, so other requests interleave with a login or
    a start-up; this is how a unit test can see that.
    """

    async def hash(self, password: str) -> PasswordHash:
        await asyncio.sleep(0)
        return await super().hash(password)

    async def verify(self, password: str, password_hash: PasswordHash) -> bool:
        await asyncio.sleep(0)
        return await super().verify(password, password_hash)


def make_token_codec(clock: FakeClock) -> TokenCodec:
    """The real python-jose adapter once it exists; the dict codec until then."""
    try:
        from infrastructure.tokens import JoseTokenCodec
    except ImportError:
        return DictTokenCodec(clock)
    codec: TokenCodec = JoseTokenCodec(secret_key="unit-test-secret-" + "x" * 32, clock=clock)
    return codec


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hasher() -> FakePasswordHasher:
    return FakePasswordHasher()


@pytest.fixture
def policy() -> PasswordPolicy:
    return PasswordPolicy(common_passwords=common_passwords())


@pytest.fixture
def throttle() -> LimitsThrottle:
    """The in-process adapter: as fast and predictable as a fake, and the real rules."""
    rates = {scope: f"{ATTEMPTS_ALLOWED}/15 minutes" for scope in ThrottleScope}
    return LimitsThrottle(rates, ResilientRateLimiter())


@pytest.fixture
def tokens(clock: FakeClock) -> TokenCodec:
    return make_token_codec(clock)


@pytest.fixture
def register_user(
    store: MemoryStore, hasher: FakePasswordHasher, clock: FakeClock, policy: PasswordPolicy
) -> RegisterUser:
    return RegisterUser(MemoryUnitOfWork(store, clock), hasher, clock, policy)


@pytest.fixture
def login_user(
    store: MemoryStore, hasher: FakePasswordHasher, tokens: TokenCodec, throttle: LimitsThrottle,
    clock: FakeClock,
) -> LoginUser:
    return LoginUser(MemoryUnitOfWork(store, clock), hasher, tokens, throttle)


@pytest.fixture
def authenticate_user(store: MemoryStore, tokens: TokenCodec) -> AuthenticateUser:
    return AuthenticateUser(MemoryUnitOfWork(store), tokens)


@pytest.fixture
def logout_user(store: MemoryStore, tokens: TokenCodec, clock: FakeClock) -> LogoutUser:
    return LogoutUser(MemoryUnitOfWork(store, clock), tokens)


@pytest.fixture
def ensure_admin(
    store: MemoryStore, hasher: FakePasswordHasher, clock: FakeClock, policy: PasswordPolicy
) -> EnsureAdmin:
    return EnsureAdmin(MemoryUnitOfWork(store), hasher, clock, policy)


@pytest.fixture
def list_users(store: MemoryStore) -> ListUsers:
    return ListUsers(MemoryUnitOfWork(store))


@pytest.fixture
def set_user_active(store: MemoryStore, clock: FakeClock) -> SetUserActive:
    return SetUserActive(MemoryUnitOfWork(store, clock))


@pytest.fixture
def list_rooms(store: MemoryStore) -> ListRooms:
    return ListRooms(MemoryUnitOfWork(store))


@pytest.fixture
def create_room(store: MemoryStore) -> CreateRoom:
    return CreateRoom(MemoryUnitOfWork(store))


@pytest.fixture
def seed_demo_rooms(store: MemoryStore) -> SeedDemoRooms:
    return SeedDemoRooms(MemoryUnitOfWork(store))


@pytest.fixture
def list_bookings(store: MemoryStore) -> ListBookings:
    return ListBookings(MemoryUnitOfWork(store))


@pytest.fixture
def create_booking(store: MemoryStore, clock: FakeClock) -> CreateBooking:
    return CreateBooking(MemoryUnitOfWork(store), clock)


@pytest.fixture
def cancel_booking(store: MemoryStore) -> CancelBooking:
    return CancelBooking(MemoryUnitOfWork(store))


RegisterAs = Callable[[str], Awaitable[User]]


@pytest.fixture
def register_as(register_user: RegisterUser) -> RegisterAs:
    """Register a user with PASSWORD under the given email."""

    async def register(email: str) -> User:
        return await register_user.execute(email=email, password=PASSWORD)

    return register


@pytest.fixture
async def alice(register_as: RegisterAs) -> User:
    return await register_as("alice@example.com")


@pytest.fixture
async def bob(register_as: RegisterAs) -> User:
    return await register_as("bob@example.com")


@pytest.fixture
async def admin(ensure_admin: EnsureAdmin) -> User:
    return (await ensure_admin.execute(email=ADMIN_EMAIL, password=ADMIN_PASSWORD)).user


@pytest.fixture
async def room(create_room: CreateRoom, admin: User) -> Room:
    return await create_room.execute(actor=admin, name="Double", description="A double bed",
                                     price=120, quantity=1)
