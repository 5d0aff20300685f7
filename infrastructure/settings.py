"""Settings from ROOMKEY_* environment variables, and the signing-key rules for each environment."""

import base64
import binascii
import email.utils
import ipaddress
import logging
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import limits
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from application.ports import ThrottleScope
from domain.errors import InvalidEmail
from domain.passwords import DEFAULT_MIN_PASSWORD_LENGTH
from infrastructure.email_addresses import parse_email
from infrastructure.mail.transports import SmtpRelay
from infrastructure.persistence.backends import async_url, is_memory
from infrastructure.persistence.sql.backend import DEFAULT_TIMEOUT_SECONDS
from infrastructure.signing_keys import (
    HOW_TO_MAKE_ONE,
    MIN_KEY_BYTES,
    generate_key,
    is_too_short,
    key_weakness,
)

logger = logging.getLogger("roomkey.settings")

# The product's name: a context word no password may contain (NIST SP 800-63B 5.1.1.2).
SERVICE_NAME = "roomkey"
DATA_KEY_BYTES = 32
DATA_KEY_FILE_NAME = ".roomkey-data-key"
MAKE_DATA_KEY = ("python -c 'import base64, os; "
                 "print(base64.urlsafe_b64encode(os.urandom(32)).decode())'")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./roomkey.db"
DEFAULT_MAX_HEADER_BYTES = 16 * 1024  # as Node.js's and h11's


