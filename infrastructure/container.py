"""The composition root: one dependency-injector container wires adapters into use cases."""

from datetime import timedelta

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import async_sessionmaker

from application.account_attempts import AccountAttempts
from application.authenticate_user import AuthenticateUser
from application.cancel_booking import CancelBooking
from application.change_password import ChangePassword
from application.confirm_totp import ConfirmTotp
from application.count_active_sessions import CountActiveSessions
from application.create_booking import CreateBooking
from application.create_room import CreateRoom
from application.delete_account import DeleteAccount
from application.disable_totp import DisableTotp
from application.enrol_totp import EnrolTotp
from application.ensure_admin import EnsureAdmin
from application.list_audit_events import ListAuditEvents
from application.list_bookings import ListBookings
from application.list_outbox import ListOutbox
from application.list_rooms import ListRooms
from application.list_sessions import ListSessions
from application.list_users import ListUsers
from application.login_user import LoginUser
from application.logout_everywhere import LogoutEverywhere
from application.logout_user import LogoutUser
from application.password_check import PasswordCheck
from application.ports import (
    NO_TELEMETRY,
    Clock,
    Mailer,
    PasswordHasher,
    Telemetry,
    TokenCodec,
)
from application.reauthenticate import Reauthenticate
from application.refresh_session import RefreshSession
from application.register_user import RegisterUser
from application.replace_recovery_codes import ReplaceRecoveryCodes
from application.request_email_change import RequestEmailChange
from application.request_password_reset import RequestPasswordReset
from application.require_recent_authentication import RequireRecentAuthentication
from application.resend_verification import ResendVerification
from application.reset_password import ResetPassword
from application.revoke_session import RevokeSession
from application.second_factor import SecondFactor
from application.seed_demo_rooms import SeedDemoRooms
from application.set_user_role import SetUserRole
from application.start_session import StartSession
from application.throttle_client import ThrottleClient
from application.update_user_access import UpdateUserAccess
from application.verify_email import VerifyEmail
from application.verify_mfa_login import VerifyMfaLogin
from domain.passwords import PasswordPolicy, context_words
from infrastructure.clock import SystemClock
from infrastructure.common_passwords import common_passwords
from infrastructure.fingerprint import HmacFingerprint
from infrastructure.hashing import PasslibPasswordHasher
from infrastructure.mail.cipher import PayloadCipher
from infrastructure.mail.composer import MailComposer
from infrastructure.mail.dispatcher import OutboxDispatcher
from infrastructure.mail.transports import FileMailer, SmtpMailer, SmtpRelay
from infrastructure.metrics import PrometheusMetrics, TimedPasswordHasher
from infrastructure.persistence.backends import storage_kind
from infrastructure.persistence.database import create_engine_for, ping, reader_for
from infrastructure.persistence.mail_memory import MemoryOutboxQueue
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork, memory_ping
from infrastructure.persistence.schema import SchemaWatch
from infrastructure.persistence.sql.mail import SqlOutboxQueue
from infrastructure.persistence.sql.unit_of_work import SqlUnitOfWork
from infrastructure.rate_limiter import rate_limiter_for
from infrastructure.secret_box import AesGcmSecretBox
from infrastructure.settings import (
    SERVICE_NAME,
    Settings,
    previous_secret_keys,
    require_mail_delivery,
    resolve_data_key,
    resolve_secret_key,
)
from infrastructure.throttling import LimitsThrottle
from infrastructure.token_signing_keys import resolve_signing_keys
from infrastructure.tokens import JoseTokenCodec, JwtTokenCodec, PyJwtTokenCodec
from infrastructure.tokens.keys import SigningKeys
from infrastructure.totp import PyotpTotpVerifier

TOKEN_CODECS: dict[str, type[JwtTokenCodec]] = {
    "jose": JoseTokenCodec,
    "pyjwt": PyJwtTokenCodec,
}


def token_codec(
    library: str, *, keys: SigningKeys, issuer: str, audience: str, lifetime: timedelta,
    clock: Clock,
) -> TokenCodec:
    return TOKEN_CODECS[library](keys=keys, issuer=issuer, audience=audience, lifetime=lifetime,
                                 clock=clock)


def metrics_for(settings: Settings) -> PrometheusMetrics | None:
    return PrometheusMetrics() if settings.metrics_enabled else None


def telemetry_for(metrics: PrometheusMetrics | None) -> Telemetry:
    return metrics or NO_TELEMETRY


def timed(hasher: PasswordHasher, metrics: PrometheusMetrics | None) -> PasswordHasher:
    return TimedPasswordHasher(hasher, metrics) if metrics else hasher


def mailer_for(settings: Settings, composer: MailComposer) -> Mailer:
    """SMTP when SMTP_URL is set; otherwise `.eml` files, which production refuses."""
    require_mail_delivery(settings)
    if settings.smtp_url is None:
        return FileMailer(composer, settings.mail_dir)
    return SmtpMailer(composer, SmtpRelay.parse(settings.smtp_url.get_secret_value()))


