"""The composition root: one dependency-injector container wires adapters into use cases."""

from datetime import timedelta

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import async_sessionmaker

from application.account_attempts import AccountAttempts
from application.authenticate_user import AuthenticateUser
from application.cancel_booking import CancelBooking
from application.change_password import ChangePassword
from application.confirm_totp import ConfirmTotp
from application.create_booking import CreateBooking
from application.create_room import CreateRoom
from application.delete_account import DeleteAccount
from application.disable_totp import DisableTotp
from application.enrol_totp import EnrolTotp
from application.ensure_admin import EnsureAdmin
from application.list_audit_events import ListAuditEvents
from application.list_bookings import ListBookings
from application.list_rooms import ListRooms
from application.list_sessions import ListSessions
from application.list_users import ListUsers
from application.login_user import LoginUser
from application.logout_everywhere import LogoutEverywhere
from application.logout_user import LogoutUser
from application.password_check import PasswordCheck
from application.ports import Clock, TokenCodec
from application.reauthenticate import Reauthenticate
from application.refresh_session import RefreshSession
from application.register_user import RegisterUser
from application.replace_recovery_codes import ReplaceRecoveryCodes
from application.require_recent_authentication import RequireRecentAuthentication
from application.revoke_session import RevokeSession
from application.second_factor import SecondFactor
from application.seed_demo_rooms import SeedDemoRooms
from application.start_session import StartSession
from application.throttle_client import ThrottleClient
from application.update_user_access import UpdateUserAccess
from application.verify_mfa_login import VerifyMfaLogin
from domain.passwords import PasswordPolicy
from infrastructure.clock import SystemClock
from infrastructure.common_passwords import common_passwords
from infrastructure.fingerprint import HmacFingerprint
from infrastructure.hashing import PasslibPasswordHasher
from infrastructure.persistence.database import create_engine_for, ping
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork, memory_ping
from infrastructure.persistence.readers import reader_for
from infrastructure.persistence.sql import SqlUnitOfWork
from infrastructure.rate_limiter import rate_limiter_for
from infrastructure.secret_box import AesGcmSecretBox
from infrastructure.settings import (
    Settings,
    previous_secret_keys,
    resolve_data_key,
    resolve_secret_key,
)
from infrastructure.throttling import LimitsThrottle
from infrastructure.tokens import JoseTokenCodec, PyJwtTokenCodec
from infrastructure.tokens.hs256 import Hs256TokenCodec
from infrastructure.totp import PyotpTotpVerifier

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
    fingerprint = providers.Singleton(HmacFingerprint, secret_key)
    throttle = providers.Singleton(LimitsThrottle, settings.provided.throttle_rates, rate_limiter,
                                   fingerprint)

    data_key = providers.Singleton(resolve_data_key, settings)
    secret_box = providers.Singleton(AesGcmSecretBox, data_key)
    totp = providers.Singleton(PyotpTotpVerifier, clock, issuer=settings.provided.mfa_issuer)

    # What the use cases that check passwords and codes share (see each class).
    account_attempts = providers.Factory(AccountAttempts, throttle=throttle, uow=uow,
                                         fingerprint=fingerprint)
    password_check = providers.Factory(PasswordCheck, hasher=hasher, attempts=account_attempts,
                                       policy=password_policy)
    second_factor = providers.Factory(SecondFactor, uow=uow, verifier=totp, box=secret_box,
                                      attempts=account_attempts)
    start_session = providers.Factory(StartSession, uow=uow, tokens=tokens, clock=clock,
                                      session_lifetime=settings.provided.session_lifetime)

    register_user = providers.Factory(RegisterUser, uow=uow, hasher=hasher, clock=clock,
                                      policy=password_policy)
    login_user = providers.Factory(LoginUser, uow=uow, hasher=hasher, attempts=account_attempts,
                                   start_session=start_session)
    verify_mfa_login = providers.Factory(VerifyMfaLogin, uow=uow, clock=clock,
                                         second_factor=second_factor, start_session=start_session)
    require_recent_authentication = providers.Factory(
        RequireRecentAuthentication, uow=uow, clock=clock,
        max_age=settings.provided.step_up_max_age)
    reauthenticate = providers.Factory(Reauthenticate, uow=uow, clock=clock,
                                       passwords=password_check, second_factor=second_factor)
    enrol_totp = providers.Factory(EnrolTotp, uow=uow, verifier=totp, box=secret_box, clock=clock)
    confirm_totp = providers.Factory(ConfirmTotp, uow=uow, second_factor=second_factor,
                                     clock=clock)
    disable_totp = providers.Factory(DisableTotp, uow=uow, second_factor=second_factor)
    replace_recovery_codes = providers.Factory(ReplaceRecoveryCodes, uow=uow)
    delete_account = providers.Factory(DeleteAccount, uow=uow, passwords=password_check,
                                       clock=clock)
    throttle_client = providers.Factory(ThrottleClient, throttle=throttle, uow=uow)
    list_audit_events = providers.Factory(ListAuditEvents, uow=uow)
    authenticate_user = providers.Factory(AuthenticateUser, uow=uow, tokens=tokens, clock=clock)
    refresh_session = providers.Factory(RefreshSession, uow=uow, tokens=tokens, clock=clock)
    logout_user = providers.Factory(LogoutUser, uow=uow, tokens=tokens, clock=clock)
    logout_everywhere = providers.Factory(LogoutEverywhere, uow=uow, clock=clock)
    list_sessions = providers.Factory(ListSessions, uow=uow, clock=clock)
    revoke_session = providers.Factory(RevokeSession, uow=uow, clock=clock)
    change_password = providers.Factory(ChangePassword, uow=uow, passwords=password_check,
                                        clock=clock)
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