class ConfigurationError(RuntimeError):
    """The settings cannot run safely; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROOMKEY_", extra="ignore")

    env: Literal["development", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: SecretStr | None = None
    secret_key_file: Path = Path(".roomkey-secret")
    previous_secret_keys: list[SecretStr] = []
    jwt_algorithm: Literal["HS256", "ES256"] = "HS256"
    # ES256: the private key (PEM); retired public or private keys, comma-separated paths.
    signing_key_file: Path | None = None
    previous_signing_key_files: Annotated[list[Path], NoDecode] = []
    access_token_ttl: timedelta = timedelta(minutes=15)
    session_lifetime: timedelta = timedelta(days=30)
    jwt_issuer: str = "roomkey"
    jwt_audience: str = "roomkey"
    jwt_library: Literal["jose", "pyjwt"] = "jose"
    cookie_secure: bool | None = None
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    password_min_length: int = Field(default=DEFAULT_MIN_PASSWORD_LENGTH, ge=8, le=64)
    # The base of the links Roomkey writes (mail, the browser app's pages); its host is a word
    # no password may contain.
    public_url: str = "http://127.0.0.1:8000"
    argon2_memory_cost: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    admin_email: str | None = None
    admin_password: SecretStr | None = None
    demo_rooms: bool | None = None
    # Rate limits in the `limits` notation: "10/15 minutes", "100 per hour", "5/second".
    login_limit_per_account: str = "10/15 minutes"
    login_limit_per_ip: str = "100/15 minutes"
    register_limit_per_ip: str = "20/hour"
    refresh_limit_per_ip: str = "60/minute"
    redis_url: SecretStr | None = None  # may hold a password
    redis_key_prefix: str = "roomkey"
    # Comma-separated addresses or networks whose X-Forwarded-For is believed.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Comma-separated origins allowed to call the API with credentials from a browser.
    cors_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # The request line and headers together; `roomkey serve` answers 431 past it.
    max_header_bytes: int = Field(default=DEFAULT_MAX_HEADER_BYTES, ge=4096)
    # Comma-separated host names the service answers for; empty means any, in development.
    allowed_hosts: Annotated[list[str], NoDecode] = []
    docs_enabled: bool | None = None
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    log_format: Literal["text", "json"] = "text"
    # The second factor and step-up re-authentication.
    data_key: SecretStr | None = None  # encrypts TOTP secrets at rest
    mfa_issuer: str = Field(default="Roomkey", min_length=1, max_length=100)
    mfa_limit_per_account: str = "5/15 minutes"
    step_up_max_age: timedelta = timedelta(minutes=10)
    require_mfa_for_admins: bool = False
    # Seconds a request may wait on the database (connect, pool checkout, statement, lock)
    # before it is answered 503.
    db_timeout: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=300)
    workers: int = Field(default=1, ge=1, le=64)
    # Seconds in-flight requests get to finish after SIGTERM.
    shutdown_grace: int = Field(default=20, ge=0, le=600)
    metrics_enabled: bool = True
    # When set, GET /metrics wants `Authorization: Bearer <this token>`.
    metrics_token: SecretStr | None = None
    # The browser app under /app/; API-only deployments turn it off.
    web_enabled: bool = True

    # Mail: smtp://[user:password@]host[:port], smtp+starttls://... or smtps://...; unset in
    # development, messages are written to MAIL_DIR as .eml files instead.
    smtp_url: SecretStr | None = None  # may hold a password
    mail_from: str = "Roomkey <no-reply@localhost>"
    mail_dir: Path = Path("mail")
    password_reset_ttl: timedelta = timedelta(minutes=30)
    email_verification_ttl: timedelta = timedelta(hours=24)
    require_verified_email: bool = False
    password_reset_limit_per_account: str = "3/hour"  # noqa: S105 - a rate, not a secret
    password_reset_limit_per_ip: str = "20/hour"  # noqa: S105
    # Seconds between the in-app dispatcher's rounds; 0 leaves sending to `roomkey mail-worker`.
    mail_dispatch_interval: float = Field(default=2.0, ge=0)
    mail_max_attempts: int = Field(default=8, ge=1, le=30)

    @field_validator("access_token_ttl", "session_lifetime", "step_up_max_age",
                     "password_reset_ttl", "email_verification_ttl", mode="before")
    @classmethod
    def _seconds_or_iso_duration(cls, value: object) -> object:
        """`900` (seconds) or an ISO 8601 duration such as `PT15M`."""
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("trusted_proxies", "cors_origins", "allowed_hosts",
                     "previous_signing_key_files", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad entry
        return value

    @field_validator("cors_origins")
    @classmethod
    def _explicit_origins(cls, value: list[str]) -> list[str]:
        if "*" in value:
            # Credentials (the cookie) go with every request: a wildcard would hand them to
            # any site. Name each origin.
            raise ValueError("ROOMKEY_CORS_ORIGINS must list origins explicitly, not '*'")
        return value

    @field_validator("login_limit_per_account", "login_limit_per_ip", "register_limit_per_ip",
                     "refresh_limit_per_ip", "mfa_limit_per_account",
                     "password_reset_limit_per_account", "password_reset_limit_per_ip")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as '10/15 minutes'") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not is_memory(value):
            async_url(value)  # its ValueError names the schemes Roomkey speaks
        return value

    @field_validator("admin_email")
    @classmethod
    def _admin_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse_email(value).value
        except InvalidEmail as error:
            raise ValueError(f"ROOMKEY_ADMIN_EMAIL: {error.detail}") from None

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("ROOMKEY_PUBLIC_URL must be an http:// or https:// URL with a host, "
                             "such as https://rooms.example.com")
        return value.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        url = value.get_secret_value() if value else ""
        if url and not url.startswith(("redis://", "rediss://")):
            raise ValueError("ROOMKEY_REDIS_URL must start with redis:// or rediss://")
        return value if url else None

    @field_validator("smtp_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str) -> str:
        _name, address = email.utils.parseaddr(value)
        if "\r" in value or "\n" in value or "@" not in address:
            raise ValueError("ROOMKEY_MAIL_FROM must be an address such as "
                             "'Roomkey <no-reply@example.com>', on one line")
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> "Settings":
        if self.cookie_samesite == "none" and not self.secure_cookies:
            raise ValueError("ROOMKEY_COOKIE_SAMESITE=none needs ROOMKEY_COOKIE_SECURE=true")
        if (self.admin_email is None) != (self.admin_password is None):
            raise ValueError("Set both ROOMKEY_ADMIN_EMAIL and ROOMKEY_ADMIN_PASSWORD, or neither")
        if self.smtp_url is not None:
            # Here, not in a field validator: pydantic's error would echo the URL, password too.
            try:
                SmtpRelay.parse(self.smtp_url.get_secret_value())
            except ValueError as error:
                raise ValueError(f"ROOMKEY_SMTP_URL: {error}") from None
        if self.password_reset_ttl <= timedelta(0) or self.email_verification_ttl <= timedelta(0):
            raise ValueError("ROOMKEY_PASSWORD_RESET_TTL and ROOMKEY_EMAIL_VERIFICATION_TTL "
                             "must be positive")
        if not timedelta(0) < self.access_token_ttl <= self.session_lifetime:
            raise ValueError("ROOMKEY_ACCESS_TOKEN_TTL must be positive and at most "
                             "ROOMKEY_SESSION_LIFETIME")
        if self.step_up_max_age <= timedelta(0):
            raise ValueError("ROOMKEY_STEP_UP_MAX_AGE must be positive")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies unless told otherwise, except in development (plain-HTTP localhost)."""
        return self.is_production if self.cookie_secure is None else self.cookie_secure

    @property
    def seeds_demo_rooms(self) -> bool:
        return (not self.is_production) if self.demo_rooms is None else self.demo_rooms

    @property
    def serves_docs(self) -> bool:
        """/docs and /openapi.json: on in development, off in production unless asked for."""
        return (not self.is_production) if self.docs_enabled is None else self.docs_enabled

    @property
    def public_host(self) -> str:
        return urlsplit(self.public_url).hostname or ""

    @property
    def redis_url_value(self) -> str | None:
        return self.redis_url.get_secret_value() if self.redis_url else None

    @property
    def throttle_rates(self) -> dict[ThrottleScope, str]:
        return {
            ThrottleScope.LOGIN_PER_ACCOUNT: self.login_limit_per_account,
            ThrottleScope.LOGIN_PER_IP: self.login_limit_per_ip,
            ThrottleScope.REGISTER_PER_IP: self.register_limit_per_ip,
            ThrottleScope.REFRESH_PER_IP: self.refresh_limit_per_ip,
            ThrottleScope.MFA_PER_ACCOUNT: self.mfa_limit_per_account,
            # Verification resends share the reset limits: both mail an address on request.
            ThrottleScope.PASSWORD_RESET_PER_ACCOUNT: self.password_reset_limit_per_account,
            ThrottleScope.PASSWORD_RESET_PER_IP: self.password_reset_limit_per_ip,
            ThrottleScope.VERIFICATION_PER_ACCOUNT: self.password_reset_limit_per_account,
            ThrottleScope.VERIFICATION_PER_IP: self.password_reset_limit_per_ip,
        }

    @property
    def uses_memory(self) -> bool:
        return is_memory(self.database_url)