class Container(containers.DeclarativeContainer):
    """Everything is built lazily, on first use: constructing the container touches nothing."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    # None when ROOMKEY_METRICS_ENABLED is off: then nothing is measured at all.
    metrics = providers.Singleton(metrics_for, settings)
    telemetry = providers.Singleton(telemetry_for, metrics)
    passlib_hasher = providers.Singleton(
        PasslibPasswordHasher,
        argon2_memory_cost=settings.provided.argon2_memory_cost,
        argon2_time_cost=settings.provided.argon2_time_cost,
        argon2_parallelism=settings.provided.argon2_parallelism,
    )
    hasher = providers.Singleton(timed, passlib_hasher, metrics)

    # Built on the first registration; the list loads then, once per process.
    password_policy = providers.Singleton(
        PasswordPolicy,
        min_length=settings.provided.password_min_length,
        common_passwords=providers.Callable(common_passwords),
        service_words=providers.Callable(context_words, SERVICE_NAME,
                                         settings.provided.public_host),
    )

    # The HMAC secret also keys the fingerprints and the outbox cipher, whatever signs tokens.
    secret_key = providers.Singleton(resolve_secret_key, settings)
    signing_keys = providers.Singleton(resolve_signing_keys, settings)
    tokens = providers.Singleton(
        token_codec,
        settings.provided.jwt_library,
        keys=signing_keys,
        issuer=settings.provided.jwt_issuer,
        audience=settings.provided.jwt_audience,
        lifetime=settings.provided.access_token_ttl,
        clock=clock,
    )

    # Seals the outbox's template data (tokens) at rest, keyed from the signing key.
    payload_cipher = providers.Singleton(PayloadCipher.from_secret, secret_key,
                                         providers.Callable(previous_secret_keys, settings))

    backend = providers.Singleton(storage_kind, settings.provided.database_url)
    memory_store = providers.Singleton(MemoryStore)
    engine = providers.Singleton(create_engine_for, settings.provided.database_url,
                                 timeout=settings.provided.db_timeout)
    session_factory = providers.Singleton(async_sessionmaker, engine, expire_on_commit=False)
    # The backend's fast read path, if it has one, made (like the engine) on first use.
    reader = providers.Singleton(reader_for, settings.provided.database_url,
                                 timeout=settings.provided.db_timeout)
    uow = providers.Selector(
        backend,
        memory=providers.Factory(MemoryUnitOfWork, memory_store, clock, cipher=payload_cipher),
        sql=providers.Factory(SqlUnitOfWork, session_factory, clock, reader=reader,
                              cipher=payload_cipher),
    )
    database_ping = providers.Selector(
        backend,
        memory=providers.Callable(memory_ping),
        sql=providers.Callable(ping, engine, seconds=settings.provided.db_timeout),
    )
    # None for memory://, which has no schema to fall behind.
    schema_watch = providers.Selector(
        backend,
        memory=providers.Object(None),
        sql=providers.Singleton(SchemaWatch, engine, seconds=settings.provided.db_timeout),
    )

    mail_composer = providers.Singleton(MailComposer, mail_from=settings.provided.mail_from,
                                        public_url=settings.provided.public_url)
    mailer = providers.Singleton(mailer_for, settings, mail_composer)
    outbox_queue = providers.Selector(
        backend,
        memory=providers.Singleton(MemoryOutboxQueue, memory_store, payload_cipher),
        sql=providers.Singleton(SqlOutboxQueue, session_factory, payload_cipher),
    )
    mail_dispatcher = providers.Singleton(OutboxDispatcher, outbox_queue, mailer, clock,
                                          max_attempts=settings.provided.mail_max_attempts)

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
                                         fingerprint=fingerprint, telemetry=telemetry)
    password_check = providers.Factory(PasswordCheck, hasher=hasher, attempts=account_attempts,
                                       policy=password_policy)
    second_factor = providers.Factory(SecondFactor, uow=uow, verifier=totp, box=secret_box,
                                      attempts=account_attempts)
    start_session = providers.Factory(StartSession, uow=uow, tokens=tokens, clock=clock,
                                      session_lifetime=settings.provided.session_lifetime,
                                      telemetry=telemetry)

    register_user = providers.Factory(
        RegisterUser, uow=uow, hasher=hasher, clock=clock, policy=password_policy,
        verification_ttl=settings.provided.email_verification_ttl)
    login_user = providers.Factory(LoginUser, uow=uow, hasher=hasher, attempts=account_attempts,
                                   start_session=start_session,
                                   require_verified_email=settings.provided.require_verified_email,
                                   telemetry=telemetry)
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
    throttle_client = providers.Factory(ThrottleClient, throttle=throttle, uow=uow,
                                        telemetry=telemetry)
    count_active_sessions = providers.Factory(CountActiveSessions, uow=uow, clock=clock)
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
    set_user_role = providers.Factory(SetUserRole, uow=uow)
    request_password_reset = providers.Factory(
        RequestPasswordReset, uow=uow, throttle=throttle, clock=clock,
        ttl=settings.provided.password_reset_ttl)
    reset_password = providers.Factory(ResetPassword, uow=uow, hasher=hasher, clock=clock,
                                       policy=password_policy)
    verify_email = providers.Factory(VerifyEmail, uow=uow, clock=clock)
    resend_verification = providers.Factory(
        ResendVerification, uow=uow, throttle=throttle, clock=clock,
        ttl=settings.provided.email_verification_ttl)
    request_email_change = providers.Factory(
        RequestEmailChange, uow=uow, passwords=password_check, clock=clock,
        ttl=settings.provided.email_verification_ttl)
    list_outbox = providers.Factory(ListOutbox, uow=uow)


async def close_storage(container: Container) -> None:
    """Close the database connections that the container's engine and reader hold, if any."""
    if container.backend() == "sql":
        await container.engine().dispose()
        reader = container.reader()
        if reader is not None:
            await reader.dispose()
