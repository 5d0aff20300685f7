"""The composition root: one dependency-injector container wires adapters into use cases."""

from datetime import timedelta

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import async_sessionmaker

from application.authenticate_user import AuthenticateUser
from application.cancel_booking import CancelBooking
from application.change_password import ChangePassword
from application.create_booking import CreateBooking
from application.create_room import CreateRoom
from application.ensure_admin import EnsureAdmin
from application.list_audit_events import ListAuditEvents
from application.list_bookings import ListBookings
from application.list_rooms import ListRooms
from application.list_sessions import ListSessions
from application.list_users import ListUsers
from application.login_user import LoginUser
from application.logout_everywhere import LogoutEverywhere
from application.logout_user import LogoutUser
from application.ports import Clock, TokenCodec
from application.refresh_session import RefreshSession
from application.register_user import RegisterUser
from application.revoke_session import RevokeSession
from application.seed_demo_rooms import SeedDemoRooms
from application.throttle_client import ThrottleClient
from application.update_user_access import UpdateUserAccess
from domain.passwords import PasswordPolicy, context_words
from infrastructure.clock import SystemClock
from infrastructure.common_passwords import common_passwords
from infrastructure.hashing import PasslibPasswordHasher
from infrastructure.persistence.database import create_engine_for, ping
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork, memory_ping
from infrastructure.persistence.readers import reader_for
from infrastructure.persistence.sql import SqlUnitOfWork
from infrastructure.rate_limiter import rate_limiter_for
from infrastructure.settings import (
    SERVICE_NAME,
    Settings,
    previous_secret_keys,
    resolve_secret_key,
)
from infrastructure.throttling import LimitsThrottle
from infrastructure.tokens import JoseTokenCodec, PyJwtTokenCodec
from infrastructure.tokens.hs256 import Hs256TokenCodec

TOKEN_CODECS: dict[str, type[Hs256TokenCodec]] = {
    "jose": JoseTokenCodec,
    "pyjwt": PyJwtTokenCodec,
}


def token_codec(
    library: str, *, secret_key: str, previous_keys: list[str], issuer: str, audience: str,
    lifetime: timedelta, clock: Clock,
) -> TokenCodec:
    return TOKEN_CODECS[library](secret_key=secret_key, previous_keys=previous_keys,
                                 issuer=issuer, audience=audience, lifetime=lifetime, clock=clock)


def persistence_backend(settings: Settings) -> str:
    return "memory" if settings.uses_memory else "sql"


class Container(containers.DeclarativeContainer):
    """Everything is built lazily, on first use: constructing the container touches nothing."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    hasher = providers.Singleton(
        PasslibPasswordHasher,
        argon2_memory_cost=settings.provided.argon2_memory_cost,
        argon2_time_cost=settings.provided.argon2_time_cost,
        argon2_parallelism=settings.provided.argon2_parallelism,
    )

    # Built on the first registration; the list loads then, once per process.
    password_policy = providers.Singleton(
        PasswordPolicy,
        min_length=settings.provided.password_min_length,
        common_passwords=providers.Callable(common_passwords),
        service_words=providers.Callable(context_words, SERVICE_NAME,
                                         settings.provided.public_host),
    )

    secret_key = providers.Singleton(resolve_secret_key, settings)
    tokens = providers.Singleton(
        token_codec,
        settings.provided.jwt_library,
        secret_key=secret_key,
        previous_keys=providers.Callable(previous_secret_keys, settings),
        issuer=settings.provided.jwt_issuer,
        audience=settings.provided.jwt_audience,
        lifetime=settings.provided.access_token_ttl,
        clock=clock,
    )

    backend = providers.Singleton(persistence_backend, settings)
    memory_store = providers.Singleton(MemoryStore)
    engine = providers.Singleton(create_engine_for, settings.provided.database_url)
    session_factory = providers.Singleton(async_sessionmaker, engine, expire_on_commit=False)
    # The SQLite file's or PostgreSQL's reader, made (like the engine) on first use.
    reader = providers.Singleton(reader_for, settings.provided.database_url)
    uow = providers.Selector(
        backend,
        memory=providers.Factory(MemoryUnitOfWork, memory_store, clock),
        sql=providers.Factory(SqlUnitOfWork, session_factory, clock, reader=reader),
    )
    database_ping = providers.Selector(
        backend,
        memory=providers.Callable(memory_ping),
        sql=providers.Callable(ping, engine),
    )

    rate_limiter = providers.Singleton(rate_limiter_for, settings.provided.redis_url_value,
                                       settings.provided.redis_key_prefix)
    throttle = providers.Singleton(LimitsThrottle, settings.provided.throttle_rates, rate_limiter)

    register_user = providers.Factory(RegisterUser, uow=uow, hasher=hasher, clock=clock,
                                      policy=password_policy)
    login_user = providers.Factory(LoginUser, uow=uow, hasher=hasher, tokens=tokens,
                                   throttle=throttle, clock=clock,
                                   session_lifetime=settings.provided.session_lifetime)
    throttle_client = providers.Factory(ThrottleClient, throttle=throttle, uow=uow)
    list_audit_events = providers.Factory(ListAuditEvents, uow=uow)
    authenticate_user = providers.Factory(AuthenticateUser, uow=uow, tokens=tokens, clock=clock)
    refresh_session = providers.Factory(RefreshSession, uow=uow, tokens=tokens, clock=clock)
    logout_user = providers.Factory(LogoutUser, uow=uow, tokens=tokens, clock=clock)
    logout_everywhere = providers.Factory(LogoutEverywhere, uow=uow, clock=clock)
    list_sessions = providers.Factory(ListSessions, uow=uow, clock=clock)
    revoke_session = providers.Factory(RevokeSession, uow=uow, clock=clock)
    change_password = providers.Factory(ChangePassword, uow=uow, hasher=hasher, clock=clock,
                                        policy=password_policy)
    list_rooms = providers.Factory(ListRooms, uow=uow)
    create_room = providers.Factory(CreateRoom, uow=uow)
    list_bookings = providers.Factory(ListBookings, uow=uow)
    create_booking = providers.Factory(CreateBooking, uow=uow, clock=clock)
    cancel_booking = providers.Factory(CancelBooking, uow=uow)
    list_users = providers.Factory(ListUsers, uow=uow)
    update_user_access = providers.Factory(UpdateUserAccess, uow=uow, clock=clock)
    ensure_admin = providers.Factory(EnsureAdmin, uow=uow, hasher=hasher, clock=clock,
                                     policy=password_policy)
    seed_demo_rooms = providers.Factory(SeedDemoRooms, uow=uow)


async def close_storage(container: Container) -> None:
    """Close the database connections that the container's engine and reader hold, if any."""
    if container.backend() == "sql":
        await container.engine().dispose()
        reader = container.reader()
        if reader is not None:
            await reader.dispose()