def require_mail_delivery(settings: Settings) -> None:
    """Production must be able to deliver mail: recovery and notifications depend on it."""
    if settings.is_production and settings.smtp_url is None:
        raise ConfigurationError(
            "ROOMKEY_SMTP_URL is not set. In production Roomkey will not start without an SMTP "
            "relay to deliver mail (smtp://, smtp+starttls:// or smtps://).")


def resolve_secret_key(settings: Settings) -> str:
    """The HMAC signing key.

    Production refuses to start without a key, or with one that is short or predictable.
    Development generates one and keeps it in a local file (created with mode 0600), so tokens
    survive restarts without any set-up; a key set by hand there need only be long enough.
    """
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value()
        _check_key("ROOMKEY_SECRET_KEY", key, production=settings.is_production)
        return key
    if settings.is_production:
        raise ConfigurationError(
            f"ROOMKEY_SECRET_KEY is not set; production needs a strong signing key: "
            f"{HOW_TO_MAKE_ONE}")
    return _development_key(settings.secret_key_file)


def previous_secret_keys(settings: Settings) -> list[str]:
    """Retired signing keys that still verify tokens until those expire (key rotation)."""
    keys = [key.get_secret_value() for key in settings.previous_secret_keys]
    for key in keys:
        _check_key("Every ROOMKEY_PREVIOUS_SECRET_KEYS entry", key,
                   production=settings.is_production)
    return keys


def allowed_hosts(settings: Settings) -> frozenset[str] | None:
    """The host names to answer for; None means any (development's default).

    Production refuses to start without the list: a Host header is the client's to write.
    """
    if settings.allowed_hosts and "*" not in settings.allowed_hosts:
        return frozenset(host.lower().strip("[]") for host in settings.allowed_hosts)
    if settings.is_production and not settings.allowed_hosts:
        raise ConfigurationError(
            "ROOMKEY_ALLOWED_HOSTS is not set; in production name the host names Roomkey "
            "answers for, comma-separated (e.g. api.example.com), or '*' for any")
    return None


def _check_key(name: str, key: str, *, production: bool) -> None:
    weakness = key_weakness(key)
    # A token signed with a guessable key can be forged: production checks the entropy too.
    # In development a hand-set key need only be long enough; it guards nothing of value.
    if weakness is not None and (production or is_too_short(key)):
        raise ConfigurationError(f"{name} {weakness}; {HOW_TO_MAKE_ONE}")


def resolve_data_key(settings: Settings) -> bytes:
    """The key that encrypts secrets at rest (TOTP secrets): 32 bytes, base64url-encoded.

    Like the signing key: production refuses to start without it; development generates one
    and keeps it beside the signing key file (mode 0600). Losing it disables every enrolled
    second factor, so it is backed up with the database, and never stored in it.
    """
    if settings.data_key is not None:
        return _data_key(settings.data_key.get_secret_value(), "ROOMKEY_DATA_KEY")
    if settings.is_production:
        raise ConfigurationError(
            f"ROOMKEY_DATA_KEY is not set. In production Roomkey will not start without a data "
            f"key; generate one with `{MAKE_DATA_KEY}`")
    path = settings.secret_key_file.parent / DATA_KEY_FILE_NAME
    encoded = kept_in_file(path, _generate_data_key, what="data key",
                            setting="ROOMKEY_DATA_KEY")
    return _data_key(encoded, str(path))


def _generate_data_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(DATA_KEY_BYTES)).decode()


def _data_key(encoded: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != DATA_KEY_BYTES:
        raise ConfigurationError(
            f"{source} must be {DATA_KEY_BYTES} random bytes in base64url; generate one with "
            f"`{MAKE_DATA_KEY}`")
    return key


def _development_key(path: Path) -> str:
    key = kept_in_file(path, generate_key, what="key", setting="ROOMKEY_SECRET_KEY")
    if is_too_short(key):
        raise ConfigurationError(
            f"{path} holds a key shorter than {MIN_KEY_BYTES} bytes; delete it to get a new one")
    return key


def kept_in_file(path: Path, make: Callable[[], str], *, what: str, setting: str) -> str:
    """A development secret: read from `path`, or made and written there (mode 0600) first."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    value = make()
    with os.fdopen(fd, "w") as file:
        file.write(value)
    logger.warning("No %s set: generated a development %s in %s. Set %s in production.",
                   setting, what, path.resolve(), setting)
    return value
