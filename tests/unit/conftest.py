"""Fixtures for unit tests: use cases wired by hand to the in-memory store and the fakes."""

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from application.authenticate_user import AuthenticateUser
from application.cancel_booking import CancelBooking
from application.change_password import ChangePassword
from application.create_booking import CreateBooking
from application.create_room import CreateRoom
from application.ensure_admin import EnsureAdmin
from application.list_bookings import ListBookings
from application.list_rooms import ListRooms
from application.list_sessions import ListSessions
from application.list_users import ListUsers
from application.login_user import LoginUser
from application.logout_everywhere import LogoutEverywhere
from application.logout_user import LogoutUser
from application.ports import ThrottleScope, TokenCodec
from application.refresh_session import RefreshSession
from application.register_user import RegisterUser
from application.revoke_session import RevokeSession
from application.seed_demo_rooms import SeedDemoRooms
from application.session_tokens import SessionTokens
from application.update_user_access import UpdateUserAccess
from domain.bookings import Room
from domain.passwords import PasswordPolicy
from domain.users import Email, PasswordHash, User
from infrastructure.common_passwords import common_passwords
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.rate_limiter import ResilientRateLimiter
from infrastructure.throttling import LimitsThrottle
from infrastructure.tokens import JoseTokenCodec
from infrastructure.tokens.keys import hs256_keys
from tests.fakes import FakeClock, FakePasswordHasher
from tests.wiring import FINGERPRINT, make_change_password, make_login_user

PASSWORD = "correct horse battery"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "keeper of the keys 1"
ATTEMPTS_ALLOWED = 3
TOKEN_SECRET = "unit-test-secret-" + "x" * 32
# The real adapter: an HMAC is as cheap as a fake.


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
    """The real python-jose adapter: cheap, and it checks what a fake would not (sid, kid)."""
    return JoseTokenCodec(keys=hs256_keys(TOKEN_SECRET), clock=clock)


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
def tokens(clock: FakeClock) -> TokenCodec:
    return make_token_codec(clock)


@pytest.fixture
def policy() -> PasswordPolicy:
    return PasswordPolicy(common_passwords=common_passwords())


@pytest.fixture
def throttle() -> LimitsThrottle:
    """The in-process adapter: as fast and predictable as a fake, and the real rules."""
    rates = {scope: f"{ATTEMPTS_ALLOWED}/15 minutes" for scope in ThrottleScope}
    return LimitsThrottle(rates, ResilientRateLimiter(), FINGERPRINT)


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
    return make_login_user(MemoryUnitOfWork(store, clock), hasher, tokens, throttle, clock)


@pytest.fixture
def authenticate_user(store: MemoryStore, tokens: TokenCodec, clock: FakeClock) -> AuthenticateUser:
    return AuthenticateUser(MemoryUnitOfWork(store), tokens, clock)


@pytest.fixture
def refresh_session(store: MemoryStore, tokens: TokenCodec, clock: FakeClock) -> RefreshSession:
    return RefreshSession(MemoryUnitOfWork(store, clock), tokens, clock)


@pytest.fixture
def logout_user(store: MemoryStore, tokens: TokenCodec, clock: FakeClock) -> LogoutUser:
    return LogoutUser(MemoryUnitOfWork(store, clock), tokens, clock)


@pytest.fixture
def logout_everywhere(store: MemoryStore, clock: FakeClock) -> LogoutEverywhere:
    return LogoutEverywhere(MemoryUnitOfWork(store), clock)


@pytest.fixture
def list_sessions(store: MemoryStore, clock: FakeClock) -> ListSessions:
    return ListSessions(MemoryUnitOfWork(store), clock)


@pytest.fixture
def revoke_session(store: MemoryStore, clock: FakeClock) -> RevokeSession:
    return RevokeSession(MemoryUnitOfWork(store), clock)


@pytest.fixture
def change_password(
    store: MemoryStore, hasher: FakePasswordHasher, clock: FakeClock, policy: PasswordPolicy
) -> ChangePassword:
    return make_change_password(MemoryUnitOfWork(store, clock), hasher, clock, policy)


@pytest.fixture
def ensure_admin(
    store: MemoryStore, hasher: FakePasswordHasher, clock: FakeClock, policy: PasswordPolicy
) -> EnsureAdmin:
    return EnsureAdmin(MemoryUnitOfWork(store, clock), hasher, clock, policy)


@pytest.fixture
def list_users(store: MemoryStore) -> ListUsers:
    return ListUsers(MemoryUnitOfWork(store))


@pytest.fixture
def update_user_access(store: MemoryStore, clock: FakeClock) -> UpdateUserAccess:
    return UpdateUserAccess(MemoryUnitOfWork(store, clock), clock)


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
        return await register_user.execute(email=Email(email), password=PASSWORD)

    return register


@pytest.fixture
async def alice(register_as: RegisterAs) -> User:
    return await register_as("alice@example.com")


@pytest.fixture
async def bob(register_as: RegisterAs) -> User:
    return await register_as("bob@example.com")


@pytest.fixture
async def admin(ensure_admin: EnsureAdmin) -> User:
    return (await ensure_admin.execute(email=Email(ADMIN_EMAIL), password=ADMIN_PASSWORD)).user


@pytest.fixture
async def room(create_room: CreateRoom, admin: User) -> Room:
    return await create_room.execute(actor=admin, name="Double", description="A double bed",
                                     price=120, quantity=1)


LogIn = Callable[..., Awaitable[SessionTokens]]


@pytest.fixture
def log_in(login_user: LoginUser) -> LogIn:
    """Log in (alice with PASSWORD by default); the new session's tokens."""

    async def log_in(
        email: str = "alice@example.com", device: str = "", password: str = PASSWORD
    ) -> SessionTokens:
        result = await login_user.execute(email=Email(email), password=password, device=device)
        return result.tokens

    return log_in
